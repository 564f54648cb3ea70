// Runs a planned read as SQL: the rows of a set, then each expanded navigation in one query
// for all rows at once (never one query per row).
import { type RawBuilder, sql } from 'kysely';
import type { Store } from '../db/database.ts';
import { versionColumn } from '../db/schema.ts';
import { type EntityType, model } from '../model/model.ts';
import type { ExpandPlan, ReadPlan } from '../plan/plan-read.ts';
import { type ExpressionContext, expressionSql } from './expression-sql.ts';

export type Row = Record<string, unknown> & { ID: string; _Type: string; _Version: number };

/** Expanded records hang off a row under this key, by navigation name. */
export const expandedKey = Symbol('expanded');
export type ExpandedRow = Row & {
  [expandedKey]?: Record<string, ExpandedRow | ExpandedRow[] | null>;
  [countKey]?: Record<string, number>;
};
export const countKey = Symbol('count');

type Sql = RawBuilder<unknown>;

export interface RowQuery {
  plan: ReadPlan;
  /** extra conditions, e.g. the key or the parent link of a navigation */
  where?: Sql[];
  /** with offset, give a limit too (SQLite has no OFFSET without LIMIT) */
  limit?: number;
  offset?: number;
}

/** Columns a plan reads: what it returns, what its expansions need, and the row's type and version. */
export function columnsOf(plan: ReadPlan): string[] {
  const columns = new Set<string>(['ID', '_Type', versionColumn]);
  const types = plan.allProperties ? plan.type.typeNames.map((name) => model.get(name)!) : [plan.type];
  for (const type of types) {
    for (const property of plan.allProperties ? type.properties.values() : plan.select)
      columns.add(property.column);
  }
  for (const expand of plan.expand) {
    if (expand.navigation.kind === 'reference') columns.add(expand.navigation.column);
  }
  return [...columns];
}

export function conditionsOf(plan: ReadPlan, ctx: ExpressionContext, where: Sql[] = []): Sql[] {
  const alias = plan.scope.alias;
  const conditions = [...where];
  if (plan.typeNames) {
    conditions.push(sql`${sql.ref(`${alias}._Type`)} IN (${sql.join(plan.typeNames)})`);
  }
  if (plan.filter) conditions.push(expressionSql(plan.filter, ctx));
  return conditions;
}

const and = (conditions: Sql[]) => (conditions.length ? sql.join(conditions, sql` AND `) : sql`1 = 1`);

export function orderSql(plan: ReadPlan, ctx: ExpressionContext): Sql {
  const alias = plan.scope.alias;
  const items = plan.orderby.map(
    (o) => sql`${expressionSql(o.expr, ctx)} ${sql.raw(o.direction === 'desc' ? 'DESC' : 'ASC')}`,
  );
  // the key last, so that pages never overlap or skip rows
  items.push(sql`${sql.ref(`${alias}.ID`)} ASC`);
  return sql.join(items);
}

const fromSql = (plan: ReadPlan) => sql`${sql.table(plan.type.table)} AS ${sql.id(plan.scope.alias)}`;

const selectList = (plan: ReadPlan) =>
  sql.join(columnsOf(plan).map((c) => sql`${sql.ref(`${plan.scope.alias}.${c}`)}`));

export async function selectRows(
  store: Store,
  query: RowQuery,
  ctx: ExpressionContext,
): Promise<ExpandedRow[]> {
  const { plan } = query;
  const limit = query.limit !== undefined ? sql` LIMIT ${query.limit}` : sql``;
  const offset = query.offset ? sql` OFFSET ${query.offset}` : sql``;
  const statement = sql<Row>`SELECT ${selectList(plan)} FROM ${fromSql(plan)} WHERE ${and(conditionsOf(plan, ctx, query.where))} ORDER BY ${orderSql(plan, ctx)}${limit}${offset}`;
  const { rows } = await statement.execute(store.db);
  await loadExpansions(store, plan, rows, ctx);
  return rows;
}

export async function countRows(store: Store, plan: ReadPlan, ctx: ExpressionContext, where: Sql[] = []) {
  const statement = sql<{
    n: number | string;
  }>`SELECT COUNT(*) AS ${sql.id('n')} FROM ${fromSql(plan)} WHERE ${and(conditionsOf(plan, ctx, where))}`;
  const { rows } = await statement.execute(store.db);
  return Number(rows[0].n);
}

const chunkSize = 500;
const chunks = <T>(items: T[]) => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += chunkSize) out.push(items.slice(i, i + chunkSize));
  return out;
};

async function loadExpansions(store: Store, plan: ReadPlan, rows: ExpandedRow[], ctx: ExpressionContext) {
  if (rows.length === 0) return;
  for (const expand of plan.expand) {
    if (expand.navigation.kind === 'reference') await expandReference(store, expand, rows, ctx);
    else await expandCollection(store, expand, rows, ctx);
  }
}

const attach = (row: ExpandedRow, name: string, value: ExpandedRow | ExpandedRow[] | null) => {
  row[expandedKey] ??= {};
  row[expandedKey][name] = value;
};

async function expandReference(
  store: Store,
  expand: ExpandPlan,
  rows: ExpandedRow[],
  ctx: ExpressionContext,
) {
  if (expand.navigation.kind !== 'reference') return;
  const column = expand.navigation.column;
  const keys = [...new Set(rows.map((r) => r[column]).filter((k): k is string => typeof k === 'string'))];
  const found = new Map<string, ExpandedRow>();
  const alias = expand.read.scope.alias;
  for (const chunk of chunks(keys)) {
    const related = await selectRows(
      store,
      {
        plan: { ...expand.read, typeNames: undefined },
        where: [sql`${sql.ref(`${alias}.ID`)} IN (${sql.join(chunk)})`],
      },
      ctx,
    );
    for (const r of related) found.set(r.ID, r);
  }
  for (const row of rows) {
    const key = row[column];
    attach(row, expand.navigation.name, typeof key === 'string' ? (found.get(key) ?? null) : null);
  }
}

async function expandCollection(
  store: Store,
  expand: ExpandPlan,
  rows: ExpandedRow[],
  ctx: ExpressionContext,
) {
  if (expand.navigation.kind !== 'collection') return;
  const plan = expand.read;
  const target: EntityType = plan.type;
  const parentColumn = target.references.get(expand.navigation.inverse)!.column;
  const alias = plan.scope.alias;
  const parentRef = sql.ref(`${alias}.${parentColumn}`);
  const byParent = new Map<string, ExpandedRow[]>();
  const counts = new Map<string, number>();
  const windowed = plan.top !== undefined || plan.skip > 0 || plan.count;
  for (const chunk of chunks(rows.map((r) => r.ID))) {
    const conditions = and(conditionsOf(plan, ctx, [sql`${parentRef} IN (${sql.join(chunk)})`]));
    let related: (ExpandedRow & { _rn?: number; _count?: number })[];
    if (windowed) {
      // a page per parent: number each parent's rows in order, keep the wanted window
      const upper = plan.top !== undefined ? sql` AND ${sql.id('_rn')} <= ${plan.skip + plan.top}` : sql``;
      const statement = sql<
        ExpandedRow & { _rn: number; _count: number }
      >`SELECT * FROM (SELECT ${selectList(plan)}, ${parentRef} AS ${sql.id('_parent')}, ROW_NUMBER() OVER (PARTITION BY ${parentRef} ORDER BY ${orderSql(plan, ctx)}) AS ${sql.id('_rn')}, COUNT(*) OVER (PARTITION BY ${parentRef}) AS ${sql.id('_count')} FROM ${fromSql(plan)} WHERE ${conditions}) AS ${sql.id('w')} WHERE ${sql.id('_rn')} > ${plan.skip}${upper} ORDER BY ${sql.id('_parent')}, ${sql.id('_rn')}`;
      related = (await statement.execute(store.db)).rows;
      await loadExpansions(store, plan, related, ctx);
    } else {
      const statement = sql<ExpandedRow>`SELECT ${selectList(plan)}, ${parentRef} AS ${sql.id('_parent')} FROM ${fromSql(plan)} WHERE ${conditions} ORDER BY ${orderSql(plan, ctx)}`;
      related = (await statement.execute(store.db)).rows;
      await loadExpansions(store, plan, related, ctx);
    }
    for (const r of related) {
      const parent = r._parent as string;
      if (!byParent.has(parent)) byParent.set(parent, []);
      byParent.get(parent)!.push(r);
      if (r._count !== undefined) counts.set(parent, Number(r._count));
    }
  }
  if (plan.count && plan.skip > 0) {
    // with $skip, a parent's rows may all fall before the window: count them apart.
    // (Without $skip, a parent with no row in the window has none at all.)
    for (const chunk of chunks(rows.map((r) => r.ID))) {
      const statement = sql<{
        p: string;
        n: number;
      }>`SELECT ${parentRef} AS ${sql.id('p')}, COUNT(*) AS ${sql.id('n')} FROM ${fromSql(plan)} WHERE ${and(conditionsOf(plan, ctx, [sql`${parentRef} IN (${sql.join(chunk)})`]))} GROUP BY ${parentRef}`;
      for (const r of (await statement.execute(store.db)).rows) counts.set(r.p, Number(r.n));
    }
  }
  for (const row of rows) {
    attach(row, expand.navigation.name, byParent.get(row.ID) ?? []);
    if (plan.count) {
      row[countKey] ??= {};
      row[countKey][expand.navigation.name] = counts.get(row.ID) ?? 0;
    }
  }
}
