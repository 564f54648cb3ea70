// Opens the database, prepares it and serves the app: used by `npm start` and by the tests.
import { type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { isLoopback } from './config.ts';
import { isPostgresUrl, openStore, type Store } from './db/database.ts';
import { migrate } from './db/migrations.ts';
import { seedIfEmpty } from './demo/seed.ts';
import { apiBasePath, createApp, maxUrlBytes, urlTooLong } from './http/app.ts';
import { jsonContentType } from './http/odata-handler.ts';
import { ChangeFeed, type ChangeStreamSettings } from './journal/stream.ts';
import { type AuthSettings, defaultAuthSettings } from './people/auth-settings.ts';
import { addDemoPeople } from './people/demo-people.ts';
import { hasPeople } from './people/people.ts';
import { ODataError } from './query/errors.ts';
import { createUpstreamProxy, type UpstreamProxy } from './upstream/upstream-proxy.ts';
import type { UpstreamSettings } from './upstream/upstream-settings.ts';
import { WebhookDeliverer } from './webhooks/webhook-deliverer.ts';
import { type WebhookSettings, webhookSettings } from './webhooks/webhook-settings.ts';

/**
 * Most bytes of request line and headers Node reads (its `maxHeaderSize`; README, Limits):
 * room for a URL at the limit of app.ts and 16 KiB of headers, so that a URL a little over its
 * limit reaches the app and gets the exact 414 there.
 */
export const maxHeadBytes = 32 * 1024;

export interface ServerOptions {
  databaseUrl: string;
  port?: number;
  host?: string;
  demoData?: boolean;
  /** demo opportunities to generate into an empty database */
  demoSize?: number;
  /** sign-in settings; defaults: defaultAuthSettings */
  auth?: Partial<AuthSettings>;
  /** the service's own token: shorthand for auth.apiToken */
  apiToken?: string;
  staticDir?: string;
  onQuery?: (sql: string, parameters: readonly unknown[]) => void;
  /** the change stream's heartbeat, polling and buffer limits (tests shorten them) */
  changeStream?: Partial<ChangeStreamSettings>;
  /** proxy mode: /v1/odata forwarded to this upstream (UPSTREAM_URL) */
  upstream?: UpstreamSettings;
  /** webhooks: given, this instance runs a delivery worker (tests replace the clock and backoff) */
  webhooks?: Partial<WebhookSettings>;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  origin: string;
  /** e.g. http://127.0.0.1:8080/v1/odata */
  serviceRoot: string;
  store: Store;
  /** the instance's reader of the change journal (GET /v1/changes) */
  changes: ChangeFeed;
  /** proxy mode: the upstream and the token held for it */
  upstream?: UpstreamProxy;
  /** the instance's webhook delivery worker, when options.webhooks was given */
  webhooks?: WebhookDeliverer;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const store = openStore(options.databaseUrl, { onQuery: options.onQuery });
  const host = options.host ?? '127.0.0.1';
  const auth: AuthSettings = {
    ...defaultAuthSettings,
    ...options.auth,
    ...(options.apiToken ? { apiToken: options.apiToken } : {}),
  };
  try {
    await prepareDatabase(store, { demoData: options.demoData ?? true, size: options.demoSize });
    await refuseWithoutPeople(store, host, auth);
  } catch (error) {
    await store.close();
    throw error;
  }
  const changes = new ChangeFeed(store, {
    // PostgreSQL: notifications on a connection of its own; SQLite: polling
    listenUrl: isPostgresUrl(options.databaseUrl) ? options.databaseUrl : undefined,
    settings: options.changeStream,
  });
  const upstream = options.upstream && createUpstreamProxy(options.upstream, store);
  const hooks = webhookSettings(options.webhooks);
  const webhooks = options.webhooks ? new WebhookDeliverer(store, changes, hooks) : undefined;
  const app = createApp({
    store,
    auth,
    staticDir: options.staticDir,
    changes,
    upstream,
    webhooks: { settings: hooks, onChange: () => webhooks?.wake() },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: options.port ?? 0,
        hostname: host,
        serverOptions: { maxHeaderSize: maxHeadBytes },
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  server.on('clientError', answerClientError);
  webhooks?.start();
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    origin,
    serviceRoot: `${origin}${apiBasePath}`,
    store,
    changes,
    upstream,
    webhooks,
    close: async () => {
      await webhooks?.stop();
      // open streams end first (or are cut), or the server would wait for them forever
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await changes.close();
      // their connections went idle after close() closed the idle ones: close them too
      (server as Server).closeIdleConnections();
      await closed;
      await store.close();
    },
  };
}

/** The newest schema, and on an empty database the reference data, demo data and demo people. */
export async function prepareDatabase(store: Store, options: { demoData: boolean; size?: number }) {
  await migrate(store);
  const seeded = await seedIfEmpty(store, options);
  if (seeded && options.demoData) await addDemoPeople(store);
}

/** On a network address, someone must be able to sign in, or the service would be of no use. */
export async function refuseWithoutPeople(store: Store, host: string, auth: Pick<AuthSettings, 'apiToken'>) {
  if (isLoopback(host) || auth.apiToken || (await hasPeople(store))) return;
  throw new Error(
    `Refusing to listen on ${host} with nobody to sign in: add the first admin (npm run people -- add --email you@example.com --name "Your Name" --role admin), or set API_TOKEN=<secret> for integrations. Or listen on 127.0.0.1.`,
  );
}

/** What Node's HTTP parser reports with a 'clientError' (see Node's http docs). */
interface ClientError extends Error {
  code?: string;
  reason?: string;
  /** the chunk being parsed when the error struck, and how far into it */
  rawPacket?: Buffer;
  bytesParsed?: number;
}

/**
 * Requests Node's parser refuses before the app sees them: an OData error body instead of
 * Node's bare status line, then the connection closes (the parser cannot go on).
 */
function answerClientError(error: ClientError, socket: Socket) {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // A valid request before the bad bytes on this connection (e.g. a body sent without its
  // length) may still be answering: its answer goes first, or the client would take ours for it.
  const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
  if (inFlight && !inFlight.writableFinished) {
    inFlight.once('finish', () => setImmediate(() => answerClientError(error, socket)));
    return;
  }
  const refusal = refusalOf(error);
  const body = JSON.stringify(refusal.toBody());
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n` +
      `Content-Type: ${jsonContentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `OData-Version: 4.0\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n${body}`,
  );
}

function refusalOf(error: ClientError): ODataError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW': {
      const line = overflowedLine(error);
      if (line === 'request line') return urlTooLong();
      const limits = `URLs may have ${maxUrlBytes} bytes, the request line and headers together ${maxHeadBytes}`;
      return line === 'header'
        ? new ODataError(431, 'RequestHeaderFieldsTooLarge', `The request headers are too large: ${limits}`)
        : new ODataError(414, 'URITooLong', `The URL (or a header) is too long: ${limits}`);
    }
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ODataError(408, 'RequestTimeout', 'The request did not arrive in time');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new ODataError(413, 'PayloadTooLarge', 'The chunk extensions of the body are too large');
    default:
      return new ODataError(
        400,
        'BadRequest',
        `The request is not valid HTTP/1.1: ${error.reason ?? error.message} (${error.code ?? 'no code'})`,
      );
  }
}

/**
 * Where the head overflowed: in the request line (the URL) or in a header. Node says "header
 * overflow" for both, but it stops right after the piece of URL or header value it was reading,
 * and the chunk it was parsing shows which when it holds that line's start (a request line
 * starts with `METHOD /`) or end (the URL ends before ` HTTP/`). A head sent in small pieces can
 * overflow in a chunk from the middle of a line: characters a URL may hold say 'probably the
 * URL', others (spaces, quotes, ...) a header.
 */
type OverflowedLine = 'request line' | 'header' | 'url or header';

function overflowedLine({ rawPacket, bytesParsed }: ClientError): OverflowedLine {
  if (!rawPacket || bytesParsed === undefined) return 'header';
  const before = rawPacket.subarray(0, bytesParsed).toString('latin1');
  const lineStart = before.lastIndexOf('\n') + 1;
  if (/^[A-Z]+ (?:[/*]|https?:\/\/)/.test(before.slice(lineStart))) return 'request line';
  if (lineStart > 0) return 'header'; // a line after a line break, and no request line
  if (rawPacket.subarray(bytesParsed, bytesParsed + 6).toString('latin1') === ' HTTP/') {
    return 'request line';
  }
  return /^[\w\-.~:/?#[\]@!$&'()*+,;=%]*$/.test(before) ? 'url or header' : 'header';
}
