import { describe, expect, it } from 'vitest';
import type { Expr, LiteralType } from './ast.ts';
import { errorOf, path, withoutPositions } from './ast-test-helpers.ts';
import { NotImplementedError, ODataError, QuerySyntaxError } from './errors.ts';
import { parseExpression } from './parse-expression.ts';

const p = (text: string) => withoutPositions(parseExpression(text));
const lit = (type: LiteralType, value: string | number | boolean | null) => ({
  kind: 'literal',
  type,
  value,
});
const bin = (op: string, left: unknown, right: unknown) => ({ kind: 'binary', op, left, right });
const call = (name: string, ...args: unknown[]) => ({ kind: 'call', name, args });

const syntaxError = (text: string) => errorOf(QuerySyntaxError, () => parseExpression(text));

describe('seed filter examples', () => {
  it.each([
    ["contains(Subject, 'Acme')", call('contains', path('Subject'), lit('string', 'Acme'))],
    ['Probability gt 50', bin('gt', path('Probability'), lit('int', 50))],
    ['WeightedAmount gt 1000.5', bin('gt', path('WeightedAmount'), lit('decimal', 1000.5))],
    ['EstimatedAmount gt 25000', bin('gt', path('EstimatedAmount'), lit('int', 25000))],
    ['ExpectedOrderDate lt 2026-12-31', bin('lt', path('ExpectedOrderDate'), lit('date', '2026-12-31'))],
    ['Amount gt -1.5e3', bin('gt', path('Amount'), lit('decimal', -1500))],
    ['IsClosed eq false', bin('eq', path('IsClosed'), lit('boolean', false))],
    [
      'CreationDate gt 2026-01-01T00:00:00+01:00',
      bin('gt', path('CreationDate'), lit('datetime', '2025-12-31T23:00:00.000Z')),
    ],
    ["Phase/Code eq 'Won'", bin('eq', path('Phase', 'Code'), lit('string', 'Won'))],
    ["Subject eq 'O''Neil'", bin('eq', path('Subject'), lit('string', "O'Neil"))],
  ])('%s', (text, ast) => {
    expect(p(text)).toEqual(ast);
  });

  it('records positions of operators, operands and calls', () => {
    expect(parseExpression("Phase/Code eq 'Won'")).toEqual({
      kind: 'binary',
      op: 'eq',
      pos: 11,
      left: { kind: 'path', segments: ['Phase', 'Code'], pos: 0 },
      right: { kind: 'literal', type: 'string', value: 'Won', pos: 14 },
    });
    expect(parseExpression("contains(Subject, 'Acme')")).toMatchObject({
      pos: 0,
      args: [{ pos: 9 }, { pos: 18 }],
    });
  });
});

describe('literals', () => {
  it.each([
    ['null', lit('null', null)],
    ['true', lit('boolean', true)],
    ['INF', lit('decimal', Number.POSITIVE_INFINITY)],
    ['-INF', lit('decimal', Number.NEGATIVE_INFINITY)],
    ['NaN', lit('decimal', Number.NaN)],
    ['1e3', lit('decimal', 1000)],
    ['-2', lit('int', -2)],
    ['13:20:00', lit('timeofday', '13:20:00')],
    ['2026-01-01T08:00:00Z', lit('datetime', '2026-01-01T08:00:00.000Z')],
    ['3FA85F64-5717-4562-B3FC-2C963F66AFA6', lit('guid', '3fa85f64-5717-4562-b3fc-2c963f66afa6')],
    ['deadbeef-5717-4562-b3fc-2c963f66afa6', lit('guid', 'deadbeef-5717-4562-b3fc-2c963f66afa6')],
    ["duration'P1DT2H'", lit('duration', 'P1DT2H')],
    ["'it''s'", lit('string', "it's")],
  ])('%s', (text, ast) => {
    expect(p(text)).toEqual(ast);
  });

  it('rejects an invalid duration', () => {
    expect(syntaxError("duration'P1Y'").message).toContain("Invalid duration 'P1Y'");
  });

  it.each([
    ["Namespace.Type'Value'", /Enum literals are not supported/],
    ["geography'SRID=0;Point(1 2)'", /geography literals/],
    ["binary'AAA='", /binary literals/],
    ['["a","b"]', /JSON array and object literals/],
    ['{"a":1}', /JSON/],
  ])('%s is not implemented', (text, message) => {
    expect(() => parseExpression(text)).toThrow(NotImplementedError);
    expect(() => parseExpression(text)).toThrow(message);
  });

  it('explains v2-style prefixed literals', () => {
    expect(syntaxError("CreationDate gt datetime'2026-01-01T00:00:00'").message).toContain(
      "Unknown literal prefix 'datetime'; OData v4 writes dates",
    );
  });
});

describe('operators and precedence', () => {
  it('binds mul tighter than add, add tighter than comparison, comparison tighter than and/or', () => {
    expect(p('A add B mul C gt D or E and F eq G')).toEqual(
      bin(
        'or',
        bin('gt', bin('add', path('A'), bin('mul', path('B'), path('C'))), path('D')),
        bin('and', path('E'), bin('eq', path('F'), path('G'))),
      ),
    );
  });

  it('is left-associative', () => {
    expect(p('A sub B sub C')).toEqual(bin('sub', bin('sub', path('A'), path('B')), path('C')));
    expect(p('A div B divby C mod D')).toEqual(
      bin('mod', bin('divby', bin('div', path('A'), path('B')), path('C')), path('D')),
    );
  });

  it('puts eq/ne/has/in below relational operators', () => {
    expect(p('A lt B eq C gt D')).toEqual(
      bin('eq', bin('lt', path('A'), path('B')), bin('gt', path('C'), path('D'))),
    );
    expect(p('A has B ne C')).toEqual(bin('ne', bin('has', path('A'), path('B')), path('C')));
  });

  it('honours parentheses', () => {
    expect(p('(A or B) and C')).toEqual(bin('and', bin('or', path('A'), path('B')), path('C')));
    expect(p('( A add 1 )')).toEqual(bin('add', path('A'), lit('int', 1)));
    expect(p('((((true))))')).toEqual(lit('boolean', true));
  });

  it('parses unary operators tighter than binary ones', () => {
    expect(p('not IsClosed and IsActive')).toEqual(
      bin('and', { kind: 'not', operand: path('IsClosed') }, path('IsActive')),
    );
    expect(p('-Price add 2')).toEqual(bin('add', { kind: 'negate', operand: path('Price') }, lit('int', 2)));
    expect(p('- 2')).toEqual({ kind: 'negate', operand: lit('int', 2) });
    expect(p('--Price')).toEqual({ kind: 'negate', operand: { kind: 'negate', operand: path('Price') } });
    expect(p("not contains(Subject,'x')")).toEqual({
      kind: 'not',
      operand: call('contains', path('Subject'), lit('string', 'x')),
    });
    expect(p('not(IsClosed)')).toEqual({ kind: 'not', operand: path('IsClosed') });
    expect(p('Price sub -2')).toEqual(bin('sub', path('Price'), lit('int', -2)));
  });

  it('accepts several spaces and tabs between tokens', () => {
    expect(p('Price  gt\t 5')).toEqual(bin('gt', path('Price'), lit('int', 5)));
  });

  it('parses in with a list', () => {
    expect(p("Currency in ('EUR','USD')")).toEqual({
      kind: 'in',
      left: path('Currency'),
      list: [lit('string', 'EUR'), lit('string', 'USD')],
    });
    expect(p("Currency in ( 'EUR' , 'USD' )")).toMatchObject({ list: [{ value: 'EUR' }, { value: 'USD' }] });
    expect(p('Currency in ()')).toEqual({ kind: 'in', left: path('Currency'), list: [] });
    expect(p('Probability in (-5, 10)')).toMatchObject({ list: [{ value: -5 }, { value: 10 }] });
    expect(p("Currency in ('EUR') and IsClosed")).toMatchObject({
      kind: 'binary',
      op: 'and',
      left: { kind: 'in' },
    });
  });

  it('keeps a single parenthesised expression after in as a one-item list', () => {
    expect(p('FirstName in (LastName)')).toEqual({
      kind: 'in',
      left: path('FirstName'),
      list: [path('LastName')],
    });
  });
});

describe('paths, lambdas and calls', () => {
  it('parses $count segments', () => {
    expect(p('ProductLines/$count gt 2')).toEqual(bin('gt', path('ProductLines', '$count'), lit('int', 2)));
  });

  it('treats $it/ as the current instance', () => {
    expect(p('$it/Subject eq null')).toEqual(bin('eq', path('Subject'), lit('null', null)));
  });

  it('parses any/all lambdas', () => {
    expect(parseExpression('ProductLines/any(p: p/Price gt 5)')).toEqual({
      kind: 'lambda',
      op: 'any',
      pos: 13,
      collection: { kind: 'path', segments: ['ProductLines'], pos: 0 },
      variable: 'p',
      predicate: {
        kind: 'binary',
        op: 'gt',
        pos: 28,
        left: { kind: 'path', segments: ['p', 'Price'], pos: 20 },
        right: { kind: 'literal', type: 'int', value: 5, pos: 31 },
      },
    });
    expect(p('ProductLines/any()')).toEqual({ kind: 'lambda', op: 'any', collection: path('ProductLines') });
    expect(p('Opp/ProductLines/all(x:x/Quantity ge 1)')).toMatchObject({
      op: 'all',
      collection: path('Opp', 'ProductLines'),
      variable: 'x',
    });
    expect(p('ProductLines/any( l : l/Product/Name eq null )')).toMatchObject({ variable: 'l' });
  });

  it('nests lambdas', () => {
    expect(p('A/any(a: a/B/all(b: b/C eq a/D))')).toMatchObject({
      predicate: { kind: 'lambda', op: 'all', collection: path('a', 'B'), variable: 'b' },
    });
  });

  it.each([
    ['length(Subject)', call('length', path('Subject'))],
    ["indexof(Subject,'x')", call('indexof', path('Subject'), lit('string', 'x'))],
    ['substring(Subject, 1, 2)', call('substring', path('Subject'), lit('int', 1), lit('int', 2))],
    ["concat(concat(A,'-'),B)", call('concat', call('concat', path('A'), lit('string', '-')), path('B'))],
    ["matchesPattern(Subject,'^A.*e$')", call('matchesPattern', path('Subject'), lit('string', '^A.*e$'))],
    ['year(CreationDate)', call('year', path('CreationDate'))],
    ['now()', call('now')],
    ['maxdatetime( )', call('maxdatetime')],
    ['round(Amount)', call('round', path('Amount'))],
    ['cast(Amount, Edm.Int32)', call('cast', path('Amount'), path('Edm.Int32'))],
    ['isof(Edm.String)', call('isof', path('Edm.String'))],
    ['geo.distance(A, B)', call('geo.distance', path('A'), path('B'))],
    ['somethingnew(A)', call('somethingnew', path('A'))],
  ])('%s', (text, ast) => {
    expect(p(text)).toEqual(ast);
  });

  it.each([
    ['Namespace.Type/Prop eq 1', /Type-cast path segments are not supported/],
    ['A/Namespace.Type/Prop eq 1', /Type-cast path segments are not supported/],
    ['Model.Available()', /Custom functions are not supported/],
    ['Items(1)', /Key lookups and custom function calls are not supported/],
    ['A/Fn()', /Bound functions and key lookups/],
    ['A/$count($filter=B eq 1) gt 1', /\$count with query options/],
    ['$root/Foo', /\$root is not supported/],
    ['endswith($it, 1)', /\$it is only supported as a path prefix/],
    ['Price/@Core.Unit eq 1', /Annotations/],
    ['A in Collection', /'in' is only supported with a parenthesised list/],
  ])('%s is not implemented', (text, message) => {
    expect(() => parseExpression(text)).toThrow(NotImplementedError);
    expect(() => parseExpression(text)).toThrow(message);
  });
});

describe('syntax errors', () => {
  it.each([
    ['(Price gt 5', 11, "Expected ')' to close '(' opened at 0, found end of input"],
    ['A and (B or (C', 14, "Expected ')' to close '(' opened at 12, found end of input"],
    ['(Price gt 5 foo', 12, "Expected an operator or ')' to close '(' opened at 0, found 'foo'"],
    ["contains(Subject, 'Acme'", 24, "Expected ')' to close 'contains(' opened at 8, found end of input"],
    [
      "contains(Subject 'Acme')",
      17,
      "Expected an operator, ',' or ')' to close 'contains(' opened at 8, found a string literal",
    ],
    ['Price gt5', 8, "Expected whitespace after the operator 'gt', found '5'"],
    ["Subject eq'x'", 10, "Expected whitespace after the operator 'eq', found a string literal"],
    ['Price gt', 8, "Expected an operand after 'gt', found end of input"],
    ['Price gt ', 9, "Expected an operand after 'gt', found end of input"],
    ['Price EQ 5', 6, "Unknown operator 'EQ': operators are lower-case, use 'eq'"],
    ['A And B', 2, "Unknown operator 'And'"],
    ['NOT IsClosed', 0, "Unknown operator 'NOT': operators are lower-case, use 'not'"],
    [
      'Price foo 5',
      6,
      "Expected an operator (eq, ne, gt, ge, lt, le, and, or, ...) or end of input, found 'foo'",
    ],
    ['Price gt 5)', 10, "Unexpected ')' without a matching '('"],
    ['Price gt 5 ', 10, 'Unexpected whitespace at the end of $filter'],
    [' Price gt 5', 0, 'Unexpected whitespace at the start of $filter'],
    ['', 0, 'Expected an expression, found end of input'],
    ['()', 1, "Expected an expression inside the '(' opened at 0, found ')'"],
    ['Price gt 5 and', 14, "Expected an operand after 'and', found end of input"],
    ["Subject eq 'open", 11, 'Unterminated string literal'],
    ['A/', 2, "Expected a property name after '/', found end of input"],
    ['A/$count/B', 8, '$count must be the last segment'],
    ['A/$value', 2, "Expected a property name or $count after '/', found '$value'"],
    ['$count', 0, "Unexpected '$count'"],
    [
      'Model.Available',
      15,
      "Expected '/', '(' or a quoted enumeration value after the qualified name 'Model.Available'",
    ],
    ["EmailAddresses eq ('Miller','Smith')", 27, "a parenthesised list is only allowed after 'in'"],
    ['FirstName in (FirstName,LastName)', 14, "Expected a literal in the list of 'in'"],
    ["Currency in ('EUR' 'USD')", 19, "Expected an operator, ',' or ')' to close the list of 'in'"],
    ['Currency in 5', 12, "Expected '(' and a list of values after 'in'"],
    ['ProductLines/all()', 17, "Expected a lambda variable in 'all('"],
    ['ProductLines/any(p p/Price gt 1)', 19, "Expected ':' after the lambda variable 'p'"],
    ['ProductLines/any(p: p/Price gt 1', 32, "Expected ')' to close 'any(' opened at 16"],
    ['any(p: true)', 0, "'any' must follow a collection path"],
    [
      "Contains(Subject,'x')",
      0,
      "Unknown function 'Contains': function names are case-sensitive, use 'contains'",
    ],
    ["foo'bar'", 0, "Unknown literal prefix 'foo'"],
    ['@p eq 1', 0, 'Parameter alias @p is not defined'],
    [
      'Price gt 5 , 6',
      11,
      "Expected an operator (eq, ne, gt, ge, lt, le, and, or, ...) or end of input, found ','",
    ],
    ['Price gt 5,6', 10, "Expected whitespace and an operator, or end of input, found ','"],
    ['Price gt 2026-02-30', 17, 'Invalid day 30 for 2026-02'],
    ['.5', 0, "Expected an expression, found '.'"],
    ['Price\ngt 5', 5, "Expected whitespace and an operator, or end of input, found '\n'"],
  ])('%j', (text, position, message) => {
    const e = syntaxError(text);
    expect(e.message).toContain(message);
    expect(e.position).toBe(position);
    expect(e.option).toBe('$filter');
    expect(e.status).toBe(400);
    expect(e.target).toBe('$filter');
  });

  it('names the option it was given', () => {
    expect(() => parseExpression('x eq', '$orderby')).toThrow(/\(\$orderby, position 4\)/);
  });

  it('caps nesting depth', () => {
    const deep = `${'('.repeat(150)}true${')'.repeat(150)}`;
    expect(() => parseExpression(deep)).toThrow(/Expression nested too deeply/);
    expect(() => parseExpression(`${'not '.repeat(150)}true`)).toThrow(/nested too deeply/);
    expect(() => parseExpression(`${'-'.repeat(150)}A`)).toThrow(/nested too deeply/);
    expect(() => parseExpression(`${'length('.repeat(150)}A${')'.repeat(150)}`)).toThrow(/nested too deeply/);
    expect(parseExpression(`${'('.repeat(99)}true${')'.repeat(99)}`)).toMatchObject({ value: true });
  });

  it('handles long flat chains without recursion', () => {
    const chain = Array.from({ length: 600 }, (_, i) => `A eq ${i}`).join(' or ');
    expect(chain.length).toBeLessThan(8000);
    let e = parseExpression(chain) as Expr;
    let n = 1;
    while (e.kind === 'binary' && e.op === 'or') {
      e = e.left;
      n++;
    }
    expect(n).toBe(600);
  });

  it('caps the input length', () => {
    const e = syntaxError(`A eq '${'x'.repeat(8000)}'`);
    expect(e.message).toContain('too long');
  });

  it('never throws anything but ODataError on pathological inputs', () => {
    for (const text of [
      "'".repeat(4999),
      '('.repeat(5000),
      '-'.repeat(5000),
      'a/'.repeat(3000),
      `${'A/any(a:'.repeat(200)}`,
    ]) {
      expect(() => parseExpression(text)).toThrow(ODataError);
    }
  });
});
