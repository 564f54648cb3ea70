// Under REP_SEES=own a rep's pages stay bounded whatever their share of the deals: on 12,000
// opportunities (and 24,000 product lines) where one rep holds 75% and each of the others about
// 1.3%, the busy rep's pages walk an index in their order and test each row (nothing sorted),
// a small rep's pages find their few rows through the owner's index (activity
// (SalesRepresentativeID, ID); for lines, (ActivityID, ID) of the rep's deals) rather than scan
// the table for them. Checked on the plan the database runs (EXPLAIN), as bounded-plans.test.ts.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../db/database.ts';
import { createSkewedOpportunities, rareWord, skewedShape } from '../demo/skewed-data.ts';
import { createAccessToken } from '../people/credentials.ts';
import { addPerson } from '../people/people.ts';
import { pageStatementOf, postgresWork, sqlitePlan, statisticsRegimes } from '../test-support/query-plans.ts';
import { testingPostgres } from '../test-support/test-database.ts';
import { withTestService } from '../test-support/test-service.ts';

const size = 12_000;
/** rows a bounded page may read (bounded-plans.test.ts): a scan for a small rep reads 12,000 */
const boundedRows = 3_000;

const statements: { sql: string; parameters: readonly unknown[] }[] = [];
const service = withTestService({
  auth: { repSees: 'own' },
  onQuery: (text, parameters) => statements.push({ sql: text, parameters }),
});

let store: Store;
const reps: Record<'busy' | 'small', { token: string; deals: number }> = {} as never;
let board: string;

beforeAll(async () => {
  store = service.server.store;
  await store.transaction((tx) => createSkewedOpportunities(tx, 0.75, size));
  const bool = store.dialect.toDatabase('Edm.Boolean', true);
  // two lines per deal, as raw rows (the API's totals do not matter to plans)
  await sql`INSERT INTO productline ("ID", "_Type", "SortIndex", "CreationDate", "LastMutationDate", "IsActive", "IsClosed", "Description", "Quantity", "Price", "VatPercentage", "ActivityID")
    SELECT a."ID" || '-' || n.k, 'ProductLine', a."SortIndex", a."CreationDate", a."CreationDate", ${bool}, a."IsClosed", 'Line', 1, 10, 21, a."ID"
    FROM activity AS a CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2) AS n`.execute(store.db);
  const shape = await skewedShape(store, 0.75, size);
  board = `$filter=Pipeline/ID eq ${shape.pipelineId} and Phase/ID eq ${shape.phaseId}&$orderby=SortIndex,ID`;
  const small = await store.db
    .selectFrom('relation')
    .select('ID')
    .where('LastName', '=', 'No. 3')
    .executeTakeFirstOrThrow();
  for (const [name, employeeId] of [
    ['busy', shape.repId],
    ['small', small.ID as string],
  ] as const) {
    const person = await addPerson(store, {
      email: `${name}@reps.test`,
      name: `${name} rep`,
      role: 'rep',
      employeeId,
    });
    const { token } = await createAccessToken(store, person.id, 'plans');
    const deals = await store.db
      .selectFrom('activity')
      .select(sql<number>`COUNT(*)`.as('n'))
      .where('SalesRepresentativeID', '=', employeeId)
      .executeTakeFirstOrThrow();
    reps[name] = { token, deals: Number(deals.n) };
  }
  await store.refreshStatistics();
}, 120_000);

/** The page's own statement (not the counts that chose its index), as the service ran it. */
async function pageStatement(path: string, token: string) {
  statements.length = 0;
  const response = await service.api(encodeURI(path), { as: token });
  expect(response.status, response.text).toBe(200);
  expect(response.body.value.length).toBeGreaterThan(0);
  return pageStatementOf(statements, path);
}

const pages: { name: string; path: () => string; searched: RegExp }[] = [
  {
    name: 'the first page of deals',
    path: () => '/Activity_SalesOpportunity?$top=50',
    searched: /activity_by_SalesRepresentativeID_ID/,
  },
  {
    name: 'open deals',
    path: () => '/Activity_SalesOpportunity?$filter=IsClosed eq false&$top=50',
    searched: /activity_by_SalesRepresentativeID_ID/,
  },
  {
    name: 'a board column',
    path: () => `/Activity_SalesOpportunity?${board}&$top=50`,
    searched: /activity_by_SalesRepresentativeID_ID/,
  },
  {
    name: 'largest weighted amount first',
    path: () => '/Activity_SalesOpportunity?$orderby=WeightedAmount desc&$top=50',
    searched: /activity_by_SalesRepresentativeID_ID/,
  },
  {
    name: 'a common word',
    path: () => "/Activity_SalesOpportunity?$filter=contains(Subject,'Cloud')&$top=50",
    searched: /activity_by_SalesRepresentativeID_ID/,
  },
  {
    name: 'the base set',
    path: () => '/Activity?$top=50',
    searched: /activity_by_SalesRepresentativeID_ID/,
  },
  {
    name: 'the first page of product lines',
    path: () => '/ProductLine?$top=50',
    searched: /productline_by_ActivityID_ID/,
  },
];

const regimes = statisticsRegimes(() => store);

describe.each(regimes)('$name', ({ prepare }) => {
  beforeAll(prepare);

  describe('a rep with 75% of the deals', () => {
    it.each(pages)('$name: an index walked in the order, nothing sorted', async (page) => {
      const statement = await pageStatement(page.path(), reps.busy.token);
      if (testingPostgres()) {
        const work = await postgresWork(store, statement);
        expect(work.read, page.name).toBeLessThanOrEqual(boundedRows);
        expect(work.sorted, page.name).toBeLessThanOrEqual(boundedRows);
        return;
      }
      expect(await sqlitePlan(store, statement), page.name).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    });
  });

  describe('a rep with about 1% of the deals', () => {
    it('holds few deals here', () => {
      expect(reps.small.deals).toBeGreaterThan(50);
      expect(reps.small.deals).toBeLessThan(400);
    });

    it.each(pages)('$name: found through the owner index, only those sorted', async (page) => {
      const statement = await pageStatement(page.path(), reps.small.token);
      if (testingPostgres()) {
        // PostgreSQL costs the LIMIT itself and may walk the key (about 50 / share rows) or, at
        // this size, hash the rep's deals against a scan of the 24,000 lines (7 ms): its choice.
        // What it must not do is sort more than the rep's own rows.
        expect((await postgresWork(store, statement)).sorted, page.name).toBeLessThanOrEqual(boundedRows);
        return;
      }
      expect(await sqlitePlan(store, statement), page.name).toMatch(page.searched);
    });

    it('a rare word is still searched through its own index', async () => {
      const statement = await pageStatement(
        `/Activity_SalesOpportunity?$filter=contains(Subject,'${rareWord}')&$top=50`,
        reps.busy.token,
      );
      if (testingPostgres()) {
        expect((await postgresWork(store, statement)).read).toBeLessThanOrEqual(boundedRows);
        return;
      }
      expect(await sqlitePlan(store, statement)).toMatch(/VIRTUAL TABLE/);
    });
  });
});

describe('what the reps see', () => {
  it('counts only their deals and the unassigned ones (none here)', async () => {
    for (const rep of Object.values(reps)) {
      const response = await service.api('/Activity_SalesOpportunity/$count', { as: rep.token });
      expect(Number(response.text)).toBe(rep.deals);
      const lines = await service.api('/ProductLine/$count', { as: rep.token });
      expect(Number(lines.text)).toBe(2 * rep.deals);
    }
  });
});
