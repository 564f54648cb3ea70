// /auth/upstream: a signed-in person connects their account at the upstream (per-person sign-in,
// UPSTREAM_SIGN_IN=person), sees whether it is connected, and disconnects it. GET /connect and
// GET /callback are top-level navigations of the browser (they answer redirects, errors go to
// the Settings page as ?upstream_error=); GET / and DELETE / are JSON for the Settings screen.
// No token of the upstream is ever in an answer. Without per-person sign-in: 404 (the Settings
// screen then shows no Connect button).
import { type Context, Hono } from 'hono';
import type { Principal } from '../access/principal.ts';
import type { Store } from '../db/database.ts';
import type { AuthSettings } from '../people/auth-settings.ts';
import { principalOfRequest, unauthorized } from '../people/authenticate.ts';
import { assertSameOrigin } from '../people/same-origin.ts';
import { ODataError } from '../query/errors.ts';
import { connectPath, type PersonGrants } from './person-grants.ts';

export { connectPath };

const settingsPage = '/settings';

export function upstreamConnectRoutes(store: Store, auth: AuthSettings, grants: PersonGrants | undefined) {
  const routes = new Hono();
  const baseOf = (c: Context) => auth.publicUrl?.replace(/\/+$/, '') ?? new URL(c.req.url).origin;
  const redirectUri = (c: Context) => `${baseOf(c)}${connectPath}/callback`;

  const setUp = () => {
    if (!grants) {
      throw new ODataError(
        404,
        'NotFound',
        'Per-person upstream sign-in is not set up (proxy mode with UPSTREAM_SIGN_IN=person)',
      );
    }
    return grants;
  };
  const person = async (c: Context): Promise<Principal> => {
    const found = await principalOfRequest(store, c, auth);
    if (!found) throw unauthorized('Sign in to Dealdeck first');
    if (found.kind !== 'person')
      throw new ODataError(403, 'Forbidden', 'The service token (API_TOKEN) is not a person: sign in as one');
    return found;
  };
  const backToSettings = (c: Context, message: string) =>
    c.redirect(`${settingsPage}?upstream_error=${encodeURIComponent(message)}`);

  routes.get('/', async (c) => {
    const upstream = setUp();
    const me = await person(c);
    return c.json(await upstream.status(me.id));
  });

  routes.delete('/', async (c) => {
    const upstream = setUp();
    assertSameOrigin(c, auth.publicUrl);
    const me = await person(c);
    await upstream.disconnect(me.id);
    return c.body(null, 204);
  });

  routes.get('/connect', async (c) => {
    const upstream = setUp();
    const me = await person(c);
    return upstream.begin(c, me.id, redirectUri(c));
  });

  routes.get('/callback', async (c) => {
    const upstream = setUp();
    try {
      const me = await person(c);
      await upstream.complete(c, me.id, redirectUri(c));
    } catch (error) {
      return backToSettings(c, `Connecting to ${upstream.host} failed: ${(error as Error).message}`);
    }
    return c.redirect(`${settingsPage}?upstream=connected`);
  });

  return routes;
}
