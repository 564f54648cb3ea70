// Cross-site request forgery: a browser sends the session cookie with any request to us, also
// one a foreign page makes. A write authenticated by the cookie must come from our own origin:
// refused (403) when the Origin header (or, without it, Sec-Fetch-Site) names another site,
// whatever the content type (hono/csrf looks only at form types; a JSON API needs this).
import type { Context } from 'hono';
import { ODataError } from '../query/errors.ts';

export const isSafeMethod = (method: string) => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';

export function assertSameOrigin(c: Context, publicUrl: string | undefined) {
  const expectedHost = publicUrl ? new URL(publicUrl).host : c.req.header('Host');
  const origin = c.req.header('Origin');
  if (origin !== undefined) {
    let host: string | undefined;
    try {
      host = origin === 'null' ? undefined : new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== undefined && host === expectedHost) return;
    throw foreign(origin);
  }
  // Browsers send Origin with every write; Sec-Fetch-Site catches one that does not.
  // Neither header: not a browser, so not forged by a page.
  const site = c.req.header('Sec-Fetch-Site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw foreign(`a ${site} page`);
}

const foreign = (from: string) =>
  new ODataError(
    403,
    'ForeignOrigin',
    `A write signed in by cookie must come from this site's own pages, not from ${from}. Scripts send a personal token (Authorization: Bearer) instead`,
  );
