// Who is asking: the service's API_TOKEN, a personal access token (Authorization: Bearer, or
// ?access_token= for links), or the session cookie of a signed-in person. app.ts asks this for
// every API request and refuses those with none (401).
import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { type Principal, servicePrincipal } from '../access/principal.ts';
import type { Store } from '../db/database.ts';
import { ODataError } from '../query/errors.ts';
import type { AuthSettings } from './auth-settings.ts';
import { looksLikeAccessToken, personOfAccessToken, personOfSession } from './credentials.ts';
import { principalOf } from './people.ts';

export const sessionCookie = 'dealdeck_session';

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export function bearerOf(c: Context): string | undefined {
  const header = c.req.header('Authorization');
  const bearer = header ? /^Bearer\s+(.+)$/i.exec(header)?.[1] : undefined;
  if (bearer) return bearer.trim();
  const query = c.req.url.split('?')[1] ?? '';
  const param = query.split('&').find((p) => p.startsWith('access_token='));
  if (!param) return undefined;
  try {
    return decodeURIComponent(param.slice('access_token='.length));
  } catch {
    return undefined;
  }
}

export const unauthorized = (message: string) => new ODataError(401, 'Unauthorized', message);

/** The principal of the request; undefined when it carries no credentials at all. */
export async function principalOfRequest(
  store: Store,
  c: Context,
  settings: AuthSettings,
): Promise<Principal | undefined> {
  const bearer = bearerOf(c);
  if (bearer !== undefined) {
    if (settings.apiToken && sameSecret(bearer, settings.apiToken)) return servicePrincipal;
    const person = looksLikeAccessToken(bearer) ? await personOfAccessToken(store, bearer) : undefined;
    if (!person) {
      throw unauthorized(
        'The token is not valid: it was revoked, its person deactivated, or it is not one of this service',
      );
    }
    return principalOf(person, 'personal-token');
  }
  const session = getCookie(c, sessionCookie);
  if (session) {
    const person = await personOfSession(store, session, {
      idleMs: settings.sessionIdleMs,
      absoluteMs: settings.sessionAbsoluteMs,
    });
    if (!person) throw unauthorized('Your session has ended: sign in again');
    return principalOf(person, 'session');
  }
  return undefined;
}
