// Versioned migrations, run at start-up on SQLite and PostgreSQL alike. Each runs once, in its
// own transaction, and is recorded in _migrations; several instances starting at once on one
// PostgreSQL database take turns.
import { sql } from 'kysely';
import { createJournalTable } from '../journal/journal.ts';
import { tableColumns, tables } from '../model/model.ts';
import { createPeopleTables } from '../people/people-schema.ts';
import { createSyncTables } from '../sync/sync-state.ts';
import { createUpstreamGrantTables } from '../upstream/upstream-grant-schema.ts';
import { createWebhookTables } from '../webhooks/webhook-schema.ts';
import type { Store } from './database.ts';
import { substringIndexes, substringIndexTable } from './dialect.ts';
import { indexStatements, queryIndexStatements, tableStatements } from './schema.ts';

export interface Migration {
  version: number;
  name: string;
  up(store: Store): Promise<void>;
}

const run = async (store: Store, statements: string[]) => {
  for (const statement of statements) await sql.raw(statement).execute(store.db);
};

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'tables of the entity model',
    up: (store) => run(store, tableStatements(store)),
  },
  {
    version: 2,
    name: 'indexes for the filters and sorting of the board and the seed',
    up: (store) => run(store, indexStatements()),
  },
  {
    version: 3,
    name: 'case-insensitive substring search on Subject (PostgreSQL trigram index)',
    up: async (store) => {
      if (store.dialect.name !== 'postgres') return;
      await run(store, [
        'CREATE EXTENSION IF NOT EXISTS pg_trgm',
        'CREATE INDEX IF NOT EXISTS "activity_Subject_trgm" ON "activity" USING gin ("Subject" gin_trgm_ops)',
      ]);
    },
  },
  {
    version: 4,
    name: 'case-insensitive substring search on Subject (SQLite FTS5 trigram table)',
    up: async (store) => {
      if (store.dialect.name !== 'sqlite') return;
      for (const { table, column } of substringIndexes) {
        const index = substringIndexTable(table, column);
        const row = (prefix: string) => `${prefix}.rowid, ${prefix}."${column}"`;
        await run(store, [
          `CREATE VIRTUAL TABLE "${index}" USING fts5("${column}", content='${table}', content_rowid='rowid', tokenize='trigram case_sensitive 0')`,
          `CREATE TRIGGER "${index}_insert" AFTER INSERT ON "${table}" BEGIN INSERT INTO "${index}"(rowid, "${column}") VALUES (${row('new')}); END`,
          `CREATE TRIGGER "${index}_delete" AFTER DELETE ON "${table}" BEGIN INSERT INTO "${index}"("${index}", rowid, "${column}") VALUES ('delete', ${row('old')}); END`,
          `CREATE TRIGGER "${index}_update" AFTER UPDATE OF "${column}" ON "${table}" BEGIN INSERT INTO "${index}"("${index}", rowid, "${column}") VALUES ('delete', ${row('old')}); INSERT INTO "${index}"(rowid, "${column}") VALUES (${row('new')}); END`,
          `INSERT INTO "${index}"("${index}") VALUES ('rebuild')`,
        ]);
      }
    },
  },
  {
    version: 5,
    name: 'indexes shaped like the queries: (column, ID), the board column and its totals',
    up: async (store) => {
      await run(store, queryIndexStatements());
      // new indexes have no statistics yet: a plan made without them is a guess
      await store.refreshStatistics();
    },
  },
  {
    version: 6,
    name: 'people: accounts, sessions, personal tokens, sign-in links, throttle and SSO flows',
    up: createPeopleTables,
  },
  {
    version: 7,
    name: 'the change journal: an entry for every create, update and delete',
    up: createJournalTable,
  },
  {
    version: 8,
    name: 'webhooks: subscriptions and their deliveries',
    up: createWebhookTables,
  },
  {
    version: 9,
    name: 'sync: where a mirror of each source stands, per entity set',
    up: createSyncTables,
  },
  {
    version: 10,
    name: "per-person upstream sign-in: each person's upstream tokens and connect flows",
    up: createUpstreamGrantTables,
  },
];

const migrationTable = '_migrations';
/** any number, the same for every instance: PostgreSQL's advisory lock serialises start-ups */
const migrationLockKey = 7_235_011;

export async function appliedVersions(store: Store): Promise<number[]> {
  const rows = await sql<{
    Version: number;
  }>`SELECT "Version" FROM ${sql.table(migrationTable)} ORDER BY "Version"`.execute(store.db);
  return rows.rows.map((r) => Number(r.Version));
}

/** Brings the database to the newest schema; returns the versions it applied. */
export async function migrate(store: Store, upTo = Number.POSITIVE_INFINITY): Promise<number[]> {
  await sql
    .raw(
      `CREATE TABLE IF NOT EXISTS "${migrationTable}" ("Version" integer PRIMARY KEY, "Name" text NOT NULL, "AppliedAt" text NOT NULL)`,
    )
    .execute(store.db);
  const applied: number[] = [];
  await store.transaction(async (tx) => {
    if (tx.dialect.name === 'postgres')
      await sql`SELECT pg_advisory_xact_lock(${migrationLockKey})`.execute(tx.db);
    const done = new Set(await appliedVersions(tx));
    for (const migration of migrations) {
      if (done.has(migration.version) || migration.version > upTo) continue;
      await migration.up(tx);
      await sql`INSERT INTO ${sql.table(migrationTable)} ("Version", "Name", "AppliedAt") VALUES (${migration.version}, ${migration.name}, ${new Date().toISOString()})`.execute(
        tx.db,
      );
      applied.push(migration.version);
    }
    if (upTo === Number.POSITIVE_INFINITY) await addMissingColumns(tx);
  });
  return applied;
}

/**
 * Fields added to the model after a table was made get their column here, empty on existing
 * rows; a change that needs more (a default, a data conversion) gets a migration of its own.
 */
async function addMissingColumns(store: Store) {
  for (const root of tables) {
    const existing = new Set(await columnsOf(store, root.table));
    const { properties, references } = tableColumns(root);
    const wanted = [
      ...properties.map((p) => ({ name: p.column, type: store.dialect.columnType(p.type) })),
      ...references.map((r) => ({ name: r.column, type: 'text' })),
    ];
    for (const column of wanted) {
      if (!existing.has(column.name)) {
        await sql
          .raw(`ALTER TABLE "${root.table}" ADD COLUMN "${column.name}" ${column.type}`)
          .execute(store.db);
      }
    }
  }
}

async function columnsOf(store: Store, table: string): Promise<string[]> {
  if (store.dialect.name === 'sqlite') {
    const rows = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(store.db);
    return rows.rows.map((r) => r.name);
  }
  const rows = await sql<{
    column_name: string;
  }>`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table}`.execute(
    store.db,
  );
  return rows.rows.map((r) => r.column_name);
}
