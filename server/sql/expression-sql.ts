// Turns a checked expression into SQL. Every value from the URL becomes a bound parameter.
import { type RawBuilder, sql } from 'kysely';
import type { ReadScope } from '../access/policy.ts';
import { escapeLike, type SqlDialect } from '../db/dialect.ts';
import type { EdmType } from '../model/define.ts';
import { type Collection, model, type Reference } from '../model/model.ts';
import type { BoundExpr, Scope } from '../plan/bind-expression.ts';

type Sql = RawBuilder<unknown>;

const comparisonSql = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;
const arithmeticSql = { add: '+', sub: '-', mul: '*', div: '/', divby: '/', mod: 'mod' } as const;

const edmOfLiteral: Partial<Record<BoundExpr['type'], EdmType>> = {
  boolean: 'Edm.Boolean',
  number: 'Edm.Double',
};

/**
 * A column reached from a scope's row through to-one navigations, as nested key lookups. Where
 * the reader may not see every row of a table on the way (access/policy.ts), the lookup finds
 * only visible rows: a hidden record reads as a missing link (null), its key included.
 */
export function columnSql(
  scopeAlias: string,
  path: Reference[],
  column: string,
  access?: ReadScope,
  depth = path.length,
): Sql {
  if (depth === 0) return sql.ref(`${scopeAlias}.${column}`);
  const reference = path[depth - 1];
  const target = model.get(reference.target)!;
  const alias = `${scopeAlias}_n${depth}`;
  const key = columnSql(scopeAlias, path, reference.column, access, depth - 1);
  const visible = scopeOf(access, reference, target.table, alias);
  if (column === 'ID' && !visible) return key;
  const where = sql`${sql.ref(`${alias}.ID`)} = ${key}`;
  return sql`(SELECT ${sql.ref(`${alias}.${column}`)} FROM ${sql.table(target.table)} AS ${sql.id(alias)} WHERE ${visible ? sql`${where} AND ${visible}` : where})`;
}

/**
 * The access condition on rows reached through a navigation, checked one by one ('test': they
 * are found by key); none where the navigation cannot lead from a visible row to a hidden one.
 */
function scopeOf(
  access: ReadScope | undefined,
  navigation: Reference | Collection,
  table: string,
  alias: string,
) {
  if (!access || access.follows(navigation)) return undefined;
  return access.rows(table, alias, 'test');
}

/** The rows of a collection navigation that belong to the entity a path leads to (and that the reader may see). */
function collectionRows(
  scope: Scope,
  path: Reference[],
  collection: Collection,
  alias: string,
  access: ReadScope | undefined,
) {
  const target = model.get(collection.target)!;
  const inverseColumn = target.references.get(collection.inverse)!.column;
  const owner = columnSql(scope.alias, path, 'ID', access);
  const where = sql`${sql.ref(`${alias}.${inverseColumn}`)} = ${owner}`;
  const visible = scopeOf(access, collection, target.table, alias);
  return {
    from: sql`${sql.table(target.table)} AS ${sql.id(alias)}`,
    where: visible ? sql`${where} AND ${visible}` : where,
  };
}

/**
 * A link compared as a value (`Activity eq null`, `Activity/ID eq ...` reaches the same column)
 * is read as the key of the linked record when the reader may see it, so that a link to a hidden
 * record reads as no link: the path goes on through the link to its target's ID.
 */
function linkAsPath(
  e: Extract<BoundExpr, { kind: 'column' }>,
  access: ReadScope | undefined,
): [Reference[], string, ReadScope | undefined] {
  if (access && e.edmType === 'Edm.Guid' && e.column !== 'ID') {
    const type = e.path.length ? model.get(e.path.at(-1)!.target)! : e.scope.type;
    const link = [...type.references.values()].find((r) => r.column === e.column);
    if (link && scopeOf(access, link, model.get(link.target)!.table, 'x')) {
      return [[...e.path, link], 'ID', access];
    }
  }
  return [e.path, e.column, access];
}

export interface ExpressionContext {
  dialect: SqlDialect;
  /** the time `now()` means, fixed per request */
  now: string;
  /**
   * Conditions whose index the plan must not search (plan-access.ts): SQLite's unary `+` on
   * the column, or no substring index; the test itself stays the same.
   */
  keepOutOfIndex?: ReadonlySet<BoundExpr>;
  /** the ORDER BY must not walk an index (SQLite's unary `+` on each key) */
  sortFound?: boolean;
  /** the rows the reader may see (access/policy.ts); absent: every row */
  access?: ReadScope;
}

export function expressionSql(bound: BoundExpr, ctx: ExpressionContext): Sql {
  const { dialect } = ctx;

  // OData comparisons with null are false, while SQL's are unknown; the difference shows only
  // under not(), so only there are leaves wrapped (elsewhere the plain form keeps indexes usable).
  const predicate = (e: BoundExpr, negated: boolean): Sql => {
    switch (e.kind) {
      case 'logical':
        return sql`(${predicate(e.left, negated)} ${sql.raw(e.op === 'and' ? 'AND' : 'OR')} ${predicate(e.right, negated)})`;
      case 'not':
        return sql`(NOT ${predicate(e.operand, !negated)})`;
      default: {
        const leaf =
          e.kind === 'column' || e.kind === 'literal' ? sql`(${value(e)} = ${truth(true)})` : value(e);
        return negated ? sql`COALESCE(${leaf}, ${truth(false)})` : leaf;
      }
    }
  };

  // A truth value as a literal, not a parameter: to PostgreSQL a lone parameter has no type where
  // nothing around it gives one (`not (null eq null)` as NOT COALESCE($1, $2) failed to run), and
  // one written twice (a $apply group key in SELECT and GROUP BY) would be two parameters that
  // PostgreSQL cannot tell are the same expression.
  const truth = (b: boolean) => sql.lit(dialect.toDatabase('Edm.Boolean', b));
  /** A date-time fixed by the request, typed as the date-time columns are (it may stand alone). */
  const instant = (iso: string) => sql`CAST(${iso} AS ${sql.raw(dialect.columnType('Edm.DateTimeOffset'))})`;

  const literal = (e: Extract<BoundExpr, { kind: 'literal' }>, like?: BoundExpr): Sql => {
    if (e.value === null) return sql`NULL`;
    if (typeof e.value === 'number') return dialect.numberValue(e.value);
    const edm = like?.kind === 'column' ? like.edmType : edmOfLiteral[e.type];
    return sql.val(edm ? dialect.toDatabase(edm, e.value) : e.value);
  };

  const value = (e: BoundExpr, like?: BoundExpr): Sql => {
    switch (e.kind) {
      case 'literal':
        return literal(e, like);
      case 'column':
        return columnSql(e.scope.alias, ...linkAsPath(e, ctx.access));
      case 'count': {
        const alias = `${e.scope.alias}_c`;
        const rows = collectionRows(e.scope, e.path, e.collection, alias, ctx.access);
        return sql`(SELECT COUNT(*) FROM ${rows.from} WHERE ${rows.where})`;
      }
      case 'compare':
        return comparison(e);
      case 'logical':
      case 'not':
        return predicate(e, false);
      case 'arith': {
        const left = value(e.left);
        const right = value(e.right);
        if (e.op === 'divby' || e.op === 'div') return sql`(${dialect.toDouble(left)} / ${right})`;
        if (e.op === 'mod') return dialect.mod(left, right);
        return sql`(${left} ${sql.raw(arithmeticSql[e.op])} ${right})`;
      }
      case 'negate':
        return sql`(- ${value(e.operand)})`;
      case 'in':
        return inList(e);
      case 'call':
        return call(e);
      case 'lambda': {
        const rows = collectionRows(e.scope, e.path, e.collection, e.inner.alias, ctx.access);
        if (e.op === 'any') {
          const condition = e.predicate ? sql` AND ${predicate(e.predicate, false)}` : sql``;
          return sql`EXISTS (SELECT 1 FROM ${rows.from} WHERE ${rows.where}${condition})`;
        }
        const condition = e.predicate ? predicate(e.predicate, true) : truth(true);
        return sql`NOT EXISTS (SELECT 1 FROM ${rows.from} WHERE ${rows.where} AND NOT ${condition})`;
      }
    }
  };

  /** a side of a condition as written, or with `+` when its index is to stay out of the plan */
  const side = (condition: BoundExpr, e: BoundExpr, like?: BoundExpr): Sql =>
    ctx.keepOutOfIndex?.has(condition) && e.kind === 'column' ? sql`(+${value(e, like)})` : value(e, like);

  const comparison = (e: Extract<BoundExpr, { kind: 'compare' }>): Sql => {
    const { op, left, right } = e;
    const leftNull = left.kind === 'literal' && left.value === null;
    const rightNull = right.kind === 'literal' && right.value === null;
    if (op === 'eq' || op === 'ne') {
      if (leftNull && rightNull) return truth(op === 'eq');
      if (rightNull || leftNull) {
        const operand = rightNull ? left : right;
        if (operand.kind === 'literal') return truth(op === 'ne'); // a value is never null
        const other = value(operand);
        return op === 'eq' ? sql`(${other} IS NULL)` : sql`(${other} IS NOT NULL)`;
      }
      const bothValues = left.kind !== 'literal' && right.kind !== 'literal';
      if (op === 'ne') return dialect.isDistinct(value(left, right), value(right, left));
      if (bothValues) return dialect.isNotDistinct(value(left), value(right));
    } else if (leftNull || rightNull) {
      return truth(false);
    }
    const through = left.kind === 'column' && left.path.length > 0 ? left : right;
    if (through.kind === 'column' && through.path.length > 0 && through.column !== 'ID') {
      const compare = (ref: Sql) =>
        through === left
          ? sql`(${ref} ${sql.raw(comparisonSql[op])} ${value(right, left)})`
          : sql`(${value(left, right)} ${sql.raw(comparisonSql[op])} ${ref})`;
      return linkedMatch(e, through.scope.alias, through.path, through.column, compare);
    }
    return sql`(${side(e, left, right)} ${sql.raw(comparisonSql[op])} ${side(e, right, left)})`;
  };

  /**
   * A condition on a linked record's column, e.g. `Phase/Code eq 'Won'`, as the keys of the
   * records that pass it: `PhaseID IN (SELECT ID FROM datastore WHERE Code = 'Won')`. The same
   * rows as comparing each row's looked-up value (a row without the link passes neither), but
   * the link's index can find them instead of a lookup per row.
   */
  const linkedMatch = (
    condition: BoundExpr,
    alias: string,
    path: Reference[],
    column: string,
    compare: (ref: Sql) => Sql,
    depth = 1,
  ): Sql => {
    const [link, ...rest] = path;
    const linked = `${alias.replace(/_k\d+$/, '')}_k${depth}`;
    const inner = rest.length
      ? linkedMatch(condition, linked, rest, column, compare, depth + 1)
      : compare(sql.ref(`${linked}.${column}`));
    const key = sql.ref(`${alias}.${link.column}`);
    const keySql = depth === 1 && ctx.keepOutOfIndex?.has(condition) ? sql`(+${key})` : key;
    const table = model.get(link.target)!.table;
    const visible = scopeOf(ctx.access, link, table, linked);
    return sql`(${keySql} IN (SELECT ${sql.ref(`${linked}.ID`)} FROM ${sql.table(table)} AS ${sql.id(linked)} WHERE ${visible ? sql`${inner} AND ${visible}` : inner}))`;
  };

  // `x in (a, null)` means `x eq a or x eq null`, and SQL's IN never matches a NULL; an empty
  // list (which OData's grammar allows) matches nothing, and PostgreSQL has no `IN ()`
  const inList = (e: Extract<BoundExpr, { kind: 'in' }>): Sql => {
    const values = e.list.filter((item) => !(item.kind === 'literal' && item.value === null));
    const tests: Sql[] = [];
    if (values.length > 0) {
      tests.push(sql`(${side(e, e.left)} IN (${sql.join(values.map((item) => value(item, e.left)))}))`);
    }
    if (values.length < e.list.length) tests.push(sql`(${value(e.left)} IS NULL)`);
    if (tests.length === 0) return truth(false);
    return tests.length === 1 ? tests[0] : sql`(${sql.join(tests, sql` OR `)})`;
  };

  const call = (e: Extract<BoundExpr, { kind: 'call' }>): Sql => {
    const [a, b, c] = e.args;
    switch (e.name) {
      case 'contains':
      case 'startswith':
      case 'endswith': {
        if (b.kind !== 'literal' || typeof b.value !== 'string') {
          // a pattern from another column cannot be escaped as a literal; compare case-folded
          const haystack = sql`lower(${value(a)})`;
          const needle = sql`lower(${value(b)})`;
          if (e.name === 'contains') return sql`(${dialect.position(haystack, needle)} > 0)`;
          if (e.name === 'startswith') return sql`(substr(${haystack}, 1, length(${needle})) = ${needle})`;
          return sql`(substr(${haystack}, length(${haystack}) - length(${needle}) + 1) = ${needle})`;
        }
        const escaped = escapeLike(b.value);
        const pattern =
          e.name === 'contains' ? `%${escaped}%` : e.name === 'startswith' ? `${escaped}%` : `%${escaped}`;
        const match = dialect.ilike(value(a), pattern);
        // a substring index narrows the candidates; the LIKE above stays the exact test
        const candidates =
          a.kind === 'column' && a.path.length === 0 && !ctx.keepOutOfIndex?.has(e)
            ? dialect.substringCandidates(a.scope.type.table, a.column, a.scope.alias, b.value)
            : undefined;
        return candidates ? sql`(${candidates} AND ${match})` : match;
      }
      case 'length':
        return sql`length(${value(a)})`;
      case 'indexof':
        return sql`(${dialect.position(value(a), value(b))} - 1)`;
      case 'substring': {
        // PostgreSQL's substr() takes integers, and numbers are doubles there (those from the
        // URL too); floor() first, so that both databases cut 1.5 the same way
        const integer = (n: BoundExpr) => sql`CAST(floor(${value(n)}) AS INTEGER)`;
        return c
          ? sql`substr(${value(a)}, ${integer(b)} + 1, ${integer(c)})`
          : sql`substr(${value(a)}, ${integer(b)} + 1)`;
      }
      case 'tolower':
        return sql`lower(${value(a)})`;
      case 'toupper':
        return sql`upper(${value(a)})`;
      case 'trim':
        return sql`trim(${value(a)})`;
      case 'concat':
        return sql`(${value(a)} || ${value(b)})`;
      case 'year':
      case 'month':
      case 'day':
      case 'hour':
      case 'minute':
      case 'second':
        return dialect.datePart(e.name, value(a));
      case 'date':
        return dialect.dateOf(value(a));
      case 'totaloffsetminutes':
        // date-times are stored in UTC
        return sql`(CASE WHEN ${value(a)} IS NULL THEN NULL ELSE 0 END)`;
      case 'now':
        return instant(ctx.now);
      case 'maxdatetime':
        return instant('9999-12-31T23:59:59.999Z');
      case 'mindatetime':
        return instant('0001-01-01T00:00:00.000Z');
      case 'round':
        return sql`round(${value(a)})`;
      case 'floor':
        return sql`floor(${value(a)})`;
      case 'ceiling':
        return sql`ceil(${value(a)})`;
      default:
        throw new Error(`No SQL for function ${e.name}`);
    }
  };

  return bound.type === 'boolean' ? predicate(bound, false) : value(bound);
}
