// npm run export -- --set <EntitySet> [--format ndjson|csv] [--out file]
// Writes the records of an entity set of the database of DATABASE_URL (default
// data/dealdeck.db) to standard output or a file, as NDJSON (default) or CSV.

import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore } from '../db/database.ts';
import { count, databaseUrl, missingSqliteFile, progressLine, rate, seconds } from './cli-support.ts';
import { exportRecords } from './export-records.ts';
import { entitySetNamed, type TransferFormat, UnknownSetError } from './fields.ts';

const usage = `Usage: npm run export -- --set <EntitySet> [options]
  --set <EntitySet>   the entity set, as in $metadata (e.g. Activity_SalesOpportunity)
  --format ndjson|csv default: from the extension of --out (.csv), else NDJSON
  --out <file>        default: standard output
The database is DATABASE_URL (default data/dealdeck.db).`;

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      set: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (!values.set) throw new UsageError('--set <EntitySet> is required');
  const format = values.format ?? (values.out && /\.csv$/i.test(values.out) ? 'csv' : 'ndjson');
  if (format !== 'ndjson' && format !== 'csv')
    throw new UsageError(`--format is ndjson or csv, not ${format}`);
  return { set: entitySetNamed(values.set), format: format as TransferFormat, out: values.out };
}

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    console.error(
      error instanceof UnknownSetError ? error.message : `${(error as Error).message}\n\n${usage}`,
    );
    return 2;
  }
  if (!args) {
    console.log(usage);
    return 0;
  }
  const { set, format, out } = args;
  const url = databaseUrl();
  const missing = missingSqliteFile(url);
  if (missing) {
    console.error(`No database at ${missing} (set DATABASE_URL)`);
    return 2;
  }
  const store = openStore(url);
  // a file is written under another name and renamed when complete
  const partial = out ? `${out}.partial` : undefined;
  const output: Writable = partial ? createWriteStream(partial) : process.stdout;
  const started = Date.now();
  const progress = progressLine();
  try {
    const written = await exportRecords(store, set, output, {
      format,
      onProgress: (n) => progress.update(() => `${set.setName}: ${count(n)} records exported`),
    });
    if (partial && out) {
      output.end();
      await once(output, 'finish');
      renameSync(partial, out);
    }
    progress.clear();
    const elapsed = Date.now() - started;
    console.error(
      `${set.setName}: ${count(written)} records exported as ${format.toUpperCase()} to ${out ?? 'standard output'} in ${seconds(elapsed)} (${rate(written, elapsed)})`,
    );
    return 0;
  } catch (error) {
    progress.clear();
    if (partial) {
      output.destroy();
      rmSync(partial, { force: true });
    }
    console.error(`Export of ${set.setName} failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // a reader that goes away early (| head) is not an error
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
