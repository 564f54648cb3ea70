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
import { type Actor, journalMark, rollBackJournal, writeAs } from '../journal/journal.ts';
import type { EntityType } from '../model/model.ts';
import { ODataError } from '../query/errors.ts';
import { bulkWrite } from '../write/business-rules.ts';
import { createEntity, type KeptValues } from '../write/write-entity.ts';
import {
  type IgnoredCounts,
  isRemovedEntry,
  noIgnored,
  postableRecord,
  RecordProblem,
} from './get-records.ts';
import type { SourceRecord } from './read-lines.ts';

export const defaultBatchSize = 1000;

export interface ImportProblem {
  line: number;
  lastLine?: number;
  /** the record's position in its page, when the line holds a page */
  position?: number;
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
  /** values left out of records read as a GET returns them */
  ignored: IgnoredCounts;
  /** entries of a delta response saying a record was removed: not imported */
  removedEntries: number;
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
  /**
   * Read records as a GET returns them (get-records.ts): annotations and computed fields left
   * out, CreationDate, LastMutationDate and Number kept. Without it (strict), a record is a
   * POST body and such fields are refused.
   */
  asGet?: boolean;
  /** who the journal names as the writer; Dealdeck itself by default */
  actor?: Actor;
  /** refresh the planner's statistics at the end (default true) */
  refreshStatistics?: boolean;
}

/** A record ready to write: the body a create takes, and the server values it keeps. */
type Prepared = SourceRecord & { kept?: KeptValues };

const keptProblems = 1000;

/** Why a record was refused, in the words of the API. */
export function problemOf(store: Store, record: SourceRecord, error: unknown): ImportProblem {
  const at = whereIs(record);
  if (error instanceof RecordProblem)
    return { ...at, message: error.message, ...(error.target ? { target: error.target } : {}) };
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

const whereIs = (record: SourceRecord) => ({
  line: record.line,
  ...(record.lastLine ? { lastLine: record.lastLine } : {}),
  ...(record.position ? { position: record.position } : {}),
});

/** A kept Number must be free: a clear message rather than the database's unique-key error. */
async function checkNumberFree(store: Store, set: EntityType, body: Record<string, unknown>, number: string) {
  const taken = (await store.db
    .selectFrom(set.table)
    .select(['ID', 'ImportId'])
    .where('Number', '=', number)
    .executeTakeFirst()) as { ID: string; ImportId: string | null } | undefined;
  if (!taken) return;
  const same =
    typeof body.ID === 'string' ? taken.ID === body.ID.toLowerCase() : taken.ImportId === body.ImportId;
  if (!same) {
    throw new ODataError(
      409,
      'Conflict',
      `Number: ${number} is already the number of record ${taken.ID}`,
      'Number',
    );
  }
}

/** Writes one record through the API's create (an update when its ID or ImportId exists). */
async function writeRecord(store: Store, set: EntityType, record: Prepared, at: string) {
  if (record.kept?.Number) await checkNumberFree(store, set, record.body!, record.kept.Number);
  await createEntity(store, set, record.body, at, undefined, record.kept);
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
    ignored: noIgnored(),
    removedEntries: 0,
  };
  const writer = (tx: Store) => {
    if (options.actor) writeAs(tx, options.actor);
  };

  /** Writes the batch straight through; false when a record failed (nothing was written). */
  const writeWhole = async (batch: Prepared[], at: string) => {
    if (batch.some((record) => record.problem)) return false;
    try {
      await store.transaction((tx) => {
        writer(tx);
        return bulkWrite(tx, async () => {
          for (const record of batch) await writeRecord(tx, set, record, at);
        });
      });
      return true;
    } catch {
      return false;
    }
  };

  /** Writes each record of the batch under a savepoint; returns the bad ones. */
  const writeEach = async (batch: Prepared[], at: string) => {
    const problems: ImportProblem[] = [];
    try {
      await store.transaction(async (tx) => {
        writer(tx);
        await bulkWrite(tx, async () => {
          for (const record of batch) {
            if (record.problem) {
              problems.push({ ...whereIs(record), ...record.problem });
              continue;
            }
            await sql`SAVEPOINT import_record`.execute(tx.db);
            const journaled = journalMark(tx);
            try {
              await writeRecord(tx, set, record, at);
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

  const runBatch = async (batch: Prepared[]) => {
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

  const prepare = (record: SourceRecord): Prepared | undefined => {
    if (!options.asGet || !record.body) return record;
    if (isRemovedEntry(record.body)) {
      summary.removedEntries++;
      return undefined;
    }
    try {
      return { ...record, ...postableRecord(set, record.body, summary.ignored) };
    } catch (error) {
      if (!(error instanceof RecordProblem)) throw error;
      return { ...record, body: undefined, problem: { message: error.message, target: error.target } };
    }
  };

  let batch: Prepared[] = [];
  for await (const source of records) {
    const record = prepare(source);
    if (!record) continue;
    summary.read++;
    batch.push(record);
    if (batch.length >= batchSize) {
      await runBatch(batch);
      batch = [];
    }
  }
  if (batch.length) await runBatch(batch);
  // the batches kept sampled statistics; a bulk load is when exact ones are worth their cost
  if (summary.written > 0 && options.refreshStatistics !== false) await store.refreshStatistics();
  return summary;
}
