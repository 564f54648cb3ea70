// The databases of the selectivity sweep (`npm run bench:api`), one per level, made once and
// reused: SQLite files under data/, or PostgreSQL databases dealdeck_sweep_<level>_<size>.
//   tsx bench/sweep-data.ts [--size 100000] [--level 0.75] [--postgres <url of a role that may create databases>]
import { existsSync, renameSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { openStore } from '../server/db/database.ts';
import { migrate } from '../server/db/migrations.ts';
import { createSkewedOpportunities, skewLevels } from '../server/demo/skewed-data.ts';
import { removeDatabase } from './generate-bench-db.ts';

export const sweepFile = (level: number, size: number) => `data/sweep-${level}-${size}.db`;

export async function ensureSweepDatabase(level: number, size: number, out = sweepFile(level, size)) {
  if (existsSync(out)) return { path: out, built: false };
  // built under another name and renamed when complete: an interrupted run leaves no finished-looking file
  const partial = `${out}.partial`;
  removeDatabase(partial);
  const store = openStore(partial);
  try {
    await sql`PRAGMA synchronous = OFF`.execute(store.db);
    await migrate(store);
    await store.transaction((tx) => createSkewedOpportunities(tx, level, size));
    // as an import leaves it
    await store.refreshStatistics();
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
  } finally {
    await store.close();
  }
  removeDatabase(out);
  renameSync(partial, out);
  return { path: out, built: true };
}

/** The same on PostgreSQL: a database per level, rebuilt when it does not hold `size` rows. */
export async function ensureSweepPostgres(level: number, size: number, base: string) {
  const name = `dealdeck_sweep_${String(level).replace('.', '_')}_${size}`;
  const url = Object.assign(new URL(base), { pathname: `/${name}` }).toString();
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) {
      const target = new pg.Client({ connectionString: url });
      await target.connect();
      const found = await target
        .query('SELECT COUNT(*)::int AS n FROM activity')
        .then((r) => r.rows[0].n as number)
        .catch(() => -1)
        .finally(() => target.end());
      if (found === size) return { path: url, built: false };
      await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const store = openStore(url);
  try {
    await migrate(store);
    // a bench database need not survive a crash
    await sql`ALTER DATABASE ${sql.id(name)} SET synchronous_commit = off`.execute(store.db);
    // a million rows go in far faster without the secondary indexes, made again afterwards
    const { rows: indexes } = await sql<{
      indexname: string;
      indexdef: string;
    }>`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'activity' AND indexname NOT LIKE '%pkey'`.execute(
      store.db,
    );
    for (const index of indexes) await sql`DROP INDEX ${sql.id(index.indexname)}`.execute(store.db);
    await store.transaction((tx) => createSkewedOpportunities(tx, level, size));
    for (const index of indexes) await sql.raw(index.indexdef).execute(store.db);
    await sql`VACUUM ANALYZE`.execute(store.db);
  } finally {
    await store.close();
  }
  return { path: url, built: true };
}

async function main() {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '100000' },
      level: { type: 'string' },
      postgres: { type: 'string' },
    },
  });
  const size = Number(values.size);
  for (const level of values.level ? [Number(values.level)] : skewLevels) {
    const started = performance.now();
    const { path, built } = values.postgres
      ? await ensureSweepPostgres(level, size, values.postgres)
      : await ensureSweepDatabase(level, size);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const shown = values.postgres ? new URL(path).pathname.slice(1) : path;
    console.log(`${shown}: ${built ? `generated in ${seconds} s` : 'reused'}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
