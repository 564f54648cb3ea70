// CSV in and out (RFC 4180). A header row names the columns: the fields as in $metadata, a link
// as `<Navigation>.ID` (e.g. `Phase.ID`), and `@odata.type` when the set holds several types.
// An empty cell is null; a quoted empty cell ("") is the empty string. Numbers and booleans
// are read by the property's EDM type. Parsing is done by csv-parse, as a stream.
import type { Readable } from 'node:stream';
import { type CastingFunction, parse } from 'csv-parse';
import type { EntityType, Property, Reference } from '../model/model.ts';
import { recordType, setFields, setHoldsSeveralTypes, transferFields } from './fields.ts';
import type { SourceRecord } from './read-lines.ts';

export const typeColumn = '@odata.type';
export const linkColumn = (reference: Reference) => `${reference.name}.ID`;

/** The columns of a set's CSV file, in the order an export writes them. */
export function csvColumns(set: EntityType): string[] {
  const { properties, references } = setFields(set);
  return [
    ...(setHoldsSeveralTypes(set) ? [typeColumn] : []),
    ...properties.map((p) => p.name),
    ...references.map(linkColumn),
  ];
}

// ---------------------------------------------------------------------------------------------
// Writing

const needsQuotes = /[",\r\n]/;

/** One cell: null is empty, the empty string is "", text with quotes, commas or line breaks is quoted. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : String(value);
  if (text === '') return '""';
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row with its line end (CRLF, as RFC 4180 has it). */
export const csvRow = (cells: readonly unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;

// ---------------------------------------------------------------------------------------------
// Reading

export class CsvHeaderError extends Error {
  constructor(message: string) {
    super(`CSV header: ${message}`);
    this.name = 'CsvHeaderError';
  }
}

type Column =
  | { kind: 'type' }
  | { kind: 'property'; property: Property }
  | { kind: 'reference'; reference: Reference };

function readHeader(set: EntityType, header: readonly (string | null)[]): Column[] {
  const { properties, references } = setFields(set);
  const byName = new Map(properties.map((p) => [p.name, p]));
  const links = new Map(references.map((r) => [linkColumn(r), r]));
  const seen = new Set<string>();
  return header.map((cell, index) => {
    const name = (cell ?? '').trim();
    if (name === '') throw new CsvHeaderError(`column ${index + 1} has no name`);
    if (seen.has(name)) throw new CsvHeaderError(`the column ${name} appears twice`);
    seen.add(name);
    if (name === typeColumn || name === '_Type') return { kind: 'type' };
    const property = byName.get(name);
    if (property) return { kind: 'property', property };
    const reference = links.get(name);
    if (reference) return { kind: 'reference', reference };
    const computed = [set, ...set.derived].some((t) => t.properties.get(name)?.readOnly);
    if (computed) throw new CsvHeaderError(`${name} is computed by the server and cannot be imported`);
    if (set.references.has(name) || set.derived.some((t) => t.references.has(name)))
      throw new CsvHeaderError(`the link ${name} is written as the column ${name}.ID`);
    throw new CsvHeaderError(
      `unknown column ${name}; the columns of ${set.setName} are ${csvColumns(set).join(', ')}`,
    );
  });
}

const lineBreaks = /\r\n|\r|\n/g;

const numberText = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A cell's value by the property's type; text that is not of the type goes on, for validation to name. */
function cellValue(property: Property, cell: string | null): unknown {
  if (cell === null) return null;
  switch (property.type) {
    case 'Edm.String':
      return cell;
    case 'Edm.Double':
    case 'Edm.Int32':
      if (cell.trim() === '') return null;
      return numberText.test(cell) ? Number(cell) : cell;
    case 'Edm.Boolean': {
      const text = cell.trim().toLowerCase();
      if (text === '') return null;
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      return cell;
    }
    default:
      return cell.trim() === '' ? null : cell;
  }
}

/** Unquoted empty cells are null, everything else a string (the header too). */
const cast: CastingFunction = (value, context) => (value === '' && !context.quoting ? null : value);

/** The records of a CSV file, each with the line it starts on. A syntax error ends the reading. */
export async function* csvRecords(input: Readable, set: EntityType): AsyncGenerator<SourceRecord> {
  const parser = input.pipe(
    parse({
      bom: true,
      cast,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // a syntax error (a stray quote...) is reported through 'skip' instead of destroying the
      // stream, so that the records before it are still read; the reading stops there
      skip_records_with_error: true,
    }),
  );
  let syntaxError: { line: number; message: string } | undefined;
  parser.on('skip', (error: Error & { lines?: number }) => {
    syntaxError ??= { line: error.lines ?? 0, message: error.message };
  });
  input.on('error', (error) => parser.destroy(error));
  let columns: Column[] | undefined;
  let previousEnd = 0;
  let previousEmpty = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: (string | null)[];
      info: { lines: number; empty_lines: number };
    }>) {
      if (syntaxError && info.lines >= syntaxError.line) break;
      // csv-parse counts a CRLF inside a quoted field as two lines: count the breaks here
      const line = previousEnd + 1 + (info.empty_lines - previousEmpty);
      const lastLine = line + record.reduce((n, cell) => n + (cell?.match(lineBreaks)?.length ?? 0), 0);
      previousEnd = lastLine;
      previousEmpty = info.empty_lines;
      if (!columns) {
        columns = readHeader(set, record);
        continue;
      }
      const at = { line, ...(lastLine > line ? { lastLine } : {}) };
      if (record.length !== columns.length) {
        yield {
          ...at,
          problem: { message: `the row has ${record.length} cells, the header ${columns.length}` },
        };
        continue;
      }
      yield { ...at, body: rowBody(set, columns, record) };
    }
  } finally {
    parser.destroy();
  }
  if (syntaxError) {
    yield {
      // the first record not read
      line: previousEnd + 1,
      problem: { message: `CSV syntax error, the rest of the file is not read: ${syntaxError.message}` },
    };
  }
}

function rowBody(set: EntityType, columns: Column[], cells: (string | null)[]): Record<string, unknown> {
  const typeIndex = columns.findIndex((c) => c.kind === 'type');
  const named = typeIndex >= 0 ? cells[typeIndex] : null;
  // a cell of a field the record's type lacks (a sibling type's column) is left out when empty
  const type = recordType(set, named);
  const fields = type ? transferFields(type) : undefined;
  const has = (name: string, kind: 'property' | 'reference') =>
    !fields ||
    (kind === 'property'
      ? fields.properties.some((p) => p.name === name)
      : fields.references.some((r) => r.name === name));
  const body: Record<string, unknown> = {};
  for (const [index, column] of columns.entries()) {
    const cell = cells[index];
    if (column.kind === 'type') {
      if (cell) body[typeColumn] = cell;
    } else if (column.kind === 'property') {
      const value = cellValue(column.property, cell);
      if (value === null && !has(column.property.name, 'property')) continue;
      body[column.property.name] = value;
    } else {
      const id = cell?.trim() ? cell.trim() : null;
      if (id === null && !has(column.reference.name, 'reference')) continue;
      body[column.reference.name] = id === null ? null : { ID: id };
    }
  }
  return body;
}
