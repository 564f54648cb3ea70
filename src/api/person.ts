// The signed-in person, as /auth/session and /auth/sign-in describe them: the service's own
// definitions (server/people/person.ts, server/access/principal.ts).
import type { Role } from '../../server/access/principal';
import type { Person as PersonRecord } from '../../server/people/person';

export { roles } from '../../server/access/principal';
export type { Role };

/** A person as the session gives them; People (admins) also see whether they are active and when they signed in. */
export type Person = Omit<PersonRecord, 'active' | 'createdAt' | 'lastSignInAt'>;
export type PersonAdmin = PersonRecord;

export const roleLabels: Record<Role, string> = { rep: 'Sales rep', manager: 'Manager', admin: 'Admin' };

/** Managers and admins may change every deal; a rep their own and unassigned ones. */
export const changesEveryDeal = (person: Person) => person.role === 'manager' || person.role === 'admin';
