// Opens the database named by DATABASE_URL (a SQLite file, :memory:, or postgres://...) and
// wraps it in kysely. Everything above this layer is the same for both databases.
import type { CompiledQuery, Kysely } from 'kysely';
import type { SqlDialect } from './dialect.ts';
import { openPostgresStore } from './postgres-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

// biome-ignore lint/suspicious/noExplicitAny: tables are defined by the model at run time
export type Db = Kysely<any>;

export interface ArrayRows {
  columns: string[];
  rows: unknown[][];
}

export interface Store {
  db: Db;
  dialect: SqlDialect;
  /**
   * Runs a SELECT and returns its rows as arrays, from a cached prepared statement: the read
   * path's fast lane (a row object per record costs more than the query itself).
   */
  selectArrays(query: CompiledQuery): Promise<ArrayRows>;
  /**
   * Refreshes the query planner's statistics where a table has grown or shrunk a lot: a bulk
   * load calls it between batches, or plans made for an empty table slow it down 5-fold.
   */
  optimize(): Promise<void>;
  /**
   * Makes the planner's statistics exact (every row read): after a bulk load or a large change,
   * so that no plan rests on a sample's guess.
   */
  refreshStatistics(): Promise<void>;
  /** runs work in one transaction; a thrown error rolls all of it back */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const defaultDatabaseUrl = 'data/dealdeck.db';

export interface StoreOptions {
  /** called with every SQL statement run, e.g. to count queries in tests */
  onQuery?: (sql: string, parameters: readonly unknown[]) => void;
}

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//.test(url);

export function openStore(url = defaultDatabaseUrl, options: StoreOptions = {}): Store {
  return isPostgresUrl(url) ? openPostgresStore(url, options) : openSqliteStore(url, options);
}
