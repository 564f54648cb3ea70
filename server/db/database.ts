// Opens the database named by DATABASE_URL and wraps it in kysely.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { type SqlDialect, sqliteDialect } from './dialect.ts';

// biome-ignore lint/suspicious/noExplicitAny: tables are defined by the model at run time
export type Db = Kysely<any>;

export interface Store {
  db: Db;
  dialect: SqlDialect;
  close(): Promise<void>;
}

export const defaultDatabaseUrl = 'data/dealdeck.db';

export interface StoreOptions {
  /** called with every SQL statement run, e.g. to count queries in tests */
  onQuery?: (sql: string) => void;
}

export function openStore(url = defaultDatabaseUrl, options: StoreOptions = {}): Store {
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('PostgreSQL is not supported yet: use a SQLite file path or :memory: as DATABASE_URL');
  }
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // SQLite's own lower()/upper() fold ASCII only; sales data has names like "Müller".
  sqlite.function('lower', { deterministic: true }, (v: unknown) =>
    typeof v === 'string' ? v.toLowerCase() : v,
  );
  sqlite.function('upper', { deterministic: true }, (v: unknown) =>
    typeof v === 'string' ? v.toUpperCase() : v,
  );
  const { onQuery } = options;
  const db: Db = new Kysely({
    dialect: new SqliteDialect({ database: sqlite }),
    log: onQuery ? (event) => onQuery(event.query.sql) : undefined,
  });
  return { db, dialect: sqliteDialect, close: () => db.destroy() };
}
