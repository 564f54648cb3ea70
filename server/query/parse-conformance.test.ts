// Parser-level conformance against the OASIS OData ABNF test cases (rules that concern query
// options and expressions). The file's model (Products, Price, ...) is not ours, which does not
// matter: the parser is model-agnostic. Negative cases must be rejected with a QuerySyntaxError;
// positive cases must parse or be refused with an ODataError (400/501), never another error.

import { describe, expect, it } from 'vitest';
import { abnfCases as cases, isNegative, type TestCase } from '../test-support/abnf-cases.ts';
import { ODataError, QuerySyntaxError } from './errors.ts';
import { parseExpression } from './parse-expression.ts';
import { parseQueryOptions } from './parse-query-options.ts';

function run(c: TestCase): unknown {
  // commonExpr inputs are URL text: decode them as the HTTP layer would decode a query option value.
  return c.Rule === 'commonExpr' ? parseExpression(decodeURIComponent(c.Input)) : parseQueryOptions(c.Input);
}

function outcome(c: TestCase): 'ok' | '400' | '501' | Error {
  try {
    run(c);
    return 'ok';
  } catch (e) {
    if (e instanceof ODataError) return e.status === 501 ? '501' : '400';
    return e as Error;
  }
}

describe('OData ABNF test cases', () => {
  const negatives = cases.filter(isNegative);
  const positives = cases.filter((c) => c.FailAt === undefined);

  it('covers the expected rules', () => {
    expect(negatives.length).toBeGreaterThan(10);
    expect(positives.length).toBeGreaterThan(200);
  });

  it.each(negatives.map((c) => [`${c.Rule}: ${c.Input}`, c] as const))('rejects %s', (_, c) => {
    expect(() => run(c)).toThrow(QuerySyntaxError);
  });

  it.each(positives.map((c) => [`${c.Rule}: ${c.Input}`, c] as const))(
    'accepts or refuses cleanly %s',
    (_, c) => {
      const result = outcome(c);
      expect(result, c.Name).toBeTypeOf('string');
    },
  );

  it('reports the tally of positive cases', () => {
    const tally = { ok: 0, '400': 0, '501': 0 };
    const refused: string[] = [];
    for (const c of positives) {
      const r = outcome(c);
      if (typeof r === 'string') tally[r]++;
      if (r === '400') refused.push(c.Input);
    }
    console.info(
      `ABNF positive cases: ${positives.length}; parsed ${tally.ok}, 501 ${tally['501']}, 400 ${tally['400']}`,
    );
    console.info(`Positive cases answered with 400:\n  ${refused.join('\n  ')}`);
    expect(tally.ok + tally['400'] + tally['501']).toBe(positives.length);
  });
});
