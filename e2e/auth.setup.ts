// Adds the e2e people (an admin, a manager and two reps, each with a password and an employee
// record) and signs each in once, keeping their cookies for the tests (see support/people.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { request, test as setup } from '@playwright/test';
import {
  authDir,
  type E2EPerson,
  e2ePeople,
  type PersonKey,
  passwordOf,
  peopleFile,
  storageStateOf,
} from './support/people';
import { ServiceApi } from './support/service-api';

setup('add the e2e people and sign them in', async ({ baseURL }) => {
  const api = new ServiceApi(`${baseURL}/v1/odata`);
  mkdirSync(authDir, { recursive: true });
  const people = {} as Record<PersonKey, E2EPerson>;
  for (const [key, person] of Object.entries(e2ePeople) as [PersonKey, (typeof e2ePeople)[PersonKey]][]) {
    const { person: added } = await api.auth<{ person: E2EPerson }>('POST', '/people', {
      ...person,
      password: passwordOf(key),
    });
    people[key] = added;
    // signed in as a browser would be: from the dashboard's own origin
    const browser = await request.newContext({ baseURL, extraHTTPHeaders: { Origin: baseURL! } });
    const signedIn = await browser.post('/auth/sign-in', {
      data: { email: person.email, password: passwordOf(key) },
    });
    if (!signedIn.ok()) throw new Error(`${person.email} cannot sign in: ${await signedIn.text()}`);
    await browser.storageState({ path: storageStateOf(key) });
    await browser.dispose();
  }
  writeFileSync(peopleFile, JSON.stringify(people, null, 2));
});
