// Creates a SQLite database with the demo data at benchmark size, reused while it has the size
// asked for:
//   tsx bench/generate-bench-db.ts --size 100000 --out data/bench-100000.db
// Options: --seed (42), --now (2026-06-01T10:00:00Z; dates are relative to it), --chunk
// (opportunities per transaction, 2000). Progress goes to stderr, the summary to stdout.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openStore, type Store } from '../server/db/database.ts';
import { migrate } from '../server/db/migrations.ts';
import { startDemoData } from '../server/demo/generate-demo-data.ts';
import { createReferenceData } from '../server/demo/reference-data.ts';

export interface BenchDatabaseOptions {
  size: number;
  /** the SQLite file; defaults to data/bench-<size>.db */
  out?: string;
  seed?: number;
  /** fixed, so that every machine benchmarks the same data */
  now?: Date;
  /** opportunities per transaction */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
}

export const defaultBenchNow = new Date('2026-06-01T10:00:00Z');

/** Makes sure `out` holds a bench database of `size` opportunities; returns whether it was (re)built. */
export async function ensureBenchDatabase(
  options: BenchDatabaseOptions,
): Promise<{ path: string; built: boolean }> {
  const path = options.out ?? `data/bench-${options.size}.db`;
  if (existsSync(path)) {
    const found = await countOpportunities(path);
    if (found === options.size) return { path, built: false };
    console.error(
      `${path} has ${found ?? 'no readable'} opportunities instead of ${options.size}: rebuilding it`,
    );
    removeDatabase(path);
  }
  // Built under another name and renamed when complete, so an interrupted run leaves no file
  // that looks finished.
  const partial = `${path}.partial`;
  removeDatabase(partial);
  const store = openStore(partial);
  try {
    await build(store, options);
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
  } finally {
    await store.close();
  }
  removeDatabase(path);
  renameSync(partial, path);
  return { path, built: true };
}

async function build(store: Store, options: BenchDatabaseOptions) {
  const now = options.now ?? defaultBenchNow;
  const chunk = Math.max(1, options.chunk ?? 2000);
  // A throwaway file: no need to survive a power cut, and a large cache keeps the indexes in memory.
  await sql`PRAGMA synchronous = OFF`.execute(store.db);
  await sql`PRAGMA cache_size = -262144`.execute(store.db);
  await migrate(store);
  const generator = await store.transaction(async (tx) => {
    // the reference data is created just before the history of the demo data starts
    await createReferenceData(tx, new Date(now.getTime() - 700 * 86_400_000).toISOString());
    return startDemoData(tx, {
      opportunities: options.size,
      seed: options.seed,
      now,
      onProgress: options.onProgress,
    });
  });
  while (generator.done < generator.total) {
    await store.transaction((tx) => generator.createOpportunities(tx, chunk));
    await store.optimize();
  }
  await sql`ANALYZE`.execute(store.db);
}

async function countOpportunities(path: string): Promise<number | undefined> {
  const store = openStore(path);
  try {
    const row = await store.db
      .selectFrom('activity')
      .select(sql<number>`COUNT(*)`.as('n'))
      .where('_Type', '=', 'Activity.SalesOpportunity')
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  } catch {
    return undefined; // not a database of ours
  } finally {
    await store.close();
  }
}

/** A SQLite file with its journal and WAL files. */
export function removeDatabase(path: string) {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

async function main() {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '100000' },
      out: { type: 'string' },
      seed: { type: 'string', default: '42' },
      now: { type: 'string', default: defaultBenchNow.toISOString() },
      chunk: { type: 'string', default: '2000' },
    },
  });
  const size = Number(values.size);
  const seed = Number(values.seed);
  const chunk = Number(values.chunk);
  const now = new Date(values.now);
  if (!Number.isInteger(size) || size < 0)
    throw new Error(`--size must be a whole number, got ${values.size}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, got ${values.seed}`);
  if (!Number.isInteger(chunk) || chunk < 1)
    throw new Error(`--chunk must be a positive number, got ${values.chunk}`);
  if (Number.isNaN(now.getTime())) throw new Error(`--now must be a date-time, got ${values.now}`);

  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  const interactive = process.stderr.isTTY;
  const { path, built } = await ensureBenchDatabase({
    size,
    out: values.out,
    seed,
    now,
    chunk,
    onProgress(done, total) {
      const line = `opportunities: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} (${seconds()} s)`;
      if (interactive) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
      else if (done % 10_000 === 0 || done === total) process.stderr.write(`${line}\n`);
    },
  });
  if (built) console.log(`${path}: ${size.toLocaleString('en')} opportunities generated in ${seconds()} s`);
  else console.log(`${path}: already holds ${size.toLocaleString('en')} opportunities, reused`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
