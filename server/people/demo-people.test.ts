// `npm start` for a newcomer: demo people on a new demo database, a one-time link for the demo's
// head of sales on a loopback address, and a service on the network that nobody could sign in to
// refusing to start.
import { describe, expect, it } from 'vitest';
import { refuseWithoutPeople } from '../start-server.ts';
import { request, withTestService } from '../test-support/test-service.ts';
import { signInNotice } from './demo-people.ts';
import { listPeople, setPassword } from './people.ts';

describe('a new database with demo data', () => {
  const service = withTestService({ demoData: true, demoSize: 30 });

  it('has the demo employees as people: the head of sales an admin, the others reps, no passwords', async () => {
    const people = await listPeople(service.server.store);
    expect(people.map((p) => [p.name, p.role, p.hasPassword])).toEqual([
      ['Fatima El Amrani', 'rep', false],
      ['Julia Krämer', 'rep', false],
      ['Lars Hendriksen', 'rep', false],
      ['Mark de Wit', 'admin', false],
      ['Sophie van der Meer', 'rep', false],
      ['Tom Brennan', 'rep', false],
    ]);
    for (const person of people) expect(person.employeeName).toBe(person.name);
    // the reps own the demo deals
    const owned = await service.api(
      `/Activity_SalesOpportunity/$count?$filter=SalesRepresentative/ID eq ${people[0].employeeId}`,
    );
    expect(Number(owned.text)).toBeGreaterThan(0);
  });

  it('prints a one-time link for the head of sales on loopback only, until they set a password', async () => {
    const { store, origin } = service.server;
    expect(await signInNotice(store, { origin, loopback: false })).toEqual([]);
    const lines = await signInNotice(store, { origin, loopback: true });
    expect(lines[0]).toMatch(/^Sign in as Mark de Wit, the demo's head of sales \(admin\).*valid 15 minutes/);
    const link = lines[1].trim();
    expect(link.startsWith(`${origin}/auth/link/`)).toBe(true);
    const opened = await request(link, { redirect: 'manual' });
    expect(opened.status).toBe(302);
    expect(opened.headers.get('Location')).toBe('/');
    const cookie = opened.headers.getSetCookie()[0].split(';')[0];
    const me = await request(`${origin}/auth/session`, { headers: { Cookie: cookie } });
    expect(me.body.person).toMatchObject({ name: 'Mark de Wit', role: 'admin' });
    expect((await request(link, { redirect: 'manual' })).headers.get('Location')).toMatch(
      /^\/sign-in\?error=/,
    );

    const mark = (await listPeople(store)).find((p) => p.name === 'Mark de Wit')!;
    await setPassword(store, mark.id, 'a password of my own');
    expect(await signInNotice(store, { origin, loopback: true })).toEqual([]);
  });
});

describe('a new database without demo data', () => {
  const service = withTestService({ demoData: false });

  it('says how to add the first admin, and will not listen on the network with nobody to sign in', async () => {
    const { store, origin } = service.server;
    const lines = await signInNotice(store, { origin, loopback: true });
    expect(lines.join('\n')).toMatch(/npm run people -- add --email .* --role admin/);
    await expect(refuseWithoutPeople(store, '0.0.0.0', {})).rejects.toThrow(
      /Refusing to listen on 0\.0\.0\.0 with nobody to sign in/,
    );
    await expect(
      refuseWithoutPeople(store, '0.0.0.0', { apiToken: 'integrations' }),
    ).resolves.toBeUndefined();
    await expect(refuseWithoutPeople(store, '127.0.0.1', {})).resolves.toBeUndefined();
  });
});
