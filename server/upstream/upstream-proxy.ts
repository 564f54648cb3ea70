// Proxy mode: /v1/odata/** forwarded to the upstream OData service (UPSTREAM_URL), with the
// token Dealdeck holds for it instead of the browser's credentials: its client's token, or with
// per-person sign-in the token of the person asking (person-grants.ts). Status, headers (ETag,
// Preference-Applied...), and bodies pass through as they come: answers stream, with the
// upstream's absolute URLs moved under our root; a request body (at most the API's body limit,
// read by app.ts) is sent whole, so that it can be sent again after a refused token.
import type { Context } from 'hono';
import type { Store } from '../db/database.ts';
import { ODataError } from '../query/errors.ts';
import { notConnected, PersonGrants } from './person-grants.ts';
import { bodyRewriter, rewriteStream, rewriteUrl } from './rewrite-urls.ts';
import type { UpstreamSettings } from './upstream-settings.ts';
import { causeOf, credentialsRefused, UpstreamToken } from './upstream-token.ts';

/** Headers of one connection (RFC 9110 7.6.1), not of the message: never forwarded. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Not forwarded to the upstream: our credentials (the session cookie, a Dealdeck token), the
 * browser's origin and fetch metadata (the upstream sees a server, not a cross-site page),
 * Host and Content-Length (fetch sets them), Accept-Encoding (fetch asks for what it decodes).
 */
const notForwarded = new Set([
  'host',
  'cookie',
  'authorization',
  'content-length',
  'accept-encoding',
  'origin',
  'referer',
]);

/** Not passed back: the upstream's cookies (they would land on our origin) and CORS (ours applies). */
const notPassedBack = new Set(['set-cookie', 'set-cookie2', 'content-length', 'content-encoding']);

/** Headers that carry one of the upstream's URLs. */
const urlHeaders = new Set(['location', 'content-location', 'odata-entityid']);

const rewritable = (contentType: string | null) => !!contentType && /json|multipart\//i.test(contentType);

export interface UpstreamProxy {
  /** the upstream's service root */
  url: string;
  /** the token holder, if the upstream needs one (client sign-in) */
  token?: UpstreamToken;
  /** per-person sign-in (UPSTREAM_SIGN_IN=person): the people's own tokens */
  grants?: PersonGrants;
  handle(c: Context, basePath: string): Promise<Response>;
}

export function createUpstreamProxy(settings: UpstreamSettings, store: Store): UpstreamProxy {
  const upstreamRoot = settings.url;
  const grants =
    settings.person &&
    settings.client &&
    new PersonGrants(store, upstreamRoot, settings.client, settings.person, settings.now);
  const token = !grants && settings.client ? new UpstreamToken(settings.client, settings.now) : undefined;

  /** The token to send for this request, and how to renew it once the upstream refuses it. */
  const credentialsOf = (c: Context) => {
    if (!grants) {
      return {
        get: async () => token?.get(),
        renew: (refused: string) => token!.renew(refused),
        refusedForGood: async () => credentialsRefused('it answered 401 to a new token'),
      };
    }
    const principal = c.get('principal');
    if (principal?.kind !== 'person') {
      throw notConnected(
        grants.host,
        `With per-person sign-in, Dealdeck sends requests to ${grants.host} only as a person: the service token (API_TOKEN) is nobody there`,
      );
    }
    return {
      get: () => grants.tokenFor(principal.id),
      renew: (refused: string) => grants.renew(principal.id, refused),
      refusedForGood: () => grants.refusedForGood(principal.id),
    };
  };

  const handle = async (c: Context, basePath: string): Promise<Response> => {
    const url = c.req.url; // absolute; the path and query as the client sent them
    const pathAndQuery = url.slice(url.indexOf('/', url.indexOf('//') + 2));
    const ourRoot = `${url.slice(0, url.length - pathAndQuery.length)}${basePath}`;
    const target = upstreamRoot + withoutOurToken(pathAndQuery.slice(basePath.length));

    const headers = new Headers();
    const connectionNamed = new Set(
      (c.req.header('Connection') ?? '').split(',').map((name) => name.trim().toLowerCase()),
    );
    c.req.raw.headers.forEach((value, name) => {
      if (hopByHop.has(name) || notForwarded.has(name) || connectionNamed.has(name)) return;
      if (name.startsWith('sec-') || name.startsWith('x-forwarded-')) return;
      headers.set(name, value);
    });
    const credentials = credentialsOf(c);
    const body = await requestBody(c, ourRoot, upstreamRoot);

    const send = async (bearer: string | undefined) => {
      if (bearer) headers.set('Authorization', `Bearer ${bearer}`);
      try {
        return await fetch(target, {
          method: c.req.method,
          headers,
          body,
          redirect: 'manual',
          signal: c.req.raw.signal,
        });
      } catch (error) {
        if (c.req.raw.signal.aborted) throw error;
        throw new ODataError(
          502,
          'UpstreamUnreachable',
          `The upstream service at ${upstreamRoot} cannot be reached (${causeOf(error)}); try again later`,
        );
      }
    };

    let bearer = await credentials.get();
    let response = await send(bearer);
    if (response.status === 401) {
      await response.body?.cancel();
      if (!bearer) {
        throw new ODataError(
          502,
          'UpstreamRefusedCredentials',
          "The upstream refused Dealdeck's request: it wants a token. Set UPSTREAM_TOKEN_URL, UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET",
        );
      }
      // revoked or expired early: one more try with a new token
      bearer = await credentials.renew(bearer);
      response = await send(bearer);
      if (response.status === 401) {
        await response.body?.cancel();
        throw await credentials.refusedForGood();
      }
    }
    return passBack(response, upstreamRoot, ourRoot);
  };

  return { url: upstreamRoot, token, grants, handle };
}

/** The rest of the path and the query, without a Dealdeck token given as ?access_token=. */
function withoutOurToken(rest: string): string {
  const question = rest.indexOf('?');
  if (question < 0) return rest;
  const kept = rest
    .slice(question + 1)
    .split('&')
    .filter((part) => part !== '' && !part.startsWith('access_token='));
  return rest.slice(0, question) + (kept.length ? `?${kept.join('&')}` : '');
}

async function requestBody(c: Context, ourRoot: string, upstreamRoot: string) {
  if (c.req.header('Content-Length') === undefined && c.req.header('Transfer-Encoding') === undefined) {
    return undefined;
  }
  const bytes = await c.req.arrayBuffer();
  if (!rewritable(c.req.header('Content-Type') ?? null)) return bytes;
  // @odata.id / @odata.bind values that name our root name the upstream's there
  const rewriter = bodyRewriter(ourRoot, upstreamRoot);
  return rewriter.push(new TextDecoder().decode(bytes)) + rewriter.end();
}

function passBack(response: Response, upstreamRoot: string, ourRoot: string): Response {
  const headers = new Headers();
  const connectionNamed = new Set(
    (response.headers.get('Connection') ?? '').split(',').map((name) => name.trim().toLowerCase()),
  );
  response.headers.forEach((value, name) => {
    if (hopByHop.has(name) || notPassedBack.has(name) || connectionNamed.has(name)) return;
    if (name.startsWith('access-control-')) return;
    headers.set(name, urlHeaders.has(name) ? rewriteUrl(value, upstreamRoot, ourRoot) : value);
  });
  let body: ReadableStream<Uint8Array> | null = response.body;
  if (body && rewritable(response.headers.get('Content-Type'))) {
    body = body.pipeThrough(rewriteStream(upstreamRoot, ourRoot));
  } else if (!response.headers.has('Content-Encoding') && response.headers.has('Content-Length')) {
    // the bytes as they came: their length holds (fetch decodes a compressed body)
    headers.set('Content-Length', response.headers.get('Content-Length')!);
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
