// Chooses how SQLite reaches the rows of a page, by asking the data rather than the statistics.
//
// A page is "the first N rows in some order that pass a filter". There are two ways to it: walk
// the index of the order and test each row (cheap when many rows pass: about N / selectivity
// rows read), or search the index of a condition and sort every match (cheap when few pass).
// SQLite's planner weighs them with its statistics and without regard to the LIMIT, so a
// sampled statistic, or a value far more common than the average, makes it sort 75,000 open
// deals to show 50. PostgreSQL's planner costs the LIMIT and keeps its statistics itself
// (autovacuum), so it is left alone.
//
// Here each indexable condition of the filter is counted up to `enough` matches, from its own
// index: a bounded probe (at most `enough` index entries), remembered for a while. A condition
// with fewer matches is searched; one with more is kept out of the plan (SQLite's unary `+`, or
// no substring index), so that the order's index is walked. Either way a page reads at most
// about max(enough, page size × rows / enough) rows, whatever the shape of the data.
import { type RawBuilder, sql } from 'kysely';
import type { ScopeForm } from '../access/policy.ts';
import type { Store } from '../db/database.ts';
import { substringIndexes } from '../db/dialect.ts';
import { queryIndexes } from '../db/schema.ts';
import { type ExpressionContext, expressionSql } from '../sql/expression-sql.ts';
import type { BoundExpr } from './bind-expression.ts';
import type { ReadPlan } from './plan-read.ts';

/**
 * Matches above which a condition counts as common. √(page × rows) balances the two costs;
 * 2,000 is that for pages of 50 on 100,000 rows, and keeps either cost near a millisecond.
 */
export const enough = 2000;
/** how long a count is trusted: selectivity drifts slowly, and a stale choice costs only speed */
const probeLifetimeMs = 30_000;
const probeCacheSize = 1000;

const probeCache = new WeakMap<Store['db'], Map<string, { matches: number; at: number }>>();

/** The top-level conditions of a filter: a row must pass all of them. */
export function conjuncts(filter: BoundExpr): BoundExpr[] {
  return filter.kind === 'logical' && filter.op === 'and'
    ? [...conjuncts(filter.left), ...conjuncts(filter.right)]
    : [filter];
}

/** Columns of the plan's table that lead an index, by which a condition can be searched. */
const leadingColumns = (table: string) =>
  new Set([
    'ID',
    ...queryIndexes()
      .filter((i) => i.table === table)
      .map((i) => i.columns[0]),
  ]);

/** The column of the plan's own table that an expression reads: `Phase/ID` is PhaseID. */
function ownColumn(e: BoundExpr): string | undefined {
  if (e.kind !== 'column') return undefined;
  if (e.path.length === 0) return e.column;
  return e.path.length === 1 && e.column === 'ID' ? e.path[0].column : undefined;
}

/** The column an index searches for a condition on the expression (see linkedMatch in expression-sql.ts). */
function searchedColumn(e: BoundExpr): string | undefined {
  if (e.kind !== 'column') return undefined;
  return e.path.length > 0 && e.column !== 'ID' ? e.path[0].column : ownColumn(e);
}
const isValue = (e: BoundExpr) => e.kind === 'literal' && e.value !== null;

/** A condition that an index of the table (or its substring index) could search. */
export function isSearchable(term: BoundExpr, table: string): boolean {
  if (term.kind === 'compare' && term.op !== 'ne') {
    const [column, other] = term.left.kind === 'column' ? [term.left, term.right] : [term.right, term.left];
    const searched = searchedColumn(column);
    return !!searched && isValue(other) && leadingColumns(table).has(searched);
  }
  if (term.kind === 'in') {
    const column = ownColumn(term.left);
    return !!column && term.list.every(isValue) && leadingColumns(table).has(column);
  }
  if (term.kind === 'call' && ['contains', 'startswith', 'endswith'].includes(term.name)) {
    const [column, text] = term.args;
    const own = column.kind === 'column' && column.path.length === 0 ? column.column : undefined;
    return (
      substringIndexes.some((i) => i.table === table && i.column === own) &&
      text.kind === 'literal' &&
      typeof text.value === 'string'
    );
  }
  return false;
}

/**
 * The rows a condition's index finds. For a substring, the candidates of the substring index
 * alone: reading the rows to test them would cost what the probe is meant to spare.
 */
function matchingRows(plan: ReadPlan, term: BoundExpr, ctx: ExpressionContext) {
  const [column, text] = term.kind === 'call' ? term.args : [];
  if (column?.kind === 'column' && text?.kind === 'literal' && typeof text.value === 'string') {
    const matches = ctx.dialect.substringMatches(plan.type.table, column.column, text.value);
    if (matches) return matches;
  }
  return sql`SELECT 1 FROM ${sql.table(plan.type.table)} AS ${sql.id(plan.scope.alias)} WHERE ${expressionSql(term, ctx)}`;
}

/** How many rows pass a condition, counted up to `enough`. */
function matchesUpTo(store: Store, plan: ReadPlan, term: BoundExpr, ctx: ExpressionContext) {
  return rowsUpTo(store, matchingRows(plan, term, ctx));
}

/** How many rows a query finds, counted up to `enough` (and remembered for a while). */
async function rowsUpTo(store: Store, rows: RawBuilder<unknown>) {
  const query = sql`SELECT COUNT(*) FROM (${rows} LIMIT ${enough}) AS ${sql.id('probe')}`.compile(store.db);
  const key = `${query.sql}\u0000${JSON.stringify(query.parameters)}`;
  const cache = probeCache.get(store.db) ?? new Map();
  probeCache.set(store.db, cache);
  const known = cache.get(key);
  const now = Date.now();
  if (known && now - known.at < probeLifetimeMs) return known.matches;
  const { rows: counted } = await store.selectArrays(query);
  const matches = Number(counted[0][0]);
  if (cache.size >= probeCacheSize) cache.delete(cache.keys().next().value!);
  cache.set(key, { matches, at: now });
  return matches;
}

/** The column an equality with a single value searches, e.g. IsClosed in `IsClosed eq false`. */
function equalityColumn(term: BoundExpr): string | undefined {
  if (term.kind !== 'compare' || term.op !== 'eq') return undefined;
  return ownColumn(term.left) ?? ownColumn(term.right);
}

/** The name standing for the table's primary key among index names (see primaryKeyIndex). */
const primaryKey = 'ID';

/**
 * The equality conditions that lead an index ending in the page's order, e.g. (IsClosed, ID)
 * for `IsClosed eq false` in key order, or the board's (PipelineID, PhaseID, SortIndex, ID):
 * the page is then the first rows of one index range. Undefined when no index ends in the order.
 */
export function orderedRange(
  plan: ReadPlan,
  searchable: BoundExpr[],
): { terms: BoundExpr[]; index: string } | undefined {
  // the key ends every ORDER BY (select-rows.ts); nothing after it changes the order
  const order: string[] = [];
  for (const item of plan.orderby) {
    const column = ownColumn(item.expr);
    if (!column) return undefined;
    order.push(column);
    if (column === 'ID') break;
  }
  if (order.at(-1) !== 'ID') order.push('ID');
  const equalities = new Map(searchable.map((term) => [equalityColumn(term), term]));
  const indexes = [
    { name: primaryKey, columns: ['ID'] },
    ...queryIndexes().filter((i) => i.table === plan.type.table),
  ];
  let best: { terms: BoundExpr[]; index: string } | undefined;
  for (const { name, columns } of indexes) {
    const prefix = columns.slice(0, columns.length - order.length);
    const suffix = columns.slice(prefix.length);
    if (suffix.join() !== order.join() || !prefix.every((c) => equalities.has(c))) continue;
    if (!best || prefix.length > best.terms.length) {
      best = { terms: prefix.map((c) => equalities.get(c)!), index: name };
    }
  }
  return best;
}

/** The index that searches a condition: (column, ID) for its column, or the primary key. */
function searchingIndex(term: BoundExpr, table: string): string | undefined {
  const column =
    term.kind === 'compare'
      ? searchedColumn(term.left.kind === 'column' ? term.left : term.right)
      : term.kind === 'in'
        ? ownColumn(term.left)
        : undefined;
  if (column === 'ID') return primaryKey;
  return queryIndexes().find((i) => i.table === table && i.columns[0] === column)?.name;
}

const primaryKeyIndexes = new WeakMap<Store['db'], Map<string, string>>();

/** SQLite names the index of a text primary key itself (sqlite_autoindex_<table>_1). */
async function primaryKeyIndex(store: Store, table: string) {
  const known = primaryKeyIndexes.get(store.db) ?? new Map<string, string>();
  primaryKeyIndexes.set(store.db, known);
  if (!known.has(table)) {
    const { rows } = await store.selectArrays(
      sql`SELECT name FROM pragma_index_list(${table}) WHERE origin = 'pk'`.compile(store.db),
    );
    known.set(table, String(rows[0]?.[0] ?? ''));
  }
  return known.get(table) || undefined;
}

/** How a page reaches its rows, as hints to the SQL (expression-sql.ts, select-rows.ts). */
export interface AccessHints {
  /** conditions whose index must not be searched */
  keepOutOfIndex: ReadonlySet<BoundExpr>;
  /** sort the rows found instead of walking an index in the page's order (a rare condition is searched) */
  sortFound: boolean;
  /**
   * The index to use (SQLite's INDEXED BY). SQLite's planner does not cost the LIMIT: with 99%
   * of deals open it reads all of them in table order and sorts them rather than walk 50
   * entries of (IsClosed, ID), and it scans for a link found in 0.5% of the rows. Named, the
   * index is used whatever the statistics say.
   */
  index?: string;
  /**
   * How the reader's access condition is written (access/policy.ts): searched through its own
   * index when the visible rows are few, tested on each row when they are many.
   */
  scope?: ScopeForm;
}

const noHints: AccessHints = { keepOutOfIndex: new Set(), sortFound: false };

/**
 * The rows the reader may see, as a condition an index can search: the visible rows are then a
 * condition like any other of the filter, counted and searched when rare, tested on the rows of
 * the order's index when common (a rep's own deals are 1% of the table or 75% of it).
 */
function searchableScope(plan: ReadPlan, ctx: ExpressionContext) {
  const table = plan.type.table;
  const column = ctx.access?.searchColumn(table);
  const condition = ctx.access?.rows(table, plan.scope.alias, 'search');
  const index = queryIndexes().find((i) => i.table === table && i.columns[0] === column)?.name;
  if (!condition || !index) return undefined;
  const rows = sql`SELECT 1 FROM ${sql.table(table)} AS ${sql.id(plan.scope.alias)} WHERE ${condition}`;
  return { rows, index };
}

/**
 * How a page reaches its rows. Conditions that lead an index in the page's order are walked in
 * it; of the others, the rarest is searched when it is rare, and all are kept out when none is
 * and the order's index can be walked instead.
 */
export async function accessHints(
  store: Store,
  plan: ReadPlan,
  ctx: ExpressionContext,
  /**
   * scoped: the reader's access condition applies to the rows; pinned: other conditions (a
   * parent link) already narrow them, and the access condition is tested on each
   */
  rows: { scoped: boolean; pinned: boolean } = { scoped: true, pinned: false },
): Promise<AccessHints> {
  if (store.dialect.name !== 'sqlite') return noHints;
  const scope = rows.scoped && !rows.pinned ? searchableScope(plan, ctx) : undefined;
  if (!plan.filter && !scope) return noHints;
  const table = plan.type.table;
  const named = async (index: string | undefined) =>
    index === primaryKey ? await primaryKeyIndex(store, table) : index;
  const searchable = plan.filter ? conjuncts(plan.filter).filter((term) => isSearchable(term, table)) : [];
  const range = orderedRange(plan, searchable);
  const rest = searchable.filter((term) => !range?.terms.includes(term));
  const tested = scope ? { scope: 'test' as const } : {};
  const walk = async (): Promise<AccessHints> =>
    range
      ? { keepOutOfIndex: new Set(rest), sortFound: false, index: await named(range.index), ...tested }
      : noHints;
  if (rest.length === 0 && !scope) return walk();
  const counted: { term?: BoundExpr; matches: number }[] = [];
  for (const term of rest) counted.push({ term, matches: await matchesUpTo(store, plan, term, ctx) });
  if (scope) counted.push({ matches: await rowsUpTo(store, scope.rows) });
  const rarest = counted.reduce((a, b) => (b.matches < a.matches ? b : a));
  if (rarest.matches >= enough) return walk();
  if (!rarest.term) {
    // few visible rows: found through the access condition's index, sorted
    return { keepOutOfIndex: new Set(searchable), sortFound: true, index: scope!.index, scope: 'search' };
  }
  return {
    keepOutOfIndex: new Set(searchable.filter((term) => term !== rarest.term)),
    sortFound: true,
    index: await named(searchingIndex(rarest.term, table)),
    ...tested,
  };
}

/**
 * A count reads every match whatever the plan, and an index of the condition reads fewer rows
 * than the table, except the substring index: for a common word, testing each row is cheaper
 * than fetching thousands of candidates by rowid to test them anyway.
 */
export async function countHints(store: Store, plan: ReadPlan, ctx: ExpressionContext): Promise<AccessHints> {
  if (store.dialect.name !== 'sqlite' || !plan.filter) return noHints;
  const substrings = conjuncts(plan.filter).filter(
    (term) => term.kind === 'call' && isSearchable(term, plan.type.table),
  );
  const common = [];
  for (const term of substrings) if ((await matchesUpTo(store, plan, term, ctx)) >= enough) common.push(term);
  return common.length ? { keepOutOfIndex: new Set(common), sortFound: false } : noHints;
}
