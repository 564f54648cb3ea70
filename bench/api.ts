// `npm run bench:api`: the service over HTTP against the raw SQL floor. Prints figures; asserts
// nothing. Options: --db sqlite|postgres, --sizes 10000,100000 (postgres: 1000000),
// --instances 1 (postgres: 1,2), --seconds 4, --part scenarios,ceiling,sweep. The ceiling is
// bench/ceiling.ts; the selectivity sweep bench/sweep.ts, with --sweep-size 100000 (postgres:
// 1000000), --sweep-seconds 1.5, --sweep-levels 0.001,0.1,0.5,0.75,0.99. PostgreSQL:
// BENCH_DATABASE_URL names a role that may create databases
// (default postgres://dealdeck:dealdeck@127.0.0.1:5432/postgres).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import autocannon from 'autocannon';
import {
  authHeaders,
  type Floor,
  latency,
  medianOf,
  postgresFloor,
  serviceUrl,
  sqliteFloor,
  startService,
} from './measure.ts';
import { runSweep } from './sweep.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const database = option('db', 'sqlite');
if (database !== 'sqlite' && database !== 'postgres') throw new Error('--db is sqlite or postgres');
const sizes = option('sizes', database === 'postgres' ? '1000000' : '10000,100000')
  .split(',')
  .map(Number);
const instances = option('instances', database === 'postgres' ? '1,2' : '1')
  .split(',')
  .map(Number);
const seconds = Number(option('seconds', '4'));
/** a role that may create databases; the bench makes dealdeck_bench_<size> */
const postgresBase =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://dealdeck:dealdeck@127.0.0.1:5432/postgres';

interface Scenario {
  name: string;
  /** path and query under /v1/odata */
  path: (ids: string[]) => string;
  method?: 'GET' | 'PATCH';
  body?: () => string;
  /** the same rows straight from the database: the floor */
  raw: (floor: Floor, ids: string[]) => Promise<unknown>;
  /** part of the "indexed filter with $top" comparison across table sizes */
  indexedFilter?: boolean;
}

const page =
  (where: string, params: (floor: Floor) => unknown[] = () => []) =>
  (floor: Floor) =>
    floor.query(`SELECT * FROM activity WHERE ${where} ORDER BY "ID" LIMIT 50`, params(floor));

const scenarios: Scenario[] = [
  { name: 'page of 50', path: () => '/Activity_SalesOpportunity?$top=50', raw: page('1 = 1') },
  {
    name: "contains(Subject,'cloud')",
    path: () => "/Activity_SalesOpportunity?$filter=contains(Subject,'cloud')&$top=50",
    // the same access path as the service: PostgreSQL's trigram index serves ILIKE, SQLite's
    // FTS5 trigram table gives the candidates
    raw: (floor) =>
      floorIsPostgres(floor)
        ? floor.query(`SELECT * FROM activity WHERE "Subject" ILIKE ? ESCAPE '\\' ORDER BY "ID" LIMIT 50`, [
            '%cloud%',
          ])
        : floor.query(
            `SELECT * FROM activity WHERE rowid IN (SELECT rowid FROM "activity_Subject_trigrams" WHERE "activity_Subject_trigrams" MATCH ?) AND "Subject" LIKE ? ESCAPE '\\' ORDER BY "ID" LIMIT 50`,
            ['"cloud"', '%cloud%'],
          ),
  },
  ...(
    [
      ['Probability gt 50', '"Probability" > ?', () => [50]],
      ['WeightedAmount gt 10000', '"WeightedAmount" > ?', () => [10000]],
      ['EstimatedAmount gt 50000', '"EstimatedAmount" > ?', () => [50000]],
      ['ExpectedOrderDate lt 2026-12-31', '"ExpectedOrderDate" < ?', () => ['2026-12-31']],
      ['Amount gt 1000', '"Amount" > ?', () => [1000]],
      ['IsClosed eq false', '"IsClosed" = ?', (floor: Floor) => [floor.bool(false)]],
      ['CreationDate gt 2026-06-01T00:00:00Z', '"CreationDate" > ?', () => ['2026-06-01T00:00:00.000Z']],
    ] as const
  ).map(([filter, where, params]) => ({
    name: filter,
    path: () => `/Activity_SalesOpportunity?$filter=${filter}&$top=50`,
    raw: page(where, params as (floor: Floor) => unknown[]),
    indexedFilter: true,
  })),
  {
    name: '$expand of 5 relations, 100 rows',
    path: () =>
      '/Activity_SalesOpportunity?$top=100&$expand=Relationship,Contact,Phase,Pipeline,SalesRepresentative',
    raw: async (floor) => {
      const rows = (await floor.query(
        'SELECT "ID", "RelationshipID", "ContactID", "PhaseID", "PipelineID", "SalesRepresentativeID", * FROM activity ORDER BY "ID" LIMIT 100',
      )) as unknown[][];
      const related = (table: string, column: number) => {
        const keys = [...new Set(rows.map((r) => r[column]).filter(Boolean))];
        return keys.length
          ? floor.query(`SELECT * FROM ${table} WHERE "ID" IN (${keys.map(() => '?').join(',')})`, keys)
          : Promise.resolve([]);
      };
      return [
        await related('relationship', 1),
        await related('relation', 2),
        await related('datastore', 3),
        await related('pipeline', 4),
        await related('relation', 5),
      ];
    },
  },
  {
    name: '$apply open by pipeline, currency',
    path: () =>
      '/Activity_SalesOpportunity?$apply=filter(IsClosed eq false)/groupby((Pipeline/ID,Currency),aggregate(EstimatedAmount with sum as Estimated,WeightedAmount with sum as Weighted,$count as Count))',
    raw: (floor) =>
      floor.query(
        'SELECT "PipelineID", "Currency", SUM("EstimatedAmount"), SUM("WeightedAmount"), COUNT(*) FROM activity WHERE "IsClosed" = ? GROUP BY "PipelineID", "Currency"',
        [floor.bool(false)],
      ),
  },
  {
    name: '$apply by phase',
    path: () =>
      '/Activity_SalesOpportunity?$apply=groupby((Phase/ID),aggregate(WeightedAmount with sum as Weighted,$count as Count))',
    raw: (floor) =>
      floor.query('SELECT "PhaseID", SUM("WeightedAmount"), COUNT(*) FROM activity GROUP BY "PhaseID"'),
  },
  {
    name: '$apply by sales rep, expected date',
    path: () =>
      '/Activity_SalesOpportunity?$apply=filter(IsClosed eq false)/groupby((SalesRepresentative/ID,ExpectedOrderDate),aggregate(WeightedAmount with sum as Weighted))',
    raw: (floor) =>
      floor.query(
        'SELECT "SalesRepresentativeID", "ExpectedOrderDate", SUM("WeightedAmount") FROM activity WHERE "IsClosed" = ? GROUP BY "SalesRepresentativeID", "ExpectedOrderDate"',
        [floor.bool(false)],
      ),
  },
  {
    name: 'single entity',
    path: (ids) => `/Activity_SalesOpportunity(${ids[0]})`,
    raw: (floor, ids) => floor.query('SELECT * FROM activity WHERE "ID" = ?', [ids[0]]),
  },
  {
    name: 'PATCH EstimatedAmount',
    path: (ids) => `/Activity_SalesOpportunity(${ids[1]})`,
    method: 'PATCH',
    body: () => JSON.stringify({ EstimatedAmount: 1000 + Math.floor(Math.random() * 100000) }),
    raw: (floor, ids) =>
      floor.query(
        'UPDATE activity SET "EstimatedAmount" = ?, "WeightedAmount" = ? * "Probability" / 100, "_Version" = "_Version" + 1 WHERE "ID" = ?',
        [5000, 5000, ids[1]],
      ),
  },
];

const floorIsPostgres = (floor: Floor) => floor.bool(true) === true;

function ensureSqliteDatabase(size: number) {
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

/** The database of a size: a generated SQLite file, copied into PostgreSQL for --db postgres. */
async function ensureDatabase(size: number): Promise<{ url: string; floor: Floor }> {
  const file = ensureSqliteDatabase(size);
  if (database === 'sqlite') return { url: file, floor: sqliteFloor(file) };
  const url = new URL(postgresBase);
  url.pathname = `/dealdeck_bench_${size}`;
  execFileSync(
    'node_modules/.bin/tsx',
    ['bench/copy-to-postgres.ts', '--from', file, '--to', url.toString()],
    {
      stdio: 'inherit',
    },
  );
  return { url: url.toString(), floor: await postgresFloor(url.toString()) };
}

const urlOf = (origin: string, scenario: Scenario, ids: string[]) => serviceUrl(origin, scenario.path(ids));

/** Throughput with 10 connections. */
async function throughput(origin: string, scenario: Scenario, ids: string[]) {
  const result = await autocannon({
    url: urlOf(origin, scenario, ids),
    method: scenario.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...authHeaders },
    body: scenario.body?.(),
    connections: 10,
    duration: seconds,
  });
  const failed = result.non2xx + result.errors;
  if (failed > 0) console.warn(`  ! ${scenario.name}: ${failed} failed requests`);
  return result.requests.average;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits).padStart(9);

type Figures = Record<string, { p50: number; p99: number; rps: number; raw: number }>;

async function benchSize(size: number, workers: number): Promise<Figures> {
  const { url, floor } = await ensureDatabase(size);
  const rows = (await floor.query('SELECT "ID" FROM activity ORDER BY "ID" LIMIT 2')) as string[][];
  const ids = rows.map((r) => r[0]);
  const { origin, child } = await startService(url, workers);
  const results: Figures = {};
  try {
    console.log(
      `\n${size.toLocaleString('en')} opportunities on ${database}, ${workers} instance${workers > 1 ? 's' : ''}`,
    );
    console.log(
      `${'scenario'.padEnd(40)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'req/s'.padStart(9)}${'raw ms'.padStart(9)}${'ratio'.padStart(9)}`,
    );
    for (const scenario of scenarios) {
      const { p50, p99 } = await latency(urlOf(origin, scenario, ids), seconds, scenario);
      const rps = await throughput(origin, scenario, ids);
      const raw = await medianOf(() => scenario.raw(floor, ids), seconds);
      results[scenario.name] = { p50, p99, rps, raw };
      console.log(
        `${scenario.name.padEnd(40)}${fmt(p50)}${fmt(p99)}${fmt(rps, 0)}${fmt(raw, 3)}${fmt(p50 / Math.max(raw, 0.001), 1)}`,
      );
    }
  } finally {
    child.kill('SIGTERM');
    await floor.close();
  }
  return results;
}

const parts = option('part', 'scenarios,ceiling,sweep').split(',');
if (parts.includes('scenarios')) {
  const figures: Record<string, Figures> = {};
  for (const workers of instances) {
    for (const size of sizes) figures[`${size}/${workers}`] = await benchSize(size, workers);
  }

  if (sizes.length > 1) {
    const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
    console.log(
      `\nIndexed filters with $top=50, one instance: p50 ms at ${small.toLocaleString('en')} vs ${large.toLocaleString('en')}`,
    );
    for (const scenario of scenarios.filter((s) => s.indexedFilter)) {
      console.log(
        `${scenario.name.padEnd(40)}${fmt(figures[`${small}/${instances[0]}`][scenario.name].p50)}${fmt(figures[`${large}/${instances[0]}`][scenario.name].p50)}`,
      );
    }
  }
}

if (parts.includes('ceiling')) {
  // the same page of 50 from memory through a bare Hono handler: what this stack can do here
  const size = Math.max(...sizes);
  const { url, floor } = await ensureDatabase(size);
  await floor.close();
  console.log(`\nThe ceiling, ${size.toLocaleString('en')} opportunities on ${database}, one instance:`);
  execFileSync('node_modules/.bin/tsx', ['bench/ceiling.ts', '--db', url, '--seconds', String(seconds)], {
    stdio: 'inherit',
  });
}

if (parts.includes('sweep')) {
  await runSweep({
    database,
    size: Number(option('sweep-size', database === 'postgres' ? '1000000' : '100000')),
    seconds: Number(option('sweep-seconds', '1.5')),
    postgresBase,
    levels: args.includes('--sweep-levels') ? option('sweep-levels', '').split(',').map(Number) : undefined,
  });
}
