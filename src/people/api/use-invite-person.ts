// Inviting someone: the service creates the person and answers a sign-in link (valid 7 days)
// for the admin to pass on; opening it signs the invitee in to choose a password.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { authRequest } from '../../api/auth-client';
import type { Role } from '../../api/person';
import { authKeys } from '../../api/query-keys';
import type { PersonAdmin } from './people-query';

export interface Invitation {
  email: string;
  name: string;
  role: Role;
}

export interface Invited {
  person: PersonAdmin;
  signInLink: string;
}

export const invitePerson = (invitation: Invitation) => authRequest<Invited>('POST', '/people', invitation);

export function useInvitePerson() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: invitePerson,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authKeys.people() }),
  });
}
