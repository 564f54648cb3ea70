// Choosing a password (after a sign-in link) or changing it (the current one is then needed).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { authRequest } from '../../api/auth-client';
import { authKeys } from '../../api/query-keys';

export interface PasswordChange {
  currentPassword?: string;
  newPassword: string;
}

/** The service's own rule, checked here first so the person hears it before sending. */
export const minPasswordLength = 10;

export const setPassword = (change: PasswordChange) => authRequest<void>('POST', '/password', change);

export function useSetPassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: setPassword,
    // hasPassword changed
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authKeys.session() }),
  });
}
