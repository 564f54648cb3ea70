// Property tests: the parsers never throw anything but ODataError, and any AST printed back to
// text (with the fewest parentheses the precedence rules allow) parses to the same AST.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, LiteralExpr } from './ast.ts';
import { withoutPositions } from './ast-test-helpers.ts';
import { ODataError } from './errors.ts';
import { parseApply } from './parse-apply.ts';
import { PRECEDENCE, parseExpression } from './parse-expression.ts';
import { parseQueryOptions } from './parse-query-options.ts';

const onlyODataErrors = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ODataError)) throw e;
  }
};

const TOKENS = [
  ' ',
  ' ',
  '(',
  ')',
  ',',
  "'",
  "''",
  '/',
  ':',
  ';',
  '=',
  '&',
  '%',
  '%20',
  '%2',
  '%E0',
  '-',
  '+',
  '.',
  '*',
  '$',
  '@',
  'eq',
  'ne',
  'gt',
  'and',
  'or',
  'not',
  'in',
  'has',
  'add',
  'mul',
  'EQ',
  'Price',
  'p',
  'any',
  'all',
  '$count',
  '$it',
  'contains',
  'cast',
  'Edm.String',
  'NS.Type',
  'null',
  'true',
  'INF',
  '5',
  '1.5e3',
  '2026-12-31',
  'T10:00:00Z',
  '+01:00',
  '13:20',
  '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  "duration'P1D'",
  '[',
  '{',
  '$filter=',
  '$expand=',
  '$select=',
  '$orderby=',
  '$top=',
  '@p=',
  'filter(',
  'groupby((',
  'aggregate(',
  ' with sum as T',
  '$count as N',
];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join(''));
const anyText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  tokenSoup,
);

describe('robustness', () => {
  it('parseExpression throws only ODataError', () => {
    fc.assert(
      fc.property(anyText, (text) => onlyODataErrors(() => parseExpression(text))),
      { numRuns: 3000 },
    );
  });

  it('parseQueryOptions throws only ODataError', () => {
    const query = fc.oneof(
      anyText,
      fc
        .tuple(fc.constantFrom('$filter=', '$expand=', '$orderby=', '$select=', '$apply='), anyText)
        .map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(query, (text) => onlyODataErrors(() => parseQueryOptions(text))),
      { numRuns: 3000 },
    );
  });

  it('parseApply throws only ODataError', () => {
    fc.assert(
      fc.property(anyText, (text) => onlyODataErrors(() => parseApply(text))),
      { numRuns: 2000 },
    );
  });
});

// ---- printing an AST back to URL text ----

const UNARY = 7;

function printLiteral(l: LiteralExpr): string {
  const v = l.value;
  switch (l.type) {
    case 'null':
      return 'null';
    case 'boolean':
    case 'int':
      return String(v);
    case 'decimal': {
      const n = v as number;
      if (Number.isNaN(n)) return 'NaN';
      if (!Number.isFinite(n)) return n > 0 ? 'INF' : '-INF';
      const s = String(n);
      return /[.e]/.test(s) ? s : `${s}.0`;
    }
    case 'string':
      return `'${(v as string).replaceAll("'", "''")}'`;
    case 'duration':
      return `duration'${v}'`;
    default:
      return String(v);
  }
}

function print(e: Expr, minPrec = 0): string {
  const wrap = (s: string, prec: number) => (prec < minPrec ? `(${s})` : s);
  switch (e.kind) {
    case 'literal':
      return printLiteral(e);
    case 'path':
      return e.segments.join('/');
    case 'call':
      return `${e.name}(${e.args.map((a) => print(a)).join(',')})`;
    case 'lambda':
      return `${print(e.collection)}/${e.op}(${e.variable ? `${e.variable}: ${print(e.predicate as Expr)}` : ''})`;
    case 'not':
      return wrap(`not ${print(e.operand, UNARY)}`, UNARY);
    case 'negate':
      return wrap(
        e.operand.kind === 'literal' ? `-(${print(e.operand)})` : `-${print(e.operand, UNARY)}`,
        UNARY,
      );
    case 'in':
      return wrap(`${print(e.left, 3)} in (${e.list.map((l) => print(l)).join(', ')})`, 3);
    case 'binary': {
      const p = PRECEDENCE[e.op];
      return wrap(`${print(e.left, p)} ${e.op} ${print(e.right, p + 1)}`, p);
    }
  }
}

// ---- generating ASTs (without positions) ----

const KEYWORDS = new Set(['INF', 'NaN']);
const name = fc.stringMatching(/^[A-Z][A-Za-z0-9_]{0,8}$/).filter((s) => !KEYWORDS.has(s));
const variable = fc.constantFrom('p', 'x', 'line', 'it2');
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dateRange = {
  min: new Date('1900-01-01T00:00:00Z'),
  max: new Date('2100-12-31T23:59:59Z'),
  noInvalidDate: true,
};

const literal = fc.oneof(
  fc.constant({ kind: 'literal', type: 'null', value: null }),
  fc.boolean().map((value) => ({ kind: 'literal', type: 'boolean', value })),
  fc.maxSafeInteger().map((value) => ({ kind: 'literal', type: 'int', value: value === 0 ? 0 : value })),
  fc
    .double()
    .filter((d) => !Object.is(d, -0))
    .map((value) => ({ kind: 'literal', type: 'decimal', value })),
  fc.string({ maxLength: 12 }).map((value) => ({ kind: 'literal', type: 'string', value })),
  fc.date(dateRange).map((d) => ({ kind: 'literal', type: 'date', value: d.toISOString().slice(0, 10) })),
  fc.date(dateRange).map((d) => ({ kind: 'literal', type: 'datetime', value: d.toISOString() })),
  fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m, s]) => ({ kind: 'literal', type: 'timeofday', value: `${pad(h)}:${pad(m)}:${pad(s)}` })),
  fc.uuid().map((value) => ({ kind: 'literal', type: 'guid', value })),
  fc
    .tuple(fc.nat(400), fc.nat(23), fc.nat(59))
    .map(([d, h, m]) => ({ kind: 'literal', type: 'duration', value: `P${d}DT${h}H${m}M` })),
) as fc.Arbitrary<Expr>;

const pathArb = fc
  .tuple(fc.array(name, { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([segments, count]) => ({
    kind: 'path',
    segments: count ? [...segments, '$count'] : segments,
  })) as fc.Arbitrary<Expr>;
const collection = fc
  .array(name, { minLength: 1, maxLength: 2 })
  .map((segments) => ({ kind: 'path' as const, segments }));

const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    pathArb,
    fc
      .tuple(
        fc.constantFrom(...Object.keys(PRECEDENCE).filter((op) => op !== 'in')),
        tie('expr'),
        tie('expr'),
      )
      .map(([op, left, right]) => ({ kind: 'binary', op, left, right }) as Expr),
    fc
      .tuple(tie('expr'), fc.array(literal, { maxLength: 3 }))
      .map(([left, list]) => ({ kind: 'in', left, list }) as Expr),
    tie('expr').map((operand) => ({ kind: 'not', operand }) as Expr),
    tie('expr').map((operand) => ({ kind: 'negate', operand }) as Expr),
    fc
      .tuple(
        fc.constantFrom('contains', 'concat', 'length', 'now', 'round', 'geo.distance'),
        fc.array(tie('expr'), { maxLength: 3 }),
      )
      .map(([n, args]) => ({ kind: 'call', name: n, args }) as Expr),
    fc
      .tuple(fc.constantFrom('any', 'all'), collection, variable, tie('expr'))
      .map(
        ([op, coll, v, predicate]) =>
          ({ kind: 'lambda', op, collection: coll, variable: v, predicate }) as Expr,
      ),
    collection.map((coll) => ({ kind: 'lambda', op: 'any', collection: coll }) as Expr),
  ),
}));

describe('round trip', () => {
  it('printed ASTs parse back to the same AST', () => {
    fc.assert(
      fc.property(expr, (e) => {
        const text = print(e);
        fc.pre(text.length <= 8000);
        expect(withoutPositions(parseExpression(text))).toEqual(e);
      }),
      { numRuns: 1500 },
    );
  });

  it('also round-trips through $filter in a query string', () => {
    fc.assert(
      fc.property(expr, (e) => {
        const text = print(e);
        fc.pre(text.length <= 8000);
        expect(withoutPositions(parseQueryOptions(`$filter=${encodeURIComponent(text)}`).filter)).toEqual(e);
      }),
      { numRuns: 300 },
    );
  });
});
