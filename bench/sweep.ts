// The selectivity sweep of `npm run bench:api`: for each level s, a database where each filter of
// the seed and of the board matches about s of the rows (server/demo/skewed-data.ts); per query
// the p50 of a page of 50 against a plain page of 50 on the same data, and of `$count` against
// the raw COUNT. Prints figures; asserts nothing.
import { openStore, type Store } from '../server/db/database.ts';
import { levelWord, rareWord, skewedShape, skewLevels, threshold } from '../server/demo/skewed-data.ts';
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
import { ensureSweepDatabase, ensureSweepPostgres } from './sweep-data.ts';

interface SweepQuery {
  name: string;
  /** the query options of a page, without $top */
  options: string;
  /** the same rows' condition in raw SQL, for the COUNT floor; none for a reordering of another */
  where?: [string, unknown[]];
}

const pageSize = 50;

async function sweepQueries(store: Store, level: number, size: number, floor: Floor): Promise<SweepQuery[]> {
  const { pipelineId, phaseId, repId } = await skewedShape(store, level, size);
  const open = floor.bool(false);
  const range = async (column: string, op: 'gt' | 'lt'): Promise<SweepQuery> => {
    const value = await threshold(store, column, op, level, size);
    return {
      name: `${column} ${op} (quantile s)`,
      options: `$filter=${column} ${op} ${value}`,
      where: [`"${column}" ${op === 'gt' ? '>' : '<'} ?`, [value]],
    };
  };
  const ilike = floor.bool(true) === true ? 'ILIKE' : 'LIKE';
  const word = (text: string, name: string): SweepQuery => ({
    name,
    options: `$filter=contains(Subject,'${text}')`,
    where: [`"Subject" ${ilike} ?`, [`%${text}%`]],
  });
  return [
    { name: 'plain page', options: '', where: ['1 = 1', []] },
    { name: 'IsClosed eq false', options: '$filter=IsClosed eq false', where: ['"IsClosed" = ?', [open]] },
    {
      name: 'IsClosed eq true (1 - s)',
      options: '$filter=IsClosed eq true',
      where: ['"IsClosed" = ?', [floor.bool(true)]],
    },
    {
      name: 'board column (pipeline, phase)',
      options: `$filter=Pipeline/ID eq ${pipelineId} and Phase/ID eq ${phaseId}&$orderby=SortIndex,ID`,
      where: ['"PipelineID" = ? AND "PhaseID" = ?', [pipelineId, phaseId]],
    },
    {
      name: 'pipeline open by SortIndex',
      options: `$filter=Pipeline/ID eq ${pipelineId} and IsClosed eq false&$orderby=SortIndex`,
      where: ['"PipelineID" = ? AND "IsClosed" = ?', [pipelineId, open]],
    },
    await range('Probability', 'gt'),
    await range('WeightedAmount', 'gt'),
    await range('EstimatedAmount', 'gt'),
    await range('ExpectedOrderDate', 'lt'),
    await range('Amount', 'gt'),
    await range('CreationDate', 'gt'),
    word(levelWord, `contains '${levelWord}' (s)`),
    word('Renewal', "contains 'Renewal' (~31%)"),
    word(rareWord, `contains '${rareWord}' (0.1%)`),
    {
      name: "Phase/Code eq 'Won' ((1 - s) / 2)",
      options: "$filter=Phase/Code eq 'Won'",
      where: ['"PhaseID" IN (SELECT "ID" FROM datastore WHERE "Code" = ?)', ['Won']],
    },
    {
      name: 'SalesRepresentative/ID eq the busy rep',
      options: `$filter=SalesRepresentative/ID eq ${repId}`,
      where: ['"SalesRepresentativeID" = ?', [repId]],
    },
    {
      name: 'IsClosed eq false by ExpectedOrderDate',
      options: '$filter=IsClosed eq false&$orderby=ExpectedOrderDate',
    },
    { name: 'ordered by EstimatedAmount desc', options: '$orderby=EstimatedAmount desc' },
  ];
}

const fmt = (n: number, width = 8, digits = 2) => n.toFixed(digits).padStart(width);

export interface SweepRow {
  name: string;
  selectivity?: number;
  p50: number;
  ratio: number;
  count?: { p50: number; raw: number };
}

/** One level: its database, the service on it, every query. */
async function sweepLevel(
  database: 'sqlite' | 'postgres',
  level: number,
  size: number,
  seconds: number,
  postgresBase: string,
): Promise<SweepRow[]> {
  const { path } =
    database === 'sqlite'
      ? await ensureSweepDatabase(level, size)
      : await ensureSweepPostgres(level, size, postgresBase);
  const floor = database === 'sqlite' ? sqliteFloor(path) : await postgresFloor(path);
  const store = openStore(path);
  const { origin, child } = await startService(path, 1);
  const rows: SweepRow[] = [];
  try {
    const queries = await sweepQueries(store, level, size, floor);
    console.log(`\nlevel ${level * 100}%: ${size.toLocaleString('en')} opportunities on ${database}`);
    console.log(
      `${'query'.padEnd(42)}${'match'.padStart(8)}${'p50 ms'.padStart(8)}${'x plain'.padStart(8)}${'$count'.padStart(8)}${'raw'.padStart(8)}${'x raw'.padStart(8)}`,
    );
    // the plain page is measured again at the end: the ratio takes the faster of the two, so
    // that a slow start (caches, JIT) does not flatter the rest
    const plainUrl = serviceUrl(origin, `/Activity_SalesOpportunity?$top=${pageSize}`);
    await latency(plainUrl, seconds);
    let plain = (await latency(plainUrl, seconds)).p50;
    for (const query of queries) {
      const options = [query.options, `$top=${pageSize}`].filter(Boolean).join('&');
      const page = await latency(serviceUrl(origin, `/Activity_SalesOpportunity?${options}`), seconds);
      const row: SweepRow = { name: query.name, p50: page.p50, ratio: page.p50 / plain };
      if (query.where) {
        const [where, params] = query.where;
        const filter = query.options.match(/\$filter=([^&]*)/)?.[1];
        const countUrl = serviceUrl(
          origin,
          `/Activity_SalesOpportunity/$count${filter ? `?$filter=${filter}` : ''}`,
        );
        const matched = Number(await (await fetch(countUrl, { headers: authHeaders })).text());
        row.selectivity = matched / size;
        const countSql = `SELECT COUNT(*) FROM activity WHERE ${where}`;
        // a count reads every match: on a million rows a few of them take seconds
        row.count = {
          p50: (await latency(countUrl, seconds / 2, { atLeast: 5 })).p50,
          raw: await medianOf(() => floor.query(countSql, params), seconds / 2, 5),
        };
      }
      rows.push(row);
      console.log(
        `${query.name.padEnd(42)}${row.selectivity === undefined ? '        ' : `${fmt(row.selectivity * 100, 7, 1)}%`}${fmt(row.p50)}${fmt(row.ratio, 8, 1)}${row.count ? `${fmt(row.count.p50)}${fmt(row.count.raw)}${fmt(row.count.p50 / Math.max(row.count.raw, 0.001), 8, 1)}` : ''}`,
      );
    }
    const again = (await latency(plainUrl, seconds)).p50;
    if (again < plain) {
      for (const row of rows) row.ratio = row.p50 / again;
      console.log(
        `(the plain page took ${fmt(plain, 0)} ms at first, ${fmt(again, 0)} ms at the end: ratios are to the latter)`,
      );
      plain = again;
    }
  } finally {
    child.kill('SIGTERM');
    await store.close();
    await floor.close();
  }
  return rows;
}

/** Every level, then the ratios side by side. */
export async function runSweep(options: {
  database: 'sqlite' | 'postgres';
  size: number;
  seconds: number;
  postgresBase: string;
  levels?: number[];
}) {
  const levels = options.levels ?? skewLevels;
  const results = new Map<number, SweepRow[]>();
  for (const level of levels) {
    results.set(
      level,
      await sweepLevel(options.database, level, options.size, options.seconds, options.postgresBase),
    );
  }
  const names = results.get(levels[0])!.map((r) => r.name);
  console.log(
    `\nSweep, ${options.database}, ${options.size.toLocaleString('en')} rows: p50 of a page of ${pageSize} / p50 of a plain page of ${pageSize} (target <= 2, <= 3 for contains)`,
  );
  console.log(`${'query'.padEnd(42)}${levels.map((l) => `${l * 100}%`.padStart(8)).join('')}`);
  for (const name of names) {
    const cells = levels.map((l) => fmt(results.get(l)!.find((r) => r.name === name)!.ratio, 8, 1));
    console.log(`${name.padEnd(42)}${cells.join('')}`);
  }
  console.log(`\n$count p50 / raw COUNT p50 (target <= 2)`);
  for (const name of names) {
    const rows = levels.map((l) => results.get(l)!.find((r) => r.name === name)!);
    if (!rows[0].count) continue;
    console.log(
      `${name.padEnd(42)}${rows.map((r) => fmt(r.count!.p50 / Math.max(r.count!.raw, 0.001), 8, 1)).join('')}`,
    );
  }
  return results;
}
