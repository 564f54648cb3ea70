// `npm run bench:ui`: the dashboard's speed figures, measured in Chromium against the real
// service with 5,000 open opportunities in one pipeline (BENCH_OPEN=33000 for more; seeded
// through the API once and kept as data/bench-ui-open-<N>.db).
//   initial JS   gzip size of the scripts index.html loads before anything is lazy-loaded
//   first cards  navigation start → first card in the DOM (median of 5 cold loads)
//   board quiet  navigation start → every column shows its cards and its totals and no API
//                request is in flight (median of 5 cold loads), and the API requests it took
//   drop → move  pointer release → card in its new column (frames at 60 Hz, median of 20 drops)
//   confirm      the PATCH's round trip as the browser saw it (p50 of the same drops)
//   forecast     navigation start → every forecast chart drawn (median of 5 cold loads), with
//                $apply, and without it (the $metadata answered without the annotation, as the
//                hosted CRM's would be: the dashboard then pages through the opportunities)
// Options:
//   --size N        instead of seeding, N opportunities over three pipelines, open and closed
//                   (data/bench-ui-N.db, made once; see ensureBoardDatabase); the board shows the
//                   largest pipeline, about 75% of them. No forecast (paging it takes minutes).
//   --db postgres   with --size: the same in PostgreSQL, database dealdeck_bench_ui_N, under
//                   BENCH_DATABASE_URL (a role that may create databases; default
//                   postgres://dealdeck:dealdeck@127.0.0.1:5432/postgres)
//   --only LIST     some of the measures: first,quiet,forecast,drop,live (default all)
//   live            last, on a service of its own (bench/live-board.ts; alone: npm run bench:live):
//                   an API write → the card shown on a signed-in board (p50/p90/max of 40), and
//                   what 200 open change streams cost the service (CPU, RSS) idle and during 50
//                   writes a second; on PostgreSQL too when TEST_DATABASE_URL is set
//   --profile       instead of the figures, a profile of ten drops on a profiling build of React
//                   (unminified): the components each drop renders and their time (as the React
//                   Profiler records them), the JavaScript functions that take the time (CDP
//                   Profiler; each drop's profile in test-results/bench/drop-N.cpuprofile), and a
//                   Chromium trace of one drop (test-results/bench/drop-trace.json, for DevTools'
//                   Performance panel) summed by event
import { execSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { type Browser, type CDPSession, chromium, type Page } from '@playwright/test';
import { sql } from 'kysely';
import pg from 'pg';
import { build } from 'vite';
import { seedOpportunities } from '../e2e/support/seed-data.ts';
import { ServiceApi } from '../e2e/support/service-api.ts';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { openStore, type Store } from '../server/db/database.ts';
import { migrate } from '../server/db/migrations.ts';
import { sequenceTable } from '../server/db/schema.ts';
import { seededRandom } from '../server/demo/random.ts';
import { createReferenceData } from '../server/demo/reference-data.ts';
import { entitySets } from '../server/model/model.ts';
import { sessionCookie } from '../server/people/authenticate.ts';
import { startSession } from '../server/people/credentials.ts';
import { addPerson, findPerson } from '../server/people/people.ts';
import { type RunningServer, startServer } from '../server/start-server.ts';
import { createEntity } from '../server/write/write-entity.ts';
import { benchLiveBoard, defaultLiveBench, liveBenchPostgres } from './live-board.ts';

const { values: options } = parseArgs({
  options: {
    size: { type: 'string' },
    db: { type: 'string', default: 'sqlite' },
    profile: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const generatedSize = options.size === undefined ? undefined : Number(options.size);
if (generatedSize !== undefined && !(Number.isInteger(generatedSize) && generatedSize > 0))
  throw new Error(`--size must be a positive whole number, got ${options.size}`);
if (options.db !== 'sqlite' && options.db !== 'postgres') throw new Error('--db is sqlite or postgres');
if (options.db === 'postgres' && generatedSize === undefined) throw new Error('--db postgres needs --size');
const openCount = Number(process.env.BENCH_OPEN ?? 5000);
const postgresBase = process.env.BENCH_DATABASE_URL ?? 'postgres://dealdeck:dealdeck@127.0.0.1:5432/postgres';
const drops = 20;
const measures = new Set((options.only ?? 'first,quiet,forecast,drop,live').split(','));
const viewport = { width: 1440, height: 900 };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

function initialJsGzip(dist: string) {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const scripts = [
    ...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="([^"]+\.js)"/g),
  ].map((m) => m[1]);
  let bytes = 0;
  for (const src of new Set(scripts))
    bytes += gzipSync(readFileSync(join(dist, src.replace(/^\//, '')))).length;
  return { files: scripts.length, kb: bytes / 1024 };
}

async function firstCardsMs(page: Page, url: string) {
  await page.goto(url, { waitUntil: 'commit' });
  await page.getByRole('article').first().waitFor();
  return page.evaluate<number>('window.firstCardAt');
}

// Browser-side scripts, as strings: this file is type-checked for Node, without the DOM.
const watchFirstCard = `
  new MutationObserver((_, observer) => {
    if (document.querySelector('article')) {
      window.firstCardAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });`;

/**
 * The board is quiet when every column shows its cards (or that it has none), no skeleton is
 * left (the totals are in), and no request to the API is in flight. Recorded at the frame that
 * shows it; a request that starts later clears it again.
 */
const watchQuiet = `(() => {
  let inflight = 0;
  const original = window.fetch;
  const isQuiet = () => {
    if (inflight > 0) return false;
    const columns = [...document.querySelectorAll('main section[aria-labelledby]')];
    return (
      columns.length > 0 &&
      !document.querySelector('main .animate-pulse') &&
      columns.every((c) => c.querySelector('article') || c.textContent.includes('No opportunities'))
    );
  };
  let scheduled = false;
  const check = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      if (isQuiet()) window.quietAt ??= performance.now();
      else window.quietAt = undefined;
    });
  };
  window.fetch = (...args) => {
    inflight++;
    window.quietAt = undefined;
    return original(...args).finally(() => {
      inflight--;
      check();
    });
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
})()`;

interface QuietBoard {
  ms: number;
  /** the API requests made from navigation to quiet */
  requests: { path: string; ms: number; startedAt: number }[];
  /** the page's time origin (epoch ms), to place the requests on its timeline */
  origin: number;
}

/** Navigation start → quiet board, with the API requests it took; quiet must hold for a second. */
async function quietBoard(browser: Browser, url: string, paging: boolean): Promise<QuietBoard> {
  const context = await signedInContext(browser);
  await context.addInitScript(watchQuiet);
  const page = await context.newPage();
  if (paging) await withoutApply(page);
  const requests: QuietBoard['requests'] = [];
  page.on('requestfinished', (request) => {
    if (!request.url().includes('/v1/odata')) return;
    const { pathname, search } = new URL(request.url());
    const timing = request.timing();
    requests.push({
      path: decodeURIComponent(pathname.replace(/^.*\/v1\/odata/, '') + search),
      ms: timing.responseEnd,
      startedAt: timing.startTime,
    });
  });
  await page.goto(url, { waitUntil: 'commit' });
  let quietAt: number | undefined;
  for (;;) {
    await page.waitForFunction('window.quietAt !== undefined', undefined, { timeout: 120_000 });
    const seen = requests.length;
    await page.waitForTimeout(1000);
    quietAt = await page.evaluate<number | undefined>('window.quietAt');
    if (quietAt !== undefined && requests.length === seen) break;
  }
  const origin = await page.evaluate<number>('performance.timeOrigin');
  await context.close();
  return { ms: quietAt, requests, origin };
}

const forecastCharts = 4;
const watchForecast = `
  new MutationObserver((_, observer) => {
    const drawn = [...document.querySelectorAll('[data-testid="forecast"] section')].filter((s) =>
      s.querySelector('.recharts-bar-rectangle'),
    );
    if (drawn.length >= ${forecastCharts}) {
      window.forecastAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });`;

async function forecastMs(page: Page, url: string) {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction('window.forecastAt !== undefined', undefined, { timeout: 60_000 });
  return page.evaluate<number>('window.forecastAt');
}

/**
 * Records the pointer release and the first frame that shows the card in the target column.
 * The release is the event's timeStamp, so time the page was too busy to handle it counts.
 * "In the DOM" is not "on screen": the card is drawn in the next frame the page renders, and
 * work still queued after the commit (effects, query notifications) holds that frame back. So
 * the figure ends when that frame starts rendering (requestAnimationFrame), which still leaves
 * out its own style, layout and paint.
 */
const watchMove = (cardId: string, column: number) => `(() => {
  window.dropAt = undefined;
  window.movedAt = undefined;
  window.dropParts = {};
  window.addEventListener('pointerup', (event) => {
    window.dropAt = event.timeStamp;
    // where the time goes: waiting for the page, then JavaScript until the card is in the DOM;
    // the rest is the browser's (style, layout, waiting for the next frame)
    window.dropParts.handled = performance.now();
    if (window.profileDrop) console.profile('drop');
  }, { once: true, capture: true });
  const region = document.querySelectorAll('section[aria-labelledby]')[${column}];
  const observer = new MutationObserver(() => {
    if (region.querySelector('article[data-card-id="${cardId}"]')) {
      observer.disconnect();
      window.dropParts.inDom = performance.now();
      requestAnimationFrame(() => {
        window.movedAt = performance.now();
        if (window.profileDrop) console.profileEnd('drop');
      });
    }
  });
  observer.observe(region, { childList: true, subtree: true });
})()`;

/** The $metadata without the $apply annotation, as the hosted CRM's: the dashboard then pages. */
async function withoutApply(page: Page) {
  await page.context().route('**/$metadata', async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(
      /<Annotation Term="Aggregation\.ApplySupported">[\s\S]*?<\/Annotation>/,
      '',
    );
    await route.fulfill({ response, body });
  });
}

interface Drops {
  moveFrames: number[];
  confirms: number[];
  parts: DropParts[];
}

/** Parts of a drop's time, in ms from the release: see watchMove. */
interface DropParts {
  /** until the page handles the release (it was busy) */
  wait: number;
  /** until the card is in the DOM of its new column: the handlers, React's render and commit */
  inDom: number;
}

/** Drags the first card of the first open column to the second and back, `drops` times. */
/** Work around each drop, for --profile: started just before the release, ended once it shows. */
interface DropProbe {
  initScript?: string;
  start(page: Page, drop: number): Promise<void>;
  stop(page: Page, drop: number): Promise<void>;
}

async function measureDrops(
  browser: Browser,
  url: string,
  api: ServiceApi,
  pipelineId: string,
  count = drops,
  probe?: DropProbe,
): Promise<Drops> {
  const context = await signedInContext(browser);
  if (probe?.initScript) await context.addInitScript(probe.initScript);
  const page = await context.newPage();
  await page.goto(url);
  const phases = (await api.phases(pipelineId)).filter((p) => !p.IsWon && !p.IsLost);
  const columns = [phases[0].Name, phases[1].Name].map((name) =>
    page.getByRole('region', { name: new RegExp(`^${name}`) }),
  );
  await columns[0].getByRole('article').first().waitFor();
  await columns[1].getByRole('article').first().waitFor();
  const moveFrames: number[] = [];
  const confirms: number[] = [];
  const parts: DropParts[] = [];
  for (let i = 0; i < count; i++) {
    const [from, to] = i % 2 === 0 ? columns : [columns[1], columns[0]];
    const card = from.getByRole('article').first();
    const id = await card.getAttribute('data-card-id');
    const a = (await card.boundingBox())!;
    const b = (await to.getByRole('article').first().boundingBox())!;
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(id!));
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 5, { steps: 3 });
    await page.mouse.move(b.x + b.width / 2, b.y + 10, { steps: 10 });
    const toIndex = i % 2 === 0 ? 1 : 0;
    // Watch for the card in the target column from the moment of release.
    await page.evaluate(watchMove(id!, toIndex));
    await probe?.start(page, i);
    await page.mouse.up();
    await page.waitForFunction('window.movedAt !== undefined');
    await probe?.stop(page, i);
    const response = await saved;
    const { dropAt, movedAt, dropParts } = await page.evaluate<{
      dropAt: number;
      movedAt: number;
      dropParts: { handled: number; inDom: number };
    }>('({ dropAt: window.dropAt, movedAt: window.movedAt, dropParts: window.dropParts })');
    moveFrames.push(movedAt - dropAt);
    parts.push({ wait: dropParts.handled - dropAt, inDom: dropParts.inDom - dropAt });
    confirms.push(response.request().timing().responseEnd);
    await page.waitForFunction(`!document.querySelector('article[data-card-id="${id}"][aria-busy="true"]')`);
  }
  await context.close();
  return { moveFrames, confirms, parts };
}

/**
 * What React DevTools' hook sees, kept small: on each commit while `window.recordCommits`, the
 * components whose function ran (React's PerformedWork flag on a fiber of the new tree) and
 * their own render time (selfBaseDuration, set by the profiling build). Subtrees React skipped
 * keep their old fibers (same child as before), so they are not walked.
 */
const recordReactCommits = `(() => {
  const nameOf = (type) =>
    type && typeof type !== 'string'
      ? type.displayName || type.name || nameOf(type.type) || nameOf(type.render) || null
      : null;
  window.reactCommits = [];
  window.recordCommits = false;
  let nextId = 1;
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    isDisabled: false,
    renderers: new Map(),
    inject(renderer) { const id = nextId++; this.renderers.set(id, renderer); return id; },
    checkDCE() {},
    onScheduleFiberRoot() {},
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
    setStrictMode() {},
    onCommitFiberRoot(_id, root) {
      if (!window.recordCommits) return;
      const rendered = {};
      const visit = (fiber) => {
        const previous = fiber.alternate;
        const name = nameOf(fiber.type);
        if (name && (previous === null || (fiber.flags & 1) === 1)) {
          const entry = (rendered[name] ??= { count: 0, mounts: 0, ms: 0 });
          entry.count++;
          if (previous === null) entry.mounts++;
          entry.ms += fiber.selfBaseDuration || 0;
          // which props changed, for the question "why did it render"
          if (previous !== null && fiber.memoizedProps && previous.memoizedProps) {
            entry.changed ??= {};
            for (const key of Object.keys(fiber.memoizedProps))
              if (fiber.memoizedProps[key] !== previous.memoizedProps[key])
                entry.changed[key] = (entry.changed[key] || 0) + 1;
          }
        }
        if (previous === null || fiber.child !== previous.child)
          for (let child = fiber.child; child; child = child.sibling) visit(child);
      };
      const top = root.current;
      if (top.alternate === null || top.child !== top.alternate.child)
        for (let child = top.child; child; child = child.sibling) visit(child);
      window.reactCommits.push({ at: performance.now(), ms: top.actualDuration || 0, rendered });
    },
  };
})()`;

interface ReactCommit {
  at: number;
  ms: number;
  rendered: Record<string, { count: number; mounts: number; ms: number; changed?: Record<string, number> }>;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (ms) in a CDP CPU profile. */
function selfTimes(profile: CpuProfile, into: Map<string, number>) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.split('/').pop() ?? '';
    const key = `${functionName || '(anonymous)'} ${file}${file ? `:${lineNumber + 1}` : ''}`;
    // a sample's time is the gap to the next one
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    into.set(key, (into.get(key) ?? 0) + ms);
  });
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { type?: string } };
}

/**
 * Self time per trace event name on the page's main thread, from the pointerup's dispatch to
 * the end of the first paint after it.
 */
function traceSummary(path: string) {
  const { traceEvents } = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEvent[] };
  const main = traceEvents.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const events = traceEvents
    .filter((e) => e.ph === 'X' && e.dur !== undefined && main && e.pid === main.pid && e.tid === main.tid)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const release = events.find((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'pointerup');
  if (!release) return { ms: 0, byName: new Map<string, number>() };
  const paint = events.find((e) => e.name === 'Paint' && e.ts > release.ts);
  const end = paint ? paint.ts + paint.dur! : release.ts + release.dur!;
  const within = events.filter((e) => e.ts >= release.ts && e.ts + e.dur! <= end);
  const byName = new Map<string, number>();
  const stack: TraceEvent[] = [];
  for (const event of within) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur! <= event.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) byName.set(parent.name, (byName.get(parent.name) ?? 0) - event.dur! / 1000);
    byName.set(event.name, (byName.get(event.name) ?? 0) + event.dur! / 1000);
    stack.push(event);
  }
  return { ms: (end - release.ts) / 1000, byName };
}

const top = (entries: Iterable<[string, number]>, n: number, per = 1) =>
  [...entries]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => `    ${(ms / per).toFixed(2).padStart(7)} ms  ${name}`)
    .join('\n');

/** --profile: where a drop's time goes, on a profiling build. */
async function profileDrops(browser: Browser, url: string, api: ServiceApi, pipelineId: string) {
  const dropsProfiled = 10;
  const cpu = new Map<string, number>();
  const commits: ReactCommit[][] = [];
  const tracePath = 'test-results/bench/drop-trace.json';
  mkdirSync('test-results/bench', { recursive: true });
  let cdp: CDPSession | undefined;
  let profiled: Promise<CpuProfile> | undefined;
  const { moveFrames } = await measureDrops(browser, url, api, pipelineId, dropsProfiled, {
    initScript: recordReactCommits,
    async start(page, drop) {
      await page.evaluate('window.reactCommits = []; window.recordCommits = true');
      // one traced drop; the others are sampled by the CPU profiler (both at once would skew)
      if (drop === dropsProfiled - 1) {
        await browser.startTracing(page, {
          path: tracePath,
          categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'],
        });
        return;
      }
      // console.profile() at the release and profileEnd() in the frame that shows the card
      cdp = await page.context().newCDPSession(page);
      const session = cdp;
      await session.send('Profiler.enable');
      await session.send('Profiler.setSamplingInterval', { interval: 100 });
      profiled = new Promise((resolve) =>
        session.once('Profiler.consoleProfileFinished', (event) =>
          resolve(event.profile as unknown as CpuProfile),
        ),
      );
      await page.evaluate('window.profileDrop = true');
    },
    async stop(page, drop) {
      await page.evaluate('window.recordCommits = false');
      // only the commits between the release and the frame that shows the card
      commits.push(
        await page.evaluate<ReactCommit[]>(
          'window.reactCommits.filter((c) => c.at >= window.dropAt && c.at <= window.movedAt)',
        ),
      );
      if (drop === dropsProfiled - 1) {
        await browser.stopTracing();
        return;
      }
      const profile = await profiled!;
      writeFileSync(`test-results/bench/drop-${drop + 1}.cpuprofile`, JSON.stringify(profile));
      selfTimes(profile, cpu);
      await page.evaluate('window.profileDrop = false');
      await cdp!.detach();
    },
  });
  const frame = 1000 / 60;
  console.log('');
  console.log(
    `Drops on the profiling build: ${median(moveFrames).toFixed(1)} ms median of ${moveFrames.map((m) => m.toFixed(0)).join(', ')} (${(median(moveFrames) / frame).toFixed(2)} frames)`,
  );
  const perDrop = new Map<string, { count: number; mounts: number; ms: number }>();
  for (const drop of commits)
    for (const commit of drop)
      for (const [name, { count, mounts, ms }] of Object.entries(commit.rendered)) {
        const entry = perDrop.get(name) ?? { count: 0, mounts: 0, ms: 0 };
        perDrop.set(name, { count: entry.count + count, mounts: entry.mounts + mounts, ms: entry.ms + ms });
      }
  const commitCounts = commits.map((c) => c.length);
  const renderMs = commits.map((c) => c.reduce((sum, commit) => sum + commit.ms, 0));
  console.log(
    `React commits from release to the frame: ${median(commitCounts)} median; render ${median(renderMs).toFixed(2)} ms median`,
  );
  const last = commits[commits.length - 1];
  last.forEach((commit, i) => {
    const names = Object.entries(commit.rendered)
      .sort((a, b) => b[1].count - a[1].count)
      .slice(0, 8)
      .map(
        ([name, r]) =>
          `${name} ${r.count}${r.mounts ? ` (${r.mounts} mounted)` : ''}${
            r.changed && Object.keys(r.changed).length
              ? ` [${Object.entries(r.changed)
                  .map(([key, n]) => `${key} ${n}`)
                  .join(' ')}]`
              : ''
          }`,
      );
    console.log(`    commit ${i + 1} of the last drop, ${commit.ms.toFixed(2)} ms: ${names.join(', ')}`);
  });
  const per = commits.length;
  console.log('Components rendered per drop (mean renders, of which mounts; self ms):');
  console.log(
    [...perDrop]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 15)
      .map(
        ([name, { count, mounts, ms }]) =>
          `    ${(count / per).toFixed(1).padStart(6)} × ${name.padEnd(22)} ${(mounts / per).toFixed(1).padStart(6)} mounted  ${(ms / per).toFixed(2)} ms`,
      )
      .join('\n'),
  );
  cpu.delete('(idle) ');
  console.log(`JavaScript self time per drop (CPU profile of ${dropsProfiled - 1} drops, top 20):`);
  console.log(top(cpu, 20, dropsProfiled - 1));
  const trace = traceSummary(tracePath);
  console.log(
    `Trace of one drop (${tracePath}): ${trace.ms.toFixed(1)} ms from pointerup to the end of the next paint; self time by event:`,
  );
  console.log(top(trace.byName, 15));
}

const benchToken = `bench-ui-${process.pid}`;
/** The board's browser signs in as a manager (every card movable), by a session made directly. */
let signIn: { origin: string; session: string } | undefined;

async function signedInContext(browser: Browser) {
  const context = await browser.newContext({ viewport });
  if (signIn) await context.addCookies([{ name: sessionCookie, value: signIn.session, url: signIn.origin }]);
  return context;
}

async function signInAsManager(server: RunningServer) {
  const email = 'bench.manager@dealdeck.example';
  const person =
    (await findPerson(server.store, { email }))?.person ??
    (await addPerson(server.store, { email, name: 'Bench Manager', role: 'manager' }));
  signIn = { origin: server.origin, session: await startSession(server.store, person.id) };
}

/** The service on a bench database, its API as the service's own token, and its first pipeline. */
async function serveBench(databaseUrl: string, staticDir: string) {
  const server = await startServer({
    databaseUrl,
    port: 0,
    demoData: false,
    staticDir,
    apiToken: benchToken,
  });
  const api = new ServiceApi(server.serviceRoot, benchToken);
  const [pipeline] = await api.pipelines();
  return { server, api, pipeline };
}

/** The service on a fresh database with `openCount` seeded open opportunities, or on a generated one. */
async function startBenchService(dir: string, staticDir: string) {
  if (generatedSize === undefined) {
    // Seeded once through the API, kept under data/ and copied for each run (drops change it).
    const seeded = `data/bench-ui-open-${openCount}.db`;
    const databaseUrl = join(dir, 'bench.db');
    if (!existsSync(seeded)) {
      const { server, api } = await serveBench(databaseUrl, staticDir);
      console.log(`Creating ${openCount} open opportunities (once, kept in ${seeded})…`);
      const started = Date.now();
      await seedOpportunities(api, openCount, 16);
      console.log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(server.store.db);
      await server.close();
      mkdirSync('data', { recursive: true });
      copyFileSync(databaseUrl, `${seeded}.partial`);
      renameSync(`${seeded}.partial`, seeded);
    } else {
      copyFileSync(seeded, databaseUrl);
    }
    const { server, api, pipeline } = await serveBench(databaseUrl, staticDir);
    return { server, api, pipelineId: pipeline.ID, scale: `${openCount} open opportunities` };
  }
  const { server, api, pipeline } = await serveBench(await ensureBoardDatabase(generatedSize), staticDir);
  const deals = (
    await api.get<{ value: { Count: number }[] }>(
      `Activity_SalesOpportunity?$apply=filter(Pipeline/ID eq ${pipeline.ID})/aggregate($count as Count)`,
    )
  ).value[0].Count;
  return {
    server,
    api,
    pipelineId: pipeline.ID,
    scale: `${pipeline.Name}: ${deals} of ${generatedSize} opportunities, ${options.db}`,
  };
}

/**
 * The --size database, made once: data/bench-ui-<N>.db, or dealdeck_bench_ui_<N> on PostgreSQL.
 * The opportunities are written as raw rows, as an import from another system leaves them (as
 * server/demo/skewed-data.ts does for the sweep): through the API's write path, the demo
 * generator (bench/generate-bench-db.ts) managed about 1,000 a minute here once the table held
 * 40,000, which is most of a day for a million. Spread like the demo data: three pipelines
 * (75/17/8%), each one's phases fuller towards the start, a fifth won and a fifth lost, three
 * currencies; the probability and weighted amount are the phase's, as the server would set them.
 */
async function ensureBoardDatabase(size: number): Promise<string> {
  let url = `data/bench-ui-${size}.db`;
  if (options.db === 'postgres') {
    const name = `dealdeck_bench_ui_${size}`;
    url = Object.assign(new URL(postgresBase), { pathname: `/${name}` }).toString();
    const admin = new pg.Client({ connectionString: postgresBase });
    await admin.connect();
    try {
      if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount) {
        if ((await countOpportunities(url)) === size) return url;
        await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
      }
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
  } else {
    if (existsSync(url)) return url;
    mkdirSync('data', { recursive: true });
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${url}.partial${suffix}`, { force: true });
  }
  const target = options.db === 'postgres' ? url : `${url}.partial`;
  console.log(`Writing ${size} opportunities to ${options.db === 'postgres' ? url : target}…`);
  const started = Date.now();
  const store = openStore(target);
  try {
    await migrate(store);
    await store.transaction((tx) => createBoardOpportunities(tx, size));
    await store.refreshStatistics();
    // as autovacuum would leave it: a visibility map, so that index-only scans are possible
    if (options.db === 'postgres') await sql`VACUUM ANALYZE`.execute(store.db);
    else await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
  } finally {
    await store.close();
  }
  if (options.db === 'sqlite') renameSync(target, url);
  console.log(`  done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return url;
}

async function countOpportunities(url: string) {
  const store = openStore(url);
  try {
    const row = await store.db
      .selectFrom('activity')
      .select(sql<number>`COUNT(*)`.as('n'))
      .executeTakeFirst()
      .catch(() => undefined);
    return Number(row?.n ?? -1);
  } finally {
    await store.close();
  }
}

async function createBoardOpportunities(store: Store, size: number) {
  const random = seededRandom(42);
  const now = Date.now();
  const created = new Date(now - 800 * 86_400_000).toISOString();
  await createReferenceData(store, created);
  const create = async (set: string, body: Record<string, unknown>) =>
    (await createEntity(store, entitySets.get(set)!, { ID: random.uuid(), ...body }, created)).id;
  const reps: string[] = [];
  for (let i = 1; i <= 12; i++)
    reps.push(await create('Relation_Person_Contact_Employee', { FirstName: 'Rep', LastName: `No. ${i}` }));
  const customers: { id: string; name: string }[] = [];
  for (let i = 1; i <= 500; i++) {
    const name = `Customer ${i}`;
    customers.push({ id: await create('Relationship_Organization', { Name: name }), name });
  }
  const pipelines = await store.db
    .selectFrom('pipeline')
    .select(['ID', 'Name'])
    .orderBy('SortIndex')
    .execute();
  const phases = await store.db
    .selectFrom('datastore')
    .select(['ID', 'PipelineID', 'Probability', 'IsWon', 'IsLost', 'SortIndex'])
    .where('_Type', '=', 'Datastore.Phase.ActivitySalesOpportunity')
    .orderBy('SortIndex')
    .execute();
  const won = phases.find((p) => store.dialect.fromDatabase('Edm.Boolean', p.IsWon))!;
  const lost = phases.find((p) => store.dialect.fromDatabase('Edm.Boolean', p.IsLost))!;
  const weighted = <T>(items: T[], weightOf: (index: number) => number): T => {
    const total = items.reduce((sum, _, i) => sum + weightOf(i), 0);
    let r = random.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weightOf(i);
      if (r < 0) return items[i];
    }
    return items[0];
  };
  const pipelineWeights = [75, 17, 8];
  const openPhases = new Map(
    pipelines.map((p) => [p.ID, phases.filter((phase) => phase.PipelineID === p.ID)] as const),
  );
  const topics = ['CRM rollout', 'License renewal', 'Support contract', 'Data migration', 'Cloud hosting'];
  const currencies = ['EUR', 'EUR', 'EUR', 'USD', 'USD', 'GBP'];
  const columns = [
    'ID',
    '_Type',
    '_Name',
    'SortIndex',
    'CreationDate',
    'LastMutationDate',
    'IsActive',
    'IsClosed',
    'Subject',
    'Number',
    'Currency',
    'IsVatIncluded',
    'RelationDescription',
    'Probability',
    'WeightedAmount',
    'EstimatedAmount',
    'ExpectedOrderDate',
    'RelationshipID',
    'PhaseID',
    'PipelineID',
    'SalesRepresentativeID',
  ];
  const bool = (value: boolean) => store.dialect.toDatabase('Edm.Boolean', value);
  for (let start = 0; start < size; start += 500) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(size, start + 500); i++) {
      const pipeline = weighted(pipelines, (i) => pipelineWeights[i] ?? 0);
      const roll = random.next();
      let phase = roll < 0.2 ? won : roll < 0.4 ? lost : undefined;
      if (!phase) {
        // earlier phases hold more deals: weights n, n-1, …, 1
        const own = openPhases.get(pipeline.ID)!;
        phase = weighted(own, (k) => own.length - k);
      }
      const closed = phase === won || phase === lost;
      const probability = phase === won ? 100 : phase === lost ? 0 : Number(phase.Probability ?? 0);
      const estimated = 1000 + Math.floor(random.next() * 199) * 500;
      const customer = random.pick(customers);
      const subject = `${random.pick(topics)} for ${customer.name}`;
      const creation = new Date(now - random.next() * 700 * 86_400_000).toISOString();
      rows.push([
        random.uuid(),
        'Activity.SalesOpportunity',
        subject,
        i + 1,
        creation,
        creation,
        bool(true),
        bool(closed),
        subject,
        `2026-${String(i + 1).padStart(7, '0')}`,
        random.pick(currencies),
        bool(false),
        customer.name,
        probability,
        (estimated * probability) / 100,
        estimated,
        new Date(now + (random.next() - 0.3) * 365 * 86_400_000).toISOString().slice(0, 10),
        customer.id,
        phase.ID,
        pipeline.ID,
        random.pick(reps),
      ]);
    }
    const values = sql.join(rows.map((row) => sql`(${sql.join(row)})`));
    await sql`INSERT INTO activity (${sql.join(columns.map((c) => sql.ref(c)))}) VALUES ${values}`.execute(
      store.db,
    );
  }
  await sql`INSERT INTO ${sql.table(sequenceTable)} ("Name", "Value") VALUES ('Activity.Number.2026', ${size})`.execute(
    store.db,
  );
}

/** The dashboard built unminified with React's profiling build, which records render times. */
async function buildForProfiling(outDir: string) {
  await build({
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false },
    resolve: { alias: [{ find: /^react-dom\/client$/, replacement: 'react-dom/profiling' }] },
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'dealdeck-bench-ui-'));
  const staticDir = options.profile ? join(dir, 'dist') : 'dist';
  console.log(options.profile ? 'Building the dashboard for profiling…' : 'Building the dashboard…');
  if (options.profile) await buildForProfiling(staticDir);
  else execSync('npx vite build --logLevel warn', { stdio: 'inherit' });
  const js = initialJsGzip(staticDir);

  const { server, api, pipelineId, scale } = await startBenchService(dir, staticDir);
  await signInAsManager(server);
  const browser = await chromium.launch(
    chromiumPath ? { executablePath: chromiumPath, args: chromiumArgs } : {},
  );
  try {
    const url = `${server.origin}/?pipeline=${pipelineId}`;
    if (options.profile) {
      console.log(`Data: ${scale}`);
      await profileDrops(browser, url, api, pipelineId);
      return;
    }

    const loads: number[] = [];
    for (let i = 0; i < (measures.has('first') ? 5 : 0); i++) {
      const context = await signedInContext(browser);
      await context.addInitScript(watchFirstCard);
      loads.push(await firstCardsMs(await context.newPage(), url));
      await context.close();
    }

    const quiet: QuietBoard[] = [];
    for (let i = 0; i < (measures.has('quiet') ? 5 : 0); i++)
      quiet.push(await quietBoard(browser, url, false));
    // Paging is what the hosted CRM gets; at a million deals it would take minutes.
    const quietPaging: QuietBoard[] = [];
    if (generatedSize === undefined && measures.has('quiet')) {
      for (let i = 0; i < 5; i++) quietPaging.push(await quietBoard(browser, url, true));
    }

    const forecasts: Record<'apply' | 'paging', number[]> = { apply: [], paging: [] };
    if (generatedSize === undefined && measures.has('forecast')) {
      const forecastUrl = `${server.origin}/forecast?pipeline=${pipelineId}`;
      for (const path of ['apply', 'paging'] as const) {
        for (let i = 0; i < 5; i++) {
          const context = await signedInContext(browser);
          await context.addInitScript(watchForecast);
          const page = await context.newPage();
          if (path === 'paging') await withoutApply(page);
          forecasts[path].push(await forecastMs(page, forecastUrl));
          await context.close();
        }
      }
    }

    const { moveFrames, confirms, parts } = measures.has('drop')
      ? await measureDrops(browser, url, api, pipelineId)
      : { moveFrames: [], confirms: [], parts: [] };

    const frame = 1000 / 60;
    const ms = (values: number[]) =>
      `${median(values).toFixed(0)} ms median of ${values.map((l) => l.toFixed(0)).join(', ')}`;
    console.log('');
    console.log(`Data: ${scale}`);
    console.log(
      `Initial JS (gzip):            ${js.kb.toFixed(1)} KB in ${js.files} file(s)   (budget 150 KB)`,
    );
    if (loads.length) console.log(`First cards visible:          ${ms(loads)}   (budget 1000 ms)`);
    const quietLine = (runs: QuietBoard[]) => {
      const counts = runs.map((r) => r.requests.length);
      return `${ms(runs.map((r) => r.ms))}, ${median(counts)} API requests (${Math.min(...counts)}-${Math.max(...counts)})`;
    };
    if (quiet.length) {
      console.log(`Board quiet, $apply:          ${quietLine(quiet)}   (budget 1000 ms, 12 requests)`);
      // the slowest requests of the median load
      const middle = [...quiet].sort((a, b) => a.ms - b.ms)[Math.floor((quiet.length - 1) / 2)];
      console.log('    its API requests, from navigation start (ms): start → end  path');
      for (const r of [...middle.requests].sort((a, b) => a.startedAt - b.startedAt)) {
        const start = r.startedAt - middle.origin;
        console.log(
          `    ${start.toFixed(0).padStart(6)} → ${(start + r.ms).toFixed(0).padStart(5)}  ${r.path.slice(0, 110)}`,
        );
      }
    }
    if (quietPaging.length) {
      console.log(
        `Board quiet, paging:          ${quietLine(quietPaging)}   (without $apply, as on the hosted API)`,
      );
    }
    if (moveFrames.length) {
      console.log(
        `Drop → card moved:            ${median(moveFrames).toFixed(1)} ms median, max ${Math.max(...moveFrames).toFixed(1)} ms (${(median(moveFrames) / frame).toFixed(2)} frames at 60 Hz)   (budget 1 frame)`,
      );
      const part = (key: keyof DropParts) => median(parts.map((p) => p[key])).toFixed(1);
      console.log(
        `    medians: handled after ${part('wait')} ms, card in the DOM after ${part('inDom')} ms (JavaScript), then the browser's style, layout and the next frame`,
      );
      console.log(
        `Server confirms the move:     ${median(confirms).toFixed(1)} ms p50, max ${Math.max(...confirms).toFixed(1)} ms   (budget 100 ms)`,
      );
    }
    if (forecasts.apply.length) {
      console.log(`Forecast drawn, $apply:       ${ms(forecasts.apply)}   (budget 1000 ms)`);
      console.log(
        `Forecast drawn, paging:       ${ms(forecasts.paging)}   (without $apply, as on the hosted API)`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  // the live board on the seeded open opportunities (a --size database has no copy to spare)
  if (measures.has('live') && generatedSize === undefined && !options.profile) {
    await benchLiveBoard({
      ...defaultLiveBench,
      seeded: `data/bench-ui-open-${openCount}.db`,
      scale: `${openCount} open opportunities`,
      postgresBase: liveBenchPostgres(false),
      parts: new Set(['latency', 'load']),
    });
  }
}

await main();
