// Who is signed in to Dealdeck's own service: null when nobody is (401). Against another
// service (the hosted CRM, reached with a token) there is no session and nothing is asked.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { isOwnService } from '../lib/own-service';
import { useSettings } from '../lib/settings-store';
import { authRequest } from './auth-client';
import { ODataRequestError } from './odata-error';
import type { Person } from './person';
import { authKeys } from './query-keys';

export interface Session {
  person: Person;
  /** what a rep reads: every deal, or only their own and unassigned ones (REP_SEES) */
  repSees: 'all' | 'own';
}

export async function fetchSession(signal?: AbortSignal): Promise<Session | null> {
  try {
    return await authRequest<Session>('GET', '/session', undefined, signal);
  } catch (error) {
    if (error instanceof ODataRequestError && error.status === 401) return null;
    throw error;
  }
}

export const sessionQuery = () =>
  queryOptions({
    queryKey: authKeys.session(),
    queryFn: ({ signal }) => fetchSession(signal),
    // Asked again when the window regains focus: a sign-out in another tab shows here too.
    staleTime: 60_000,
  });

/** The session when the dashboard talks to its own service; `own` false means there is none. */
export function useSession() {
  const { baseUrl } = useSettings();
  const own = isOwnService(baseUrl);
  const query = useQuery({ ...sessionQuery(), enabled: own });
  return { own, query, session: own ? (query.data ?? null) : null };
}

/** The signed-in person, or null (nobody yet, or another service that has no people). */
export const useCurrentPerson = (): Person | null => useSession().session?.person ?? null;
