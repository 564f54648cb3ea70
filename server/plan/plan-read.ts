// Plans a read: which rows (set, filter, order, page), which properties, which related records.
import {
  type Collection,
  type EntityType,
  model,
  type Property,
  type Reference,
  rootOf,
} from '../model/model.ts';
import type { ExpandItem, ExpandOptions, OrderByItem, SelectItem } from '../query/ast.ts';
import { badRequest, NotImplementedError, ODataError } from '../query/errors.ts';
import { type BoundExpr, bindExpression, rootScope, type Scope } from './bind-expression.ts';

export interface OrderPlan {
  expr: BoundExpr;
  direction: 'asc' | 'desc';
}

export interface ExpandPlan {
  navigation: Reference | Collection;
  /** `$expand=Nav/$ref`: links only */
  ref: boolean;
  read: ReadPlan;
}

export interface ReadPlan {
  /** the type of the entity set (or navigation target) */
  type: EntityType;
  scope: Scope;
  /** `_Type IN (...)` when the set holds only some of its table's rows */
  typeNames?: string[];
  filter?: BoundExpr;
  orderby: OrderPlan[];
  /** properties to return, ID always among them */
  select: Property[];
  /** every property of the row's own type is returned (no $select): derived types show theirs */
  allProperties: boolean;
  expand: ExpandPlan[];
  top?: number;
  skip: number;
  count: boolean;
}

export const maxExpandDepth = 5;

/** The `_Type` condition a set needs: none when the set holds every row of its table. */
export function typeCondition(type: EntityType): string[] | undefined {
  const concrete = (t: EntityType) => t.typeNames.filter((name) => !model.get(name)!.abstract);
  const inSet = concrete(type);
  return inSet.length === concrete(rootOf(type)).length ? undefined : inSet;
}

export function planRead(type: EntityType, options: ExpandOptions, depth = 0, alias = 't0'): ReadPlan {
  if (depth > maxExpandDepth)
    throw badRequest(`$expand is nested more than ${maxExpandDepth} levels deep`, '$expand');
  if (options.levels !== undefined) throw new NotImplementedError('$levels is not supported', '$expand');
  if (options.search !== undefined)
    throw new NotImplementedError('$search is not supported; use $filter with contains()', '$search');
  const scope = rootScope(type, alias);
  const filter = options.filter ? bindExpression(options.filter, scope, '$filter') : undefined;
  if (filter && filter.type !== 'boolean' && filter.type !== 'null') {
    throw badRequest('$filter must be a condition (true or false), not a value', '$filter');
  }
  const { select, allProperties } = planSelect(type, options.select);
  return {
    type,
    scope,
    typeNames: typeCondition(type),
    filter,
    orderby: planOrderBy(options.orderby ?? [], scope),
    select,
    allProperties,
    expand: planExpand(type, options.expand ?? [], depth, alias),
    top: options.top,
    skip: options.skip ?? 0,
    count: options.count ?? false,
  };
}

function planOrderBy(items: OrderByItem[], scope: Scope): OrderPlan[] {
  return items.map((item) => {
    const expr = bindExpression(item.expr, scope, '$orderby');
    return { expr, direction: item.direction };
  });
}

function planSelect(type: EntityType, items: SelectItem[] | undefined) {
  const all = [...type.properties.values()];
  if (!items || items.some((item) => item.kind === 'star')) return { select: all, allProperties: true };
  const chosen = new Set<Property>([type.properties.get('ID')!]);
  for (const item of items) {
    if (item.kind !== 'path') continue;
    const [name, ...rest] = item.segments;
    const property = type.properties.get(name);
    if (property && rest.length === 0) {
      chosen.add(property);
      continue;
    }
    // selecting a navigation property is allowed and changes nothing: $expand brings its records
    if ((type.references.has(name) || type.collections.has(name)) && rest.length === 0) continue;
    if (name.includes('.'))
      throw new NotImplementedError(`Type-cast segments such as '${name}' are not supported`, '$select');
    if (property || type.references.has(name)) {
      throw badRequest(
        `'${item.segments.join('/')}': select the property itself; use $expand for related records`,
        '$select',
      );
    }
    throw new ODataError(
      400,
      'UnknownProperty',
      `Unknown property '${name}' on ${type.name} in $select`,
      '$select',
    );
  }
  return { select: all.filter((p) => chosen.has(p)), allProperties: false };
}

function planExpand(type: EntityType, items: ExpandItem[], depth: number, alias: string): ExpandPlan[] {
  const plans = new Map<string, ExpandPlan>();
  for (const item of items) {
    if (item.path.length === 1 && item.path[0] === '*') {
      for (const navigation of [...type.references.values(), ...type.collections.values()]) {
        if (!plans.has(navigation.name))
          plans.set(navigation.name, expandOne(navigation, item, depth, alias));
      }
      continue;
    }
    if (item.path.length > 1) {
      throw new NotImplementedError(
        `Expanding through a path ('${item.path.join('/')}') is not supported; nest it: ${item.path[0]}($expand=${item.path.slice(1).join('/')})`,
        '$expand',
      );
    }
    const name = item.path[0];
    const navigation = type.references.get(name) ?? type.collections.get(name);
    if (!navigation) {
      if (type.properties.has(name))
        throw badRequest(`'${name}' is a property, not a navigation: $select it`, '$expand');
      if (name.includes('.'))
        throw new NotImplementedError(`Type-cast segments such as '${name}' are not supported`, '$expand');
      throw new ODataError(
        400,
        'UnknownProperty',
        `Unknown navigation property '${name}' on ${type.name} in $expand`,
        '$expand',
      );
    }
    if (plans.has(name)) throw badRequest(`'${name}' is expanded twice`, '$expand');
    plans.set(name, expandOne(navigation, item, depth, alias));
  }
  return [...plans.values()];
}

function expandOne(
  navigation: Reference | Collection,
  item: ExpandItem,
  depth: number,
  alias: string,
): ExpandPlan {
  const target = model.get(navigation.target)!;
  const options = item.options;
  if (navigation.kind === 'reference') {
    for (const option of ['filter', 'orderby', 'top', 'skip', 'count'] as const) {
      if (options[option] !== undefined) {
        throw badRequest(
          `$${option} applies to collections; ${navigation.name} is a single record`,
          '$expand',
        );
      }
    }
  }
  return {
    navigation,
    ref: item.ref,
    read: planRead(target, options, depth + 1, `${alias}x${depth + 1}`),
  };
}
