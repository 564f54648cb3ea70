// The OASIS OData ABNF test cases for query options and expressions, sent through the running
// service over real HTTP (issue 2): every positive case is answered 200 or refused cleanly
// (400/404/406/501 with an OData error body), every negative case is answered 400, and no
// request crashes the service (5xx) or hangs. The file's model (Products, Price, ...) is not
// ours, so most positive cases end in a clean 400 for an unknown property: what matters here is
// that the whole path (HTTP → parser → model check → plan → SQL) fails cleanly. Random and
// mutated variants of these cases, in our model's names, are in http-fuzz.test.ts.

import { beforeAll, describe, expect, it } from 'vitest';
import { abnfCases as cases, isNegative, queryOf, type TestCase } from '../test-support/abnf-cases.ts';
import { type Answer, brokenPromise, sendRaw } from '../test-support/odata-answers.ts';
import { withTestService } from '../test-support/test-service.ts';

const CONCURRENCY = 8;
const CLEAN_REFUSALS = new Set([400, 404, 406, 501]);

const service = withTestService();

const send = (query: string) =>
  sendRaw(
    service.server.serviceRoot,
    { path: `/Activity_SalesOpportunity?${query}` },
    undefined,
    service.apiToken,
  );

/** Why the answer does not meet the standard for a positive (or negative) case; undefined if it does. */
function judge(answer: Answer, negative: boolean): string | undefined {
  const broken = brokenPromise(answer);
  if (broken) return broken;
  if (!answer.contentType.startsWith('application/json'))
    return `content type ${answer.contentType}, not JSON`;
  if (negative) return answer.status === 400 ? undefined : `status ${answer.status}, expected 400`;
  if (answer.status === 200) {
    const value = (answer.body as { value?: unknown }).value;
    return Array.isArray(value) ? undefined : '200 without a value array';
  }
  return CLEAN_REFUSALS.has(answer.status) ? undefined : `status ${answer.status}`;
}

/** Runs the tasks with at most `limit` at once, keeping the order of the results. */
async function mapLimited<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

let answers: Map<TestCase, Answer>;

beforeAll(async () => {
  // a few rows, so that filters and orderings that pass the model check really run in SQL
  const customer = await fetch(`${service.server.serviceRoot}/Relationship_Organization`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${service.apiToken}` },
    body: JSON.stringify({ Name: 'Conformance BV' }),
  }).then((r) => r.json() as Promise<{ ID: string }>);
  for (const [Subject, EstimatedAmount] of [
    ['Fleet tracking', 20000],
    ["O'Neil's warehouse", 0],
    ['Blue green search', 125.5],
  ] as const) {
    const created = await fetch(`${service.server.serviceRoot}/Activity_SalesOpportunity`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${service.apiToken}` },
      body: JSON.stringify({ Subject, EstimatedAmount, Relationship: { ID: customer.ID } }),
    });
    expect(created.status, await created.text()).toBe(201);
  }
  const started = Date.now();
  const results = await mapLimited(cases, CONCURRENCY, (c) => send(queryOf(c)));
  answers = new Map(cases.map((c, i) => [c, results[i]]));

  const tally = (list: TestCase[]) => {
    const counts: Record<string, number> = {};
    for (const c of list) {
      const status = String(answers.get(c)!.status);
      counts[status] = (counts[status] ?? 0) + 1;
    }
    return JSON.stringify(counts);
  };
  const positives = cases.filter((c) => !isNegative(c));
  const negatives = cases.filter(isNegative);
  console.log(
    `ABNF cases over HTTP (${cases.length} in ${Date.now() - started} ms): ` +
      `positive ${positives.length} → ${tally(positives)}; negative ${negatives.length} → ${tally(negatives)}`,
  );
}, 60_000);

describe('OData ABNF test cases over HTTP', () => {
  it('covers the expected rules', () => {
    expect(cases.filter(isNegative).length).toBeGreaterThan(10);
    expect(cases.filter((c) => !isNegative(c)).length).toBeGreaterThan(200);
  });

  it.each(cases.map((c) => [`${isNegative(c) ? 'rejects' : 'answers'} ${c.Rule}: ${c.Input}`, c] as const))(
    '%s',
    (_, c) => {
      const answer = answers.get(c)!;
      const problem = judge(answer, isNegative(c));
      expect(
        problem,
        `${c.Name}\n  GET ?${queryOf(c)}\n  → ${answer.status} ${answer.text.slice(0, 400)}`,
      ).toBe(undefined);
    },
  );
});
