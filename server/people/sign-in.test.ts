// Signing in through HTTP as a browser does: the session cookie and its flags, time-outs,
// sign-out, the same-origin rule for cookie writes, the per-account throttle, one-time links,
// passwords, personal tokens and the admin's people routes. On SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';
import { addTestPerson } from '../test-support/test-people.ts';
import {
  type ApiResponse,
  request,
  type TestService,
  withTestService,
} from '../test-support/test-service.ts';
import { addPerson } from './people.ts';

const password = 'correct horse battery';

/** A browser's cookie jar for one service: sends what it was given, on its own origin. */
function browser(service: TestService, origin = service.server.origin) {
  let cookie: string | undefined;
  const send = async (path: string, init: RequestInit & { json?: unknown } = {}): Promise<ApiResponse> => {
    const url = path.startsWith('http') ? path : `${service.server.origin}${path}`;
    const unsafe = init.method !== undefined && init.method !== 'GET';
    const answer = await request(url, {
      redirect: 'manual',
      ...init,
      headers: {
        ...(cookie ? { Cookie: cookie } : {}),
        ...(unsafe ? { Origin: origin } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
    for (const line of answer.headers.getSetCookie()) {
      const [pair] = line.split(';');
      cookie = pair.endsWith('=') ? undefined : pair;
    }
    return answer;
  };
  return {
    send,
    get cookie() {
      return cookie;
    },
    set cookie(value: string | undefined) {
      cookie = value;
    },
    signIn: (email: string, pass = password) =>
      send('/auth/sign-in', { method: 'POST', json: { email, password: pass } }),
  };
}

async function personWithPassword(service: TestService, role: 'rep' | 'manager' | 'admin' = 'rep') {
  const added = await addTestPerson(service, role, undefined, password);
  return added.person;
}

const setCookieOf = (answer: ApiResponse) =>
  answer.headers.getSetCookie().find((c) => c.startsWith('dealdeck_session='))!;

describe('signing in with email and password', () => {
  const service = withTestService();

  it('sets an HttpOnly, SameSite=Lax session cookie that the API and /auth/session accept', async () => {
    const person = await personWithPassword(service, 'manager');
    const page = browser(service);
    const signedIn = await page.signIn(person.email.toUpperCase());
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(signedIn.body.person).toMatchObject({ email: person.email, role: 'manager', hasPassword: true });
    const cookie = setCookieOf(signedIn);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Max-Age=86400/);
    expect(cookie).not.toMatch(/Secure/); // served over plain HTTP
    const session = await page.send('/auth/session');
    expect(session.body).toMatchObject({ person: { id: person.id, name: person.name }, repSees: 'all' });
    expect((await page.send('/v1/odata/Pipeline')).status).toBe(200);
    // the secret is stored hashed: the cookie's value is nowhere in the table
    const secret = page.cookie!.split('=')[1];
    const rows = await service.server.store.db.selectFrom('person_session').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
  });

  it('renews the session at sign-in: the cookie from before signs nobody in after', async () => {
    const person = await personWithPassword(service);
    const page = browser(service);
    await page.signIn(person.email);
    const before = page.cookie;
    await page.signIn(person.email);
    expect(page.cookie).not.toBe(before);
    const stale = await request(`${service.server.serviceRoot}/Pipeline`, { headers: { Cookie: before! } });
    expect(stale.status).toBe(401);
  });

  it('sign-out ends the session on the server, not only in the browser', async () => {
    const person = await personWithPassword(service);
    const page = browser(service);
    await page.signIn(person.email);
    const kept = page.cookie!;
    const out = await page.send('/auth/sign-out', { method: 'POST' });
    expect(out.status).toBe(204);
    expect(setCookieOf(out)).toMatch(/^dealdeck_session=;/);
    const replayed = await request(`${service.server.serviceRoot}/Pipeline`, { headers: { Cookie: kept } });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.message).toMatch(/session has ended/);
  });

  it('ends a session idle longer than the idle time-out, and any session after the absolute one', async () => {
    const { db } = service.server.store;
    const person = await personWithPassword(service);
    const idle = browser(service);
    await idle.signIn(person.email);
    const twoHours = 2 * 60 * 60_000;
    await db
      .updateTable('person_session')
      .set({ LastSeenAt: Date.now() - twoHours - 1000 })
      .where('PersonID', '=', person.id)
      .execute();
    expect((await idle.send('/v1/odata/Pipeline')).status).toBe(401);

    const busy = browser(service);
    await busy.signIn(person.email);
    // used a minute ago, but signed in 25 hours ago
    await db
      .updateTable('person_session')
      .set({ CreatedAt: Date.now() - 25 * 60 * 60_000, LastSeenAt: Date.now() - 60_000 })
      .where('PersonID', '=', person.id)
      .execute();
    expect((await busy.send('/v1/odata/Pipeline')).status).toBe(401);
    const left = await db
      .selectFrom('person_session')
      .select('TokenHash')
      .where('PersonID', '=', person.id)
      .execute();
    expect(left).toEqual([]);
  });

  it('answers a wrong password and an unknown email alike, and stores only an Argon2id hash', async () => {
    const person = await personWithPassword(service);
    const wrong = await browser(service).signIn(person.email, 'not the password');
    const unknown = await browser(service).signIn('nobody@people.test', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.error.code).toBe('InvalidCredentials');
    const row = await service.server.store.db
      .selectFrom('person')
      .select('PasswordHash')
      .where('ID', '=', person.id)
      .executeTakeFirstOrThrow();
    expect(row.PasswordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('refuses missing fields and bodies that are not JSON objects with 400', async () => {
    const page = browser(service);
    expect((await page.send('/auth/sign-in', { method: 'POST', json: { email: 'a@b.c' } })).status).toBe(400);
    const notJson = await page.send('/auth/sign-in', {
      method: 'POST',
      body: '{"email":',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('InvalidBody');
  });
});

describe('the sign-in throttle', () => {
  const service = withTestService();

  it('slows an account down after five failures: 429 with Retry-After, even for the right password', async () => {
    const person = await personWithPassword(service);
    const page = browser(service);
    for (let i = 0; i < 5; i++) expect((await page.signIn(person.email, `guess ${i}`)).status).toBe(401);
    const blocked = await page.signIn(person.email);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('TooManyAttempts');
    const retryAfter = Number(blocked.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(blocked.body.error.message).toMatch(/try again in \d+ seconds/);
    // another account is not slowed down by it
    const other = await personWithPassword(service);
    expect((await browser(service).signIn(other.email)).status).toBe(200);
    // once the wait is over, the right password signs in, and the count starts anew
    await service.server.store.db
      .updateTable('sign_in_throttle')
      .set({ BlockedUntil: Date.now() - 1 })
      .execute();
    expect((await page.signIn(person.email)).status).toBe(200);
    expect((await page.signIn(person.email, 'one more guess')).status).toBe(401);
  });

  it('throttles an unknown email the same way, so the answers do not tell which accounts exist', async () => {
    const page = browser(service);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await page.signIn('ghost@people.test', `guess ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('doubles the wait after each further failure', async () => {
    const person = await personWithPassword(service);
    const page = browser(service);
    const { db } = service.server.store;
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      await db.updateTable('sign_in_throttle').set({ BlockedUntil: 0 }).execute();
      await page.signIn(person.email, `guess ${i}`);
      const blocked = await page.signIn(person.email, 'whatever');
      if (blocked.status === 429) waits.push(Number(blocked.headers.get('Retry-After')));
    }
    // each round adds a failure, and while not blocked the second try is one more; a blocked
    // try is refused unchecked and counts for nothing: blocked after failures 5, 6 and 7
    expect(waits.slice(0, 3).map((w) => Math.round(w / 30))).toEqual([1, 2, 4]);
  });
});

describe('writes signed in by cookie come from our own pages', () => {
  const service = withTestService();

  it('refuses a write from a foreign Origin with 403, whatever its content type, and writes nothing', async () => {
    const person = await personWithPassword(service, 'manager');
    const page = browser(service);
    await page.signIn(person.email);
    const subject = `Forged ${Date.now()}`;
    for (const contentType of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
      const forged = await page.send('/v1/odata/Activity_SalesOpportunity', {
        method: 'POST',
        body: JSON.stringify({ Subject: subject }),
        headers: { Origin: 'http://evil.example', 'Content-Type': contentType },
      });
      expect(forged.status, contentType).toBe(403);
      expect(forged.body.error.code).toBe('ForeignOrigin');
    }
    // an older browser without Origin on writes still says where the request comes from
    const withoutOrigin = await request(`${service.server.serviceRoot}/Activity_SalesOpportunity`, {
      method: 'POST',
      json: { Subject: subject },
      headers: { Cookie: page.cookie!, 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(withoutOrigin.status).toBe(403);
    const found = await service.api(`/Activity_SalesOpportunity/$count?$filter=Subject eq '${subject}'`);
    expect(found.text).toBe('0');
    // the same write from our own page goes through
    const own = await page.send('/v1/odata/Activity_SalesOpportunity', {
      method: 'POST',
      json: { Subject: subject },
    });
    expect(own.status, own.text).toBe(201);
    // reads are not writes: a foreign page cannot read the answer anyway (no CORS credentials)
    expect(
      (await page.send('/v1/odata/Pipeline', { headers: { Origin: 'http://evil.example' } })).status,
    ).toBe(200);
  });

  it('lets a bearer token write from anywhere: a page cannot send it on its own', async () => {
    const { token } = await addTestPerson(service, 'manager');
    const created = await service.api('/Activity_SalesOpportunity', {
      as: token,
      method: 'POST',
      json: { Subject: 'From a script' },
      headers: { Origin: 'http://elsewhere.example' },
    });
    expect(created.status, created.text).toBe(201);
  });

  it('refuses a forged sign-in and sign-out too', async () => {
    const person = await personWithPassword(service);
    const forged = await browser(service, 'http://evil.example').signIn(person.email);
    expect(forged.status).toBe(403);
    expect(forged.headers.getSetCookie()).toEqual([]);
  });
});

describe('secure cookies behind HTTPS', () => {
  const service = withTestService({ auth: { publicUrl: 'https://deals.example.com' } });

  it('marks the cookie Secure and takes writes from the public origin only', async () => {
    const person = await personWithPassword(service);
    const fromPublic = await browser(service, 'https://deals.example.com').signIn(person.email);
    expect(fromPublic.status, fromPublic.text).toBe(200);
    expect(setCookieOf(fromPublic)).toMatch(/; Secure/);
    expect((await browser(service).signIn(person.email)).status).toBe(403);
  });
});

describe('personal access tokens', () => {
  const service = withTestService();

  it('are created signed in, shown once, listed by name and prefix, used as Bearer, and revoked', async () => {
    const person = await personWithPassword(service, 'manager');
    const page = browser(service);
    await page.signIn(person.email);
    const created = await page.send('/auth/tokens', { method: 'POST', json: { name: 'Excel report' } });
    expect(created.status, created.text).toBe(201);
    const { token, id } = created.body;
    expect(token).toMatch(/^ddk_[\w-]{43}$/);
    expect(created.body).toMatchObject({
      name: 'Excel report',
      prefix: token.slice(0, 10),
      lastUsedAt: null,
    });

    const listed = await page.send('/auth/tokens');
    const mine = (body: ApiResponse['body']) => body.value.find((t: { id: string }) => t.id === id);
    expect(mine(listed.body)).toEqual({
      id,
      name: 'Excel report',
      prefix: token.slice(0, 10),
      createdAt: created.body.createdAt,
      lastUsedAt: null,
    });
    expect(listed.text).not.toContain(token);
    const stored = await service.server.store.db.selectFrom('person_token').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(token);

    const asPerson = await service.api('/Pipeline', { as: token });
    expect(asPerson.status).toBe(200);
    const me = await request(`${service.server.origin}/auth/session`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(me.body.person.id).toBe(person.id);
    const used = await page.send('/auth/tokens');
    expect(Date.parse(mine(used.body).lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);

    expect((await page.send(`/auth/tokens/${id}`, { method: 'DELETE' })).status).toBe(204);
    const revoked = await service.api('/Pipeline', { as: token });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/revoked/);
    expect(mine((await page.send('/auth/tokens')).body)).toBeUndefined();
  });

  it('cannot be made with a token, or revoked by someone else', async () => {
    const owner = await addTestPerson(service, 'rep');
    const made = await request(`${service.server.origin}/auth/tokens`, {
      method: 'POST',
      json: { name: 'more' },
      headers: { Authorization: `Bearer ${owner.token}` },
    });
    expect(made.status).toBe(403);
    const other = await addTestPerson(service, 'admin');
    const [mine] = (
      await request(`${service.server.origin}/auth/tokens`, {
        headers: { Authorization: `Bearer ${owner.token}` },
      })
    ).body.value;
    const stolen = await request(`${service.server.origin}/auth/tokens/${mine.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${other.token}` },
    });
    expect(stolen.status).toBe(404);
    expect((await service.api('/Pipeline', { as: owner.token })).status).toBe(200);
  });

  it('stop working when their person is deactivated', async () => {
    const admin = await addTestPerson(service, 'admin');
    const rep = await addTestPerson(service, 'rep');
    const off = await request(`${service.server.origin}/auth/people/${rep.person.id}`, {
      method: 'PATCH',
      json: { active: false },
      headers: { Authorization: `Bearer ${admin.token}` },
    });
    expect(off.status, off.text).toBe(200);
    expect(off.body.person.active).toBe(false);
    expect((await service.api('/Pipeline', { as: rep.token })).status).toBe(401);
  });
});

describe('people, for admins', () => {
  const service = withTestService();
  const asAdmin = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    request(`${service.server.origin}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${service.apiToken}`, ...(init.headers as Record<string, string>) },
    });

  it('the API_TOKEN acts as an admin; reps and managers may not manage people', async () => {
    const me = await asAdmin('/auth/session');
    expect(me.body.person).toMatchObject({ name: 'API token', role: 'admin' });
    for (const role of ['rep', 'manager'] as const) {
      const { token } = await addTestPerson(service, role);
      const denied = await request(`${service.server.origin}/auth/people`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(denied.status).toBe(403);
    }
  });

  it('invites a person, linked to the employee of that name, with a one-time link to choose a password', async () => {
    const employee = await service.api('/Relation_Person_Contact_Employee', {
      method: 'POST',
      json: { FirstName: 'Noor', LastName: 'Visser' },
    });
    const invited = await asAdmin('/auth/people', {
      method: 'POST',
      json: { email: 'Noor.Visser@People.Test', name: 'Noor Visser', role: 'rep' },
    });
    expect(invited.status, invited.text).toBe(201);
    expect(invited.body.person).toMatchObject({
      email: 'noor.visser@people.test',
      role: 'rep',
      employeeId: employee.body.ID,
      employeeName: 'Noor Visser',
      hasPassword: false,
      active: true,
    });
    const again = await asAdmin('/auth/people', {
      method: 'POST',
      json: { email: 'noor.visser@people.test', name: 'X', role: 'rep' },
    });
    expect(again.status).toBe(409);

    const page = browser(service);
    const link = new URL(invited.body.signInLink);
    const opened = await page.send(link.pathname);
    expect(opened.status).toBe(302);
    expect(opened.headers.get('Location')).toBe('/welcome');
    expect((await page.send('/auth/session')).body.person.email).toBe('noor.visser@people.test');
    // a link works once
    const reused = await browser(service).send(link.pathname);
    expect(reused.headers.get('Location')).toMatch(/^\/sign-in\?error=.*used%20already/);

    const weak = await page.send('/auth/password', { method: 'POST', json: { newPassword: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('WeakPassword');
    expect(
      (await page.send('/auth/password', { method: 'POST', json: { newPassword: password } })).status,
    ).toBe(204);
    expect((await browser(service).signIn('noor.visser@people.test')).status).toBe(200);
    // with a password set, changing it needs the current one
    const noCurrent = await page.send('/auth/password', {
      method: 'POST',
      json: { newPassword: 'another long one' },
    });
    expect(noCurrent.status).toBe(401);
  });

  it('creates an employee for a new name, and refuses bad emails and roles', async () => {
    const added = await asAdmin('/auth/people', {
      method: 'POST',
      json: { email: 'kai@people.test', name: 'Kai Brandt', role: 'manager' },
    });
    expect(added.status).toBe(201);
    const employee = await service.api(`/Relation_Person_Contact_Employee(${added.body.person.employeeId})`);
    expect(employee.body).toMatchObject({
      FirstName: 'Kai',
      LastName: 'Brandt',
      EmailAddress: 'kai@people.test',
    });
    const badEmail = await asAdmin('/auth/people', {
      method: 'POST',
      json: { email: 'kai', name: 'K', role: 'rep' },
    });
    expect(badEmail.body.error.code).toBe('InvalidEmail');
    const badRole = await asAdmin('/auth/people', {
      method: 'POST',
      json: { email: 'k@people.test', name: 'K', role: 'boss' },
    });
    expect(badRole.body.error.message).toMatch(/rep, manager, admin/);
  });

  it('an expired link signs nobody in', async () => {
    const added = await asAdmin('/auth/people', {
      method: 'POST',
      json: { email: 'late@people.test', name: 'Late Comer', role: 'rep' },
    });
    await service.server.store.db
      .updateTable('sign_in_link')
      .set({ ExpiresAt: Date.now() - 1 })
      .execute();
    const opened = await browser(service).send(new URL(added.body.signInLink).pathname);
    expect(opened.headers.get('Location')).toMatch(/^\/sign-in\?error=/);
    expect(opened.headers.getSetCookie()).toEqual([]);
  });

  it('changes roles, deactivates (signing the person out), and keeps at least one active admin', async () => {
    const { store } = service.server;
    const only = await addPerson(store, {
      email: 'sole.admin@people.test',
      name: 'Sole Admin',
      role: 'admin',
      password,
    });
    // other admins from earlier tests step down first
    for (const person of (await asAdmin('/auth/people')).body.value) {
      if (person.role === 'admin' && person.id !== only.id) {
        await asAdmin(`/auth/people/${person.id}`, { method: 'PATCH', json: { role: 'manager' } });
      }
    }
    const page = browser(service);
    await page.signIn(only.email);
    const demote = await asAdmin(`/auth/people/${only.id}`, { method: 'PATCH', json: { role: 'rep' } });
    expect(demote.status).toBe(409);
    expect(demote.body.error.code).toBe('LastAdmin');
    const rep = await addPerson(store, {
      email: 'soon.admin@people.test',
      name: 'Soon Admin',
      role: 'rep',
      password,
    });
    const promoted = await asAdmin(`/auth/people/${rep.id}`, { method: 'PATCH', json: { role: 'admin' } });
    expect(promoted.body.person.role).toBe('admin');
    const off = await asAdmin(`/auth/people/${only.id}`, { method: 'PATCH', json: { active: false } });
    expect(off.body.person.active).toBe(false);
    expect((await page.send('/auth/session')).status).toBe(401);
    expect((await browser(service).signIn(only.email)).status).toBe(401);
  });
});
