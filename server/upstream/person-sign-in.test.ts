// Per-person upstream sign-in (UPSTREAM_SIGN_IN=person) end to end over HTTP: Dealdeck in front
// of the test CRM (test-upstream.ts), whose real OAuth2 server issues authorization codes with
// refresh tokens to people who sign in on its pages. A signed-in Dealdeck person connects their
// own account; their requests then reach the CRM with their own token (the front's token
// introspection names its `sub`), renewed before it expires and after a refusal, and a
// connection the CRM ends asks them to connect again.
import { describe, expect, it } from 'vitest';
import { sessionCookie } from '../people/authenticate.ts';
import { createAccessToken, startSession } from '../people/credentials.ts';
import { addPerson } from '../people/people.ts';
import { authorizeAtProvider, TestBrowser } from '../test-support/oidc-provider.ts';
import { addTestPerson, type TestPerson } from '../test-support/test-people.ts';
import { withTestService } from '../test-support/test-service.ts';
import { PersonGrants } from './person-grants.ts';
import { startTestCrm } from './test-crm.ts';
import { upstreamConnectFlowTable, upstreamGrantTable } from './upstream-grant-schema.ts';

const crm = await startTestCrm();

/** Dealdeck's clock for the tokens it holds: moved forward to let a token come due. */
let clock = Date.now();
const proxy = withTestService({ upstream: crm.personSettings({ now: () => clock }) });
const tokenKey = Buffer.alloc(32, 7);
const sealing = withTestService({
  upstream: crm.personSettings({ person: { authorizeUrl: crm.authorizeUrl, issuer: crm.issuer, tokenKey } }),
});

const crmHost = () => new URL(crm.root).host;

interface Someone extends TestPerson {
  browser: TestBrowser;
  /** every answer Dealdeck gave this browser, headers and body */
  seen: string[];
}

/** A person signed in to Dealdeck (session cookie) in a browser of their own. */
async function signedIn(service = proxy): Promise<Someone> {
  const someone = await addTestPerson(service, 'rep');
  const secret = await startSession(service.server.store, someone.person.id);
  const browser = new TestBrowser();
  browser.setCookie(service.server.origin, sessionCookie, secret);
  return { ...someone, browser, seen: [] };
}

/** A request of the person's browser to Dealdeck, remembered with what it answered. */
async function visit(who: Someone, url: string, init: RequestInit = {}) {
  const response = await who.browser.fetch(url, init);
  const text = await response.text();
  who.seen.push(`${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`);
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

const callbackOf = (service = proxy) => `${service.server.origin}/auth/upstream/callback`;

/** Connect → the CRM's sign-in and consent pages as `login` → back to Dealdeck's callback. */
async function connect(who: Someone, login: string, service = proxy) {
  const start = await visit(who, `${service.server.origin}/auth/upstream/connect`);
  expect(start.status).toBe(302);
  const authorizeUrl = start.headers.get('location')!;
  expect(authorizeUrl.startsWith(`${crm.authorizeUrl}?`)).toBe(true);
  const back = await authorizeAtProvider(who.browser, authorizeUrl, callbackOf(service), { login });
  return visit(who, back.href);
}

const api = (who: Someone, path: string, init: RequestInit = {}) =>
  visit(who, `${proxy.server.serviceRoot}${path}`, init);

/** What reached the CRM for the last request: its bearer token and whose it is. */
const lastAtCrm = () => {
  const last = crm.requests.at(-1)!;
  return { token: last.headers.authorization?.replace(/^Bearer /, ''), subject: last.subject };
};

const grantRow = async (who: TestPerson, service = proxy) =>
  (await service.server.store.db
    .selectFrom(upstreamGrantTable)
    .selectAll()
    .where('PersonID', '=', who.person.id)
    .executeTakeFirst()) as Record<string, unknown> | undefined;

const status = async (who: Someone) => (await visit(who, `${proxy.server.origin}/auth/upstream`)).json();

describe('connecting', () => {
  it("connects a person's own account, and keeps its tokens from the browser", async () => {
    const ann = await signedIn();
    expect(await status(ann)).toEqual({ upstream: crmHost(), connected: false });
    const done = await connect(ann, 'ann');
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/settings?upstream=connected');
    const now = await status(ann);
    expect(now).toMatchObject({ upstream: crmHost(), connected: true });
    expect(Object.keys(now).sort()).toEqual(['connected', 'connectedAt', 'upstream']);

    const answer = await api(ann, '/Pipeline?$top=1');
    expect(answer.status).toBe(200);
    const row = (await grantRow(ann))!;
    expect(typeof row.RefreshToken).toBe('string');
    const { token, subject } = lastAtCrm();
    expect(subject).toBe('ann');
    expect(token).toBe(row.AccessToken);
    for (const secret of [row.AccessToken as string, row.RefreshToken as string]) {
      for (const seen of ann.seen) expect(seen).not.toContain(secret);
    }
    // the flow is used up
    expect(await proxy.server.store.db.selectFrom(upstreamConnectFlowTable).selectAll().execute()).toEqual(
      [],
    );
  });

  it('refuses a callback whose state this browser did not start, and stores nothing', async () => {
    const eve = await signedIn();
    const start = await visit(eve, `${proxy.server.origin}/auth/upstream/connect`);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const forged = await visit(eve, `${callbackOf()}?code=anything&state=${state.slice(1)}x`);
    expect(forged.status).toBe(302);
    expect(decodeURIComponent(forged.headers.get('location')!)).toBe(
      `/settings?upstream_error=Connecting to ${crmHost()} failed: this connection was not started in this browser, or took longer than 10 minutes: try again`,
    );
    expect(await grantRow(eve)).toBeUndefined();
  });

  it('refuses a code whose PKCE verifier does not match (the CRM says so), and stores nothing', async () => {
    const eve = await signedIn();
    const start = await visit(eve, `${proxy.server.origin}/auth/upstream/connect`);
    const authorizeUrl = start.headers.get('location')!;
    // as if the code had been got by a flow of someone else's verifier
    await proxy.server.store.db
      .updateTable(upstreamConnectFlowTable)
      .set({ CodeVerifier: 'x'.repeat(64) })
      .where('PersonID', '=', eve.person.id)
      .execute();
    const back = await authorizeAtProvider(eve.browser, authorizeUrl, callbackOf(), { login: 'eve' });
    const done = await visit(eve, back.href);
    expect(done.status).toBe(302);
    expect(decodeURIComponent(done.headers.get('location')!)).toBe(
      `/settings?upstream_error=Connecting to ${crmHost()} failed: the identity provider refused: grant request is invalid`,
    );
    expect(await grantRow(eve)).toBeUndefined();
  });

  it('refuses to finish in the session of another Dealdeck person', async () => {
    const ann = await signedIn();
    const bob = await signedIn();
    const start = await visit(ann, `${proxy.server.origin}/auth/upstream/connect`);
    const back = await authorizeAtProvider(ann.browser, start.headers.get('location')!, callbackOf(), {
      login: 'ann',
    });
    // the same browser, now signed in as Bob
    const bobsSession = await startSession(proxy.server.store, bob.person.id);
    ann.browser.setCookie(proxy.server.origin, sessionCookie, bobsSession);
    const done = await visit(ann, back.href);
    expect(decodeURIComponent(done.headers.get('location')!)).toMatch(/started by another Dealdeck sign-in/);
    expect(await grantRow(ann)).toBeUndefined();
    expect(await grantRow(bob)).toBeUndefined();
  });

  it('disconnects: the tokens are forgotten and requests are refused again', async () => {
    const ann = await signedIn();
    await connect(ann, 'ann');
    expect((await api(ann, '/Pipeline?$top=1')).status).toBe(200);
    const gone = await visit(ann, `${proxy.server.origin}/auth/upstream`, {
      method: 'DELETE',
      headers: { Origin: proxy.server.origin },
    });
    expect(gone.status).toBe(204);
    expect(await grantRow(ann)).toBeUndefined();
    expect(await status(ann)).toEqual({ upstream: crmHost(), connected: false });
    expect((await api(ann, '/Pipeline?$top=1')).status).toBe(403);
  });
});

describe('forwarding as the person', () => {
  it("sends each person's own token: not the client's, not another person's", async () => {
    const ann = await signedIn();
    const bob = await signedIn();
    await connect(ann, 'ann');
    await connect(bob, 'bob');
    expect((await api(ann, '/Pipeline?$top=1')).status).toBe(200);
    const asAnn = lastAtCrm();
    expect((await api(bob, '/Pipeline?$top=1')).status).toBe(200);
    const asBob = lastAtCrm();
    expect([asAnn.subject, asBob.subject]).toEqual(['ann', 'bob']);
    expect(asAnn.token).not.toBe(asBob.token);
    expect((await crm.introspect(asAnn.token!)).client_id).toBe(crm.personClient.clientId);
    // a personal token of Bob's goes up as Bob too
    const viaToken = await proxy.api('/Pipeline?$top=1', { as: bob.token });
    expect(viaToken.status).toBe(200);
    expect(lastAtCrm()).toEqual(asBob);
  });

  it("each person has their own rights at the CRM: a rep's write of a pipeline is refused there, an admin's passes", async () => {
    const rita = await signedIn();
    const adam = await signedIn();
    await connect(rita, 'rita');
    await connect(adam, 'adam');
    // the same two people in the CRM, as the CRM's own accounts
    const inCrm = async (role: 'rep' | 'admin', name: string) => {
      const person = await addPerson(crm.service.store, { email: `${name}@crm.test`, name, role });
      return (await createAccessToken(crm.service.store, person.id, 'front')).token;
    };
    crm.people.set('rita', await inCrm('rep', 'rita'));
    crm.people.set('adam', await inCrm('admin', 'adam'));
    const [pipeline] = (await api(adam, '/Pipeline?$top=1&$select=ID,Name')).json().value;
    const rename = (who: Someone, name: string) =>
      api(who, `/Pipeline(${pipeline.ID})`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', Origin: proxy.server.origin },
        body: JSON.stringify({ Name: name }),
      });
    const byRita = await rename(rita, 'Renamed by a rep');
    expect(byRita.status).toBe(403);
    expect(byRita.json().error.message).toMatch(/admin/i);
    const byAdam = await rename(adam, `${pipeline.Name}`);
    expect(byAdam.status).toBe(200);
    expect(lastAtCrm().subject).toBe('adam');
  });

  it('refuses a person who has not connected, and the API token, saying to connect in Settings', async () => {
    const carl = await signedIn();
    const before = crm.requests.length;
    const refused = await api(carl, '/Activity_SalesOpportunity?$top=1');
    expect(refused.status).toBe(403);
    expect(refused.json()).toEqual({
      error: {
        code: 'UpstreamNotConnected',
        message: `You have not connected your ${crmHost()} account to Dealdeck yet. Connect your ${crmHost()} account in Settings (Connect to ${crmHost()}); Dealdeck then sends your requests to ${crmHost()} as you.`,
      },
    });
    const service = await proxy.api('/Pipeline?$top=1');
    expect(service.status).toBe(403);
    expect(service.body.error.message).toMatch(
      /^With per-person sign-in, Dealdeck sends requests to .* only as a person: the service token \(API_TOKEN\) is nobody there/,
    );
    expect(crm.requests.length).toBe(before);
  });

  it('renews the token with the refresh token shortly before it expires', async () => {
    const ann = await signedIn();
    await connect(ann, 'ann');
    await api(ann, '/Pipeline?$top=1');
    const first = lastAtCrm();
    const refreshToken = (await grantRow(ann))!.RefreshToken;
    const refreshed = proxy.server.upstream!.grants!.refreshed;
    clock += 599_000; // the CRM's tokens live 600 s; renewed 60 s early
    expect((await api(ann, '/Pipeline?$top=1')).status).toBe(200);
    const second = lastAtCrm();
    expect(proxy.server.upstream!.grants!.refreshed).toBe(refreshed + 1);
    expect(second.subject).toBe('ann');
    expect(second.token).not.toBe(first.token);
    // the CRM rotates refresh tokens: the new one is kept
    expect((await grantRow(ann))!.RefreshToken).not.toBe(refreshToken);
    expect((await api(ann, '/Pipeline?$top=1')).status).toBe(200);
    expect(lastAtCrm().token).toBe(second.token);
    expect(proxy.server.upstream!.grants!.refreshed).toBe(refreshed + 1);
  });

  it("several instances renew a person's tokens once between them (a refresh token is spent on use)", async () => {
    const ann = await signedIn();
    await connect(ann, 'ann');
    const { client, person } = crm.personSettings();
    // instances on one database: each with its own PersonGrants, as each process has
    const instances = [0, 1, 2].map(
      () => new PersonGrants(proxy.server.store, crm.root, client!, person!, () => clock),
    );
    const before = (await grantRow(ann))!;
    clock += 599_000;
    const tokens = await Promise.all(instances.map((grants) => grants.tokenFor(ann.person.id)));
    expect(instances.map((grants) => grants.refreshed).reduce((a, b) => a + b)).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(before.AccessToken);
    const after = (await grantRow(ann))!;
    expect(after.AccessToken).toBe(tokens[0]);
    expect(after.RefreshingUntil).toBeNull();
    expect((await crm.introspect(tokens[0])).sub).toBe('ann');
  });

  it('renews once after the CRM refuses the token (401), and gives up after a second refusal', async () => {
    const ann = await signedIn();
    await connect(ann, 'ann');
    await api(ann, '/Pipeline?$top=1');
    const first = lastAtCrm();
    crm.refusedTokens.add(first.token!);
    const mark = crm.requests.length;
    const answer = await api(ann, '/Pipeline?$top=1');
    expect(answer.status).toBe(200);
    const tries = crm.requests.slice(mark);
    expect(tries).toHaveLength(2);
    expect(tries[0].headers.authorization).toBe(`Bearer ${first.token}`);
    expect(tries[1].subject).toBe('ann');
    expect(tries[1].headers.authorization).not.toBe(`Bearer ${first.token}`);
    // refused again, the renewed one too: the connection is of no use, and is forgotten
    crm.refusedSubjects.add('mia');
    const mia = await signedIn();
    await connect(mia, 'mia');
    const refused = proxy.server.upstream!.grants!.refreshed;
    const refusedTwice = await api(mia, '/Pipeline?$top=1');
    expect(proxy.server.upstream!.grants!.refreshed).toBe(refused + 1);
    expect(refusedTwice.status).toBe(403);
    expect(refusedTwice.json().error.message).toMatch(
      /refused your token, a renewed one too, so Dealdeck forgot it\. Connect your .* account in Settings/,
    );
    expect(await grantRow(mia)).toBeUndefined();
  });

  it('a refresh the CRM refuses (invalid_grant) ends the connection and asks to connect again', async () => {
    const ann = await signedIn();
    await connect(ann, 'ann');
    await api(ann, '/Pipeline?$top=1');
    await crm.revoke((await grantRow(ann))!.RefreshToken as string, crm.personClient);
    clock += 599_000;
    const refused = await api(ann, '/Pipeline?$top=1');
    expect(refused.status).toBe(403);
    expect(refused.json().error).toEqual({
      code: 'UpstreamNotConnected',
      message: `Your connection to ${crmHost()} has ended (revoked there, or expired). Connect your ${crmHost()} account in Settings (Connect to ${crmHost()}); Dealdeck then sends your requests to ${crmHost()} as you.`,
    });
    expect(await grantRow(ann)).toBeUndefined();
    expect(await status(ann)).toEqual({ upstream: crmHost(), connected: false });
    // and connecting again brings it back
    await connect(ann, 'ann');
    expect((await api(ann, '/Pipeline?$top=1')).status).toBe(200);
  });
});

describe('storage', () => {
  it('with UPSTREAM_TOKEN_KEY, the tokens are stored sealed, bound to their person', async () => {
    const ann = await signedIn(sealing);
    await connect(ann, 'ann', sealing);
    const row = (await grantRow(ann, sealing))!;
    expect(row.AccessToken).toMatch(/^gcm1\./);
    expect(row.RefreshToken).toMatch(/^gcm1\./);
    const answer = await visit(ann, `${sealing.server.serviceRoot}/Pipeline?$top=1`);
    expect(answer.status).toBe(200);
    const { token, subject } = lastAtCrm();
    expect(subject).toBe('ann');
    expect(row.AccessToken).not.toContain(token);
    // a sealed token moved onto another person's row does not open: that person is not connected
    const bob = await signedIn(sealing);
    await connect(bob, 'bob', sealing);
    await sealing.server.store.db
      .updateTable(upstreamGrantTable)
      .set({ AccessToken: row.AccessToken as string })
      .where('PersonID', '=', bob.person.id)
      .execute();
    expect((await visit(bob, `${sealing.server.serviceRoot}/Pipeline?$top=1`)).status).toBe(403);
  });
});

describe('without per-person sign-in', () => {
  const plain = withTestService({ upstream: crm.settings() });
  it('/auth/upstream answers 404 (Settings shows no Connect button)', async () => {
    const ann = await signedIn(plain);
    const answer = await visit(ann, `${plain.server.origin}/auth/upstream`);
    expect(answer.status).toBe(404);
    expect(answer.json().error.message).toMatch(/UPSTREAM_SIGN_IN=person/);
  });
});
