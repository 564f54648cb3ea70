// Reading and writing one table row as a record of JS values keyed by column, converting to
// and from the database's representation through the dialect.
import type { Store } from '../db/database.ts';
import { versionColumn } from '../db/schema.ts';
import type { EdmType } from '../model/define.ts';
import { type EntityType, model, rootOf, tableColumns } from '../model/model.ts';

export type DbRecord = Record<string, unknown>;

const columnTypes = new Map<string, Map<string, EdmType>>();

/** Every column of the type's table with its EDM type (references are GUIDs). */
export function columnTypesOf(type: EntityType): Map<string, EdmType> {
  let found = columnTypes.get(type.table);
  if (!found) {
    const root = rootOf(type);
    const { properties, references } = tableColumns(root);
    found = new Map<string, EdmType>([
      ...properties.map((p) => [p.column, p.type] as const),
      ...references.map((r) => [r.column, 'Edm.Guid'] as const),
      [versionColumn, 'Edm.Int32'],
    ]);
    columnTypes.set(type.table, found);
  }
  return found;
}

/**
 * Records read during a bulk write (an import batch, the demo data), by table and ID: the same
 * phases, customers and activities are looked up again and again. Writes forget what they change.
 */
const bulkCaches = new WeakMap<Store, Map<string, DbRecord>>();

export function startRecordCache(store: Store) {
  bulkCaches.set(store, new Map());
}

export function stopRecordCache(store: Store) {
  bulkCaches.delete(store);
}

/** After a write to a record, or to a whole table when id is omitted. */
export function forgetRecords(store: Store, table: string, id?: string) {
  const cache = bulkCaches.get(store);
  if (!cache) return;
  if (id !== undefined) {
    cache.delete(`${table}:${id}`);
    return;
  }
  for (const key of cache.keys()) if (key.startsWith(`${table}:`)) cache.delete(key);
}

/** A record by ID; `lock` keeps other writers off it until the transaction ends. */
export async function loadRecord(
  store: Store,
  type: EntityType,
  id: string,
  lock = false,
): Promise<DbRecord | undefined> {
  const cache = bulkCaches.get(store);
  const key = `${type.table}:${id}`;
  // a lock must be taken in the database; a cached copy only serves plain reads
  const cached = lock ? undefined : cache?.get(key);
  if (cached) return cached;
  let query = store.db.selectFrom(type.table).selectAll().where('ID', '=', id);
  if (lock && store.dialect.rowLocks) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const types = columnTypesOf(type);
  const record: DbRecord = {};
  for (const [column, value] of Object.entries(row)) {
    record[column] = store.dialect.fromDatabase(types.get(column) ?? 'Edm.String', value);
  }
  cache?.set(key, record);
  return record;
}

export function toDatabaseRow(store: Store, type: EntityType, record: DbRecord): DbRecord {
  const types = columnTypesOf(type);
  const row: DbRecord = {};
  for (const [column, value] of Object.entries(record)) {
    const edm = types.get(column);
    if (edm) row[column] = store.dialect.toDatabase(edm, value);
  }
  return row;
}

/** The record's type, when it is one of the set's types. */
export const typeInSet = (set: EntityType, record: DbRecord | undefined) =>
  record && set.typeNames.includes(record._Type as string) ? model.get(record._Type as string) : undefined;
