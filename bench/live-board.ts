// The live board's figures (run by `npm run bench:live`, and by `npm run bench:ui` last):
//   write → card shown   an API write from another client (Node) → the frame that shows it on a
//                        signed-in board in Chromium, for Subject edits and phase moves
//   200 open boards      what 200 open change streams cost the service: its RSS and CPU while
//                        idle and during 50 writes a second, against none open; every stream
//                        must receive every change, and how late it arrives
// The service runs as a child process (server/main.ts, as `npm start` runs it, through
// bench/live-service.ts), so that its CPU and memory are its own: /proc/<pid>/stat and status.
// The data is bench:ui's 5,000 open opportunities (data/bench-ui-open-5000.db), copied for the
// run; on PostgreSQL the same rows copied (once) into the database dealdeck_bench_live_5000.
import { execSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Browser, chromium, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { openStore } from '../server/db/database.ts';
import { sessionCookie } from '../server/people/authenticate.ts';
import { startSession } from '../server/people/credentials.ts';
import { addPerson, findPerson } from '../server/people/people.ts';
import { copyToPostgres } from './copy-to-postgres.ts';
import { authHeaders, startService } from './measure.ts';

export interface LiveBenchOptions {
  /** where bench:ui keeps its seeded open opportunities, and how many */
  seeded: string;
  scale: string;
  /** a PostgreSQL URL of a role that may create databases: run there too */
  postgresBase?: string;
  /** write → card samples (half edits, half moves) */
  samples: number;
  /** streams opened at once, writes a second while they are open, seconds per window */
  clients: number;
  rate: number;
  seconds: number;
  /** which parts: latency, load */
  parts: Set<string>;
  /** a CPU profile of the service (node --cpu-prof), written into this folder when it stops */
  profileDir?: string;
}

const set = 'Activity_SalesOpportunity';
/** Both processes' clocks as epoch milliseconds with sub-millisecond resolution. */
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
};
const spread = (values: number[]) =>
  values.length === 0
    ? 'no samples'
    : `p50 ${quantile(values, 0.5).toFixed(0)} ms, p90 ${quantile(values, 0.9).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms (${values.length} samples)`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

type Service = Awaited<ReturnType<typeof startService>>;

/** The service as its own process, one instance, with the bench's token and the built dashboard. */
const startLiveService = (databaseUrl: string, profileDir?: string) =>
  startService(databaseUrl, 1, {
    entry: 'bench/live-service.ts',
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });

/** A manager's session cookie, written into the service's database directly (as bench:ui does). */
async function managerSession(databaseUrl: string) {
  const store = openStore(databaseUrl);
  try {
    const email = 'bench.manager@dealdeck.example';
    const person =
      (await findPerson(store, { email }))?.person ??
      (await addPerson(store, { email, name: 'Bench Manager', role: 'manager' }));
    return await startSession(store, person.id);
  } finally {
    await store.close();
  }
}

async function api<T>(origin: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${origin}/v1/odata/${path}`, {
    method,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...authHeaders },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

const patch = (origin: string, id: string, body: Record<string, unknown>) =>
  api(origin, 'PATCH', `${set}(${id})`, body);

// ---------------------------------------------------------------------------------------------
// write → card shown

/**
 * The page's clock against Node's: both are epoch milliseconds (performance.timeOrigin +
 * performance.now()), but each process took its origin from the system clock once. The offset is
 * measured as NTP does: the page's time read halfway through the shortest of 20 round trips.
 */
async function pageClockOffset(page: Page) {
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
  for (let i = 0; i < 20; i++) {
    const before = now();
    const pageTime = await page.evaluate<number>('performance.timeOrigin + performance.now()');
    const after = now();
    if (after - before < best.rtt) best = { rtt: after - before, offset: pageTime - (before + after) / 2 };
  }
  return best;
}

// Browser-side, as a string (this file is type-checked for Node, without the DOM). Waits for
// the card to show what it should: the text of its title, or being in a column (by index among
// the board's columns). Records the time of the mutation that shows it and of the next frame.
const installWatcher = `
  window.watchCard = (id, expected) => {
    const stamp = () => performance.timeOrigin + performance.now();
    window.cardSeen = undefined;
    const shows = () => {
      const selector = 'article[data-card-id="' + id + '"]';
      if (expected.subject !== undefined) {
        const title = document.querySelector(selector + ' h3');
        return !!title && title.textContent === expected.subject;
      }
      const columns = document.querySelectorAll('main section[aria-labelledby]');
      return !!columns[expected.column] && !!columns[expected.column].querySelector(selector);
    };
    if (shows()) throw new Error('the card already shows ' + JSON.stringify(expected));
    const observer = new MutationObserver(() => {
      if (!shows()) return;
      observer.disconnect();
      const inDom = stamp();
      requestAnimationFrame(() => { window.cardSeen = { inDom, frame: stamp() }; });
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  };`;

interface Card {
  ID: string;
  Subject: string;
  Phase: { ID: string };
}

async function measureWriteToCard(browser: Browser, origin: string, session: string, samples: number) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addCookies([{ name: sessionCookie, value: session, url: origin }]);
  await context.addInitScript(installWatcher);
  const page = await context.newPage();
  const [pipeline] = (await api<{ value: { ID: string }[] }>(origin, 'GET', 'Pipeline?$orderby=SortIndex'))
    .value;
  await page.goto(`${origin}/?pipeline=${pipeline.ID}`);
  await page.getByRole('status', { name: /^Live/ }).waitFor({ timeout: 60_000 });
  const columns = page.locator('main section[aria-labelledby]');
  // the first card of the first column moves to the second column's phase and back
  const firstId = async (column: number) =>
    (await columns.nth(column).locator('article[data-card-id]').first().getAttribute('data-card-id'))!;
  const cardOf = (id: string) =>
    api<Card>(origin, 'GET', `${set}(${id})?$select=ID,Subject&$expand=Phase($select=ID)`);
  const moving = await cardOf(await firstId(0));
  const phases = [moving.Phase.ID, (await cardOf(await firstId(1))).Phase.ID];
  const clock = await pageClockOffset(page);

  const edits: number[] = [];
  const moves: number[] = [];
  const confirms: number[] = [];
  const inDomToFrame: number[] = [];
  let column = 0;
  for (let i = 0; i < samples; i++) {
    const edit = i % 2 === 0;
    const subject = `${moving.Subject.replace(/ \(live \d+\)$/, '')} (live ${i})`;
    if (edit)
      await page.evaluate(
        `window.watchCard(${JSON.stringify(moving.ID)}, { subject: ${JSON.stringify(subject)} })`,
      );
    else await page.evaluate(`window.watchCard(${JSON.stringify(moving.ID)}, { column: ${1 - column} })`);
    const sent = now();
    await patch(origin, moving.ID, edit ? { Subject: subject } : { Phase: { ID: phases[1 - column] } });
    confirms.push(now() - sent);
    if (!edit) column = 1 - column;
    await page.waitForFunction('window.cardSeen !== undefined', undefined, { timeout: 10_000 });
    const seen = await page.evaluate<{ inDom: number; frame: number }>('window.cardSeen');
    (edit ? edits : moves).push(seen.frame - clock.offset - sent);
    inDomToFrame.push(seen.frame - seen.inDom);
    // the board settles (a move's totals) before the next write
    await sleep(150);
  }
  if (column === 1) await patch(origin, moving.ID, { Phase: { ID: phases[0] } });
  await context.close();
  return { edits, moves, confirms, inDomToFrame, clock };
}

// ---------------------------------------------------------------------------------------------
// 200 open boards

const clockTicks = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** The service process's CPU time (ms, user + system) and resident memory (MB). */
function processUsage(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the fields after the command name, which is in parentheses and may hold spaces
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
  // the main (JavaScript) thread's time spent runnable but waiting for a core: other processes'
  const waitMs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  return { cpuMs, rssMb: Number(rss) / 1024, waitMs };
}

interface Window {
  label: string;
  /** the service's CPU time over the window, and the window's length */
  cpuMs: number;
  elapsedMs: number;
  cpuPercent: number;
  /** of the window, the share the service's main thread was ready to run but had no core */
  waitPercent: number;
  rssStart: number;
  rssMax: number;
  rssEnd: number;
  writes?: number[];
}

/** Samples the service's RSS every 250 ms while `work` runs; its CPU over the whole of it. */
async function measureWindow(
  label: string,
  pid: number,
  work: () => Promise<number[] | undefined>,
): Promise<Window> {
  const start = processUsage(pid);
  const startedAt = now();
  let rssMax = start.rssMb;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, processUsage(pid).rssMb);
  }, 250);
  const writes = await work();
  clearInterval(sampler);
  const end = processUsage(pid);
  const elapsedMs = now() - startedAt;
  return {
    label,
    cpuMs: end.cpuMs - start.cpuMs,
    elapsedMs,
    cpuPercent: ((end.cpuMs - start.cpuMs) / elapsedMs) * 100,
    waitPercent: ((end.waitMs - start.waitMs) / elapsedMs) * 100,
    rssStart: start.rssMb,
    rssMax: Math.max(rssMax, end.rssMb),
    rssEnd: end.rssMb,
    writes,
  };
}

/**
 * The change streams, read as boards would, in a worker thread of their own: the writes are sent
 * from the main thread on schedule, and their round trips are not held up by reading 200
 * streams. The worker counts, per stream, the changes of this run's writes and their lag (the
 * main thread posts each write's send time as it sends it; both threads read the same clock).
 */
const streamReaders = `
  const http = require('node:http');
  const { parentPort, workerData } = require('node:worker_threads');
  const now = () => performance.timeOrigin + performance.now();
  const { origin, headers, count, prefix } = workerData;
  const sentAt = new Map();
  const arrivals = [];
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const streams = Array.from({ length: count }, () => ({ received: 0, ended: false, request: undefined }));
  const onEvent = (stream, block, at) => {
    let name = '';
    let data = '';
    for (const line of block.split('\\n')) {
      if (line.startsWith('event: ')) name = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (name !== 'change') return;
    const subject = String(JSON.parse(data).changes?.Subject?.[1]);
    if (!subject.startsWith(prefix)) return;
    stream.received++;
    // the lag once the send time is known: its message may come after the change itself
    arrivals.push([subject, at]);
  };
  const open = (stream) => new Promise((resolve, reject) => {
    stream.request = http.get(origin + '/v1/changes', { agent, headers: { ...headers, Accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error('GET /v1/changes: ' + response.statusCode));
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk) => {
        const at = now();
        buffer += chunk;
        let end = buffer.indexOf('\\n\\n');
        while (end >= 0) {
          onEvent(stream, buffer.slice(0, end), at);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\\n\\n');
        }
        // the first thing a stream sends is its retry: the subscription is in place
        resolve();
      });
      response.on('close', () => { stream.ended = true; });
    });
    stream.request.on('error', (error) => { if (!stream.ended) reject(error); });
  });
  parentPort.on('message', (message) => {
    if (message.sent) sentAt.set(message.sent[0], message.sent[1]);
    if (message.report) {
      const received = streams.map((s) => s.received);
      const ended = streams.filter((s) => s.ended).length;
      const lags = message.report === 'lags' ? arrivals.map(([subject, at]) => at - sentAt.get(subject)) : [];
      parentPort.postMessage({ received, ended, lags });
    }
    if (message.close) {
      for (const s of streams) { s.ended = true; s.request.destroy(); }
      parentPort.close();
    }
  });
  Promise.all(streams.map(open)).then(
    () => parentPort.postMessage({ open: true }),
    (error) => parentPort.postMessage({ error: error.message }),
  );
`;

interface StreamReport {
  received: number[];
  ended: number;
  lags: number[];
}

class StreamReaders {
  private worker: Worker;
  readonly opened: Promise<void>;

  /** `prefix`: the Subject the writes to count begin with */
  constructor(origin: string, count: number, prefix: string) {
    this.worker = new Worker(streamReaders, {
      eval: true,
      workerData: { origin, headers: authHeaders, count, prefix },
    });
    this.opened = new Promise((resolve, reject) => {
      this.worker.once('message', (message: { open?: boolean; error?: string }) =>
        message.open ? resolve() : reject(new Error(message.error)),
      );
      this.worker.once('error', reject);
    });
  }

  sent(subject: string, at: number) {
    this.worker.postMessage({ sent: [subject, at] });
  }

  /** What each stream received so far, and with `lags` every lag. */
  report(what: 'counts' | 'lags' = 'counts'): Promise<StreamReport> {
    return new Promise((resolve) => {
      this.worker.once('message', resolve);
      this.worker.postMessage({ report: what });
    });
  }

  async close() {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage({ close: true });
    await exited;
  }
}

/**
 * `rate` Subject edits a second for `seconds`, round-robin over the deals (so that no write
 * waits for another on the same record), each sent on schedule without waiting for the last.
 * Returns each write's round trip.
 */
async function writeAtRate(
  origin: string,
  ids: string[],
  rate: number,
  seconds: number,
  tag: string,
  onSent?: (subject: string, at: number) => void,
) {
  const count = rate * seconds;
  const started = now();
  const pending: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    await sleep(started + (i * 1000) / rate - now());
    const subject = `Live load ${tag} ${i}`;
    const sent = now();
    onSent?.(subject, sent);
    pending.push(patch(origin, ids[i % ids.length], { Subject: subject }).then(() => now() - sent));
  }
  return Promise.all(pending);
}

async function measureOpenBoards(service: Service, options: LiveBenchOptions) {
  const pid = service.child.pid!;
  const { origin } = service;
  const ids = (
    await api<{ value: { ID: string }[] }>(
      origin,
      'GET',
      `${set}?$select=ID&$filter=IsClosed eq false&$orderby=SortIndex desc&$top=50`,
    )
  ).value.map((d) => d.ID);
  const { seconds, rate, clients: clientCount } = options;
  const run = `${process.pid}-${Date.now()}`;
  const windows: Window[] = [];
  // the process settles after the start (and the latency part's browser) before the baseline
  await sleep(2000);
  windows.push(
    await measureWindow('0 streams, idle', pid, () => sleep(seconds * 1000).then(() => undefined)),
  );
  windows.push(
    await measureWindow(`0 streams, ${rate} writes/s`, pid, () =>
      writeAtRate(origin, ids, rate, seconds, `${run} a`),
    ),
  );

  const before = processUsage(pid);
  const openedAt = now();
  const readers = new StreamReaders(origin, clientCount, `Live load ${run} b `);
  await readers.opened;
  const openMs = now() - openedAt;
  const afterOpen = processUsage(pid);
  await sleep(1000);
  windows.push(
    await measureWindow(`${clientCount} streams, idle`, pid, () =>
      sleep(seconds * 1000).then(() => undefined),
    ),
  );
  const expected = rate * seconds;
  const benchCpu = process.cpuUsage();
  // until every write is answered and every stream has every change (or 10 s more passed), so
  // that the CPU counted is all the work of these writes, however late a busy machine does it
  const writeWindow = await measureWindow(`${clientCount} streams, ${rate} writes/s`, pid, async () => {
    const writes = await writeAtRate(origin, ids, rate, seconds, `${run} b`, (subject, at) =>
      readers.sent(subject, at),
    );
    const until = now() + 10_000;
    while (now() < until && !(await readers.report()).received.every((n) => n >= expected)) await sleep(50);
    return writes;
  });
  const benchCpuUsed = process.cpuUsage(benchCpu);
  windows.push(writeWindow);
  const report = await readers.report('lags');
  await readers.close();
  const complete = report.received.filter((n) => n === expected).length;
  const delivered = report.received.reduce((sum, n) => sum + n, 0);
  const delivery = { expected, complete, ended: report.ended, delivered, lags: report.lags };
  const benchCpuMs = (benchCpuUsed.user + benchCpuUsed.system) / 1000;
  return {
    windows,
    open: { ms: openMs, cpuMs: afterOpen.cpuMs - before.cpuMs, rssMb: afterOpen.rssMb - before.rssMb },
    delivery,
    benchCpuPercent: (benchCpuMs / (seconds * 1000)) * 100,
  };
}

// ---------------------------------------------------------------------------------------------

async function benchOn(label: string, databaseUrl: string, browser: Browser, options: LiveBenchOptions) {
  const service = await startLiveService(databaseUrl, options.profileDir);
  try {
    const session = await managerSession(databaseUrl);
    console.log('');
    console.log(`Live board on ${label} (${options.scale}; load average at start ${load()})`);
    if (options.parts.has('latency')) {
      const r = await measureWriteToCard(browser, service.origin, session, options.samples);
      console.log(`  write → card shown, edit (Subject):   ${spread(r.edits)}   (target p50 300 ms)`);
      console.log(`  write → card shown, move (Phase):     ${spread(r.moves)}`);
      console.log(`  write → card shown, all:             ${spread([...r.edits, ...r.moves])}`);
      console.log(
        `    of which the PATCH round trip p50 ${quantile(r.confirms, 0.5).toFixed(0)} ms; DOM change → next frame p50 ${quantile(r.inDomToFrame, 0.5).toFixed(1)} ms; page clock ${r.clock.offset.toFixed(2)} ms off Node's (±${(r.clock.rtt / 2).toFixed(2)} ms)`,
      );
    }
    if (options.parts.has('load')) {
      const r = await measureOpenBoards(service, options);
      console.log(
        `  The service process with ${options.clients} open change streams (${options.seconds} s windows):`,
      );
      for (const w of r.windows) {
        // writes: the CPU each write cost, from the first sent to the last answered (and
        // delivered), as a share of a core at the rate; a busy machine stretches the window
        const cpu = w.writes
          ? `CPU ${(w.cpuMs / w.writes.length).toFixed(2)} ms a write = ${(((w.cpuMs / w.writes.length) * options.rate) / 10).toFixed(1)}% of a core at ${options.rate}/s`
          : `CPU ${w.cpuPercent.toFixed(1)}% of a core`;
        const writes = w.writes
          ? `; PATCH p50 ${quantile(w.writes, 0.5).toFixed(0)} ms, p90 ${quantile(w.writes, 0.9).toFixed(0)} ms; took ${(w.elapsedMs / 1000).toFixed(1)} s`
          : '';
        console.log(
          `    ${w.label.padEnd(26)} ${cpu}, RSS ${w.rssStart.toFixed(0)} → ${w.rssEnd.toFixed(0)} MB (max ${w.rssMax.toFixed(0)}); waited for a core ${w.waitPercent.toFixed(0)}% of the time${writes}`,
        );
      }
      console.log(
        `    opening the ${options.clients} streams took ${r.open.ms.toFixed(0)} ms, ${r.open.cpuMs.toFixed(0)} ms of the service's CPU, RSS ${r.open.rssMb >= 0 ? '+' : ''}${r.open.rssMb.toFixed(1)} MB`,
      );
      const d = r.delivery;
      // the streams' share of the CPU: a write with them against one without
      const [, writesAlone, , writesWithStreams] = r.windows;
      const extraMs =
        writesWithStreams.cpuMs / writesWithStreams.writes!.length -
        writesAlone.cpuMs / writesAlone.writes!.length;
      console.log(
        `    the streams' share: ${extraMs.toFixed(2)} ms of CPU a write, ${((extraMs * 1000) / options.clients).toFixed(0)} µs a change sent to a stream`,
      );
      console.log(
        `    delivered ${d.delivered} of ${d.expected * options.clients} changes (${d.expected} writes × ${options.clients} streams): ${d.complete} streams got every one, ${d.ended} were ended`,
      );
      console.log(`    delivery lag, write sent → event read by a client: ${spread(d.lags)}`);
      console.log(
        `    (the bench process, which writes and reads the ${options.clients} streams in a thread of its own, used ${r.benchCpuPercent.toFixed(0)}% of a core meanwhile)`,
      );
    }
  } finally {
    await service.stop();
  }
}

export const defaultLiveBench = { samples: 40, clients: 200, rate: 50, seconds: 10 };

export async function benchLiveBoard(options: LiveBenchOptions) {
  if (!existsSync(options.seeded))
    throw new Error(`${options.seeded} is missing: npm run bench:ui makes it (once)`);
  if (!existsSync('dist/index.html')) throw new Error('dist/ is missing: npm run build');
  const dir = mkdtempSync(join(tmpdir(), 'dealdeck-bench-live-'));
  const browser = await chromium.launch(
    chromiumPath ? { executablePath: chromiumPath, args: chromiumArgs } : {},
  );
  try {
    const file = join(dir, 'live.db');
    copyFileSync(options.seeded, file);
    await benchOn('SQLite', file, browser, options);
    if (options.postgresBase) {
      // named after the SQLite file it copies (bench-ui-open-5000.db: dealdeck_bench_live_5000)
      const name = `dealdeck_bench_live_${basename(options.seeded).replace(/\D/g, '')}`;
      const url = Object.assign(new URL(options.postgresBase), { pathname: `/${name}` }).toString();
      await copyToPostgres(options.seeded, url);
      await benchOn('PostgreSQL', url, browser, options);
    }
    console.log(`  load average at the end ${load()}`);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The PostgreSQL server to run on too: asked for, or TEST_DATABASE_URL set. */
export function liveBenchPostgres(asked: boolean) {
  if (!asked && !process.env.TEST_DATABASE_URL) return undefined;
  return (
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://dealdeck:dealdeck@127.0.0.1:5432/postgres'
  );
}
