// Bulk export: the records of an entity set as NDJSON or CSV, read in pages of the table
// (keyset pagination on ID, so every page is an index range scan) and written as a stream.
// Each record carries what an import needs to make it again: its writable fields, ID and
// ImportId, and its links as {"ID": ...}; nothing the server computes.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Store } from '../db/database.ts';
import { type EntityType, model, type Reference } from '../model/model.ts';
import { csvColumns, csvRow, typeColumn } from './csv.ts';
import { odataTypeOf, setFields, type TransferFormat, transferFields } from './fields.ts';

export const defaultPageSize = 1000;

export interface ExportOptions {
  format?: TransferFormat;
  /** rows read per query; defaults to 1,000 */
  pageSize?: number;
  /** called after each page with the records written so far */
  onProgress?: (written: number) => void;
}

/** A record as the API's JSON shows it, with the writable fields only. */
export function exportedRecord(set: EntityType, store: Store, row: Record<string, unknown>) {
  const type = model.get(row._Type as string) ?? set;
  const record: Record<string, unknown> = {};
  if (type !== set) record['@odata.type'] = odataTypeOf(type);
  const { properties, references } = transferFields(type);
  for (const property of properties)
    record[property.name] = store.dialect.fromDatabase(property.type, row[property.column]);
  for (const reference of references) {
    const id = row[reference.column];
    record[reference.name] = typeof id === 'string' ? { ID: id } : null;
  }
  return record;
}

async function write(output: Writable, text: string) {
  if (text && !output.write(text)) await once(output, 'drain');
}

/**
 * The parent whose records an export keeps together: the first required link, such as the
 * Activity of a product line. Ordered by ID otherwise.
 */
export const groupingReference = (set: EntityType): Reference | undefined =>
  [...set.references.values()].find((reference) => reference.required);

/** Writes every record of the set to `output` (which stays open); returns how many. */
export async function exportRecords(
  store: Store,
  set: EntityType,
  output: Writable,
  options: ExportOptions = {},
): Promise<number> {
  const format = options.format ?? 'ndjson';
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? defaultPageSize));
  const { properties, references } = setFields(set);
  const columns = [
    ...new Set(['ID', '_Type', ...properties.map((p) => p.column), ...references.map((r) => r.column)]),
  ];
  const header = csvColumns(set);
  const csvLine = (record: Record<string, unknown>) =>
    csvRow(
      header.map((column) => {
        if (column === typeColumn) return record['@odata.type'] ?? odataTypeOf(set);
        if (column.endsWith('.ID')) {
          const link = record[column.slice(0, -3)] as { ID: string } | null | undefined;
          return link?.ID ?? null;
        }
        return record[column];
      }),
    );
  if (format === 'csv') await write(output, csvRow(header));

  const types = new Set(set.typeNames);
  let written = 0;
  const writePage = async (rows: Record<string, unknown>[]) => {
    let text = '';
    for (const row of rows) {
      if (!types.has(row._Type as string)) continue;
      const record = exportedRecord(set, store, row);
      text += format === 'csv' ? csvLine(record) : `${JSON.stringify(record)}\n`;
      written++;
    }
    await write(output, text);
    options.onProgress?.(written);
  };

  // The set's types are picked in code rather than in SQL: with a condition on _Type, SQLite
  // reads a page through the _Type index and sorts the whole set for each page.
  const page = () => store.db.selectFrom(set.table).select(columns).limit(pageSize);
  const parent = groupingReference(set);
  if (parent) {
    // records of one parent together, so that an import recomputes each parent's totals once
    const column = parent.column;
    let after: [string, string] | undefined;
    for (;;) {
      let query = page().where(column, 'is not', null).orderBy(column).orderBy('ID');
      if (after) {
        const [parentId, id] = after;
        query = query.where((eb) => eb(eb.refTuple(column, 'ID'), '>', eb.tuple(parentId, id)));
      }
      const rows = (await query.execute()) as Record<string, unknown>[];
      if (rows.length) await writePage(rows);
      if (rows.length < pageSize) break;
      const last = rows[rows.length - 1];
      after = [last[column] as string, last.ID as string];
    }
  }
  let after: string | undefined;
  for (;;) {
    let query = page().orderBy('ID');
    if (parent) query = query.where(parent.column, 'is', null);
    if (after !== undefined) query = query.where('ID', '>', after);
    const rows = (await query.execute()) as Record<string, unknown>[];
    if (rows.length) await writePage(rows);
    if (rows.length < pageSize) break;
    after = rows[rows.length - 1].ID as string;
  }
  return written;
}
