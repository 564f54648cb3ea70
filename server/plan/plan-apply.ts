// Plans `$apply` (OData Data Aggregation): filter() steps, then one groupby() or aggregate().
import type { EntityType } from '../model/model.ts';
import type { AggregateItem, ApplyStep, OrderByItem, PathExpr } from '../query/ast.ts';
import { badRequest, NotImplementedError } from '../query/errors.ts';
import { type BoundExpr, bindExpression, rootScope, type Scope } from './bind-expression.ts';
import { typeCondition } from './plan-read.ts';

export interface GroupKey {
  /** the path as written, e.g. ['Pipeline', 'ID']: the result nests it as {"Pipeline": {"ID": ...}} */
  path: string[];
  expr: BoundExpr;
  /** SQL alias of the key's column in the result */
  alias: string;
}

export interface Aggregation {
  alias: string;
  method: 'sum' | 'min' | 'max' | 'average' | 'countdistinct' | 'count';
  /** absent for `$count` */
  expr?: BoundExpr;
}

export interface ApplyPlan {
  type: EntityType;
  scope: Scope;
  typeNames?: string[];
  filters: BoundExpr[];
  groupBy: GroupKey[];
  aggregates: Aggregation[];
  orderby: { alias: string; direction: 'asc' | 'desc' }[];
  top?: number;
  skip: number;
}

const aliasPattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function planApply(
  type: EntityType,
  steps: ApplyStep[],
  options: { orderby?: OrderByItem[]; top?: number; skip?: number } = {},
): ApplyPlan {
  const scope = rootScope(type);
  const plan: ApplyPlan = {
    type,
    scope,
    typeNames: typeCondition(type),
    filters: [],
    groupBy: [],
    aggregates: [],
    orderby: [],
    top: options.top,
    skip: options.skip ?? 0,
  };
  let shaped = false;
  for (const step of steps) {
    if (shaped) {
      throw new NotImplementedError(
        'Only filter() steps may come before the groupby() or aggregate() of $apply; nothing after it',
        '$apply',
      );
    }
    if (step.kind === 'filter') {
      const bound = bindExpression(step.expr, scope, '$apply');
      if (bound.type !== 'boolean' && bound.type !== 'null') {
        throw badRequest('filter() in $apply needs a condition (true or false)', '$apply');
      }
      plan.filters.push(bound);
    } else if (step.kind === 'groupby') {
      plan.groupBy = step.paths.map((path, i) => groupKey(path, scope, i));
      const then = step.then ?? [];
      if (then.length > 1 || (then[0] && then[0].kind !== 'aggregate')) {
        throw new NotImplementedError(
          'groupby() takes only aggregate() as its second argument here',
          '$apply',
        );
      }
      if (then[0]?.kind === 'aggregate') plan.aggregates = aggregations(then[0].items, scope);
      shaped = true;
    } else {
      plan.aggregates = aggregations(step.items, scope);
      shaped = true;
    }
  }
  if (!shaped)
    throw new NotImplementedError('$apply with filter() alone: add groupby() or aggregate()', '$apply');
  checkDistinctAliases(plan);
  plan.orderby = (options.orderby ?? []).map((item) => {
    const name = item.expr.kind === 'path' ? item.expr.segments.join('/') : undefined;
    const key = plan.groupBy.find((k) => k.path.join('/') === name);
    const aggregate = plan.aggregates.find((a) => a.alias === name);
    if (!key && !aggregate) {
      throw badRequest(
        `With $apply, $orderby names a grouping property or an aggregate alias, not '${name ?? '…'}'`,
        '$orderby',
      );
    }
    return { alias: key ? key.alias : aggregate!.alias, direction: item.direction };
  });
  return plan;
}

function groupKey(path: PathExpr, scope: Scope, index: number): GroupKey {
  const expr = bindExpression(path, scope, '$apply');
  if (expr.kind !== 'column') {
    throw badRequest(
      `groupby() takes properties or single-valued navigation paths, not '${path.segments.join('/')}'`,
      '$apply',
    );
  }
  return { path: path.segments, expr, alias: `_g${index}` };
}

function aggregations(items: AggregateItem[], scope: Scope): Aggregation[] {
  return items.map((item) => {
    if (!aliasPattern.test(item.alias)) throw badRequest(`'${item.alias}' is not a valid alias`, '$apply');
    if (item.kind === 'count') return { alias: item.alias, method: 'count' };
    const expr = bindExpression(item.expr, scope, '$apply');
    if (
      item.method !== 'countdistinct' &&
      item.method !== 'min' &&
      item.method !== 'max' &&
      expr.type !== 'number'
    ) {
      throw badRequest(`${item.method} needs a number; '${item.alias}' aggregates ${expr.type}`, '$apply');
    }
    // OData defines min and max on ordered types; a truth value has no order (PostgreSQL: no max(boolean))
    if ((item.method === 'min' || item.method === 'max') && expr.type === 'boolean') {
      throw badRequest(
        `${item.method} needs a value with an order; '${item.alias}' aggregates true/false`,
        '$apply',
      );
    }
    return { alias: item.alias, method: item.method, expr };
  });
}

/** Aliases become names in the result: no two may clash, nor with a grouping property. */
function checkDistinctAliases(plan: ApplyPlan) {
  const taken = new Set(plan.groupBy.map((k) => k.path[0]));
  for (const aggregate of plan.aggregates) {
    if (taken.has(aggregate.alias))
      throw badRequest(`The name '${aggregate.alias}' is used twice in $apply`, '$apply');
    taken.add(aggregate.alias);
  }
}
