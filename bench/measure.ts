// What the bench scripts share: the service started as `npm start` runs it, the raw SQL floor,
// and latency over HTTP one request at a time.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * The floor is the fastest way to get the same rows from the same database: SQLite through a
 * cached statement returning arrays, PostgreSQL through one pg client with array rows.
 */
export interface Floor {
  query(text: string, params?: unknown[]): Promise<unknown>;
  bool(value: boolean): unknown;
  close(): Promise<void>;
}

export function sqliteFloor(file: string): Floor {
  const db = new Database(file);
  const prepared = new Map<string, Database.Statement>();
  return {
    async query(text, params = []) {
      let statement = prepared.get(text);
      if (!statement) {
        statement = db.prepare(text);
        prepared.set(text, statement);
      }
      return statement.reader ? statement.raw(true).all(...params) : statement.run(...params);
    },
    bool: (value) => (value ? 1 : 0),
    close: async () => {
      db.close();
    },
  };
}

export async function postgresFloor(url: string): Promise<Floor> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async query(text, params = []) {
      let n = 0;
      const result = await client.query({
        text: text.replace(/\?/g, () => `$${++n}`),
        values: params,
        rowMode: 'array',
      });
      return result.rows;
    },
    bool: (value) => value,
    close: () => client.end(),
  };
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** The service's own token for the bench run: every API request needs credentials. */
export const benchToken = `bench-${process.pid}-${Date.now()}`;
export const authHeaders = { Authorization: `Bearer ${benchToken}` };

/**
 * The service as its own process (server/main.ts, or `entry`), on a free port with the bench's
 * token, until `stop`. `nodeArgs` go to Node itself (e.g. --cpu-prof).
 */
export async function startService(
  url: string,
  workers: number,
  options: { entry?: string; nodeArgs?: string[] } = {},
): Promise<{ origin: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const { entry = 'server/main.ts', nodeArgs = [] } = options;
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO_DATA: '0',
      WORKERS: String(workers),
      API_TOKEN: benchToken,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('is running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the service exited with ${code}`)));
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) console.error(`The service (pid ${child.pid}) exited by itself: ${signal ?? code}`);
      resolve();
    }),
  );
  return {
    origin: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      stopping = true;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Latency one request at a time for `seconds` (at least 50 requests, or `atLeast`), timed with sub-millisecond resolution. */
export async function latency(
  url: string,
  seconds: number,
  init: { method?: string; body?: () => string | undefined; atLeast?: number } = {},
) {
  const times: number[] = [];
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until || times.length < (init.atLeast ?? 50)) {
    const start = process.hrtime.bigint();
    const send = () =>
      fetch(url, {
        method: init.method ?? 'GET',
        headers: { 'content-type': 'application/json', ...authHeaders },
        body: init.body?.(),
      });
    // a kept-alive connection the server closed while the floor was measured: open a new one
    const response = await send().catch(send);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)], p99: times[Math.floor(times.length * 0.99)] };
}

/** Median time of a piece of work, repeated for `seconds` (at least `atLeast` times, at most 300). */
export async function medianOf(work: () => Promise<unknown>, seconds: number, atLeast = 20) {
  const times: number[] = [];
  const until = Date.now() + seconds * 1000;
  for (let i = 0; i < 300 && (i < atLeast || Date.now() < until); i++) {
    const start = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** An OData path as a URL, quotes and spaces escaped as a browser would. */
export const serviceUrl = (origin: string, path: string) =>
  `${origin}/v1/odata${encodeURI(path).replace(/'/g, '%27')}`;
