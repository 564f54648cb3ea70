// SQLite through better-sqlite3: one connection, serialised by kysely, statements cached.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type CompiledQuery, Kysely, SqliteDialect, sql } from 'kysely';
import type { ArrayRows, Db, Store, StoreOptions } from './database.ts';
import { sqliteDialect } from './dialect.ts';

export function openSqliteStore(url: string, options: StoreOptions = {}): Store {
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Keep the planner's statistics fresh, from a sample so that opening a large file stays quick.
  // A sample can be far off (it once said 1,000 rows per IsClosed value for 75,000 open deals):
  // pages choose their index from counts (plan/plan-access.ts), not from these, and bulk loads
  // make them exact (refreshStatistics).
  sqlite.pragma('analysis_limit = 1000');
  sqlite.pragma('optimize = 0x10002');
  // SQLite's own lower()/upper() fold ASCII only; sales data has names like "Müller".
  sqlite.function('lower', { deterministic: true }, (v: unknown) =>
    typeof v === 'string' ? v.toLowerCase() : v,
  );
  sqlite.function('upper', { deterministic: true }, (v: unknown) =>
    typeof v === 'string' ? v.toUpperCase() : v,
  );
  const { onQuery } = options;
  // kysely prepares every statement anew; the write path runs a few dozen shapes over and over
  const kyselyStatements = new Map<string, Database.Statement>();
  const cachingDatabase = {
    close: () => sqlite.close(),
    prepare: (text: string) => {
      let statement = kyselyStatements.get(text);
      if (!statement) {
        statement = sqlite.prepare(text);
        if (kyselyStatements.size >= 500) kyselyStatements.delete(kyselyStatements.keys().next().value!);
        kyselyStatements.set(text, statement);
      }
      return statement;
    },
  };
  const db: Db = new Kysely({
    dialect: new SqliteDialect({ database: cachingDatabase }),
    log: onQuery ? (event) => onQuery(event.query.sql, event.query.parameters) : undefined,
  });
  const statements = new Map<string, { statement: Database.Statement; columns: string[] }>();
  const runArrays = (query: CompiledQuery): ArrayRows => {
    onQuery?.(query.sql, query.parameters);
    let prepared = statements.get(query.sql);
    if (!prepared) {
      const statement = sqlite.prepare(query.sql).raw(true);
      prepared = { statement, columns: statement.columns().map((c) => c.name) };
      // a bounded cache: queries differ in their shape, not in their values
      if (statements.size >= 500) statements.delete(statements.keys().next().value!);
      statements.set(query.sql, prepared);
    }
    const rows = prepared.statement.all(...(query.parameters as unknown[])) as unknown[][];
    return { columns: prepared.columns, rows };
  };
  const store = (kysely: Db, inTransaction: boolean): Store => ({
    db: kysely,
    dialect: sqliteDialect,
    // kysely serialises use of the one connection; outside a transaction, wait for our turn so
    // that a read never sees another request's uncommitted writes
    selectArrays: inTransaction
      ? async (query) => runArrays(query)
      : (query) => kysely.connection().execute(async () => runArrays(query)),
    transaction: inTransaction
      ? (work) => work(store(kysely, true))
      : (work) =>
          kysely.connection().execute(async (connection) => {
            // IMMEDIATE takes the write lock at once: another process writing the same file
            // waits (busy_timeout) instead of failing when both would upgrade a read lock
            await sql`BEGIN IMMEDIATE`.execute(connection);
            try {
              const result = await work(store(connection, true));
              await sql`COMMIT`.execute(connection);
              return result;
            } catch (error) {
              await sql`ROLLBACK`.execute(connection);
              throw error;
            }
          }),
    optimize: async () => {
      sqlite.pragma('optimize = 0x10002');
    },
    refreshStatistics: async () => {
      const limit = sqlite.pragma('analysis_limit', { simple: true });
      sqlite.pragma('analysis_limit = 0');
      try {
        sqlite.exec('ANALYZE');
      } finally {
        sqlite.pragma(`analysis_limit = ${Number(limit)}`);
      }
    },
    close: () => kysely.destroy(),
  });
  return store(db, false);
}
