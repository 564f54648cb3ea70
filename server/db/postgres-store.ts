// PostgreSQL through a pg pool: several service instances can share one database.
import { type CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { ArrayRows, Db, Store, StoreOptions } from './database.ts';
import { postgresDialect } from './dialect.ts';

/** any number, the same for every instance; migrations use another */
const journalLockKey = 7_235_012;

const dateOid = 1082;
const int8Oid = 20;
const numericOid = 1700;

/** Dates stay 'YYYY-MM-DD' (pg would make a local-midnight Date of them); counts become numbers. */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === dateOid) return (value: string) => value;
    if (oid === int8Oid || oid === numericOid) return (value: string) => Number(value);
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads
    return (pg.types.getTypeParser as any)(oid, format);
  },
};

export function openPostgresStore(url: string, options: StoreOptions = {}): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: Number(process.env.PG_POOL_SIZE ?? 10),
    // the service works in UTC: year(), date() and the like mean UTC, as on SQLite
    options: '-c TimeZone=UTC',
    types: typeParsers,
  });
  let closing = false;
  // An idle connection that the server ends (a restart, a DROP DATABASE ... WITH (FORCE), a
  // timeout) is reported here; unheard, pg's 'error' event would end the process. The pool drops
  // the connection and opens another when next needed.
  pool.on('error', (error) => {
    if (!closing) console.error(`PostgreSQL ended an idle connection: ${error.message}`);
  });
  const { onQuery } = options;
  const db: Db = new Kysely({
    dialect: new PostgresDialect({ pool }),
    log: onQuery ? (event) => onQuery(event.query.sql, event.query.parameters) : undefined,
  });
  const store = (kysely: Db, inTransaction: boolean): Store => ({
    db: kysely,
    dialect: postgresDialect,
    selectArrays: inTransaction
      ? // a transaction owns its connection: go through kysely, then shape the rows
        async (query: CompiledQuery): Promise<ArrayRows> => {
          const result = await kysely.executeQuery<Record<string, unknown>>(query);
          const columns = result.rows[0] ? Object.keys(result.rows[0]) : [];
          return { columns, rows: result.rows.map((row) => columns.map((c) => row[c])) };
        }
      : async (query: CompiledQuery): Promise<ArrayRows> => {
          onQuery?.(query.sql, query.parameters);
          const result = await pool.query({
            text: query.sql,
            values: query.parameters as unknown[],
            rowMode: 'array',
          });
          return { columns: result.fields.map((f) => f.name), rows: result.rows as unknown[][] };
        },
    transaction: (work) =>
      kysely.transaction().execute(async (trx) => {
        // Writing transactions commit one after another, so that the change journal's sequence
        // numbers become visible in order (journal.ts); taken first, before any row lock, so
        // that it cannot deadlock with them.
        await sql`SELECT pg_advisory_xact_lock(${journalLockKey})`.execute(trx);
        return work(store(trx, true));
      }),
    // autovacuum keeps PostgreSQL's statistics
    optimize: async () => {},
    refreshStatistics: async () => {
      await sql`ANALYZE`.execute(kysely);
    },
    close: () => {
      closing = true;
      return kysely.destroy();
    },
  });
  return store(db, false);
}
