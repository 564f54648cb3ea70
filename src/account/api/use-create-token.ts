// A new personal token: the answer carries the token, once; the list keeps only its prefix.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { authRequest } from '../../api/auth-client';
import { authKeys } from '../../api/query-keys';
import type { PersonalToken } from './tokens-query';

export type CreatedToken = PersonalToken & { token: string };

export const createToken = (name: string) => authRequest<CreatedToken>('POST', '/tokens', { name });

export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createToken,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authKeys.tokens() }),
  });
}
