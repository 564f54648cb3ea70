// Signing out ends the session on the service; the dashboard forgets everything it read.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { authRequest } from '../../api/auth-client';
import { authKeys } from '../../api/query-keys';

export const signOut = () => authRequest<void>('POST', '/sign-out');

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: signOut,
    onSuccess: () => {
      // Nobody first, so the screens that show data give way to the sign-in page, then the data.
      queryClient.setQueryData(authKeys.session(), null);
      queryClient.removeQueries({
        predicate: (query) => query.queryKey[0] !== authKeys.all[0] || query.queryKey[1] !== 'session',
      });
    },
  });
}
