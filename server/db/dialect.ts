// Where SQLite and PostgreSQL truly differ. Everything else builds SQL through kysely.
import { type RawBuilder, sql } from 'kysely';
import type { EdmType } from '../model/define.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface SqlDialect {
  name: DialectName;
  columnType(type: EdmType): string;
  /** a JS value as the driver wants it bound */
  toDatabase(type: EdmType, value: unknown): unknown;
  /** a value read from the driver as the JSON payload shows it */
  fromDatabase(type: EdmType, value: unknown): unknown;
  /** null-safe equality, true when both sides are null */
  isNotDistinct(left: RawBuilder<unknown>, right: RawBuilder<unknown>): RawBuilder<unknown>;
  isDistinct(left: RawBuilder<unknown>, right: RawBuilder<unknown>): RawBuilder<unknown>;
  /** case-insensitive LIKE with '\' as escape character */
  ilike(value: RawBuilder<unknown>, pattern: string): RawBuilder<unknown>;
  /** an integer part of a date/time: year, month, day, hour, minute, second */
  datePart(
    part: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second',
    value: RawBuilder<unknown>,
  ): RawBuilder<unknown>;
  /** the date (UTC) of a date-time */
  dateOf(value: RawBuilder<unknown>): RawBuilder<unknown>;
  /** 1-based position of needle in haystack, 0 when absent */
  position(haystack: RawBuilder<unknown>, needle: RawBuilder<unknown>): RawBuilder<unknown>;
  toDouble(value: RawBuilder<unknown>): RawBuilder<unknown>;
  /** remainder of a division, on decimals too */
  mod(left: RawBuilder<unknown>, right: RawBuilder<unknown>): RawBuilder<unknown>;
  /** SELECT ... FOR UPDATE locks a row until the transaction ends (SQLite locks the whole database anyway) */
  rowLocks: boolean;
  /** what a driver error means to the client, when it is a conflict rather than a fault */
  conflictOf(error: unknown): string | undefined;
  /** what a driver error means to the client, when the query cannot be evaluated (e.g. division by zero) */
  evaluationErrorOf(error: unknown): string | undefined;
  /** a number from the URL as a bound parameter */
  numberValue(value: number): RawBuilder<unknown>;
  /**
   * The rows whose column may contain the text, from a substring index, when the dialect keeps
   * one outside the table (SQLite's FTS5 trigram tables; PostgreSQL's trigram index serves
   * ILIKE itself).
   */
  substringCandidates(
    table: string,
    column: string,
    alias: string,
    text: string,
  ): RawBuilder<unknown> | undefined;
  /** the rowids of those candidates, a query of its own (to count them) */
  substringMatches(table: string, column: string, text: string): RawBuilder<unknown> | undefined;
}

/** Columns with a substring index, for case-insensitive contains/startswith/endswith at scale. */
export const substringIndexes = [{ table: 'activity', column: 'Subject' }];

/** SQLite's FTS5 table that indexes a column's trigrams. */
export const substringIndexTable = (table: string, column: string) => `${table}_${column}_trigrams`;

const codeOf = (error: unknown) =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;

const isoMillis = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  columnType(type) {
    switch (type) {
      case 'Edm.Double':
        return 'real';
      case 'Edm.Int32':
      case 'Edm.Boolean':
        return 'integer';
      default:
        return 'text';
    }
  },
  toDatabase(type, value) {
    if (value === null || value === undefined) return null;
    if (type === 'Edm.Boolean') return value ? 1 : 0;
    return value;
  },
  fromDatabase(type, value) {
    if (value === null || value === undefined) return null;
    if (type === 'Edm.Boolean') return value === 1 || value === true;
    return value;
  },
  isNotDistinct: (left, right) => sql`(${left} IS ${right})`,
  isDistinct: (left, right) => sql`(${left} IS NOT ${right})`,
  ilike(value, pattern) {
    // SQLite's LIKE folds ASCII case only; fold other letters through the Unicode-aware lower().
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range check
    return /^[\x00-\x7f]*$/.test(pattern)
      ? sql`(${value} LIKE ${pattern} ESCAPE '\\')`
      : sql`(lower(${value}) LIKE ${pattern.toLowerCase()} ESCAPE '\\')`;
  },
  datePart(part, value) {
    const format = { year: '%Y', month: '%m', day: '%d', hour: '%H', minute: '%M', second: '%S' }[part];
    return sql`CAST(strftime(${sql.lit(format)}, ${value}) AS INTEGER)`;
  },
  dateOf: (value) => sql`substr(${value}, 1, 10)`,
  position: (haystack, needle) => sql`instr(${haystack}, ${needle})`,
  toDouble: (value) => sql`CAST(${value} AS REAL)`,
  mod: (left, right) => sql`mod(${left}, ${right})`,
  rowLocks: false,
  conflictOf(error) {
    const code = codeOf(error);
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'a linked record was deleted or is still linked';
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      return 'a record with the same key already exists';
    }
    if (code === 'SQLITE_BUSY') return 'the database is busy';
    return undefined;
  },
  // SQLite evaluates what it cannot compute to NULL
  evaluationErrorOf: () => undefined,
  numberValue: (value) => sql.val(value),
  substringCandidates(table, column, alias, text) {
    const matches = this.substringMatches(table, column, text);
    return matches && sql`${sql.ref(`${alias}.rowid`)} IN (${matches})`;
  },
  substringMatches(table, column, text) {
    // trigrams need three characters; a shorter text scans as before
    if ([...text].length < 3 || !substringIndexes.some((i) => i.table === table && i.column === column)) {
      return undefined;
    }
    const index = substringIndexTable(table, column);
    const phrase = `"${text.replaceAll('"', '""')}"`;
    return sql`SELECT rowid FROM ${sql.table(index)} WHERE ${sql.table(index)} MATCH ${phrase}`;
  },
};

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  columnType(type) {
    switch (type) {
      case 'Edm.Double':
        return 'double precision';
      case 'Edm.Int32':
        return 'integer';
      case 'Edm.Boolean':
        return 'boolean';
      case 'Edm.Date':
        return 'date';
      case 'Edm.DateTimeOffset':
        return 'timestamptz';
      default:
        return 'text';
    }
  },
  toDatabase(_type, value) {
    return value === undefined ? null : value;
  },
  fromDatabase(type, value) {
    if (value === null || value === undefined) return null;
    if (type === 'Edm.DateTimeOffset') return isoMillis(value);
    if (type === 'Edm.Date' && value instanceof Date) return value.toISOString().slice(0, 10);
    return value;
  },
  isNotDistinct: (left, right) => sql`(${left} IS NOT DISTINCT FROM ${right})`,
  isDistinct: (left, right) => sql`(${left} IS DISTINCT FROM ${right})`,
  ilike: (value, pattern) => sql`(${value} ILIKE ${pattern} ESCAPE '\\')`,
  datePart: (part, value) =>
    sql`CAST(EXTRACT(${sql.raw(part.toUpperCase())} FROM ${value} AT TIME ZONE 'UTC') AS INTEGER)`,
  dateOf: (value) => sql`CAST((${value} AT TIME ZONE 'UTC') AS date)`,
  position: (haystack, needle) => sql`strpos(${haystack}, ${needle})`,
  toDouble: (value) => sql`CAST(${value} AS double precision)`,
  mod: (left, right) =>
    sql`CAST(MOD(CAST(${left} AS numeric), CAST(${right} AS numeric)) AS double precision)`,
  rowLocks: true,
  conflictOf(error) {
    const code = codeOf(error);
    if (code === '23503') return 'a linked record was deleted or is still linked';
    if (code === '23505') return 'a record with the same key already exists';
    if (code === '40001' || code === '40P01') return 'a concurrent change got in the way';
    return undefined;
  },
  evaluationErrorOf(error) {
    // class 22: data exceptions, such as division by zero or a value out of range
    return codeOf(error)?.startsWith('22') ? (error as Error).message : undefined;
  },
  // without the cast PostgreSQL types the parameter after its neighbour: 2.5 would be an integer
  numberValue: (value) => sql`CAST(${value} AS double precision)`,
  substringCandidates: () => undefined,
  substringMatches: () => undefined,
};

/** Escapes LIKE wildcards so that '%' and '_' in user input match literally. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
