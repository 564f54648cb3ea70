// The SQLite databases of the selectivity sweep (`npm run bench:api -- --sweep`), one per level,
// made once and reused:
//   tsx bench/sweep-data.ts [--size 100000] [--level 0.75]
import { existsSync, renameSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openStore } from '../server/db/database.ts';
import { migrate } from '../server/db/migrations.ts';
import { createSkewedOpportunities, skewLevels } from '../server/demo/skewed-data.ts';

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

function removeDatabase(path: string) {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

async function main() {
  const { values } = parseArgs({
    options: { size: { type: 'string', default: '100000' }, level: { type: 'string' } },
  });
  const size = Number(values.size);
  for (const level of values.level ? [Number(values.level)] : skewLevels) {
    const started = performance.now();
    const { path, built } = await ensureSweepDatabase(level, size);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${path}: ${built ? `generated in ${seconds} s` : 'reused'}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
