// The people of the e2e run: added by e2e/auth.setup.ts through POST /auth/people (with the
// service's token), signed in once each; their cookies are kept as Playwright storage states.
import { readFileSync } from 'node:fs';
import type { Role } from '../../src/api/person';

/** Where the setup keeps the signed-in browsers' cookies and the people it added (test-results/ is ignored by git). */
export const authDir = 'test-results/e2e-auth';

export type PersonKey = 'admin' | 'manager' | 'repA' | 'repB';

export const e2ePeople: Record<PersonKey, { email: string; name: string; role: Role }> = {
  admin: { email: 'ada.admin@e2e.example', name: 'Ada Admin', role: 'admin' },
  manager: { email: 'mia.manager@e2e.example', name: 'Mia Manager', role: 'manager' },
  repA: { email: 'rita.rep@e2e.example', name: 'Rita Rep', role: 'rep' },
  repB: { email: 'ravi.rep@e2e.example', name: 'Ravi Rep', role: 'rep' },
};

export const passwordOf = (key: PersonKey) => `e2e ${key} password`;

export interface E2EPerson {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** their employee record: the SalesRepresentative of their deals */
  employeeId: string;
}

/** A signed-in browser of this person, for `test.use({ storageState })`. */
export const storageStateOf = (key: PersonKey) => `${authDir}/${key}.json`;

export const peopleFile = `${authDir}/people.json`;

export const readPeople = (): Record<PersonKey, E2EPerson> => JSON.parse(readFileSync(peopleFile, 'utf8'));
