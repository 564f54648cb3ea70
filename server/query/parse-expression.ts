// Recursive-descent parser for OData v4.01 common expressions ($filter, $orderby items, lambda
// predicates, $apply filters). Binary operators are parsed by precedence climbing, so a long
// chain such as `a and b and c ...` is a loop, not a recursion; real nesting (parentheses,
// calls, lambdas, unary operators) is capped by `Lexer.enter`.

import type {
  ArithmeticOp,
  ComparisonOp,
  Expr,
  LambdaExpr,
  LiteralExpr,
  LogicalOp,
  PathExpr,
} from './ast.ts';
import type { QuerySyntaxError } from './errors.ts';
import { isIdentChar, isIdentStart, isWhitespace, Lexer } from './lexer.ts';

/** Looks up a parameter alias (`@name`) used at `pos`; throws if it is not defined. */
export type AliasResolver = (name: string, pos: number, lx: Lexer) => Expr;

type BinaryOp = ComparisonOp | LogicalOp | ArithmeticOp | 'has';

// Lowest to highest: or < and < eq/ne/has/in < gt/ge/lt/le < add/sub < mul/div/divby/mod.
export const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  eq: 3,
  ne: 3,
  has: 3,
  in: 3,
  gt: 4,
  ge: 4,
  lt: 4,
  le: 4,
  add: 5,
  sub: 5,
  mul: 6,
  div: 6,
  divby: 6,
  mod: 6,
};
const isOperator = (word: string): boolean => Object.hasOwn(PRECEDENCE, word);

/** Built-in function names of OData 4.01 (used for "did you mean" hints; any lower-case name parses as a call). */
const BUILTIN_FUNCTIONS = [
  'contains',
  'startswith',
  'endswith',
  'length',
  'indexof',
  'substring',
  'tolower',
  'toupper',
  'trim',
  'concat',
  'matchesPattern',
  'year',
  'month',
  'day',
  'hour',
  'minute',
  'second',
  'fractionalseconds',
  'totalseconds',
  'date',
  'time',
  'totaloffsetminutes',
  'now',
  'maxdatetime',
  'mindatetime',
  'round',
  'floor',
  'ceiling',
  'cast',
  'isof',
  'hassubset',
  'hassubsequence',
  'case',
];
const BUILTIN_BY_LOWER = new Map(BUILTIN_FUNCTIONS.map((f) => [f.toLowerCase(), f]));
const V2_PREFIXES = new Set(['datetime', 'datetimeoffset', 'guid', 'time', 'date']);

const isLowerCaseName = (name: string): boolean => name === name.toLowerCase();

export class ExpressionParser {
  constructor(
    readonly lx: Lexer,
    private readonly resolveAlias?: AliasResolver,
  ) {}

  /** commonExpr / boolCommonExpr: stops (without consuming trailing whitespace) at anything that cannot continue it. */
  parseCommonExpr(): Expr {
    return this.parseBinary(1);
  }

  /** The error for text that follows a complete expression where `expected` should have come. */
  unexpectedAfterExpression(expected: string): QuerySyntaxError {
    const lx = this.lx;
    const p = lx.pos;
    if (isWhitespace(lx.text[p])) {
      const q = lx.afterWs(p);
      if (q >= lx.text.length) return lx.error(p, `Unexpected whitespace at the end of ${lx.option}`);
      return lx.error(
        q,
        `Expected an operator (eq, ne, gt, ge, lt, le, and, or, ...) or ${expected}, found ${lx.describe(q)}`,
      );
    }
    if (lx.text[p] === ')' && !expected.includes("')'"))
      return lx.error(p, `Unexpected ')' without a matching '('`);
    return lx.error(p, `Expected whitespace and an operator, or ${expected}, found ${lx.describe(p)}`);
  }

  private parseBinary(minPrec: number): Expr {
    let left = this.parseUnary();
    for (;;) {
      const op = this.peekOperator();
      if (!op || PRECEDENCE[op.name] < minPrec) return left;
      this.lx.pos = op.end;
      if (op.name === 'in') {
        left = { kind: 'in', left, list: this.parseInList(op.start), pos: op.start };
      } else {
        const right = this.parseBinary(PRECEDENCE[op.name] + 1);
        left = { kind: 'binary', op: op.name as BinaryOp, left, right, pos: op.start };
      }
    }
  }

  /** At whitespace followed by a binary operator and whitespace: the operator; otherwise undefined. */
  private peekOperator(): { name: string; start: number; end: number } | undefined {
    const lx = this.lx;
    const t = lx.text;
    if (!isWhitespace(t[lx.pos])) return undefined;
    const start = lx.afterWs();
    let end = start;
    while (end < t.length && ((t[end] >= 'a' && t[end] <= 'z') || (t[end] >= 'A' && t[end] <= 'Z'))) end++;
    const word = t.slice(start, end);
    if (!isOperator(word)) {
      const lower = word.toLowerCase();
      if (isOperator(lower) && !isIdentChar(t[end])) {
        throw lx.error(start, `Unknown operator '${word}': operators are lower-case, use '${lower}'`);
      }
      return undefined;
    }
    if (isIdentChar(t[end])) {
      if (t[end] >= '0' && t[end] <= '9') {
        throw lx.error(end, `Expected whitespace after the operator '${word}', found ${lx.describe(end)}`);
      }
      return undefined; // an identifier such as 'android', not an operator
    }
    const operandPos = lx.afterWs(end);
    if (operandPos >= t.length) {
      throw lx.error(operandPos, `Expected an operand after '${word}', found end of input`);
    }
    if (operandPos === end && !(word === 'in' && t[end] === '(')) {
      throw lx.error(end, `Expected whitespace after the operator '${word}', found ${lx.describe(end)}`);
    }
    return { name: word, start, end: operandPos };
  }

  private parseUnary(): Expr {
    const lx = this.lx;
    const t = lx.text;
    const pos = lx.pos;
    if (t[pos] === '-') {
      if (t[pos + 1] >= '0' && t[pos + 1] <= '9') return lx.readNumberLike();
      if (t.startsWith('INF', pos + 1) && !isIdentChar(t[pos + 4])) {
        lx.pos = pos + 4;
        return { kind: 'literal', type: 'decimal', value: Number.NEGATIVE_INFINITY, pos };
      }
      lx.pos++;
      lx.skipWs();
      lx.enter(pos);
      const operand = this.parseUnary();
      lx.leave();
      return { kind: 'negate', operand, pos };
    }
    if (t.startsWith('not', pos) && (isWhitespace(t[pos + 3]) || t[pos + 3] === '(')) {
      lx.pos = pos + 3;
      lx.skipWs();
      if (lx.atEnd) throw lx.error(lx.pos, `Expected an operand after 'not', found end of input`);
      lx.enter(pos);
      const operand = this.parseUnary();
      lx.leave();
      return { kind: 'not', operand, pos };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const lx = this.lx;
    const pos = lx.pos;
    const c = lx.text[pos];
    if (c === undefined) throw lx.error(pos, 'Expected an expression, found end of input');
    if (c === '(') return this.parseParenthesised();
    if (c === "'") return { kind: 'literal', type: 'string', value: lx.readString(), pos };
    if (lx.atGuid()) return lx.readGuid();
    if ((c >= '0' && c <= '9') || c === '-') return lx.readNumberLike();
    if (c === '[' || c === '{') {
      throw lx.notImplemented(
        `JSON array and object literals are not supported (${lx.option}, position ${pos})`,
      );
    }
    if (c === '@') return this.parseAlias();
    if (c === '$') return this.parseDollarName();
    if (isIdentStart(c)) return this.parseName();
    throw lx.error(pos, `Expected an expression, found ${lx.describe()}`);
  }

  private parseParenthesised(): Expr {
    const lx = this.lx;
    const open = lx.pos;
    lx.pos++;
    lx.enter(open);
    lx.skipWs();
    if (lx.peek() === ')')
      throw lx.error(lx.pos, `Expected an expression inside the '(' opened at ${open}, found ')'`);
    const expr = this.parseCommonExpr();
    lx.skipWs();
    if (lx.peek() === ',') {
      throw lx.error(
        lx.pos,
        `Expected ')' to close '(' opened at ${open}, found ','; a parenthesised list is only allowed after 'in'`,
      );
    }
    lx.expectClose(open, "'('", 'an operator');
    lx.leave();
    return expr;
  }

  private parseAlias(): Expr {
    const lx = this.lx;
    const pos = lx.pos;
    lx.pos++;
    const name = lx.readQualifiedName();
    if (name === undefined)
      throw lx.error(lx.pos, `Expected a parameter alias name after '@', found ${lx.describe()}`);
    if (name.includes('.')) {
      throw lx.notImplemented(`Annotations in expressions are not supported (@${name} in ${lx.option})`);
    }
    if (!this.resolveAlias) throw lx.error(pos, `Parameter alias @${name} is not defined`);
    return this.resolveAlias(name, pos, lx);
  }

  private parseDollarName(): Expr {
    const lx = this.lx;
    const pos = lx.pos;
    lx.pos++;
    const name = lx.readIdentifier();
    if (name === 'it') {
      // `$it/Prop` is the same as `Prop`: paths are relative to the current instance anyway.
      if (lx.peek() === '/') return this.parsePath(pos, []);
      throw lx.notImplemented(`$it is only supported as a path prefix such as $it/Subject (${lx.option})`);
    }
    if (name === 'root' || name === 'this')
      throw lx.notImplemented(`$${name} is not supported (${lx.option})`);
    throw lx.error(
      pos,
      `Unexpected '$${name ?? ''}': expected a property path, a literal or a function call`,
    );
  }

  /** An expression starting with an identifier: keyword literal, typed literal, call, or path. */
  private parseName(): Expr {
    const lx = this.lx;
    const pos = lx.pos;
    const name = lx.readQualifiedName() as string;
    const next = lx.peek();
    if (name.includes('.')) return this.parseQualifiedName(name, pos);
    if (next === "'") return this.parseTypedLiteral(name, pos);
    if (next === '(') return this.parseCallOrLookup(name, pos);
    const literal = keywordLiteral(name, pos);
    if (literal) return literal;
    if (name !== 'not' && name.toLowerCase() === 'not' && isWhitespace(next)) {
      throw lx.error(pos, `Unknown operator '${name}': operators are lower-case, use 'not'`);
    }
    return this.parsePath(pos, [name]);
  }

  private parseQualifiedName(name: string, pos: number): Expr {
    const lx = this.lx;
    const next = lx.peek();
    if (next === '(' && name.startsWith('geo.') && isLowerCaseName(name)) return this.parseCall(name, pos);
    if (next === "'")
      throw lx.notImplemented(`Enum literals are not supported (${name}'...' in ${lx.option})`);
    if (next === '(') throw lx.notImplemented(`Custom functions are not supported (${name} in ${lx.option})`);
    if (next === '/')
      throw lx.notImplemented(`Type-cast path segments are not supported (${name} in ${lx.option})`);
    throw lx.error(
      lx.pos,
      `Expected '/', '(' or a quoted enumeration value after the qualified name '${name}', found ${lx.describe()}`,
    );
  }

  private parseTypedLiteral(prefix: string, pos: number): LiteralExpr {
    const lx = this.lx;
    if (prefix === 'duration') {
      const value = lx.readString();
      lx.checkDuration(value, pos);
      return { kind: 'literal', type: 'duration', value, pos };
    }
    if (prefix === 'geography' || prefix === 'geometry' || prefix === 'binary' || prefix === 'X') {
      throw lx.notImplemented(`${prefix} literals are not supported (${lx.option})`);
    }
    const hint = V2_PREFIXES.has(prefix.toLowerCase())
      ? `; OData v4 writes dates, times and GUIDs without a prefix or quotes, e.g. 2026-01-01T00:00:00Z`
      : `; string literals are written in single quotes, e.g. 'Acme'`;
    throw lx.error(pos, `Unknown literal prefix '${prefix}'${hint}`);
  }

  private parseCallOrLookup(name: string, pos: number): Expr {
    const lx = this.lx;
    if (name === 'any' || name === 'all') {
      throw lx.error(
        pos,
        `'${name}' must follow a collection path, e.g. ProductLines/${name}(p: p/Price gt 5)`,
      );
    }
    if (isLowerCaseName(name) || BUILTIN_BY_LOWER.get(name.toLowerCase()) === name)
      return this.parseCall(name, pos);
    const builtin = BUILTIN_BY_LOWER.get(name.toLowerCase());
    if (builtin)
      throw lx.error(pos, `Unknown function '${name}': function names are case-sensitive, use '${builtin}'`);
    throw lx.notImplemented(
      `Key lookups and custom function calls are not supported (${name}( in ${lx.option})`,
    );
  }

  private parseCall(name: string, pos: number): Expr {
    const lx = this.lx;
    const open = lx.pos;
    lx.pos++;
    lx.enter(pos);
    lx.skipWs();
    const args: Expr[] = [];
    if (lx.peek() !== ')') {
      for (;;) {
        args.push(name === 'cast' || name === 'isof' ? this.parseTypeArgument() : this.parseCommonExpr());
        lx.skipWs();
        if (lx.peek() !== ',') break;
        lx.pos++;
        lx.skipWs();
      }
    }
    lx.expectClose(open, `'${name}('`, "an operator, ','");
    lx.leave();
    return { kind: 'call', name, args, pos };
  }

  /** An argument of cast/isof: a qualified type name (as a one-segment path such as `Edm.String`) or an expression. */
  private parseTypeArgument(): Expr {
    const lx = this.lx;
    const pos = lx.pos;
    const name = lx.readQualifiedName();
    if (name?.includes('.')) {
      const after = lx.text[lx.afterWs()];
      if (after === ',' || after === ')') return { kind: 'path', segments: [name], pos };
    }
    lx.pos = pos;
    return this.parseCommonExpr();
  }

  /** Continues a member path after its first segment(s): `/Prop`, `/$count`, `/any(...)`, `/all(...)`. */
  private parsePath(pos: number, segments: string[]): PathExpr | LambdaExpr {
    const lx = this.lx;
    while (lx.peek() === '/') {
      lx.pos++;
      const segPos = lx.pos;
      const c = lx.peek();
      if (c === '$') {
        lx.pos++;
        const id = lx.readIdentifier();
        if (id === 'count' && segments.length > 0) {
          if (lx.peek() === '(')
            throw lx.notImplemented(`$count with query options is not supported (${lx.option})`);
          segments.push('$count');
          if (lx.peek() === '/') {
            throw lx.error(
              lx.pos,
              `Unexpected '/' after '$count': $count must be the last segment of a path`,
            );
          }
          return { kind: 'path', segments, pos };
        }
        if (id === 'filter' && lx.peek() === '(') {
          throw lx.notImplemented(`$filter path segments are not supported (${lx.option})`);
        }
        throw lx.error(segPos, `Expected a property name or $count after '/', found '$${id ?? ''}'`);
      }
      if (c === '@') throw lx.notImplemented(`Annotations in paths are not supported (${lx.option})`);
      const name = lx.readQualifiedName();
      if (name === undefined)
        throw lx.error(segPos, `Expected a property name after '/', found ${lx.describe(segPos)}`);
      const next = lx.peek();
      if (name.includes('.')) {
        throw lx.notImplemented(
          next === '('
            ? `Bound functions are not supported (${name} in ${lx.option})`
            : `Type-cast path segments are not supported (${name} in ${lx.option})`,
        );
      }
      if (next === '(') {
        if ((name === 'any' || name === 'all') && segments.length > 0) {
          return this.parseLambda(name, { kind: 'path', segments, pos }, segPos);
        }
        throw lx.notImplemented(
          `Bound functions and key lookups are not supported (${name}( in ${lx.option})`,
        );
      }
      segments.push(name);
    }
    if (segments.length === 0) throw lx.error(lx.pos, `Expected '/' after '$it', found ${lx.describe()}`);
    return { kind: 'path', segments, pos };
  }

  private parseLambda(op: 'any' | 'all', collection: PathExpr, pos: number): LambdaExpr {
    const lx = this.lx;
    const open = lx.pos;
    lx.pos++;
    lx.enter(pos);
    lx.skipWs();
    if (lx.peek() === ')') {
      if (op === 'all') {
        throw lx.error(
          lx.pos,
          `Expected a lambda variable in 'all(', e.g. all(p: p/Price gt 5); only any() may be empty`,
        );
      }
      lx.pos++;
      lx.leave();
      return { kind: 'lambda', op, collection, pos };
    }
    const variable = lx.expectIdentifier(`a lambda variable name or ')' after '${op}('`);
    lx.skipWs();
    if (lx.peek() !== ':') {
      throw lx.error(lx.pos, `Expected ':' after the lambda variable '${variable}', found ${lx.describe()}`);
    }
    lx.pos++;
    lx.skipWs();
    const predicate = this.parseCommonExpr();
    lx.expectClose(open, `'${op}('`, 'an operator');
    lx.leave();
    return { kind: 'lambda', op, collection, variable, predicate, pos };
  }

  /** The right operand of `in`: `(literal, ...)`; a single parenthesised expression is kept as a one-item list. */
  private parseInList(opPos: number): Expr[] {
    const lx = this.lx;
    const c = lx.peek();
    if (c !== '(') {
      if (c === '[')
        throw lx.notImplemented(`JSON array literals are not supported (${lx.option}, position ${lx.pos})`);
      if (c === '@' || c === '$' || isIdentStart(c)) {
        throw lx.notImplemented(
          `'in' is only supported with a parenthesised list of literals, e.g. Currency in ('EUR','USD') (${lx.option}, position ${opPos})`,
        );
      }
      throw lx.error(lx.pos, `Expected '(' and a list of values after 'in', found ${lx.describe()}`);
    }
    const open = lx.pos;
    lx.pos++;
    lx.enter(open);
    lx.skipWs();
    const list: Expr[] = [];
    if (lx.peek() !== ')') {
      for (;;) {
        list.push(this.parseCommonExpr());
        lx.skipWs();
        if (lx.peek() !== ',') break;
        lx.pos++;
        lx.skipWs();
      }
    }
    lx.expectClose(open, `the list of 'in'`, "an operator, ','");
    lx.leave();
    if (list.length > 1) {
      for (const item of list) {
        if (item.kind !== 'literal') {
          throw lx.error(
            item.pos,
            `Expected a literal in the list of 'in' (such as 'EUR' or 5), found an expression`,
          );
        }
      }
    }
    return list;
  }
}

function keywordLiteral(name: string, pos: number): LiteralExpr | undefined {
  switch (name) {
    case 'null':
      return { kind: 'literal', type: 'null', value: null, pos };
    case 'true':
    case 'false':
      return { kind: 'literal', type: 'boolean', value: name === 'true', pos };
    case 'INF':
      return { kind: 'literal', type: 'decimal', value: Number.POSITIVE_INFINITY, pos };
    case 'NaN':
      return { kind: 'literal', type: 'decimal', value: Number.NaN, pos };
    default:
      return undefined;
  }
}

/** Parses a whole expression; `text` is the decoded value of `option` (used in error messages). */
export function parseExpression(text: string, option = '$filter', resolveAlias?: AliasResolver): Expr {
  const lx = new Lexer(text, option);
  if (isWhitespace(lx.peek())) throw lx.error(0, `Unexpected whitespace at the start of ${option}`);
  const parser = new ExpressionParser(lx, resolveAlias);
  const expr = parser.parseCommonExpr();
  if (!lx.atEnd) throw parser.unexpectedAfterExpression('end of input');
  return expr;
}
