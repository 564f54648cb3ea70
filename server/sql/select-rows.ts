// Runs a planned read as SQL: the rows of a set, then each expanded navigation in one query
// for all rows at once (never one query per row).
import { type RawBuilder, sql } from 'kysely';
import type { ScopeForm } from '../access/policy.ts';
import type { Store } from '../db/database.ts';
import { versionColumn } from '../db/schema.ts';
import { type EntityType, model } from '../model/model.ts';
import { type AccessHints, accessHints, countHints } from '../plan/plan-access.ts';
import type { ExpandPlan, ReadPlan } from '../plan/plan-read.ts';
import { type ExpressionContext, expressionSql } from './expression-sql.ts';

/** A record read for a response: its column values in query order, and what hangs off it. */
export interface ResultRow {
  values: unknown[];
  /** column name → position in values; shared by the rows of one query */
  index: Map<string, number>;
  /** expanded records by navigation name */
  expanded?: Record<string, ResultRow | ResultRow[] | null>;
  /** `Nav@odata.count` of expanded collections */
  counts?: Record<string, number>;
}

export const field = (row: ResultRow, column: string) => row.values[row.index.get(column)!];
export const idOf = (row: ResultRow) => field(row, 'ID') as string;
export const typeOf = (row: ResultRow) => field(row, '_Type') as string;

type Sql = RawBuilder<unknown>;

export interface RowQuery {
  plan: ReadPlan;
  /** extra conditions, e.g. the key or the parent link of a navigation */
  where?: Sql[];
  /** with offset, give a limit too (SQLite has no OFFSET without LIMIT) */
  limit?: number;
  offset?: number;
  /**
   * false when the rows cannot be hidden from the reader where the others are visible: the
   * parts of visible deals, a visible part's deal (ReadScope.follows)
   */
  scoped?: boolean;
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

/**
 * The conditions of a plan's rows: the caller's (key, parent), the set's types, the filter, and
 * what the reader may see (access/policy.ts). The access condition is written to be tested row
 * by row where the caller's conditions pin the rows down (a key, a parent), and to be searched
 * where nothing else narrows them (a count, a page without hints); `form` overrides, false
 * leaves it out.
 */
export function conditionsOf(
  plan: ReadPlan,
  ctx: ExpressionContext,
  where: Sql[] = [],
  form: ScopeForm | false = where.length ? 'test' : 'search',
): Sql[] {
  const alias = plan.scope.alias;
  const conditions = [...where];
  if (plan.typeNames) {
    conditions.push(sql`${sql.ref(`${alias}._Type`)} IN (${sql.join(plan.typeNames)})`);
  }
  if (plan.filter) conditions.push(expressionSql(plan.filter, ctx));
  const visible = form && ctx.access?.rows(plan.type.table, alias, form);
  if (visible) conditions.push(visible);
  return conditions;
}

const and = (conditions: Sql[]) => (conditions.length ? sql.join(conditions, sql` AND `) : sql`1 = 1`);

export function orderSql(plan: ReadPlan, ctx: ExpressionContext): Sql {
  const alias = plan.scope.alias;
  const key = (e: Sql) => (ctx.sortFound ? sql`+${e}` : e);
  const items = plan.orderby.map(
    (o) => sql`${key(expressionSql(o.expr, ctx))} ${sql.raw(o.direction === 'desc' ? 'DESC' : 'ASC')}`,
  );
  // the key last, so that pages never overlap or skip rows
  items.push(sql`${key(sql.ref(`${alias}.ID`))} ASC`);
  return sql.join(items);
}

const fromSql = (plan: ReadPlan, index?: string) =>
  index
    ? sql`${sql.table(plan.type.table)} AS ${sql.id(plan.scope.alias)} INDEXED BY ${sql.id(index)}`
    : sql`${sql.table(plan.type.table)} AS ${sql.id(plan.scope.alias)}`;

/**
 * The select list, compiled once per alias and plan shape and reused as text: built and compiled
 * through kysely per request, its 40-odd column references cost about a tenth of a page of 50.
 */
const selectLists = new Map<string, Sql>();

function selectList(store: Store, plan: ReadPlan): Sql {
  // what columnsOf reads, named without working the columns out
  const selected = plan.allProperties ? '*' : plan.select.map((p) => p.column).join('\u0000');
  const references = plan.expand.map((e) => (e.navigation.kind === 'reference' ? e.navigation.column : ''));
  const key = `${store.dialect.name}\u0000${plan.scope.alias}\u0000${plan.type.name}\u0000${selected}\u0000${references.join('\u0000')}`;
  let list = selectLists.get(key);
  if (!list) {
    const columns = columnsOf(plan);
    const refs = sql.join(columns.map((c) => sql`${sql.ref(`${plan.scope.alias}.${c}`)}`));
    list = sql.raw(refs.compile(store.db).sql);
    // bounded: the shapes are few (sets × $select × expansion depth), not one per request
    if (selectLists.size >= 500) selectLists.delete(selectLists.keys().next().value!);
    selectLists.set(key, list);
  }
  return list;
}

/** Runs a statement through the store's array lane. */
async function run(store: Store, statement: RawBuilder<unknown>): Promise<ResultRow[]> {
  const { columns, rows } = await store.selectArrays(statement.compile(store.db));
  const index = new Map(columns.map((c, i) => [c, i]));
  return rows.map((values) => ({ values, index }));
}

export async function selectRows(
  store: Store,
  query: RowQuery,
  ctx: ExpressionContext,
): Promise<ResultRow[]> {
  const { plan } = query;
  const limit = query.limit !== undefined ? sql` LIMIT ${query.limit}` : sql``;
  const offset = query.offset ? sql` OFFSET ${query.offset}` : sql``;
  const statement = (hints?: AccessHints) => {
    const pageCtx = { ...ctx, ...hints };
    const form = query.scoped === false ? false : hints?.scope;
    return sql`SELECT ${selectList(store, plan)} FROM ${fromSql(plan, hints?.index)} WHERE ${and(conditionsOf(plan, pageCtx, query.where, form))} ORDER BY ${orderSql(plan, pageCtx)}${limit}${offset}`;
  };
  // a page: which index leads to it is chosen from the data (plan-access.ts)
  const hints =
    query.limit !== undefined
      ? await accessHints(store, plan, ctx, { scoped: query.scoped !== false, pinned: !!query.where?.length })
      : undefined;
  const rows = await run(store, statement(hints)).catch((error: Error) => {
    // an index the planner cannot use for this query after all: its own plan, then
    if (hints?.index && /no query solution/.test(error.message)) return run(store, statement());
    throw error;
  });
  await loadExpansions(store, plan, rows, ctx);
  return rows;
}

export async function countRows(store: Store, plan: ReadPlan, ctx: ExpressionContext, where: Sql[] = []) {
  const countCtx = { ...ctx, ...(await countHints(store, plan, ctx)) };
  const statement = sql<{
    n: number | string;
  }>`SELECT COUNT(*) AS ${sql.id('n')} FROM ${fromSql(plan)} WHERE ${and(conditionsOf(plan, countCtx, where))}`;
  const { rows } = await statement.execute(store.db);
  return Number(rows[0].n);
}

const chunkSize = 500;
const chunks = <T>(items: T[]) => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += chunkSize) out.push(items.slice(i, i + chunkSize));
  return out;
};

async function loadExpansions(store: Store, plan: ReadPlan, rows: ResultRow[], ctx: ExpressionContext) {
  if (rows.length === 0) return;
  for (const expand of plan.expand) {
    if (expand.navigation.kind === 'reference') await expandReference(store, expand, rows, ctx);
    else await expandCollection(store, expand, rows, ctx);
  }
}

const attach = (row: ResultRow, name: string, value: ResultRow | ResultRow[] | null) => {
  row.expanded ??= {};
  row.expanded[name] = value;
};

async function expandReference(store: Store, expand: ExpandPlan, rows: ResultRow[], ctx: ExpressionContext) {
  if (expand.navigation.kind !== 'reference') return;
  const column = expand.navigation.column;
  const keys = [
    ...new Set(rows.map((r) => field(r, column)).filter((k): k is string => typeof k === 'string')),
  ];
  const found = new Map<string, ResultRow>();
  const alias = expand.read.scope.alias;
  for (const chunk of chunks(keys)) {
    const related = await selectRows(
      store,
      {
        plan: { ...expand.read, typeNames: undefined },
        where: [sql`${sql.ref(`${alias}.ID`)} IN (${sql.join(chunk)})`],
        scoped: !ctx.access?.follows(expand.navigation),
      },
      ctx,
    );
    for (const r of related) found.set(idOf(r), r);
  }
  for (const row of rows) {
    const key = field(row, column);
    attach(row, expand.navigation.name, typeof key === 'string' ? (found.get(key) ?? null) : null);
  }
}

async function expandCollection(store: Store, expand: ExpandPlan, rows: ResultRow[], ctx: ExpressionContext) {
  if (expand.navigation.kind !== 'collection') return;
  const plan = expand.read;
  const target: EntityType = plan.type;
  const parentColumn = target.references.get(expand.navigation.inverse)!.column;
  const alias = plan.scope.alias;
  const parentRef = sql.ref(`${alias}.${parentColumn}`);
  const byParent = new Map<string, ResultRow[]>();
  const counts = new Map<string, number>();
  const windowed = plan.top !== undefined || plan.skip > 0 || plan.count;
  // the parts of a visible deal are visible: no access condition on them
  const form = ctx.access?.follows(expand.navigation) ? false : 'test';
  for (const chunk of chunks(rows.map(idOf))) {
    const conditions = and(conditionsOf(plan, ctx, [sql`${parentRef} IN (${sql.join(chunk)})`], form));
    let related: ResultRow[];
    if (windowed) {
      // a page per parent: number each parent's rows in order, keep the wanted window
      const upper = plan.top !== undefined ? sql` AND ${sql.id('_rn')} <= ${plan.skip + plan.top}` : sql``;
      related = await run(
        store,
        sql`SELECT * FROM (SELECT ${selectList(store, plan)}, ${parentRef} AS ${sql.id('_parent')}, ROW_NUMBER() OVER (PARTITION BY ${parentRef} ORDER BY ${orderSql(plan, ctx)}) AS ${sql.id('_rn')}, COUNT(*) OVER (PARTITION BY ${parentRef}) AS ${sql.id('_count')} FROM ${fromSql(plan)} WHERE ${conditions}) AS ${sql.id('w')} WHERE ${sql.id('_rn')} > ${plan.skip}${upper} ORDER BY ${sql.id('_parent')}, ${sql.id('_rn')}`,
      );
      await loadExpansions(store, plan, related, ctx);
    } else {
      related = await run(
        store,
        sql`SELECT ${selectList(store, plan)}, ${parentRef} AS ${sql.id('_parent')} FROM ${fromSql(plan)} WHERE ${conditions} ORDER BY ${orderSql(plan, ctx)}`,
      );
      await loadExpansions(store, plan, related, ctx);
    }
    for (const r of related) {
      const parent = field(r, '_parent') as string;
      if (!byParent.has(parent)) byParent.set(parent, []);
      byParent.get(parent)!.push(r);
      if (windowed) counts.set(parent, Number(field(r, '_count')));
    }
  }
  if (plan.count && plan.skip > 0) {
    // with $skip, a parent's rows may all fall before the window: count them apart.
    // (Without $skip, a parent with no row in the window has none at all.)
    for (const chunk of chunks(rows.map(idOf))) {
      const statement = sql<{
        p: string;
        n: number;
      }>`SELECT ${parentRef} AS ${sql.id('p')}, COUNT(*) AS ${sql.id('n')} FROM ${fromSql(plan)} WHERE ${and(conditionsOf(plan, ctx, [sql`${parentRef} IN (${sql.join(chunk)})`], form))} GROUP BY ${parentRef}`;
      for (const r of (await statement.execute(store.db)).rows) counts.set(r.p, Number(r.n));
    }
  }
  for (const row of rows) {
    attach(row, expand.navigation.name, byParent.get(idOf(row)) ?? []);
    if (plan.count) {
      row.counts ??= {};
      row.counts[expand.navigation.name] = counts.get(idOf(row)) ?? 0;
    }
  }
}
