// People for HTTP tests: a person with a role, linked to an employee, and a personal token to
// send as them (service.api(path, { as: token })).
import { randomUUID } from 'node:crypto';
import type { Role } from '../access/principal.ts';
import { createAccessToken } from '../people/credentials.ts';
import { addPerson, type Person } from '../people/people.ts';
import type { TestService } from './test-service.ts';

export interface TestPerson {
  person: Person;
  /** a personal access token of this person */
  token: string;
}

export async function addTestPerson(
  service: TestService,
  role: Role,
  name = `${role} ${randomUUID().slice(0, 8)}`,
  password?: string,
): Promise<TestPerson> {
  const { store } = service.server;
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@people.test`;
  const person = await addPerson(store, { email, name, role, password });
  const { token } = await createAccessToken(store, person.id, 'tests');
  return { person, token };
}
