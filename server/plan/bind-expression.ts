// Checks a parsed expression against the entity model: resolves every member path to a
// property or navigation, infers and checks types, and says clearly what does not fit.
import type { EdmType } from '../model/define.ts';
import type { Collection, EntityType, Property, Reference } from '../model/model.ts';
import { model } from '../model/model.ts';
import type { ArithmeticOp, ComparisonOp, Expr, LiteralExpr, PathExpr } from '../query/ast.ts';
import { badRequest, NotImplementedError, ODataError } from '../query/errors.ts';

export type ValueType =
  | 'string'
  | 'number'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'guid'
  | 'timeofday'
  | 'duration'
  | 'null';

/** Where a path starts: the entity of the request (`$it`) or a lambda variable. */
export interface Scope {
  type: EntityType;
  /** SQL alias of the scope's row */
  alias: string;
  variable?: string;
  parent?: Scope;
}

export type BoundExpr =
  | { kind: 'literal'; type: ValueType; value: string | number | boolean | null }
  | { kind: 'column'; type: ValueType; scope: Scope; path: Reference[]; column: string; edmType: EdmType }
  | { kind: 'count'; type: 'number'; scope: Scope; path: Reference[]; collection: Collection }
  | { kind: 'compare'; type: 'boolean'; op: ComparisonOp; left: BoundExpr; right: BoundExpr }
  | { kind: 'logical'; type: 'boolean'; op: 'and' | 'or'; left: BoundExpr; right: BoundExpr }
  | { kind: 'not'; type: 'boolean'; operand: BoundExpr }
  | { kind: 'arith'; type: 'number'; op: ArithmeticOp; left: BoundExpr; right: BoundExpr }
  | { kind: 'negate'; type: 'number'; operand: BoundExpr }
  | { kind: 'in'; type: 'boolean'; left: BoundExpr; list: BoundExpr[] }
  | { kind: 'call'; type: ValueType; name: string; args: BoundExpr[] }
  | {
      kind: 'lambda';
      type: 'boolean';
      op: 'any' | 'all';
      scope: Scope;
      path: Reference[];
      collection: Collection;
      inner: Scope;
      predicate?: BoundExpr;
    };

export const valueTypeOf = (edm: EdmType): ValueType =>
  (
    ({
      'Edm.Guid': 'guid',
      'Edm.String': 'string',
      'Edm.Double': 'number',
      'Edm.Int32': 'number',
      'Edm.Boolean': 'boolean',
      'Edm.Date': 'date',
      'Edm.DateTimeOffset': 'datetime',
    }) as const
  )[edm];

const edmName: Record<ValueType, string> = {
  string: 'Edm.String',
  number: 'a number',
  boolean: 'Edm.Boolean',
  date: 'Edm.Date',
  datetime: 'Edm.DateTimeOffset',
  guid: 'Edm.Guid',
  timeofday: 'Edm.TimeOfDay',
  duration: 'Edm.Duration',
  null: 'null',
};

interface FunctionSignature {
  args: ValueType[][];
  optional?: number;
  returns: ValueType;
}

const text: ValueType[] = ['string'];
const temporal: ValueType[] = ['date', 'datetime'];
const functions: Record<string, FunctionSignature> = {
  contains: { args: [text, text], returns: 'boolean' },
  startswith: { args: [text, text], returns: 'boolean' },
  endswith: { args: [text, text], returns: 'boolean' },
  length: { args: [text], returns: 'number' },
  indexof: { args: [text, text], returns: 'number' },
  substring: { args: [text, ['number'], ['number']], optional: 1, returns: 'string' },
  tolower: { args: [text], returns: 'string' },
  toupper: { args: [text], returns: 'string' },
  trim: { args: [text], returns: 'string' },
  concat: { args: [text, text], returns: 'string' },
  year: { args: [temporal], returns: 'number' },
  month: { args: [temporal], returns: 'number' },
  day: { args: [temporal], returns: 'number' },
  hour: { args: [['datetime']], returns: 'number' },
  minute: { args: [['datetime']], returns: 'number' },
  second: { args: [['datetime']], returns: 'number' },
  date: { args: [['datetime']], returns: 'date' },
  totaloffsetminutes: { args: [['datetime']], returns: 'number' },
  now: { args: [], returns: 'datetime' },
  maxdatetime: { args: [], returns: 'datetime' },
  mindatetime: { args: [], returns: 'datetime' },
  round: { args: [['number']], returns: 'number' },
  floor: { args: [['number']], returns: 'number' },
  ceiling: { args: [['number']], returns: 'number' },
};

/** Functions of OData the service knows but does not evaluate: 501, not 400. */
const unsupportedFunctions = new Set([
  'time',
  'fractionalseconds',
  'totalseconds',
  'matchespattern',
  'cast',
  'isof',
  'hassubset',
  'hassubsequence',
  'case',
]);

export const rootScope = (type: EntityType, alias = 't0'): Scope => ({ type, alias });

/**
 * How deeply operators, calls and lambdas may lie inside each other. The parser caps nesting
 * by parentheses, but a chain such as `1 add 1 add ...` or `a or b or ...` is one level deeper
 * per operator, and SQLite refuses SQL expressions deeper than 1,000 (PostgreSQL runs out of
 * stack later). 200 leaves room for what the SQL adds around a condition, and a chain of 174
 * `ID eq <guid> or` (all a $filter of 8,000 characters holds) still passes.
 */
export const MAX_EXPRESSION_DEPTH = 200;

export function bindExpression(expr: Expr, scope: Scope, option = '$filter'): BoundExpr {
  const fail = (message: string) => badRequest(message, option);
  let lambdaCounter = 0;
  let depth = 0;

  const bind = (e: Expr, sc: Scope): BoundExpr => {
    if (++depth > MAX_EXPRESSION_DEPTH) {
      throw fail(
        `The expression nests operators and calls more than ${MAX_EXPRESSION_DEPTH} levels deep (at position ${e.pos}); the limit is ${MAX_EXPRESSION_DEPTH}. A list of values is shorter with in (...)`,
      );
    }
    try {
      return bindNode(e, sc);
    } finally {
      depth--;
    }
  };

  const bindNode = (e: Expr, sc: Scope): BoundExpr => {
    switch (e.kind) {
      case 'literal':
        return bindLiteral(e);
      case 'path':
        return bindPath(e, sc);
      case 'binary': {
        if (e.op === 'has')
          throw fail('The has operator applies to enumeration values; this service has no enumerations');
        const left = bind(e.left, sc);
        const right = bind(e.right, sc);
        if (e.op === 'and' || e.op === 'or') {
          expectType(left, ['boolean'], `the left side of ${e.op}`);
          expectType(right, ['boolean'], `the right side of ${e.op}`);
          return { kind: 'logical', type: 'boolean', op: e.op, left, right };
        }
        if (
          e.op === 'eq' ||
          e.op === 'ne' ||
          e.op === 'gt' ||
          e.op === 'ge' ||
          e.op === 'lt' ||
          e.op === 'le'
        ) {
          return bindComparison(e.op, left, right, e.pos);
        }
        expectType(left, ['number'], `the left side of ${e.op}`);
        expectType(right, ['number'], `the right side of ${e.op}`);
        return { kind: 'arith', type: 'number', op: e.op, left, right };
      }
      case 'in': {
        // `x in (a, b)` means `x eq a or x eq b`: each item gets eq's promotions and type checks
        const left = bind(e.left, sc);
        const pairs = e.list.map((item) => {
          const bound = bind(item, sc);
          if (bound.kind !== 'literal') throw fail('The list of the in operator takes literal values only');
          return comparable(left, bound, `the item at position ${item.pos} of in`);
        });
        if (left.kind === 'literal') {
          // nothing to look up: known here, and exact where items promote the left side differently
          const value = pairs.some(
            ({ left: l, right: r }) => l.kind === 'literal' && r.kind === 'literal' && l.value === r.value,
          );
          return { kind: 'literal', type: 'boolean', value };
        }
        // the left side is no literal, so no item changed it
        return { kind: 'in', type: 'boolean', left, list: pairs.map((pair) => pair.right) };
      }
      case 'not': {
        const operand = bind(e.operand, sc);
        expectType(operand, ['boolean'], 'the operand of not');
        return { kind: 'not', type: 'boolean', operand };
      }
      case 'negate': {
        const operand = bind(e.operand, sc);
        if (operand.kind === 'literal' && typeof operand.value === 'number') {
          return { ...operand, value: -operand.value };
        }
        expectType(operand, ['number'], 'the operand of -');
        return { kind: 'negate', type: 'number', operand };
      }
      case 'call':
        return bindCall(e.name, e.args, sc);
      case 'lambda': {
        const target = resolveMembers(e.collection, sc);
        if (target.kind !== 'collection') {
          throw fail(
            `${e.op}() needs a collection navigation such as ProductLines, not '${e.collection.segments.join('/')}'`,
          );
        }
        const inner: Scope = {
          type: model.get(target.collection.target)!,
          alias: `${scope.alias}_l${++lambdaCounter}`,
          variable: e.variable,
          parent: sc,
        };
        const predicate = e.predicate ? bind(e.predicate, inner) : undefined;
        if (predicate) expectType(predicate, ['boolean'], `the condition of ${e.op}()`);
        return {
          kind: 'lambda',
          type: 'boolean',
          op: e.op,
          scope: target.scope,
          path: target.path,
          collection: target.collection,
          inner,
          predicate,
        };
      }
    }
  };

  const expectType = (bound: BoundExpr, allowed: ValueType[], what: string) => {
    if (bound.type === 'null' || allowed.includes(bound.type)) return;
    throw fail(
      `Expected ${allowed.map((t) => edmName[t]).join(' or ')} for ${what}, found ${edmName[bound.type]}`,
    );
  };

  /** Two sides that may be compared, after the promotions of literals: the checks of eq and in. */
  const comparable = (left: BoundExpr, right: BoundExpr, where: string) => {
    if (right.kind === 'literal') right = coerceLiteral(right, left, where);
    if (left.kind === 'literal') left = coerceLiteral(left, right, where);
    const l = left.type;
    const r = right.type;
    if (l !== 'null' && r !== 'null' && l !== r) {
      throw fail(`Cannot compare ${edmName[l]} with ${edmName[r]} (${where})`);
    }
    return { left, right };
  };

  const bindComparison = (op: ComparisonOp, left: BoundExpr, right: BoundExpr, pos: number): BoundExpr => {
    const sides = comparable(left, right, `${op} at position ${pos}`);
    if (op !== 'eq' && op !== 'ne' && (sides.left.type === 'boolean' || sides.right.type === 'boolean')) {
      throw fail(`Edm.Boolean values can only be compared with eq and ne, not ${op}`);
    }
    return { kind: 'compare', type: 'boolean', op, ...sides };
  };

  /** Lets a literal take the type of the value it is compared with, where OData promotes. */
  const coerceLiteral = (
    literal: Extract<BoundExpr, { kind: 'literal' }>,
    other: BoundExpr,
    where: string,
  ) => {
    if (literal.type === 'date' && other.type === 'datetime') {
      return { ...literal, type: 'datetime' as const, value: `${literal.value}T00:00:00.000Z` };
    }
    if (literal.type === 'string' && other.type === 'guid') {
      const guid = String(literal.value).toLowerCase();
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(guid)) {
        throw fail(`'${literal.value}' is not a GUID (${where})`);
      }
      return { ...literal, type: 'guid' as const, value: guid };
    }
    if (literal.type === 'guid' && other.type === 'string') return { ...literal, type: 'string' as const };
    return literal;
  };

  const bindCall = (name: string, rawArgs: Expr[], sc: Scope): BoundExpr => {
    const signature = functions[name];
    if (!signature) {
      if (unsupportedFunctions.has(name) || name.startsWith('geo.')) {
        throw new NotImplementedError(`The function ${name}() is not supported by this service`, option);
      }
      throw fail(`Unknown function '${name}'`);
    }
    const args = rawArgs.map((a) => bind(a, sc));
    const max = signature.args.length;
    const min = max - (signature.optional ?? 0);
    if (args.length < min || args.length > max) {
      throw fail(`${name}() takes ${min === max ? min : `${min} to ${max}`} arguments, found ${args.length}`);
    }
    args.forEach((arg, i) => {
      expectType(arg, signature.args[i], `argument ${i + 1} of ${name}()`);
    });
    return { kind: 'call', type: signature.returns, name, args };
  };

  const bindPath = (e: PathExpr, sc: Scope): BoundExpr => {
    const target = resolveMembers(e, sc);
    if (target.kind === 'property') {
      return {
        kind: 'column',
        type: valueTypeOf(target.property.type),
        scope: target.scope,
        path: target.path,
        column: target.property.column,
        edmType: target.property.type,
      };
    }
    if (target.kind === 'reference') {
      // `Phase eq null` compares the link itself
      return {
        kind: 'column',
        type: 'guid',
        scope: target.scope,
        path: target.path,
        column: target.reference.column,
        edmType: 'Edm.Guid',
      };
    }
    if (target.kind === 'count') {
      return {
        kind: 'count',
        type: 'number',
        scope: target.scope,
        path: target.path,
        collection: target.collection,
      };
    }
    throw fail(
      `'${e.segments.join('/')}' is a collection; use ${e.segments.join('/')}/$count or ${e.segments.join('/')}/any(...)`,
    );
  };

  type Resolved =
    | { kind: 'property'; scope: Scope; path: Reference[]; property: Property }
    | { kind: 'reference'; scope: Scope; path: Reference[]; reference: Reference }
    | { kind: 'collection'; scope: Scope; path: Reference[]; collection: Collection }
    | { kind: 'count'; scope: Scope; path: Reference[]; collection: Collection };

  const resolveMembers = (e: PathExpr, sc: Scope): Resolved => {
    let segments = e.segments;
    let start = sc;
    if (segments[0] === '$it') {
      while (start.parent) start = start.parent;
      segments = segments.slice(1);
    } else {
      for (let s: Scope | undefined = sc; s; s = s.parent) {
        if (s.variable && s.variable === segments[0]) {
          start = s;
          segments = segments.slice(1);
          break;
        }
      }
    }
    if (segments.length === 0) throw fail(`'${e.segments.join('/')}' names an entity, not a value`);
    let type = start.type;
    const path: Reference[] = [];
    for (let i = 0; i < segments.length; i++) {
      const name = segments[i];
      const last = i === segments.length - 1;
      const property = type.properties.get(name);
      if (property) {
        if (!last)
          throw fail(`'${name}' is a property of ${type.name}, it has no member '${segments[i + 1]}'`);
        return { kind: 'property', scope: start, path, property };
      }
      const reference = type.references.get(name);
      if (reference) {
        if (last) return { kind: 'reference', scope: start, path, reference };
        path.push(reference);
        type = model.get(reference.target)!;
        continue;
      }
      const coll = type.collections.get(name);
      if (coll) {
        if (last) return { kind: 'collection', scope: start, path, collection: coll };
        if (segments[i + 1] === '$count' && i + 2 === segments.length) {
          return { kind: 'count', scope: start, path, collection: coll };
        }
        throw fail(`'${name}' is a collection; only $count, any() or all() may follow it`);
      }
      if (name.includes('.')) {
        throw new NotImplementedError(`Type-cast segments such as '${name}' are not supported`, option);
      }
      throw new ODataError(
        400,
        'UnknownProperty',
        `Unknown property '${name}' on ${type.name}${start.variable ? ` (lambda variable ${start.variable})` : ''}`,
        option,
      );
    }
    throw fail(`'${e.segments.join('/')}' is incomplete`);
  };

  return bind(expr, scope);
}

function bindLiteral(e: LiteralExpr): BoundExpr {
  switch (e.type) {
    case 'int':
    case 'decimal':
      if (typeof e.value === 'number' && !Number.isFinite(e.value)) {
        throw new NotImplementedError('INF and NaN are not supported in comparisons', '$filter');
      }
      return { kind: 'literal', type: 'number', value: Number(e.value) };
    default:
      return { kind: 'literal', type: e.type, value: e.value };
  }
}
