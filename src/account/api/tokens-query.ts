// The signed-in person's personal access tokens (for scripts and OData clients): names and
// prefixes only; a token itself is shown once, when it is created.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { authRequest } from '../../api/auth-client';
import { authKeys } from '../../api/query-keys';

export interface PersonalToken {
  id: string;
  name: string;
  /** the first characters of the token, to recognise it */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export const fetchTokens = async (signal?: AbortSignal) =>
  (await authRequest<{ value: PersonalToken[] }>('GET', '/tokens', undefined, signal)).value;

export const tokensQuery = () =>
  queryOptions({
    queryKey: authKeys.tokens(),
    queryFn: ({ signal }) => fetchTokens(signal),
  });

export const useTokens = () => useQuery(tokensQuery());
