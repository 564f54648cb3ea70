// Opens the database, prepares it and serves the app: used by `npm start` and by the tests.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { openStore, type Store } from './db/database.ts';
import { migrate } from './db/migrations.ts';
import { seedIfEmpty } from './demo/seed.ts';
import { apiBasePath, createApp } from './http/app.ts';

export interface ServerOptions {
  databaseUrl: string;
  port?: number;
  host?: string;
  demoData?: boolean;
  /** demo opportunities to generate into an empty database */
  demoSize?: number;
  apiToken?: string;
  staticDir?: string;
  onQuery?: (sql: string) => void;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  origin: string;
  /** e.g. http://127.0.0.1:8080/v1/odata */
  serviceRoot: string;
  store: Store;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const store = openStore(options.databaseUrl, { onQuery: options.onQuery });
  await migrate(store);
  await seedIfEmpty(store, { demoData: options.demoData ?? true, size: options.demoSize });
  const app = createApp({ store, apiToken: options.apiToken, staticDir: options.staticDir });
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    origin,
    serviceRoot: `${origin}${apiBasePath}`,
    store,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}
