// Changing a person's role, name or whether they may sign in. The service refuses (409
// LastAdmin) a change that would leave no active admin.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { authRequest } from '../../api/auth-client';
import type { Role } from '../../api/person';
import { authKeys } from '../../api/query-keys';
import type { PersonAdmin } from './people-query';

export interface PersonChange {
  role?: Role;
  active?: boolean;
  name?: string;
}

export const updatePerson = (id: string, change: PersonChange) =>
  authRequest<{ person: PersonAdmin }>('PATCH', `/people/${encodeURIComponent(id)}`, change);

export function useUpdatePerson() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: PersonChange }) => updatePerson(id, change),
    onSuccess: ({ person }) => {
      queryClient.setQueryData<PersonAdmin[]>(authKeys.people(), (people) =>
        people?.map((p) => (p.id === person.id ? person : p)),
      );
      // The admin may have changed their own role.
      queryClient.invalidateQueries({ queryKey: authKeys.session() });
    },
  });
}
