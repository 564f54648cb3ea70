// Single sign-on end to end, through HTTP as a browser goes: GET /auth/sso, the provider's
// sign-in and consent pages, back to /auth/sso/callback, and the session that follows. The
// provider is a real one (panva's oidc-provider) in this process, with a confidential client that
// must use PKCE, and accounts the tests make up.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeAtProvider,
  type IdpAccount,
  startIdentityProvider,
  TestBrowser,
} from '../test-support/oidc-provider.ts';
import { type TestService, withTestService } from '../test-support/test-service.ts';
import { addPerson, findPerson, listPeople, type Person, updatePerson } from './people.ts';
import { hashSecret } from './secrets.ts';

const idp = await startIdentityProvider();
afterAll(() => idp.close());

// new people become managers (not the usual default, rep), or what the role claim names
const service = withTestService({
  auth: { oidc: idp.settings({ defaultRole: 'manager', roleClaim: idp.roleClaim }) },
});
// OIDC_DEFAULT_ROLE=none: only people added beforehand sign in
const invitedOnly = withTestService({ auth: { oidc: idp.settings({ defaultRole: 'none' }) } });

const callbackOf = (s: TestService) => `${s.server.origin}/auth/sso/callback`;
let endpoints: { token_endpoint: string; userinfo_endpoint: string };
beforeAll(async () => {
  idp.registerClient([callbackOf(service), callbackOf(invitedOnly)]);
  endpoints = (await (
    await fetch(`${idp.issuer}/.well-known/openid-configuration`)
  ).json()) as typeof endpoints;
});

let accounts = 0;
/** An account at the provider; `sub` is also its login there. */
function account(fields: Partial<IdpAccount> & { email: string }): IdpAccount {
  const made = { sub: `account-${++accounts}`, email_verified: true, name: `Person ${accounts}`, ...fields };
  idp.accounts.set(made.sub, made);
  return made;
}

const emailOf = (name: string) => `${name}.${accounts}.${Date.now()}@example.test`;

/** GET /auth/sso: the provider's authorization URL it redirects to. */
async function startSignIn(browser: TestBrowser, s = service): Promise<URL> {
  const response = await browser.fetch(`${s.server.origin}/auth/sso`);
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(`${idp.issuer}/auth`);
  return location;
}

/** From GET /auth/sso to the provider's redirect back, signed in there as `login`. */
async function codeFor(login: string, s = service, browser = new TestBrowser()) {
  const authorizationUrl = await startSignIn(browser, s);
  const callback = await authorizeAtProvider(browser, authorizationUrl.href, callbackOf(s), { login });
  return { browser, authorizationUrl, callback };
}

interface Outcome {
  browser: TestBrowser;
  /** where the callback sent the browser: '/' or '/sign-in' */
  path: string;
  /** the message for the sign-in page */
  error: string | null;
  setCookies: string[];
}

async function visitCallback(browser: TestBrowser, callback: URL): Promise<Outcome> {
  const response = await browser.fetch(callback);
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!, callback);
  expect(location.origin).toBe(callback.origin);
  return {
    browser,
    path: location.pathname,
    error: location.searchParams.get('error'),
    setCookies: response.headers.getSetCookie(),
  };
}

/** The whole flow as a browser goes through it. */
async function signInWithSso(login: string, s = service, browser = new TestBrowser()) {
  const { callback } = await codeFor(login, s, browser);
  return visitCallback(browser, callback);
}

async function sessionOf(browser: TestBrowser, s = service) {
  const response = await browser.fetch(`${s.server.origin}/auth/session`);
  return { status: response.status, body: (await response.json()) as { person: Person } };
}

async function expectSignedIn(outcome: Outcome, s = service): Promise<Person> {
  expect({ path: outcome.path, error: outcome.error }).toEqual({ path: '/', error: null });
  const cookie = outcome.setCookies.find((c) => c.startsWith('dealdeck_session='));
  expect(cookie).toMatch(/; Path=\/;.*HttpOnly; SameSite=Lax$/);
  // the flow's cookie is done with
  expect(outcome.setCookies).toContainEqual(
    expect.stringMatching(/^dealdeck_sso=; Max-Age=0; Path=\/auth\/sso/),
  );
  const session = await sessionOf(outcome.browser, s);
  expect(session.status).toBe(200);
  return session.body.person;
}

async function expectRefused(outcome: Outcome, message: RegExp, s = service) {
  expect(outcome.path).toBe('/sign-in');
  expect(outcome.error).toMatch(/^Single sign-on failed: |^Test IdP |^There is no |^The account of /);
  expect(outcome.error).toMatch(message);
  expect(outcome.setCookies.filter((c) => c.startsWith('dealdeck_session='))).toEqual([]);
  expect(outcome.browser.cookie(s.server.origin, 'dealdeck_session')).toBeUndefined();
  expect((await sessionOf(outcome.browser, s)).status).toBe(401);
}

const userinfoRequests = () =>
  idp.requests.filter((r) => r === `GET ${new URL(endpoints.userinfo_endpoint).pathname}`).length;

describe('a person who is in Dealdeck already', () => {
  it('signs in by their verified email, whatever its case, and keeps their role', async () => {
    const ada = await addPerson(service.server.store, {
      email: emailOf('ada.lovelace'),
      name: 'Ada Lovelace',
      role: 'rep',
    });
    // the role claim names the role of new people only: no one becomes admin by it later
    const { sub } = account({ email: ada.email.toUpperCase(), name: 'A. Lovelace', role: 'admin' });
    const peopleBefore = (await listPeople(service.server.store)).length;
    const userinfoBefore = userinfoRequests();

    const me = await expectSignedIn(await signInWithSso(sub));
    expect(me).toMatchObject({
      id: ada.id,
      email: ada.email,
      name: 'Ada Lovelace',
      role: 'rep',
      active: true,
    });
    expect(me.lastSignInAt).not.toBeNull();
    expect((await listPeople(service.server.store)).length).toBe(peopleBefore);
    // the ID token held every claim: no need to ask userinfo
    expect(userinfoRequests()).toBe(userinfoBefore);
  });

  it('signs in when the provider tells the email only through userinfo', async () => {
    const grace = await addPerson(service.server.store, {
      email: emailOf('grace'),
      name: 'Grace',
      role: 'manager',
    });
    const { sub } = account({ email: grace.email, claimsInUserinfoOnly: true });
    const userinfoBefore = userinfoRequests();
    const me = await expectSignedIn(await signInWithSso(sub));
    expect(me).toMatchObject({ id: grace.id, role: 'manager' });
    expect(userinfoRequests()).toBe(userinfoBefore + 1);
  });

  it('gets a new session at each sign-in, and the one before ends', async () => {
    const person = await addPerson(service.server.store, {
      email: emailOf('twice'),
      name: 'Twice',
      role: 'rep',
    });
    const { sub } = account({ email: person.email });
    const first = await signInWithSso(sub);
    await expectSignedIn(first);
    const firstSession = first.browser.cookie(service.server.origin, 'dealdeck_session')!;
    // signed in at the provider already: straight back, no sign-in page
    const second = await signInWithSso(sub, service, first.browser);
    expect((await expectSignedIn(second)).id).toBe(person.id);
    expect(second.browser.cookie(service.server.origin, 'dealdeck_session')).not.toBe(firstSession);
    const old = new TestBrowser();
    old.setCookie(service.server.origin, 'dealdeck_session', firstSession);
    expect((await sessionOf(old)).status).toBe(401);
  });
});

describe('a person new to Dealdeck', () => {
  it('is added with the default role (OIDC_DEFAULT_ROLE) and the name the provider gives', async () => {
    const email = emailOf('Linus.Torvalds');
    const { sub } = account({ email, name: 'Linus Torvalds' });
    expect(await findPerson(service.server.store, { email })).toBeUndefined();
    const me = await expectSignedIn(await signInWithSso(sub));
    expect(me).toMatchObject({
      email: email.toLowerCase(),
      name: 'Linus Torvalds',
      role: 'manager',
      hasPassword: false,
      active: true,
    });
    expect((await findPerson(service.server.store, { email }))?.person.id).toBe(me.id);
    // the next time, the same person
    const again = await expectSignedIn(await signInWithSso(sub));
    expect(again.id).toBe(me.id);
    expect((await listPeople(service.server.store)).filter((p) => p.email === me.email)).toHaveLength(1);
  });

  it('is added with the role the role claim (OIDC_ROLE_CLAIM) names', async () => {
    for (const role of ['admin', 'rep'] as const) {
      const { sub } = account({ email: emailOf(`claimed.${role}`), role });
      expect(await expectSignedIn(await signInWithSso(sub))).toMatchObject({ role });
    }
    // also when the claim comes from userinfo
    const { sub } = account({
      email: emailOf('claimed.userinfo'),
      role: 'admin',
      claimsInUserinfoOnly: true,
    });
    expect(await expectSignedIn(await signInWithSso(sub))).toMatchObject({ role: 'admin' });
  });

  it('gets the default role when the claim names no role of Dealdeck', async () => {
    const { sub } = account({ email: emailOf('superuser'), role: 'superuser' });
    expect(await expectSignedIn(await signInWithSso(sub))).toMatchObject({ role: 'manager' });
  });

  it("is refused when the default role is 'none': an admin invites people first", async () => {
    const email = emailOf('uninvited');
    const { sub } = account({ email, role: 'admin' }); // no OIDC_ROLE_CLAIM on this service
    const outcome = await signInWithSso(sub, invitedOnly);
    await expectRefused(
      outcome,
      /^There is no Dealdeck account for .*: ask an admin to invite you$/,
      invitedOnly,
    );
    expect(outcome.error).toContain(email);
    expect(await findPerson(invitedOnly.server.store, { email })).toBeUndefined();

    // once invited, they sign in
    const invited = await addPerson(invitedOnly.server.store, { email, name: 'Invited', role: 'rep' });
    const me = await expectSignedIn(await signInWithSso(sub, invitedOnly), invitedOnly);
    expect(me).toMatchObject({ id: invited.id, role: 'rep' });
  });
});

describe('refused', () => {
  it('an email the provider has not verified, for new and existing people alike', async () => {
    const existing = await addPerson(service.server.store, {
      email: emailOf('victim'),
      name: 'Victim',
      role: 'admin',
    });
    for (const email_verified of [false, 'false']) {
      // someone who put an admin's address on their account at the provider
      const impostor = account({ email: existing.email, email_verified });
      await expectRefused(await signInWithSso(impostor.sub), /has not verified the email/);
    }
    const newcomer = account({
      email: emailOf('unverified'),
      email_verified: false,
      claimsInUserinfoOnly: true,
    });
    const outcome = await signInWithSso(newcomer.sub);
    await expectRefused(
      outcome,
      /^Test IdP has not verified the email .*: Dealdeck matches people by verified email$/,
    );
    expect(await findPerson(service.server.store, { email: newcomer.email })).toBeUndefined();
  });

  it('a deactivated person', async () => {
    const person = await addPerson(service.server.store, {
      email: emailOf('gone'),
      name: 'Gone',
      role: 'rep',
    });
    const { sub } = account({ email: person.email });
    await expectSignedIn(await signInWithSso(sub));
    await updatePerson(service.server.store, person.id, { active: false });
    await expectRefused(await signInWithSso(sub), /^The account of .* is deactivated$/);
  });

  it('a sign-in the person cancelled at the provider', async () => {
    const { sub } = account({ email: emailOf('cancel') });
    const browser = new TestBrowser();
    const authorizationUrl = await startSignIn(browser);
    const callback = await authorizeAtProvider(browser, authorizationUrl.href, callbackOf(service), {
      cancel: true,
    });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    await expectRefused(await visitCallback(browser, callback), /End-User aborted interaction/);
    expect(await findPerson(service.server.store, { email: idp.accounts.get(sub)!.email })).toBeUndefined();
  });
});

describe('the state binds the callback to the browser that started the sign-in', () => {
  it('a callback in another browser (no flow cookie) is refused; the right browser still completes', async () => {
    const person = await addPerson(service.server.store, {
      email: emailOf('bound'),
      name: 'Bound',
      role: 'rep',
    });
    const { sub } = account({ email: person.email });
    const { browser, callback } = await codeFor(sub);
    // e.g. an attacker who sends their own callback link to someone (login CSRF)
    const elsewhere = new TestBrowser();
    await expectRefused(await visitCallback(elsewhere, callback), /not started in this browser/);
    expect((await expectSignedIn(await visitCallback(browser, callback))).id).toBe(person.id);
  });

  it("a callback whose state is not the browser's current one is refused", async () => {
    const { sub } = account({ email: emailOf('two.tabs') });
    const { browser, callback } = await codeFor(sub);
    await startSignIn(browser); // a second sign-in in this browser: a new flow cookie
    expect(browser.cookie(callback, 'dealdeck_sso')).not.toBe(callback.searchParams.get('state'));
    await expectRefused(await visitCallback(browser, callback), /not started in this browser/);
  });

  it('a callback without its state is refused', async () => {
    const { sub } = account({ email: emailOf('stateless') });
    const { browser, callback } = await codeFor(sub);
    expect(browser.cookie(callback, 'dealdeck_sso')).toBe(callback.searchParams.get('state'));
    callback.searchParams.delete('state');
    await expectRefused(await visitCallback(browser, callback), /not started in this browser/);
  });

  it('a replayed callback is refused, even with the flow cookie', async () => {
    const { sub } = account({ email: emailOf('replay') });
    const { browser, callback } = await codeFor(sub);
    const state = browser.cookie(callback, 'dealdeck_sso')!;
    await expectSignedIn(await visitCallback(browser, callback));
    const replay = new TestBrowser();
    replay.setCookie(callback, 'dealdeck_sso', state, '/auth/sso');
    await expectRefused(await visitCallback(replay, callback), /used already/);
  });

  it('a flow older than 10 minutes is refused', async () => {
    const { sub } = account({ email: emailOf('slow') });
    const { browser, callback } = await codeFor(sub);
    await service.server.store.db
      .updateTable('sign_in_flow')
      .set({ ExpiresAt: Date.now() - 1 })
      .where('StateHash', '=', hashSecret(callback.searchParams.get('state')!))
      .execute();
    await expectRefused(await visitCallback(browser, callback), /took too long/);
  });

  it("a crafted callback with an error puts the service's words on the sign-in page, not the link's", async () => {
    const browser = new TestBrowser();
    const forged = new URL(callbackOf(service));
    forged.searchParams.set('error', 'access_denied');
    forged.searchParams.set('error_description', 'Your account is locked: call +1 555 0100');
    const outcome = await visitCallback(browser, forged);
    await expectRefused(outcome, /not started in this browser/);
    expect(outcome.error).not.toContain('555');
  });
});

describe('PKCE and nonce', () => {
  const tokenRequest = (code: string, redirectUri: string, codeVerifier?: string) =>
    fetch(endpoints.token_endpoint, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(
          `${encodeURIComponent(idp.clientId)}:${encodeURIComponent(idp.clientSecret)}`,
        ).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        ...(codeVerifier ? { code_verifier: codeVerifier } : {}),
      }),
    });

  const flowOf = (state: string) =>
    service.server.store.db
      .selectFrom('sign_in_flow')
      .select(['CodeVerifier', 'Nonce'])
      .where('StateHash', '=', hashSecret(state))
      .executeTakeFirstOrThrow();

  it('the authorization request has an S256 code challenge of the kept verifier, a nonce and a state', async () => {
    const browser = new TestBrowser();
    const url = await startSignIn(browser);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: idp.clientId,
      redirect_uri: callbackOf(service),
      code_challenge_method: 'S256',
    });
    expect(params.scope.split(' ')).toEqual(expect.arrayContaining(['openid', 'email', 'profile']));
    for (const name of ['code_challenge', 'state', 'nonce']) expect(params[name]).toMatch(/^[\w-]{43,}$/);
    expect(params.nonce).not.toBe(params.state);
    // the state waits in a cookie for the callback; the verifier and nonce in the database
    expect(browser.cookie(callbackOf(service), 'dealdeck_sso')).toBe(params.state);
    const flow = await flowOf(params.state);
    expect(params.code_challenge).toBe(createHash('sha256').update(flow.CodeVerifier).digest('base64url'));
    expect(flow.Nonce).toBe(params.nonce);
    // a new sign-in, new values
    const next = await startSignIn(new TestBrowser());
    for (const name of ['code_challenge', 'state', 'nonce'])
      expect(next.searchParams.get(name)).not.toBe(params[name]);
  });

  it('the provider gives no tokens for the code without its verifier; the service has it', async () => {
    const person = await addPerson(service.server.store, {
      email: emailOf('pkce'),
      name: 'Pkce',
      role: 'rep',
    });
    const { sub } = account({ email: person.email });
    const { browser, callback } = await codeFor(sub);
    const code = callback.searchParams.get('code')!;
    expect(code).toBeTruthy();

    const withoutVerifier = await tokenRequest(code, callbackOf(service));
    expect(withoutVerifier.status).toBe(400);
    expect(await withoutVerifier.json()).toMatchObject({ error: 'invalid_grant' });
    const wrongVerifier = await tokenRequest(code, callbackOf(service), 'x'.repeat(43));
    expect(wrongVerifier.status).toBe(400);
    expect(await wrongVerifier.json()).toMatchObject({ error: 'invalid_grant' });

    // the code is still good: the service sends the verifier it kept
    expect((await expectSignedIn(await visitCallback(browser, callback))).id).toBe(person.id);
  });

  it('the provider refuses an authorization request without a code challenge', async () => {
    const browser = new TestBrowser();
    const url = await startSignIn(browser);
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const response = await browser.fetch(url);
    expect(response.status).toBe(303);
    const back = new URL(response.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(callbackOf(service));
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('a code exchanged with a verifier that does not match is refused', async () => {
    const { sub } = account({ email: emailOf('verifier') });
    const { browser, callback } = await codeFor(sub);
    await service.server.store.db
      .updateTable('sign_in_flow')
      .set({ CodeVerifier: 'y'.repeat(43) })
      .where('StateHash', '=', hashSecret(callback.searchParams.get('state')!))
      .execute();
    await expectRefused(
      await visitCallback(browser, callback),
      /^Single sign-on failed: the identity provider refused: grant request is invalid$/,
    );
  });

  it('an ID token whose nonce is not the one of this sign-in is refused', async () => {
    const { sub } = account({ email: emailOf('nonce') });
    const { browser, callback } = await codeFor(sub);
    await service.server.store.db
      .updateTable('sign_in_flow')
      .set({ Nonce: 'another-nonce' })
      .where('StateHash', '=', hashSecret(callback.searchParams.get('state')!))
      .execute();
    await expectRefused(await visitCallback(browser, callback), /nonce/);
    expect(await findPerson(service.server.store, { email: idp.accounts.get(sub)!.email })).toBeUndefined();
  });
});
