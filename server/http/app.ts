// The HTTP application: authentication, limits, the OData routes and the built dashboard.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { Store } from '../db/database.ts';
import { movementHandler, movementPath } from '../journal/movement-route.ts';
import { ChangeFeed } from '../journal/stream.ts';
import { changesHandler, changesPath } from '../journal/stream-route.ts';
import { authRoutes } from '../people/auth-routes.ts';
import type { AuthSettings } from '../people/auth-settings.ts';
import { principalOfRequest, unauthorized } from '../people/authenticate.ts';
import { assertSameOrigin, isSafeMethod } from '../people/same-origin.ts';
import { ODataError } from '../query/errors.ts';
import { modeHandler, modePath, notInProxyMode } from '../upstream/service-mode.ts';
import { connectPath, upstreamConnectRoutes } from '../upstream/upstream-connect-routes.ts';
import type { UpstreamProxy } from '../upstream/upstream-proxy.ts';
import { webhookRoutes, webhooksPath } from '../webhooks/webhook-routes.ts';
import { type WebhookSettings, webhookSettings } from '../webhooks/webhook-settings.ts';
import { handleOData, odataJson } from './odata-handler.ts';

export const apiBasePath = '/v1/odata';

export interface AppOptions {
  store: Store;
  /** who may sign in and how; every API request needs a person or the API_TOKEN */
  auth: AuthSettings;
  /** folder of the built dashboard, served at / */
  staticDir?: string;
  maxBodyBytes?: number;
  /** the instance's reader of the change journal for GET /v1/changes; default: one that polls */
  changes?: ChangeFeed;
  /** webhook settings (which targets are allowed), and what to tell when a subscription changes */
  webhooks?: { settings: WebhookSettings; onChange?: () => void };
  /** proxy mode: /v1/odata is forwarded to this upstream instead of served from `store` */
  upstream?: UpstreamProxy;
}

/** Longest URL (path and query, as bytes of the request line) the service reads: README, Limits. */
export const maxUrlBytes = 16 * 1024;

/** 414 for a URL over the limit; `bytes` when known (Node's parser may stop before the end). */
export const urlTooLong = (bytes?: number) =>
  new ODataError(
    414,
    'URITooLong',
    `The URL is ${bytes === undefined ? 'longer than' : `${bytes} bytes long; the limit is`} ${maxUrlBytes} bytes: send fewer or shorter query options`,
  );

export function errorResponse(c: Context, error: ODataError) {
  const headers: Record<string, string> = {
    ...(error.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}),
    ...error.headers,
  };
  return odataJson(c, error.toBody(), error.status, headers);
}

export function createApp(options: AppOptions) {
  const { store, auth, staticDir, maxBodyBytes = 1024 * 1024, upstream } = options;
  const changes = options.changes ?? new ChangeFeed(store);
  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof ODataError) return errorResponse(c, error);
    const unevaluable = store.dialect.evaluationErrorOf(error);
    if (unevaluable) {
      return errorResponse(
        c,
        new ODataError(400, 'CannotEvaluate', `The request cannot be evaluated: ${unevaluable}`),
      );
    }
    const conflict = store.dialect.conflictOf(error);
    if (conflict) {
      return errorResponse(
        c,
        new ODataError(
          409,
          'Conflict',
          `The write conflicts with another: ${conflict}. Read again and retry`,
        ),
      );
    }
    console.error(error);
    return errorResponse(
      c,
      new ODataError(500, 'InternalError', 'The service failed to answer; the error is logged'),
    );
  });

  const corsOptions = {
    origin: '*',
    exposeHeaders: ['ETag', 'Location', 'OData-EntityId', 'Preference-Applied'],
  };
  const preflight = cors(corsOptions);
  app.use(`${apiBasePath}/*`, async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await next();
    // Set on the response once made, not before as hono's cors does: headers set before the
    // handler make Hono copy its response into a streamed one, which @hono/node-server then
    // reads back chunk by chunk: about a sixth of the CPU time of a page of 50 (profiled).
    const headers = c.res.headers;
    headers.set('Access-Control-Allow-Origin', corsOptions.origin);
    headers.set('Access-Control-Expose-Headers', corsOptions.exposeHeaders.join(','));
  });
  app.use(async (c, next) => {
    // a URL longer than Node's head limit never gets here: start-server.ts answers it
    const url = c.req.url; // absolute, and ASCII: characters are bytes
    const bytes = url.length - url.indexOf('/', url.indexOf('//') + 2);
    if (bytes > maxUrlBytes) throw urlTooLong(bytes);
    await next();
  });
  app.use(changesPath, (c, next) => (c.req.method === 'OPTIONS' ? preflight(c, next) : next()));
  const authenticate = async (c: Context, next: () => Promise<void>) => {
    if (c.req.method === 'OPTIONS') return next();
    const principal = await principalOfRequest(store, c, auth);
    if (!principal) {
      throw unauthorized(
        'Sign in first: in the dashboard, or send Authorization: Bearer <a personal token from the Tokens page>',
      );
    }
    if (principal.via === 'session' && !isSafeMethod(c.req.method)) assertSameOrigin(c, auth.publicUrl);
    c.set('principal', principal);
    await next();
  };
  app.use(`${apiBasePath}/*`, authenticate);
  app.use(changesPath, authenticate);
  app.use(webhooksPath, authenticate);
  app.use(`${webhooksPath}/*`, authenticate);
  app.use(movementPath, authenticate);
  app.use(`${apiBasePath}/*`, async (c, next) => {
    await next();
    // a write of this instance: the change stream reads the journal now (SQLite; PostgreSQL is notified)
    if (!isSafeMethod(c.req.method)) changes.nudge();
  });
  const limitBody = bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) => {
      // the rest of the body stays unread: the connection cannot carry another request
      c.header('Connection', 'close');
      return errorResponse(
        c,
        new ODataError(413, 'PayloadTooLarge', `The request body is larger than ${maxBodyBytes} bytes`),
      );
    },
  });
  app.use(`${apiBasePath}/*`, (c, next) =>
    // a request with neither header has no body (HTTP/1.1); asking bodyLimit to look would
    // build a fetch Request for every GET just to find none
    c.req.header('Content-Length') === undefined && c.req.header('Transfer-Encoding') === undefined
      ? next()
      : limitBody(c, async () => {
          // Read the whole body before any answer, also one that does not need it (415, 404,
          // 405...): @hono/node-server drains an unread body after the answer, but a body it
          // has begun to stream stays paused, and after 500 ms it closes the connection, with
          // the client's next request on it unanswered. Within the limit, and cached for the
          // handler's own read (as bytes for the proxy, which forwards them as they are).
          await (upstream ? c.req.arrayBuffer() : c.req.text());
          await next();
        }),
  );
  const odata = upstream
    ? (c: Context) => upstream.handle(c, apiBasePath)
    : (c: Context) => handleOData(store, c, apiBasePath, auth);
  app.route(connectPath, upstreamConnectRoutes(store, auth, upstream?.grants));
  app.route('/auth', authRoutes(store, auth));
  app.all(apiBasePath, odata);
  app.all(`${apiBasePath}/*`, odata);
  app.get(
    changesPath,
    upstream ? notInProxyMode('change stream', upstream.url) : changesHandler(store, changes, auth),
  );
  app.get(modePath, modeHandler(upstream?.url));
  app.get(
    movementPath,
    upstream ? notInProxyMode('forecast movement', upstream.url) : movementHandler(store, auth),
  );
  if (upstream) {
    app.all(webhooksPath, notInProxyMode('webhook delivery', upstream.url));
    app.all(`${webhooksPath}/*`, notInProxyMode('webhook delivery', upstream.url));
  } else {
    app.route(
      webhooksPath,
      webhookRoutes(store, options.webhooks?.settings ?? webhookSettings(), options.webhooks?.onChange),
    );
  }
  app.all('/v1/*', (c) =>
    errorResponse(c, new ODataError(404, 'NotFound', `The API lives under ${apiBasePath}`)),
  );

  if (staticDir && existsSync(join(staticDir, 'index.html'))) {
    const indexHtml = readFileSync(join(staticDir, 'index.html'), 'utf8');
    app.use('/*', serveStatic({ root: staticDir }));
    // the dashboard routes in the browser: any other page is the app
    app.get('/*', (c) => c.html(indexHtml));
  } else {
    app.get('/', (c) =>
      c.text(
        `Dealdeck API at ${apiBasePath}. The dashboard is not built: run npm run build (npm start does).`,
      ),
    );
  }
  return app;
}
