// Bulk import: every record goes through createEntity, the API's own validated write path, in
// batches of one transaction each (bulkWrite: an activity's totals are recomputed once
// per batch, not per product line). A bad record rejects its whole batch, or with skipInvalid
// only itself.
//
// A batch is first written straight through. Only when that fails is it written again with a
// savepoint around each record, which finds every bad record of the batch (a failed statement
// leaves a PostgreSQL transaction unusable until rolled back to a savepoint); then the batch
// is committed without its bad records (skipInvalid) or rolled back whole.
import { sql } from 'kysely';
import type { Store } from '../db/database.ts';
import { journalMark, rollBackJournal } from '../journal/journal.ts';
import type { EntityType } from '../model/model.ts';
import { ODataError } from '../query/errors.ts';
import { bulkWrite } from '../write/business-rules.ts';
import { createEntity } from '../write/write-entity.ts';
import type { SourceRecord } from './read-lines.ts';

export const defaultBatchSize = 1000;

export interface ImportProblem {
  line: number;
  lastLine?: number;
  message: string;
  /** the field the problem is about, when it is about one */
  target?: string;
  /** the API's error code, e.g. LinkNotFound */
  code?: string;
}

export interface RejectedBatch {
  firstLine: number;
  lastLine: number;
  /** records of the batch, none of which was written */
  records: number;
  /** the bad records among them */
  problems: number;
}

export interface ImportProgress {
  /** records read so far */
  read: number;
  written: number;
  /** records not written: the bad ones, and with them the good ones of rejected batches */
  rejected: number;
}

export interface ImportSummary extends ImportProgress {
  /** bad records (lines) */
  invalid: number;
  rejectedBatches: number;
  /** the first problems found (at most 1,000; `invalid` counts them all) */
  problems: ImportProblem[];
}

export interface ImportOptions {
  set: EntityType;
  /** records per transaction; defaults to 1,000 */
  batchSize?: number;
  /** write the good records of a batch that has bad ones, instead of rejecting the batch */
  skipInvalid?: boolean;
  /** called for each bad record, in line order within its batch */
  onProblem?: (problem: ImportProblem) => void;
  /** called for each batch that is not written because of bad records */
  onRejectedBatch?: (batch: RejectedBatch) => void;
  /** called after each batch */
  onProgress?: (progress: ImportProgress) => void;
  /** the time of a batch's writes (CreationDate, LastMutationDate); defaults to the current time */
  now?: () => string;
}

const keptProblems = 1000;

/** Why a record was refused, in the words of the API. */
export function problemOf(store: Store, record: SourceRecord, error: unknown): ImportProblem {
  const at = { line: record.line, ...(record.lastLine ? { lastLine: record.lastLine } : {}) };
  if (error instanceof ODataError) {
    return {
      ...at,
      message: error.message,
      code: error.code,
      ...(error.target ? { target: error.target } : {}),
    };
  }
  const conflict = store.dialect.conflictOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return { ...at, message: conflict ? `${conflict} (${message})` : message };
}

/** Thrown inside a transaction to roll it back; not an error. */
const rollBack = Symbol('roll back');

export async function importRecords(
  store: Store,
  records: AsyncIterable<SourceRecord>,
  options: ImportOptions,
): Promise<ImportSummary> {
  const { set, skipInvalid = false } = options;
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? defaultBatchSize));
  const now = options.now ?? (() => new Date().toISOString());
  const summary: ImportSummary = {
    read: 0,
    written: 0,
    rejected: 0,
    invalid: 0,
    rejectedBatches: 0,
    problems: [],
  };

  /** Writes the batch straight through; false when a record failed (nothing was written). */
  const writeWhole = async (batch: SourceRecord[], at: string) => {
    if (batch.some((record) => record.problem)) return false;
    try {
      await store.transaction((tx) =>
        bulkWrite(tx, async () => {
          for (const record of batch) await createEntity(tx, set, record.body, at);
        }),
      );
      return true;
    } catch {
      return false;
    }
  };

  /** Writes each record of the batch under a savepoint; returns the bad ones. */
  const writeEach = async (batch: SourceRecord[], at: string) => {
    const problems: ImportProblem[] = [];
    try {
      await store.transaction(async (tx) => {
        await bulkWrite(tx, async () => {
          for (const record of batch) {
            if (record.problem) {
              const at = { line: record.line, ...(record.lastLine ? { lastLine: record.lastLine } : {}) };
              problems.push({ ...at, ...record.problem });
              continue;
            }
            await sql`SAVEPOINT import_record`.execute(tx.db);
            const journaled = journalMark(tx);
            try {
              await createEntity(tx, set, record.body, at);
            } catch (error) {
              problems.push(problemOf(store, record, error));
              await sql`ROLLBACK TO SAVEPOINT import_record`.execute(tx.db);
              // its journal entries wait in the batch's buffer: they go with it
              rollBackJournal(tx, journaled);
            }
            await sql`RELEASE SAVEPOINT import_record`.execute(tx.db);
          }
        });
        if (problems.length && !skipInvalid) throw rollBack;
      });
    } catch (error) {
      if (error !== rollBack) throw error;
    }
    return problems;
  };

  const runBatch = async (batch: SourceRecord[]) => {
    const at = now();
    if (await writeWhole(batch, at)) {
      summary.written += batch.length;
    } else {
      // an error that no single record causes (the database went away...) ends the import here
      const problems = await writeEach(batch, at);
      for (const problem of problems) {
        if (summary.problems.length < keptProblems) summary.problems.push(problem);
        options.onProblem?.(problem);
      }
      summary.invalid += problems.length;
      if (skipInvalid || problems.length === 0) {
        summary.written += batch.length - problems.length;
        summary.rejected += problems.length;
      } else {
        summary.rejected += batch.length;
        summary.rejectedBatches++;
        const last = batch[batch.length - 1];
        options.onRejectedBatch?.({
          firstLine: batch[0].line,
          lastLine: last.lastLine ?? last.line,
          records: batch.length,
          problems: problems.length,
        });
      }
    }
    options.onProgress?.({ read: summary.read, written: summary.written, rejected: summary.rejected });
    await store.optimize();
  };

  let batch: SourceRecord[] = [];
  for await (const record of records) {
    summary.read++;
    batch.push(record);
    if (batch.length >= batchSize) {
      await runBatch(batch);
      batch = [];
    }
  }
  if (batch.length) await runBatch(batch);
  // the batches kept sampled statistics; a bulk load is when exact ones are worth their cost
  if (summary.written > 0) await store.refreshStatistics();
  return summary;
}
