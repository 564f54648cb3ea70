// How people may sign in here: always email and password, and single sign-on when the service
// has an identity provider (its button label comes from the service).
import { queryOptions, useQuery } from '@tanstack/react-query';
import { authRequest } from '../../api/auth-client';
import { authKeys } from '../../api/query-keys';

export interface AuthOptions {
  sso: { label: string } | null;
}

export const fetchAuthOptions = (signal?: AbortSignal) =>
  authRequest<AuthOptions>('GET', '/options', undefined, signal);

export const authOptionsQuery = () =>
  queryOptions({
    queryKey: authKeys.options(),
    queryFn: ({ signal }) => fetchAuthOptions(signal),
    staleTime: 5 * 60_000,
  });

export const useAuthOptions = () => useQuery(authOptionsQuery());
