import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../db/database.ts';
import { createSkewedOpportunities, rareWord, skewedShape, threshold } from '../demo/skewed-data.ts';
import { pageStatementOf, postgresWork, sqlitePlan, statisticsRegimes } from '../test-support/query-plans.ts';
import { testingPostgres } from '../test-support/test-database.ts';
import { withTestService } from '../test-support/test-service.ts';

const size = 12_000;
const level = 0.75;
/** rows a bounded page may read: a full sort of the common case would read 9,000 */
const boundedRows = 3_000;

const statements: { sql: string; parameters: readonly unknown[] }[] = [];
const service = withTestService({
  onQuery: (text, parameters) => statements.push({ sql: text, parameters }),
});

let store: Store;

/** What the filters need from the data: the busy rep, the board's full column, quantiles. */
interface Facts {
  pipelineId: string;
  phaseId: string;
  repId: string;
  at(column: string, op: 'gt' | 'lt', share: number): string;
}
let facts: Facts;

const shapes: { name: string; rare: boolean; query: (f: Facts) => string }[] = [
  { name: 'open deals', rare: false, query: () => '$filter=IsClosed eq false' },
  { name: 'closed deals (25%)', rare: false, query: () => '$filter=IsClosed eq true' },
  {
    name: 'a board column',
    rare: false,
    query: (f) => `$filter=Pipeline/ID eq ${f.pipelineId} and Phase/ID eq ${f.phaseId}&$orderby=SortIndex,ID`,
  },
  {
    name: 'open, by expected date',
    rare: false,
    query: () => '$filter=IsClosed eq false&$orderby=ExpectedOrderDate',
  },
  {
    name: 'open, largest amount first',
    rare: false,
    query: () => '$filter=IsClosed eq false&$orderby=EstimatedAmount desc',
  },
  { name: 'a common word', rare: false, query: () => "$filter=contains(Subject,'Cloud')" },
  {
    name: 'probability in the top 75%',
    rare: false,
    query: (f) => `$filter=${f.at('Probability', 'gt', 0.75)}`,
  },
  {
    name: 'expected date in the first 75%',
    rare: false,
    query: (f) => `$filter=${f.at('ExpectedOrderDate', 'lt', 0.75)}`,
  },
  { name: 'the busy rep', rare: false, query: (f) => `$filter=SalesRepresentative/ID eq ${f.repId}` },
  {
    name: 'open deals of the busy rep',
    rare: false,
    query: (f) => `$filter=IsClosed eq false and SalesRepresentative/ID eq ${f.repId}`,
  },
  { name: "a linked record's column", rare: false, query: () => "$filter=Phase/Code eq 'Lead'" },
  {
    name: 'open with a common word, by weighted amount',
    rare: false,
    query: () => "$filter=IsClosed eq false and contains(Subject,'Cloud')&$orderby=WeightedAmount desc",
  },
  { name: 'ordered by an indexed field', rare: false, query: () => '$orderby=WeightedAmount desc' },
  // Won holds 12.5% here, under the 2,000 rows that make a condition common
  { name: "a linked record's column, less common", rare: true, query: () => "$filter=Phase/Code eq 'Won'" },
  { name: 'a rare word', rare: true, query: () => `$filter=contains(Subject,'${rareWord}')` },
  {
    name: 'open with a rare word',
    rare: true,
    query: () => `$filter=IsClosed eq false and contains(Subject,'${rareWord}')`,
  },
  {
    // closed deals have 0 or 100, so rare probabilities are no tail of the data: amounts are
    name: 'amount in the top 0.1%',
    rare: true,
    query: (f) => `$filter=${f.at('EstimatedAmount', 'gt', 0.001)}`,
  },
  {
    name: 'created in the last 0.1%',
    rare: true,
    query: (f) => `$filter=${f.at('CreationDate', 'gt', 0.001)}`,
  },
  {
    // a day holds about 16 deals: the first 1% of the dates
    name: 'open, expected date in the first 1%',
    rare: true,
    query: (f) => `$filter=IsClosed eq false and ${f.at('ExpectedOrderDate', 'lt', 0.01)}`,
  },
  {
    name: 'expected date in the first 1%, by amount',
    rare: true,
    query: (f) => `$filter=${f.at('ExpectedOrderDate', 'lt', 0.01)}&$orderby=EstimatedAmount`,
  },
];

beforeAll(async () => {
  store = service.server.store;
  await store.transaction((tx) => createSkewedOpportunities(tx, level, size));
  const quantiles = new Map<string, unknown>();
  for (const [column, op, share] of [
    ['Probability', 'gt', 0.75],
    ['EstimatedAmount', 'gt', 0.001],
    ['ExpectedOrderDate', 'lt', 0.75],
    ['ExpectedOrderDate', 'lt', 0.01],
    ['CreationDate', 'gt', 0.001],
  ] as const) {
    quantiles.set(`${column} ${op} ${share}`, await threshold(store, column, op, share, size));
  }
  facts = {
    ...(await skewedShape(store, level, size)),
    at: (column, op, share) => `${column} ${op} ${quantiles.get(`${column} ${op} ${share}`)}`,
  };
}, 120_000);

/** The page's own statement (not the counts that chose its index), as the service ran it. */
async function pageStatement(query: string) {
  statements.length = 0;
  const response = await service.api(`/Activity_SalesOpportunity?${encodeURI(query)}&$top=50`);
  expect(response.status, response.text).toBe(200);
  expect(response.body.value.length).toBeGreaterThan(0);
  return pageStatementOf(statements, query);
}

const regimes = statisticsRegimes(() => store);

describe.each(regimes)('pages on skewed data, $name', ({ prepare }) => {
  beforeAll(prepare);

  it.each(shapes)('$name', async (shape) => {
    const statement = await pageStatement(shape.query(facts));
    if (testingPostgres()) {
      expect((await postgresWork(store, statement)).read, shape.name).toBeLessThanOrEqual(boundedRows);
      return;
    }
    const plan = await sqlitePlan(store, statement);
    if (shape.rare) {
      // the rare condition is searched in its index, not tested on every row
      expect(plan, shape.name).toMatch(/SEARCH t0 USING|VIRTUAL TABLE/);
    } else {
      // a common condition is tested on the rows of the order's index: nothing to sort
      expect(plan, shape.name).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    }
  });
});
