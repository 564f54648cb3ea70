// The ceiling of this stack on this machine: the service's page of 50 opportunities, read once
// and kept in memory, served by a bare Hono handler (same @hono/node-server) that only runs
// JSON.stringify. No routing beyond one route, no middleware, no SQL: whatever the service
// spends above this is ours to win back.
//
//   tsx bench/ceiling.ts --db data/bench-100000.db [--seconds 4] [--rounds 3]
//
// prints the ceiling's req/s, the service's page of 50 measured the same way (autocannon,
// 10 connections, same seconds, rounds alternating between the two) and the fraction.
// bench/api.ts calls startCeiling().
//
// Both servers run in child processes, as bench/api.ts runs the service: a server inside the
// load generator's process would share its event loop and measure autocannon as much as itself.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { openStore } from '../server/db/database.ts';
import { apiBasePath, createApp } from '../server/http/app.ts';
import { defaultAuthSettings } from '../server/people/auth-settings.ts';

/** The page both servers answer: the same path and query as bench/api.ts's "page of 50". */
export const pageOf50 = `${apiBasePath}/Activity_SalesOpportunity?$top=50`;

export interface Ceiling {
  /** the page's URL on the ceiling server */
  url: string;
  /** the server's process, to read its CPU time */
  pid: number;
  close(): Promise<void>;
}

const here = fileURLToPath(import.meta.url);

/**
 * Starts the ceiling server in a child process for a database (SQLite file or postgres:// URL)
 * and resolves once it listens.
 */
export async function startCeiling(database: string): Promise<Ceiling> {
  const child = spawn(process.execPath, ['--import', 'tsx', here, '--serve', '--db', database], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const line = /^ceiling (\S+)$/m.exec(seen);
      if (line) resolve(line[1]);
    });
    child.once('exit', (code) => reject(new Error(`the ceiling server exited with ${code}`)));
  });
  return { url, pid: child.pid!, close: () => stop(child) };
}

function stop(child: ChildProcess) {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * In the child: the page's body as the service itself answers it at this server's origin (the
 * service's own code reads the rows, so the payload matches byte for byte), then a bare Hono
 * handler that serialises it per request.
 */
async function serveCeiling(database: string) {
  const app = new Hono();
  let page: unknown;
  let headers: Record<string, string> = {};
  app.get(`${apiBasePath}/Activity_SalesOpportunity`, (c) => c.body(JSON.stringify(page), 200, headers));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = openStore(database);
  try {
    const apiToken = 'ceiling';
    const response = await createApp({ store, auth: { ...defaultAuthSettings, apiToken } }).request(
      `${origin}${pageOf50}`,
      { headers: { Authorization: `Bearer ${apiToken}` } },
    );
    if (!response.ok) throw new Error(`the service answered ${response.status}: ${await response.text()}`);
    page = await response.json();
    headers = {
      'Content-Type': response.headers.get('Content-Type')!,
      'OData-Version': response.headers.get('OData-Version')!,
    };
  } finally {
    await store.close();
  }
  console.log(`ceiling ${origin}${pageOf50}`);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

/** CPU time (user + system) a process has used, in ms; undefined where /proc is not there. */
function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Requests per second with 10 connections, as bench/api.ts measures throughput, and the
 * server's CPU time per request: when others share the machine the first drops with their
 * load, the second much less, so both are shown.
 */
export async function measure(server: Pick<Ceiling, 'url' | 'pid'>, seconds: number) {
  const before = cpuMs(server.pid);
  const result = await autocannon({ url: server.url, connections: 10, duration: seconds });
  const after = cpuMs(server.pid);
  if (result.non2xx + result.errors > 0)
    throw new Error(`${server.url}: ${result.non2xx + result.errors} failed`);
  const cpuPerRequest =
    before === undefined || after === undefined ? Number.NaN : (after - before) / result.requests.total;
  return { rps: result.requests.average, cpuPerRequest };
}

async function startService(database: string): Promise<Ceiling> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, DATABASE_URL: database, PORT: '0', DEMO_DATA: '0', WORKERS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const origin = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const running = /is running at (http:\/\/\S+?)\/ /.exec(seen);
      if (running) resolve(running[1]);
    });
    child.once('exit', (code) => reject(new Error(`the service exited with ${code}`)));
  });
  return { url: `${origin}${pageOf50}`, pid: child.pid!, close: () => stop(child) };
}

const ms = (value: number) => `${value.toFixed(3)} ms`;
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main() {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      serve: { type: 'boolean', default: false },
      seconds: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '3' },
    },
  });
  if (!values.db) throw new Error('usage: tsx bench/ceiling.ts --db <SQLite file or postgres:// URL>');
  if (values.serve) return serveCeiling(values.db);
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const ceiling = await startCeiling(values.db);
  const service = await startService(values.db);
  try {
    // warm both up (JIT, statement cache) before anything counts
    await measure(ceiling, 1);
    await measure(service, 1);
    const figures = {
      ceiling: [] as number[],
      service: [] as number[],
      cpuC: [] as number[],
      cpuS: [] as number[],
    };
    for (let round = 1; round <= rounds; round++) {
      const c = await measure(ceiling, seconds);
      const s = await measure(service, seconds);
      figures.ceiling.push(c.rps);
      figures.service.push(s.rps);
      figures.cpuC.push(c.cpuPerRequest);
      figures.cpuS.push(s.cpuPerRequest);
      console.log(
        `round ${round}: ceiling ${c.rps.toFixed(0)} req/s (${ms(c.cpuPerRequest)} CPU/req), service ${s.rps.toFixed(0)} req/s (${ms(s.cpuPerRequest)} CPU/req), ${percent(s.rps, c.rps)}`,
      );
    }
    const fractions = figures.service.map((s, i) => s / figures.ceiling[i]);
    const [c, s] = [median(figures.ceiling), median(figures.service)];
    const [cpuC, cpuS] = [median(figures.cpuC), median(figures.cpuS)];
    console.log(
      `page of 50, median of ${rounds} × ${seconds} s: ceiling ${c.toFixed(0)} req/s, service ${s.toFixed(0)} req/s, ${percent(s, c)} of the ceiling (median of the rounds' fractions ${percent(median(fractions), 1)})`,
    );
    console.log(
      `server CPU per request: ceiling ${ms(cpuC)}, service ${ms(cpuS)}, ${percent(cpuC, cpuS)} (the fraction a saturated core would give)`,
    );
  } finally {
    await service.close();
    await ceiling.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
