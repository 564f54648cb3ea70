// A record's history through the API: the read-only navigation `History` on every entity type,
// `GET /v1/odata/<Set>(<id>)/History`, the record's journal entries newest first as
// `Dealdeck.Change` entities, paged by sequence number (a new entry does not shift the pages).
import type { Store } from '../db/database.ts';
import type { EdmType } from '../model/define.ts';
import { model } from '../model/model.ts';
import { badRequest } from '../query/errors.ts';
import { entryOf, type JournalEntry, journalTable } from './journal.ts';

/** The navigation's name, on every entity type. */
export const historyNavigation = 'History';
/** The entity type of an entry, and the complex type of one changed property, in $metadata. */
export const changeTypeName = 'Change';
export const propertyChangeTypeName = 'PropertyChange';

export interface Change {
  Sequence: number;
  At: string;
  ActorID: string;
  ActorName: string;
  Kind: string;
  Changes: { Property: string; Old: unknown; New: unknown }[];
}

/** A record's entries with a sequence number below `before`, newest first. */
export async function readHistory(
  store: Store,
  recordId: string,
  options: { before?: number; limit: number },
): Promise<JournalEntry[]> {
  let query = store.db
    .selectFrom(journalTable)
    .selectAll()
    .where('RecordID', '=', recordId)
    .orderBy('Sequence', 'desc')
    .limit(options.limit);
  if (options.before !== undefined) query = query.where('Sequence', '<', options.before);
  // biome-ignore lint/suspicious/noExplicitAny: the journal's row type lives in journal.ts
  return ((await query.execute()) as any[]).map(entryOf);
}

/** An entry as a `Dealdeck.Change`: values as JSON (booleans as booleans), links as IDs. */
export function changeOf(store: Store, entry: JournalEntry): Change {
  const type = model.get(entry.type);
  const json = (name: string, value: unknown) => {
    const property = type?.properties.get(name);
    return property ? store.dialect.fromDatabase(property.type as EdmType, value) : (value ?? null);
  };
  return {
    Sequence: entry.sequence,
    At: entry.at,
    ActorID: entry.actor.id,
    ActorName: entry.actor.name,
    Kind: entry.kind,
    Changes: Object.entries(entry.changes).map(([name, [old, value]]) => ({
      Property: name,
      Old: json(name, old) ?? null,
      New: json(name, value) ?? null,
    })),
  };
}

/** `$skiptoken` of a history page: the last sequence served, and how many were served so far. */
export function parseHistoryToken(token: string | undefined): { before?: number; served: number } {
  if (token === undefined) return { served: 0 };
  const match = /^(\d+)-(\d+)$/.exec(token);
  if (!match) throw badRequest(`$skiptoken '${token}' is not one this service issued`, '$skiptoken');
  return { before: Number(match[1]), served: Number(match[2]) };
}

export const historyToken = (lastSequence: number, served: number) => `${lastSequence}-${served}`;
