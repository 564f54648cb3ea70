// Everyone who may sign in, for admins: roles, whether active, when they last signed in.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { authRequest } from '../../api/auth-client';
import type { PersonAdmin } from '../../api/person';
import { authKeys } from '../../api/query-keys';

export type { PersonAdmin };

export const fetchPeople = async (signal?: AbortSignal) =>
  (await authRequest<{ value: PersonAdmin[] }>('GET', '/people', undefined, signal)).value;

export const peopleQuery = () =>
  queryOptions({
    queryKey: authKeys.people(),
    queryFn: ({ signal }) => fetchPeople(signal),
  });

export const usePeople = () => useQuery(peopleQuery());
