// Reading and writing one table row as a record of JS values keyed by column, converting to
// and from the database's representation through the dialect.
import type { Store } from '../db/database.ts';
import { versionColumn } from '../db/schema.ts';
import type { EdmType } from '../model/define.ts';
import { type EntityType, model, tableColumns } from '../model/model.ts';

export type DbRecord = Record<string, unknown>;

const columnTypes = new Map<string, Map<string, EdmType>>();

/** Every column of the type's table with its EDM type (references are GUIDs). */
export function columnTypesOf(type: EntityType): Map<string, EdmType> {
  let found = columnTypes.get(type.table);
  if (!found) {
    const root = rootType(type);
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

export const rootType = (type: EntityType): EntityType => (type.base ? rootType(type.base) : type);

/** A record by ID; `lock` keeps other writers off it until the transaction ends. */
export async function loadRecord(
  store: Store,
  type: EntityType,
  id: string,
  lock = false,
): Promise<DbRecord | undefined> {
  let query = store.db.selectFrom(type.table).selectAll().where('ID', '=', id);
  if (lock && store.dialect.rowLocks) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const types = columnTypesOf(type);
  const record: DbRecord = {};
  for (const [column, value] of Object.entries(row)) {
    record[column] = store.dialect.fromDatabase(types.get(column) ?? 'Edm.String', value);
  }
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
