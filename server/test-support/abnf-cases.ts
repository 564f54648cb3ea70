// The OASIS OData ABNF test cases (odata-abnf-testcases.yaml) of the rules that concern query
// options and expressions: for the parser's conformance test, the HTTP one and the HTTP fuzz.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { encodeQuery, encodeQueryValue } from './encode-query.ts';

export interface TestCase {
  Name: string;
  Rule: string;
  Input: string;
  /** where a negative case fails; absent for positive cases */
  FailAt?: number;
}

const RULES = new Set(['filter', 'orderby', 'select', 'expand', 'queryOptions', 'commonExpr']);
const file = new URL('./odata-abnf-testcases.yaml', import.meta.url);

export const abnfCases = (parse(readFileSync(file, 'utf8')).TestCases as TestCase[]).filter((c) =>
  RULES.has(c.Rule),
);

/**
 * Negative cases whose failure comes from the test file's `Constraints` (its model's list of
 * allowed custom option names), not from the syntax: `more` is a valid custom query option,
 * which a service must ignore, and a model-agnostic parser cannot reject.
 */
export const MODEL_CONSTRAINED: Record<string, string> = {
  '$search=more&more':
    "'more' is a syntactically valid custom option; the file only rejects it via its customName list",
};

/** A case the syntax alone rejects. */
export const isNegative = (c: TestCase) => c.FailAt !== undefined && !MODEL_CONSTRAINED[c.Input];

/**
 * The query string a case means: commonExpr inputs are a $filter value. A negative case that
 * fails at a '#' is about the unencoded hash ("$search=#1"), so that '#' is sent raw: encoded as
 * %23 it would be a valid search word.
 */
export function queryOf(c: TestCase): string {
  if (c.FailAt !== undefined && c.Input[c.FailAt] === '#') {
    const before = c.Input.slice(0, c.FailAt);
    const after = c.Input.slice(c.FailAt + 1);
    return `${encodeQuery(before)}#${encodeQuery(after)}`;
  }
  return c.Rule === 'commonExpr' ? `$filter=${encodeQueryValue(c.Input)}` : encodeQuery(c.Input);
}
