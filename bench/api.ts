// `npm run bench:api`: the service over HTTP against the raw SQL floor, on 10,000 and 100,000
// opportunities. Prints figures; asserts nothing. Options: --sizes 10000,100000 --seconds 4
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizes = option('sizes', '10000,100000').split(',').map(Number);
const seconds = Number(option('seconds', '4'));

interface Scenario {
  name: string;
  /** path and query under /v1/odata */
  path: (ids: string[]) => string;
  method?: 'GET' | 'PATCH';
  body?: () => string;
  /** the same rows straight from SQLite: the floor */
  raw: (db: Database.Database, ids: string[]) => unknown;
  /** part of the "indexed filter with $top" comparison across table sizes */
  indexedFilter?: boolean;
}

// The floor is the fastest way to get the rows: a cached statement returning arrays.
const prepared = new Map<string, Database.Statement>();
const floorQuery = (db: Database.Database, query: string, params: unknown[] = []) => {
  let statement = prepared.get(query);
  if (!statement) {
    statement = db.prepare(query);
    prepared.set(query, statement);
  }
  return statement.reader ? statement.raw(true).all(...params) : statement.run(...params);
};

const page =
  (where: string, params: unknown[] = []) =>
  (db: Database.Database) =>
    floorQuery(db, `SELECT * FROM activity WHERE ${where} ORDER BY ID LIMIT 50`, params);

const scenarios: Scenario[] = [
  { name: 'page of 50', path: () => '/Activity_SalesOpportunity?$top=50', raw: page('1 = 1') },
  {
    name: "contains(Subject,'cloud')",
    path: () => "/Activity_SalesOpportunity?$filter=contains(Subject,'cloud')&$top=50",
    raw: page("Subject LIKE ? ESCAPE '\\'", ['%cloud%']),
  },
  {
    name: 'Probability gt 50',
    path: () => '/Activity_SalesOpportunity?$filter=Probability gt 50&$top=50',
    raw: page('Probability > ?', [50]),
    indexedFilter: true,
  },
  {
    name: 'WeightedAmount gt 10000',
    path: () => '/Activity_SalesOpportunity?$filter=WeightedAmount gt 10000&$top=50',
    raw: page('WeightedAmount > ?', [10000]),
    indexedFilter: true,
  },
  {
    name: 'EstimatedAmount gt 50000',
    path: () => '/Activity_SalesOpportunity?$filter=EstimatedAmount gt 50000&$top=50',
    raw: page('EstimatedAmount > ?', [50000]),
    indexedFilter: true,
  },
  {
    name: 'ExpectedOrderDate lt 2026-12-31',
    path: () => '/Activity_SalesOpportunity?$filter=ExpectedOrderDate lt 2026-12-31&$top=50',
    raw: page('ExpectedOrderDate < ?', ['2026-12-31']),
    indexedFilter: true,
  },
  {
    name: 'Amount gt 1000',
    path: () => '/Activity_SalesOpportunity?$filter=Amount gt 1000&$top=50',
    raw: page('Amount > ?', [1000]),
    indexedFilter: true,
  },
  {
    name: 'IsClosed eq false',
    path: () => '/Activity_SalesOpportunity?$filter=IsClosed eq false&$top=50',
    raw: page('IsClosed = ?', [0]),
    indexedFilter: true,
  },
  {
    name: 'CreationDate gt 2026-06-01T00:00:00Z',
    path: () => '/Activity_SalesOpportunity?$filter=CreationDate gt 2026-06-01T00:00:00Z&$top=50',
    raw: page('CreationDate > ?', ['2026-06-01T00:00:00.000Z']),
    indexedFilter: true,
  },
  {
    name: '$expand of 5 relations, 100 rows',
    path: () =>
      '/Activity_SalesOpportunity?$top=100&$expand=Relationship,Contact,Phase,Pipeline,SalesRepresentative',
    raw: (db) => {
      const rows = db.prepare('SELECT * FROM activity ORDER BY ID LIMIT 100').all() as Record<
        string,
        string
      >[];
      const related = (table: string, column: string) => {
        const keys = [...new Set(rows.map((r) => r[column]).filter(Boolean))];
        return keys.length
          ? floorQuery(db, `SELECT * FROM ${table} WHERE ID IN (${keys.map(() => '?').join(',')})`, keys)
          : [];
      };
      return [
        related('relationship', 'RelationshipID'),
        related('relation', 'ContactID'),
        related('datastore', 'PhaseID'),
        related('pipeline', 'PipelineID'),
        related('relation', 'SalesRepresentativeID'),
      ];
    },
  },
  {
    name: 'single entity',
    path: (ids) => `/Activity_SalesOpportunity(${ids[0]})`,
    raw: (db, ids) => floorQuery(db, 'SELECT * FROM activity WHERE ID = ?', [ids[0]]),
  },
  {
    name: 'PATCH EstimatedAmount',
    path: (ids) => `/Activity_SalesOpportunity(${ids[1]})`,
    method: 'PATCH',
    body: () => JSON.stringify({ EstimatedAmount: 1000 + Math.floor(Math.random() * 100000) }),
    raw: (db, ids) =>
      floorQuery(
        db,
        'UPDATE activity SET EstimatedAmount = ?, WeightedAmount = ? * Probability / 100, "_Version" = "_Version" + 1 WHERE ID = ?',
        [5000, 5000, ids[1]],
      ),
  },
];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function ensureDatabase(size: number) {
  const file = `data/bench-${size}.db`;
  execFileSync(
    'node_modules/.bin/tsx',
    ['bench/generate-bench-db.ts', '--size', String(size), '--out', file],
    {
      stdio: 'inherit',
    },
  );
  if (!existsSync(file)) throw new Error(`${file} was not generated`);
  return file;
}

async function startService(file: string): Promise<{ origin: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('node_modules/.bin/tsx', ['server/main.ts'], {
    env: { ...process.env, DATABASE_URL: file, PORT: String(port), DEMO_DATA: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('is running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the service exited with ${code}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, child };
}

function rawMedian(db: Database.Database, scenario: Scenario, ids: string[]) {
  const times: number[] = [];
  const inTransaction = scenario.method === 'PATCH';
  for (let i = 0; i < 300; i++) {
    const start = process.hrtime.bigint();
    if (inTransaction) db.transaction(() => scenario.raw(db, ids))();
    else scenario.raw(db, ids);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const urlOf = (origin: string, scenario: Scenario, ids: string[]) =>
  `${origin}/v1/odata${encodeURI(scenario.path(ids)).replace(/'/g, '%27')}`;

/** Latency one request at a time, timed here with sub-millisecond resolution. */
async function latency(origin: string, scenario: Scenario, ids: string[]) {
  const url = urlOf(origin, scenario, ids);
  const times: number[] = [];
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until || times.length < 50) {
    const start = process.hrtime.bigint();
    const response = await fetch(url, {
      method: scenario.method ?? 'GET',
      headers: { 'content-type': 'application/json' },
      body: scenario.body?.(),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${scenario.name}: HTTP ${response.status}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)], p99: times[Math.floor(times.length * 0.99)] };
}

/** Throughput with 10 connections. */
async function throughput(origin: string, scenario: Scenario, ids: string[]) {
  const result = await autocannon({
    url: urlOf(origin, scenario, ids),
    method: scenario.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    body: scenario.body?.(),
    connections: 10,
    duration: seconds,
  });
  const failed = result.non2xx + result.errors;
  if (failed > 0) console.warn(`  ! ${scenario.name}: ${failed} failed requests`);
  return result.requests.average;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits).padStart(9);

async function benchSize(size: number) {
  const file = ensureDatabase(size);
  const db = new Database(file, { readonly: false });
  const ids = (db.prepare('SELECT ID FROM activity ORDER BY ID LIMIT 2').all() as { ID: string }[]).map(
    (r) => r.ID,
  );
  const { origin, child } = await startService(file);
  const results: Record<string, { p50: number; p99: number; rps: number; raw: number }> = {};
  try {
    console.log(`\n${size.toLocaleString('en')} opportunities (${file})`);
    console.log(
      `${'scenario'.padEnd(40)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'req/s'.padStart(9)}${'raw ms'.padStart(9)}${'ratio'.padStart(9)}`,
    );
    for (const scenario of scenarios) {
      const { p50, p99 } = await latency(origin, scenario, ids);
      const rps = await throughput(origin, scenario, ids);
      const raw = rawMedian(db, scenario, ids);
      results[scenario.name] = { p50, p99, rps, raw };
      console.log(
        `${scenario.name.padEnd(40)}${fmt(p50)}${fmt(p99)}${fmt(rps, 0)}${fmt(raw, 3)}${fmt(p50 / Math.max(raw, 0.001), 1)}`,
      );
    }
  } finally {
    child.kill('SIGTERM');
    db.close();
  }
  return results;
}

const all: Record<number, Awaited<ReturnType<typeof benchSize>>> = {};
for (const size of sizes) all[size] = await benchSize(size);

if (sizes.length > 1) {
  const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
  console.log(
    `\nIndexed filters with $top=50: p50 ms at ${small.toLocaleString('en')} vs ${large.toLocaleString('en')}`,
  );
  for (const scenario of scenarios.filter((s) => s.indexedFilter)) {
    console.log(
      `${scenario.name.padEnd(40)}${fmt(all[small][scenario.name].p50)}${fmt(all[large][scenario.name].p50)}`,
    );
  }
}
