// Runs a planned `$apply` as one SQL GROUP BY query.
import { type RawBuilder, sql } from 'kysely';
import type { Store } from '../db/database.ts';
import type { Aggregation, ApplyPlan } from '../plan/plan-apply.ts';
import { type ExpressionContext, expressionSql } from './expression-sql.ts';

type Sql = RawBuilder<unknown>;

function aggregateSql(aggregate: Aggregation, ctx: ExpressionContext): Sql {
  if (aggregate.method === 'count') return sql`COUNT(*)`;
  const value = expressionSql(aggregate.expr!, ctx);
  switch (aggregate.method) {
    case 'sum':
      return sql`SUM(${value})`;
    case 'average':
      return sql`AVG(${value})`;
    case 'min':
      return sql`MIN(${value})`;
    case 'max':
      return sql`MAX(${value})`;
    case 'countdistinct':
      return sql`COUNT(DISTINCT ${value})`;
  }
}

export async function aggregateRows(
  store: Store,
  plan: ApplyPlan,
  ctx: ExpressionContext,
  where: Sql[] = [],
) {
  const alias = plan.scope.alias;
  const conditions = [...where, ...plan.filters.map((f) => expressionSql(f, ctx))];
  if (plan.typeNames) conditions.push(sql`${sql.ref(`${alias}._Type`)} IN (${sql.join(plan.typeNames)})`);
  // only the rows the reader may see are summed (access/policy.ts): searched through the
  // owner's index unless a parent link already pins them down
  const visible = ctx.access?.rows(plan.type.table, alias, where.length ? 'test' : 'search');
  if (visible) conditions.push(visible);
  const keys = plan.groupBy.map((k) => ({ alias: k.alias, value: expressionSql(k.expr, ctx) }));
  const columns = [
    ...keys.map((k) => sql`${k.value} AS ${sql.id(k.alias)}`),
    ...plan.aggregates.map((a) => sql`${aggregateSql(a, ctx)} AS ${sql.id(a.alias)}`),
  ];
  const whereSql = conditions.length ? sql` WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
  const groupSql = keys.length ? sql` GROUP BY ${sql.join(keys.map((k) => k.value))}` : sql``;
  const order = [
    ...plan.orderby.map((o) => sql`${sql.id(o.alias)} ${sql.raw(o.direction === 'desc' ? 'DESC' : 'ASC')}`),
    ...keys.map((k) => sql`${sql.id(k.alias)} ASC`),
  ];
  const orderSql = order.length ? sql` ORDER BY ${sql.join(order)}` : sql``;
  const limit =
    plan.top !== undefined ? sql` LIMIT ${plan.top}` : plan.skip ? sql` LIMIT ${2 ** 31 - 1}` : sql``;
  const offset = plan.skip ? sql` OFFSET ${plan.skip}` : sql``;
  const statement = sql<
    Record<string, unknown>
  >`SELECT ${sql.join(columns)} FROM ${sql.table(plan.type.table)} AS ${sql.id(alias)}${whereSql}${groupSql}${orderSql}${limit}${offset}`;
  return (await statement.execute(store.db)).rows;
}

/** A result row as OData shapes it: grouping paths nest (`{"Pipeline": {"ID": ...}}`), aggregates by alias. */
export function shapeAggregateRow(
  plan: ApplyPlan,
  row: Record<string, unknown>,
  fromDatabase: (edm: string, v: unknown) => unknown,
) {
  const out: Record<string, unknown> = { '@odata.id': null };
  for (const key of plan.groupBy) {
    let target = out;
    key.path.slice(0, -1).forEach((segment) => {
      target[segment] ??= {};
      target = target[segment] as Record<string, unknown>;
    });
    const edm = key.expr.kind === 'column' ? key.expr.edmType : 'Edm.String';
    target[key.path.at(-1)!] = fromDatabase(edm, row[key.alias]);
  }
  for (const aggregate of plan.aggregates) {
    const value = row[aggregate.alias];
    const numeric =
      aggregate.method === 'count' ||
      aggregate.method === 'countdistinct' ||
      aggregate.expr?.type === 'number';
    out[aggregate.alias] = value === null || value === undefined ? null : numeric ? Number(value) : value;
  }
  return out;
}
