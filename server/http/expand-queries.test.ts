// $expand costs a fixed number of SQL queries, whatever the number of rows.
import { describe, expect, it } from 'vitest';
import { withTestService } from '../test-support/test-service.ts';

const statements: string[] = [];
const service = withTestService({ demoData: true, demoSize: 120, onQuery: (sql) => statements.push(sql) });

async function queriesFor(path: string) {
  statements.length = 0;
  const response = await service.api(path);
  expect(response.status, response.text).toBe(200);
  return { count: statements.length, rows: response.body.value.length };
}

describe('$expand', () => {
  it('runs the same number of queries for 10 rows as for 100', async () => {
    const expand =
      '$expand=Relationship,Contact,Phase($expand=Pipeline),Pipeline,SalesRepresentative,ProductLines($expand=Product;$top=2;$count=true)';
    const ten = await queriesFor(`/Activity_SalesOpportunity?$top=10&${expand}`);
    const hundred = await queriesFor(`/Activity_SalesOpportunity?$top=100&${expand}`);
    expect(ten.rows).toBe(10);
    expect(hundred.rows).toBe(100);
    expect(hundred.count).toBe(ten.count);
    // the page, one query per expanded navigation (nested ones included), and the missing counts at most
    expect(hundred.count).toBeLessThanOrEqual(10);
  });
});

describe('$count inside $expand', () => {
  it("counts every parent's related rows, also those skipped or filtered out of the window", async () => {
    const response = await service.api(
      '/Activity_SalesOpportunity?$top=40&$select=NumberOfProductLines&$expand=ProductLines($skip=1;$top=1;$count=true)',
    );
    for (const o of response.body.value) {
      expect(o['ProductLines@odata.count']).toBe(o.NumberOfProductLines);
      expect(o.ProductLines.length).toBe(o.NumberOfProductLines >= 2 ? 1 : 0);
    }
    const filtered = await service.api(
      '/Activity_SalesOpportunity?$top=40&$expand=ProductLines($filter=Quantity gt 1000;$count=true)',
    );
    for (const o of filtered.body.value) expect(o['ProductLines@odata.count']).toBe(0);
  });
});

describe('contains on Subject', () => {
  it('narrows the rows through the substring index on SQLite', async () => {
    statements.length = 0;
    await service.api(
      `/Activity_SalesOpportunity?$filter=${encodeURIComponent("contains(Subject,'onboarding')")}&$top=5`,
    );
    const usesTrigrams = statements.some((sql) => sql.includes('activity_Subject_trigrams'));
    expect(usesTrigrams).toBe(service.server.store.dialect.name === 'sqlite');
  });
});
