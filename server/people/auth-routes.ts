// The sign-in routes under /auth: password sign-in and sign-out, the session, one-time links,
// single sign-on, personal access tokens, and people for admins. JSON in and out; errors in the
// OData error shape, so the dashboard reads them like the API's.
import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Principal } from '../access/principal.ts';
import type { Store } from '../db/database.ts';
import { ODataError } from '../query/errors.ts';
import type { AuthSettings } from './auth-settings.ts';
import { principalOfRequest, sessionCookie, unauthorized } from './authenticate.ts';
import {
  createAccessToken,
  createSignInLink,
  endOtherSessions,
  endSession,
  listAccessTokens,
  pruneSessions,
  revokeAccessToken,
  startSession,
  useSignInLink,
} from './credentials.ts';
import { passwordMatches } from './passwords.ts';
import {
  addPerson,
  findPerson,
  listPeople,
  type Person,
  recordSignIn,
  setPassword,
  updatePerson,
} from './people.ts';
import { assertSameOrigin, isSafeMethod } from './same-origin.ts';
import { checkSignInAllowed, clearFailedSignIns, recordFailedSignIn } from './sign-in-throttle.ts';
import { createSso } from './sso.ts';

export const inviteValidMs = 7 * 24 * 60 * 60_000;
const maxBodyBytes = 16 * 1024;

const invalidCredentials = () =>
  new ODataError(
    401,
    'InvalidCredentials',
    'The email or password is not right (or the account is deactivated)',
  );

async function bodyOf(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.length > maxBodyBytes)
    throw new ODataError(413, 'PayloadTooLarge', `The body is larger than ${maxBodyBytes} bytes`);
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    throw new ODataError(400, 'InvalidBody', 'The body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ODataError(400, 'InvalidBody', 'The body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

const stringField = (body: Record<string, unknown>, name: string) => {
  const value = body[name];
  if (typeof value !== 'string' || value === '')
    throw new ODataError(400, 'MissingField', `Send "${name}"`, name);
  return value;
};

export function authRoutes(store: Store, settings: AuthSettings) {
  const routes = new Hono();
  const sso = settings.oidc && createSso(settings.oidc);
  const baseOf = (c: Context) => settings.publicUrl?.replace(/\/+$/, '') ?? new URL(c.req.url).origin;
  const secure = (c: Context) => (settings.publicUrl ?? c.req.url).startsWith('https:');

  const signIn = async (c: Context, person: Person) => {
    // a new session at every sign-in: a session id planted before it is worth nothing
    const previous = getCookie(c, sessionCookie);
    if (previous) await endSession(store, previous);
    const secret = await startSession(store, person.id);
    // timed-out sessions are removed here, now and then, rather than by a timer on every instance
    await pruneSessions(store, { idleMs: settings.sessionIdleMs, absoluteMs: settings.sessionAbsoluteMs });
    await recordSignIn(store, person.id);
    setCookie(c, sessionCookie, secret, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: secure(c),
      path: '/',
      maxAge: Math.floor(settings.sessionAbsoluteMs / 1000),
    });
  };
  const backToSignIn = (c: Context, message: string) =>
    c.redirect(`/sign-in?error=${encodeURIComponent(message)}`);

  const principal = async (c: Context): Promise<Principal> => {
    const found = await principalOfRequest(store, c, settings);
    if (!found) throw unauthorized('Sign in first');
    return found;
  };
  const person = async (c: Context): Promise<Principal> => {
    const found = await principal(c);
    if (found.kind !== 'person')
      throw new ODataError(403, 'Forbidden', 'The service token (API_TOKEN) is not a person: sign in as one');
    return found;
  };
  const admin = async (c: Context): Promise<Principal> => {
    const found = await principal(c);
    if (found.role !== 'admin') throw new ODataError(403, 'Forbidden', 'Only admins manage people');
    return found;
  };

  // every write here, sign-in included (a forged sign-in would sign the victim in as the attacker)
  routes.use('*', async (c, next) => {
    if (!isSafeMethod(c.req.method)) assertSameOrigin(c, settings.publicUrl);
    await next();
  });

  routes.get('/options', (c) => c.json({ sso: sso ? { label: `Sign in with ${sso.label}` } : null }));

  routes.get('/session', async (c) => {
    let found: Principal | undefined;
    try {
      found = await principalOfRequest(store, c, settings);
    } catch (error) {
      deleteCookie(c, sessionCookie, { path: '/' });
      throw error;
    }
    if (!found) throw unauthorized('Not signed in');
    const me =
      found.kind === 'person' ? (await findPerson(store, { id: found.id }))?.person : serviceAsPerson;
    return c.json({ person: me, repSees: settings.repSees });
  });

  routes.post('/sign-in', async (c) => {
    const body = await bodyOf(c);
    const email = stringField(body, 'email');
    const password = stringField(body, 'password');
    await checkSignInAllowed(store, email);
    const found = await findPerson(store, { email });
    const matches = await passwordMatches(password, found?.passwordHash);
    if (!found || !matches || !found.person.active) {
      await recordFailedSignIn(store, email);
      throw invalidCredentials();
    }
    await clearFailedSignIns(store, email);
    await signIn(c, found.person);
    return c.json({ person: found.person });
  });

  routes.post('/sign-out', async (c) => {
    const secret = getCookie(c, sessionCookie);
    if (secret) await endSession(store, secret);
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.body(null, 204);
  });

  routes.post('/password', async (c) => {
    const me = await person(c);
    const body = await bodyOf(c);
    const found = (await findPerson(store, { id: me.id }))!;
    if (found.passwordHash) {
      await checkSignInAllowed(store, found.person.email);
      const current = typeof body.currentPassword === 'string' ? body.currentPassword : '';
      if (!(await passwordMatches(current, found.passwordHash))) {
        await recordFailedSignIn(store, found.person.email);
        throw new ODataError(401, 'WrongPassword', 'The current password is not right', 'currentPassword');
      }
    }
    await setPassword(store, me.id, body.newPassword as string);
    // other sessions (another browser, a stolen cookie) end with the old password
    await endOtherSessions(store, me.id, getCookie(c, sessionCookie));
    return c.body(null, 204);
  });

  routes.get('/link/:token', async (c) => {
    const used = await useSignInLink(store, c.req.param('token'));
    if (!used) {
      return backToSignIn(
        c,
        'This sign-in link is not valid any more: it was used already or it expired. Ask for a new one.',
      );
    }
    await signIn(c, used.person);
    // an invited person chooses a password first; the demo's head of sales goes to the board
    return c.redirect(used.purpose === 'invite' && !used.person.hasPassword ? '/welcome' : '/');
  });

  routes.get('/sso', async (c) => {
    if (!sso) throw new ODataError(404, 'NotFound', 'Single sign-on is not set up (OIDC_ISSUER)');
    return sso.begin(c, store, `${baseOf(c)}/auth/sso/callback`);
  });

  routes.get('/sso/callback', async (c) => {
    if (!sso) throw new ODataError(404, 'NotFound', 'Single sign-on is not set up (OIDC_ISSUER)');
    let identity: Awaited<ReturnType<typeof sso.complete>>;
    try {
      identity = await sso.complete(c, store, `${baseOf(c)}/auth/sso/callback`);
    } catch (error) {
      return backToSignIn(c, `Single sign-on failed: ${(error as Error).message}`);
    }
    if (!identity.emailVerified) {
      return backToSignIn(
        c,
        `${sso.label} has not verified the email ${identity.email}: Dealdeck matches people by verified email`,
      );
    }
    let found = (await findPerson(store, { email: identity.email }))?.person;
    if (!found) {
      const role =
        identity.role ?? (settings.oidc!.defaultRole === 'none' ? undefined : settings.oidc!.defaultRole);
      if (!role)
        return backToSignIn(
          c,
          `There is no Dealdeck account for ${identity.email}: ask an admin to invite you`,
        );
      try {
        const name = (identity.name || identity.email).slice(0, 200);
        found = await addPerson(store, { email: identity.email, name, role });
      } catch (error) {
        if (!(error instanceof ODataError)) throw error;
        // two first sign-ins at once: the other one made the person
        found = (await findPerson(store, { email: identity.email }))?.person;
        if (!found) return backToSignIn(c, `Dealdeck could not add ${identity.email}: ${error.message}`);
      }
    }
    if (!found.active) return backToSignIn(c, `The account of ${identity.email} is deactivated`);
    await signIn(c, found);
    return c.redirect('/');
  });

  routes.get('/tokens', async (c) => {
    const me = await person(c);
    return c.json({ value: await listAccessTokens(store, me.id) });
  });

  routes.post('/tokens', async (c) => {
    const me = await person(c);
    // a leaked token must not mint more: new tokens come from a signed-in browser
    if (me.via !== 'session')
      throw new ODataError(403, 'Forbidden', 'Create personal tokens signed in, in the dashboard (Tokens)');
    const body = await bodyOf(c);
    return c.json(await createAccessToken(store, me.id, body.name), 201);
  });

  routes.delete('/tokens/:id', async (c) => {
    const me = await person(c);
    await revokeAccessToken(store, me.id, c.req.param('id'));
    return c.body(null, 204);
  });

  routes.get('/people', async (c) => {
    await admin(c);
    return c.json({ value: await listPeople(store) });
  });

  routes.post('/people', async (c) => {
    await admin(c);
    const body = await bodyOf(c);
    const created = await addPerson(store, {
      email: body.email,
      name: body.name,
      role: body.role,
      password: body.password,
    });
    const secret = await createSignInLink(store, created.id, 'invite', inviteValidMs);
    return c.json({ person: created, signInLink: `${baseOf(c)}/auth/link/${secret}` }, 201);
  });

  routes.patch('/people/:id', async (c) => {
    await admin(c);
    const body = await bodyOf(c);
    return c.json({ person: await updatePerson(store, c.req.param('id'), body) });
  });

  routes.post('/people/:id/sign-in-link', async (c) => {
    await admin(c);
    const found = await findPerson(store, { id: c.req.param('id') });
    if (!found) throw new ODataError(404, 'NotFound', `No person with ID ${c.req.param('id')}`);
    const secret = await createSignInLink(store, found.person.id, 'invite', inviteValidMs);
    return c.json({ signInLink: `${baseOf(c)}/auth/link/${secret}` }, 201);
  });

  routes.all('*', (c) => {
    throw new ODataError(404, 'NotFound', `No sign-in route ${c.req.method} ${new URL(c.req.url).pathname}`);
  });
  return routes;
}

const serviceAsPerson: Person = {
  id: 'service',
  email: '',
  name: 'API token',
  role: 'admin',
  employeeId: null,
  employeeName: null,
  hasPassword: false,
  active: true,
  createdAt: new Date(0).toISOString(),
  lastSignInAt: null,
};
