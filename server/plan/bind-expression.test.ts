import { describe, expect, it } from 'vitest';
import { model } from '../model/model.ts';
import { ODataError } from '../query/errors.ts';
import { parseExpression } from '../query/parse-expression.ts';
import { bindExpression, MAX_EXPRESSION_DEPTH, rootScope } from './bind-expression.ts';

const scope = rootScope(model.get('Activity.SalesOpportunity')!);
const bind = (filter: string) => bindExpression(parseExpression(filter), scope);
const refusal = (filter: string) => {
  try {
    bind(filter);
  } catch (e) {
    expect(e).toBeInstanceOf(ODataError);
    return e as ODataError;
  }
  throw new Error(`expected ${filter} to be refused`);
};

describe('in: the type checks of eq, item by item', () => {
  it.each([
    [
      "Subject in ('Milk', true)",
      'Cannot compare Edm.String with Edm.Boolean (the item at position 20 of in)',
    ],
    ["Subject in ('Milk', 5)", 'Cannot compare Edm.String with a number (the item at position 20 of in)'],
    [
      'Probability in (50, 2026-01-01)',
      'Cannot compare a number with Edm.Date (the item at position 20 of in)',
    ],
    [
      "IsClosed in (true, 'no')",
      'Cannot compare Edm.Boolean with Edm.String (the item at position 19 of in)',
    ],
    ["Phase in ('not a guid')", "'not a guid' is not a GUID (the item at position 10 of in)"],
  ])('%s is a 400', (filter, message) => {
    expect(refusal(filter)).toMatchObject({ status: 400, code: 'BadRequest', target: '$filter', message });
  });

  it('refuses what eq refuses, with the same words', () => {
    expect(refusal('Subject eq true').message).toBe(
      'Cannot compare Edm.String with Edm.Boolean (eq at position 8)',
    );
  });

  it('promotes items as eq does: a date to a date-time, a string to a GUID; null fits any type', () => {
    expect(bind('CreationDate in (2026-01-01, null)')).toMatchObject({
      kind: 'in',
      list: [
        { type: 'datetime', value: '2026-01-01T00:00:00.000Z' },
        { type: 'null', value: null },
      ],
    });
    expect(bind("Phase/ID in ('3FA85F64-5717-4562-B3FC-2C963F66AFA6')")).toMatchObject({
      list: [{ type: 'guid', value: '3fa85f64-5717-4562-b3fc-2c963f66afa6' }],
    });
    expect(bind('IsClosed in (true, false)')).toMatchObject({
      kind: 'in',
      list: [{ value: true }, { value: false }],
    });
  });

  it('keeps an empty list (the grammar allows it): it matches nothing', () => {
    expect(bind('Subject in ()')).toMatchObject({ kind: 'in', list: [] });
  });

  it('answers a literal left side at once, with the promotions of each item', () => {
    expect(bind('2026-01-01 in (2026-01-01T00:00:00Z, 2026-02-01)')).toEqual({
      kind: 'literal',
      type: 'boolean',
      value: true,
    });
    expect(bind('5 in (1, 2)')).toMatchObject({ kind: 'literal', value: false });
    expect(bind('null in (null)')).toMatchObject({ kind: 'literal', value: true });
    expect(bind('5 in ()')).toMatchObject({ kind: 'literal', value: false });
    expect(refusal("5 in ('5')").status).toBe(400);
  });
});

describe('depth', () => {
  const chain = (n: number) => Array.from({ length: n }, () => 'IsClosed').join(' or ');

  it(`binds operators nested ${MAX_EXPRESSION_DEPTH} deep, such as a chain of ${MAX_EXPRESSION_DEPTH} conditions`, () => {
    expect(bind(chain(MAX_EXPRESSION_DEPTH))).toMatchObject({ kind: 'logical', op: 'or' });
  });

  it('refuses one level more with a 400 naming the limit (SQLite refuses SQL deeper than 1,000)', () => {
    expect(refusal(chain(MAX_EXPRESSION_DEPTH + 1))).toMatchObject({
      status: 400,
      target: '$filter',
      message: `The expression nests operators and calls more than 200 levels deep (at position 0); the limit is 200. A list of values is shorter with in (...)`,
    });
    const arithmetic = `Probability eq ${'1 add '.repeat(1300)}1`;
    expect(arithmetic.length).toBeLessThan(8000);
    expect(refusal(arithmetic).message).toContain('more than 200 levels deep');
  });

  it('lets through the longest chain of GUID comparisons a $filter holds', () => {
    const guid = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    const filter = Array.from({ length: 174 }, () => `ID eq ${guid}`).join(' or ');
    expect(filter.length).toBeLessThanOrEqual(8000);
    expect(bind(filter)).toMatchObject({ kind: 'logical' });
  });
});
