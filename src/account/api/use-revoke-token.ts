// Revoking a personal token: from then on the service answers it with 401.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { authRequest } from '../../api/auth-client';
import { authKeys } from '../../api/query-keys';
import type { PersonalToken } from './tokens-query';

export const revokeToken = (id: string) => authRequest<void>('DELETE', `/tokens/${encodeURIComponent(id)}`);

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeToken,
    onSuccess: (_, id) => {
      queryClient.setQueryData<PersonalToken[]>(authKeys.tokens(), (tokens) =>
        tokens?.filter((t) => t.id !== id),
      );
      return queryClient.invalidateQueries({ queryKey: authKeys.tokens() });
    },
  });
}
