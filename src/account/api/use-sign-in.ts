// Signing in with email and password. The service sets the session cookie; the dashboard then
// asks who is signed in, and drops any data read as somebody else.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { authRequest } from '../../api/auth-client';
import type { Person } from '../../api/person';
import { authKeys, queryKeys } from '../../api/query-keys';

export interface Credentials {
  email: string;
  password: string;
}

export const signIn = (credentials: Credentials) =>
  authRequest<{ person: Person }>('POST', '/sign-in', credentials);

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: signIn,
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: queryKeys.all });
      queryClient.removeQueries({ queryKey: authKeys.tokens() });
      queryClient.removeQueries({ queryKey: authKeys.people() });
      await queryClient.invalidateQueries({ queryKey: authKeys.session() });
    },
  });
}
