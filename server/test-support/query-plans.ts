// What the database makes of a statement the service ran, for the tests that keep plans bounded
// on skewed data (server/http/*-plans.test.ts): SQLite's query plan, the rows PostgreSQL read and
// sorted, and the states of the planner's statistics a plan must hold up under.
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Store } from '../db/database.ts';
import { testingPostgres } from './test-database.ts';

export interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

/** The page's own statement among those a request ran (not the counts that chose its index). */
export function pageStatementOf(statements: Statement[], what: string): Statement {
  const page = statements.find((s) => /ORDER BY/.test(s.sql) && /LIMIT/.test(s.sql) && !/probe/.test(s.sql));
  expect(page, `no page statement for ${what}`).toBeDefined();
  return page!;
}

export async function sqlitePlan(store: Store, statement: Statement) {
  const explained = sql.raw(`EXPLAIN QUERY PLAN ${statement.sql}`).compile(store.db);
  const { rows } = await store.db.executeQuery({ ...explained, parameters: statement.parameters });
  return (rows as { detail: string }[]).map((r) => r.detail).join(' | ');
}

interface PgNode {
  'Node Type': string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PgNode[];
}

/** What PostgreSQL did: rows every scan read (output and filtered out), and rows fed to sorts. */
export async function postgresWork(store: Store, statement: Statement) {
  const explained = sql.raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`).compile(store.db);
  const { rows } = await store.db.executeQuery({ ...explained, parameters: statement.parameters });
  const plan = (rows[0] as { 'QUERY PLAN': [{ Plan: PgNode }] })['QUERY PLAN'][0].Plan;
  let read = 0;
  let sorted = 0;
  const visit = (node: PgNode) => {
    if (/Scan/.test(node['Node Type'])) {
      const removed = (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0);
      read += (node['Actual Rows'] + removed) * node['Actual Loops'];
    }
    if (/Sort/.test(node['Node Type'])) {
      for (const child of node.Plans ?? []) sorted += child['Actual Rows'] * child['Actual Loops'];
    }
    for (const child of node.Plans ?? []) visit(child);
  };
  visit(plan);
  return { read, sorted };
}

/**
 * The states of the statistics a plan must hold up under: on PostgreSQL as after an import; on
 * SQLite none at all, exact, and sampled.
 */
export const statisticsRegimes = (store: () => Store) =>
  testingPostgres()
    ? [{ name: 'statistics as after an import', prepare: () => store().refreshStatistics() }]
    : [
        {
          name: 'no statistics',
          prepare: async () => {
            await sql`ANALYZE`.execute(store().db);
            await sql`DELETE FROM sqlite_stat1`.execute(store().db);
            await sql`DELETE FROM sqlite_stat4`.execute(store().db);
            await sql`ANALYZE sqlite_schema`.execute(store().db);
          },
        },
        { name: 'exact statistics', prepare: () => store().refreshStatistics() },
        {
          name: 'sampled statistics (analysis_limit = 100)',
          prepare: async () => {
            await sql`PRAGMA analysis_limit = 100`.execute(store().db);
            await sql`ANALYZE`.execute(store().db);
            await sql`PRAGMA analysis_limit = 1000`.execute(store().db);
          },
        },
      ];
