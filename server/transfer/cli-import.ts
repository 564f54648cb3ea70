// npm run import -- <file.ndjson|file.csv|-> --set <EntitySet> [--format ndjson|csv] [--skip-invalid] [--batch N] [--strict]
// Imports records into the database of DATABASE_URL (default data/dealdeck.db), migrating it
// first. NDJSON records are read as a GET returns them (get-records.ts) unless --strict. Bad records go to stderr with their line numbers; the exit code is 1 when any record
// was not written, 2 for a wrong command line.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { openStore } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { count, databaseUrl, importOrder, progressLine, rate, runAsCommand, seconds } from './cli-support.ts';
import { csvRecords } from './csv.ts';
import { entitySetNamed, type TransferFormat, UnknownSetError } from './fields.ts';
import { describeIgnored } from './get-records.ts';
import { defaultBatchSize, type ImportProblem, importRecords } from './import-records.ts';
import { ndjsonRecords } from './read-lines.ts';

const usage = `Usage: npm run import -- <file.ndjson|file.csv|-> --set <EntitySet> [options]
  --set <EntitySet>   the entity set, as in $metadata (e.g. Activity_SalesOpportunity)
  --format ndjson|csv the file's format; by default from its extension (.csv, else NDJSON)
  --skip-invalid      write the good records of a batch that has bad ones (default: reject the batch)
  --batch <N>         records per transaction (default ${defaultBatchSize})
  --strict            refuse what a POST refuses: annotations, computed fields (Number,
                      CreationDate, WeightedAmount...), fields the model does not have
NDJSON lines may hold records or whole pages as a GET returns them ({"value": [...]}); by
default annotations, _Type, _Name and computed fields are left out (and counted), CreationDate,
LastMutationDate and Number are kept, links may be {"ID": ...}, Nav@odata.bind or expanded records.
The database is DATABASE_URL (default data/dealdeck.db).
Import sets in this order, so that links find their targets: ${importOrder.join(', ')}.`;

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      set: { type: 'string' },
      format: { type: 'string' },
      'skip-invalid': { type: 'boolean', default: false },
      batch: { type: 'string' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  if (positionals.length !== 1) throw new UsageError('name one file to import (or - for standard input)');
  if (!values.set) throw new UsageError('--set <EntitySet> is required');
  const file = positionals[0];
  const format = values.format ?? (/\.csv$/i.test(file) ? 'csv' : 'ndjson');
  if (format !== 'ndjson' && format !== 'csv')
    throw new UsageError(`--format is ndjson or csv, not ${format}`);
  const batch = values.batch === undefined ? defaultBatchSize : Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1)
    throw new UsageError(`--batch must be a positive whole number, not ${values.batch}`);
  return {
    file,
    set: entitySetNamed(values.set),
    format: format as TransferFormat,
    skipInvalid: values['skip-invalid'],
    batch,
    strict: values.strict,
  };
}

const lines = (p: { line: number; lastLine?: number; position?: number }) =>
  p.lastLine && p.lastLine !== p.line
    ? `lines ${p.line}-${p.lastLine}`
    : `line ${p.line}${p.position ? ` (record ${p.position} of its page)` : ''}`;

export function describeProblem(problem: ImportProblem) {
  return `${lines(problem)}: ${problem.message}${problem.target ? ` [field: ${problem.target}]` : ''}`;
}

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    if (error instanceof UnknownSetError) {
      console.error(error.message);
      return 2;
    }
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (!args) {
    console.log(usage);
    return 0;
  }
  const { file, set } = args;
  if (file !== '-' && (!existsSync(file) || !statSync(file).isFile())) {
    console.error(`No file ${file}`);
    return 2;
  }
  const input: Readable = file === '-' ? process.stdin : createReadStream(file);
  const records = args.format === 'csv' ? csvRecords(input, set) : ndjsonRecords(input);

  const url = databaseUrl();
  const store = openStore(url);
  const started = Date.now();
  const progress = progressLine();
  let linkProblems = 0;
  let done = { read: 0, written: 0, rejected: 0 };
  try {
    await migrate(store);
    const summary = await importRecords(store, records, {
      set,
      batchSize: args.batch,
      skipInvalid: args.skipInvalid,
      asGet: !args.strict && args.format === 'ndjson',
      onProblem(problem) {
        progress.clear();
        if (problem.code === 'LinkNotFound') linkProblems++;
        console.error(describeProblem(problem));
      },
      onRejectedBatch(batch) {
        progress.clear();
        console.error(
          `  batch of ${lines({ line: batch.firstLine, lastLine: batch.lastLine })} rejected: none of its ${count(batch.records)} records written because of ${count(batch.problems)} bad line(s)`,
        );
      },
      onProgress(now) {
        done = now;
        const { read, written } = now;
        progress.update(
          () =>
            `${set.setName}: ${count(read)} records read, ${count(written)} written (${rate(written, Date.now() - started)})`,
        );
      },
    });
    progress.clear();
    const elapsed = Date.now() - started;
    const parts = [
      `${set.setName}: ${count(summary.written)} of ${count(summary.read)} records imported in ${seconds(elapsed)} (${rate(summary.written, elapsed)}) into ${url}`,
    ];
    if (summary.invalid) {
      parts.push(
        `${count(summary.invalid)} bad line(s)` +
          (summary.rejectedBatches
            ? `, ${count(summary.rejectedBatches)} batch(es) with ${count(summary.rejected)} records rejected (--skip-invalid writes their good records)`
            : ', skipped'),
      );
    }
    console.error(parts.join('; '));
    const ignored = describeIgnored(summary.ignored);
    if (ignored) console.error(`Left out (not errors): ${ignored}`);
    if (summary.removedEntries)
      console.error(`${count(summary.removedEntries)} entries saying a record was removed were skipped`);
    if (linkProblems) {
      console.error(
        `Some records link to records that are not in the database: import the linked sets first, in this order: ${importOrder.join(', ')}`,
      );
    }
    return summary.rejected > 0 || summary.invalid > 0 ? 1 : 0;
  } catch (error) {
    progress.clear();
    console.error(
      `Import into ${set.setName} stopped after ${count(done.written)} records written (of ${count(done.read)} read): ${(error as Error).message}`,
    );
    return 1;
  } finally {
    await store.close();
  }
}

runAsCommand(import.meta.url, main);
