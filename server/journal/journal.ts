// The change journal: one entry for every create, update and delete of every entity set,
// appended by the write path inside the writing transaction, so that an entry exists exactly
// when its write does (both commit or neither). Everything that follows changes reads it: the
// live board's stream, delta links, a deal's history, webhooks.
//
// Order: entries must become visible in the order of their sequence numbers, or a reader
// that has seen entry 12 could miss an entry 11 committed after it. SQLite has one writer at a
// time; on PostgreSQL every writing transaction takes one advisory lock first
// (postgres-store.ts), so transactions that write commit one after another.
import { sql } from 'kysely';
import type { Store } from '../db/database.ts';
import { versionColumn } from '../db/schema.ts';
import type { EntityType } from '../model/model.ts';
import type { DbRecord } from '../write/records.ts';

export const journalTable = 'change_journal';

import type { ChangeKind } from './change-kind.ts';

export type { ChangeKind };

/** Who wrote: a person, the service's API_TOKEN, or Dealdeck itself (demo data, import, rules). */
export interface Actor {
  id: string;
  name: string;
}

export const systemActor: Actor = { id: 'system', name: 'Dealdeck' };

/** Per property or link (by its OData name; links as IDs): [old value, new value]. */
export type Changes = Record<string, [unknown, unknown]>;

export interface JournalEntry {
  sequence: number;
  /** ISO time of the write */
  at: string;
  actor: Actor;
  /** the record's entity set, type and key */
  set: string;
  type: string;
  id: string;
  kind: ChangeKind;
  changes: Changes;
}

export async function createJournalTable(store: Store) {
  const sequence =
    store.dialect.name === 'postgres'
      ? '"Sequence" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY'
      : // AUTOINCREMENT: a number is never used twice, also after the newest entries are pruned
        '"Sequence" integer PRIMARY KEY AUTOINCREMENT';
  await sql
    .raw(
      `CREATE TABLE "${journalTable}" (${sequence}, "At" text NOT NULL, "ActorID" text NOT NULL, "ActorName" text NOT NULL, "SetName" text NOT NULL, "TypeName" text NOT NULL, "RecordID" text NOT NULL, "Kind" text NOT NULL, "Changes" text NOT NULL)`,
    )
    .execute(store.db);
  // a record's history, newest first; pruning by time
  await sql
    .raw(`CREATE INDEX "${journalTable}_record" ON "${journalTable}" ("RecordID", "Sequence")`)
    .execute(store.db);
  await sql.raw(`CREATE INDEX "${journalTable}_at" ON "${journalTable}" ("At")`).execute(store.db);
}

/** Columns the journal leaves out: the row version and the time of the write (the entry's own). */
const unjournaled = new Set([versionColumn, 'LastMutationDate']);

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** What differs between two versions of a record (either may be missing), by OData name. */
export function changesOf(
  type: EntityType,
  before: DbRecord | undefined,
  after: DbRecord | undefined,
): Changes {
  const changes: Changes = {};
  const note = (name: string, column: string) => {
    if (unjournaled.has(column)) return;
    const old = before?.[column] ?? null;
    const value = after?.[column] ?? null;
    if (!same(old, value)) changes[name] = [old, value];
  };
  for (const property of type.properties.values()) note(property.name, property.column);
  for (const reference of type.references.values()) note(reference.name, reference.column);
  return changes;
}

export interface Append {
  actor: Actor;
  type: EntityType;
  id: string;
  kind: ChangeKind;
  changes: Changes;
  at: string;
}

/** Appends entries in the store's transaction; an update that changed nothing journals nothing. */
export async function appendChanges(store: Store, appends: Append[]) {
  const rows = appends
    .filter((a) => a.kind !== 'updated' || Object.keys(a.changes).length > 0)
    .map((a) => ({
      At: a.at,
      ActorID: a.actor.id,
      ActorName: a.actor.name,
      SetName: a.type.setName,
      TypeName: a.type.name,
      RecordID: a.id,
      Kind: a.kind,
      Changes: JSON.stringify(a.changes),
    }));
  // bounded batches: SQLite allows 32,766 parameters a statement
  let newest = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const insert = store.db.insertInto(journalTable).values(rows.slice(i, i + 500));
    if (store.dialect.name !== 'postgres') {
      await insert.execute();
      continue;
    }
    const inserted = await insert.returning('Sequence').execute();
    for (const row of inserted) newest = Math.max(newest, Number(row.Sequence));
  }
  // Other instances learn of the entries from a notification, delivered when the transaction
  // commits (never for one rolled back): just the newest sequence number, as the payload must stay
  // small; listeners read the entries from the journal (stream.ts). SQLite instances poll.
  if (newest > 0) await sql`SELECT pg_notify(${changesChannel}, ${String(newest)})`.execute(store.db);
}

/** The PostgreSQL channel that carries the newest sequence number of each write (stream.ts). */
export const changesChannel = 'dealdeck_changes';

export async function appendChange(store: Store, append: Append) {
  const buffer = buffers.get(store);
  if (buffer) buffer.push(append);
  else await appendChanges(store, [append]);
}

interface JournalRow {
  Sequence: number | string;
  At: string;
  ActorID: string;
  ActorName: string;
  SetName: string;
  TypeName: string;
  RecordID: string;
  Kind: ChangeKind;
  Changes: string;
}

export const entryOf = (row: JournalRow): JournalEntry => ({
  sequence: Number(row.Sequence),
  at: row.At,
  actor: { id: row.ActorID, name: row.ActorName },
  set: row.SetName,
  type: row.TypeName,
  id: row.RecordID,
  kind: row.Kind,
  changes: JSON.parse(row.Changes) as Changes,
});

/** Entries after a sequence number, oldest first. */
export async function readJournal(
  store: Store,
  options: { after?: number; recordId?: string; limit?: number } = {},
): Promise<JournalEntry[]> {
  let query = store.db.selectFrom(journalTable).selectAll().orderBy('Sequence');
  if (options.after !== undefined) query = query.where('Sequence', '>', options.after);
  if (options.recordId !== undefined) query = query.where('RecordID', '=', options.recordId);
  if (options.limit !== undefined) query = query.limit(options.limit);
  return ((await query.execute()) as JournalRow[]).map(entryOf);
}

/** The oldest and newest sequence numbers the journal holds (0 when empty). */
export async function journalReach(store: Store): Promise<{ oldest: number; newest: number }> {
  const row = await store.db
    .selectFrom(journalTable)
    .select([sql<number>`MIN("Sequence")`.as('oldest'), sql<number>`MAX("Sequence")`.as('newest')])
    .executeTakeFirst();
  return { oldest: Number(row?.oldest ?? 0), newest: Number(row?.newest ?? 0) };
}

/** Removes entries written before a time; returns how many. */
export async function pruneJournal(store: Store, before: string): Promise<number> {
  const result = await store.db.deleteFrom(journalTable).where('At', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// Who the writes of a transaction are by: set by the write path from the request's access
// policy, read where business rules write derived values (totals, descriptions) in the same
// transaction, so that those entries name the same person.
const actors = new WeakMap<Store, Actor>();

export const writeAs = (store: Store, actor: Actor) => {
  actors.set(store, actor);
};

export const actorOf = (store: Store): Actor => actors.get(store) ?? systemActor;

// A bulk write (an import batch, the demo data) collects its entries and appends them in
// batches at its end, still inside its transaction.
const buffers = new WeakMap<Store, Append[]>();

export function bufferJournal(store: Store) {
  buffers.set(store, []);
}

export async function flushJournal(store: Store) {
  const pending = buffers.get(store);
  buffers.delete(store);
  if (pending?.length) await appendChanges(store, pending);
}

export const dropJournalBuffer = (store: Store) => {
  buffers.delete(store);
};

/** Where the buffer stands, to undo the entries of a write rolled back to a savepoint. */
export const journalMark = (store: Store) => buffers.get(store)?.length ?? 0;

export function rollBackJournal(store: Store, mark: number) {
  const buffer = buffers.get(store);
  if (buffer) buffer.length = mark;
}
