// $apply results against an independent computation over the same rows read with plain queries.
import { beforeAll, describe, expect, it } from 'vitest';
import { withTestService } from '../test-support/test-service.ts';

const service = withTestService({ demoData: true, demoSize: 150 });
const api = (path: string) => service.api(path);

interface Row {
  ID: string;
  Currency: string;
  EstimatedAmount: number | null;
  WeightedAmount: number | null;
  IsClosed: boolean;
  Pipeline: { ID: string } | null;
  Phase: { ID: string } | null;
}
let rows: Row[];

const round = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
const sum = (values: (number | null)[]) => {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? round(present.reduce((a, b) => a + b, 0)) : null;
};

/** Groups rows by a key function, the reference the service's GROUP BY is checked against. */
function groupRows<K extends string>(list: Row[], key: (r: Row) => K) {
  const groups = new Map<K, Row[]>();
  for (const r of list) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return groups;
}

beforeAll(async () => {
  // rows the demo data lacks: no amount, and a currency of its own
  for (const body of [
    { Subject: 'No amount yet', Currency: 'GBP' },
    { Subject: 'Swiss deal', Currency: 'CHF', EstimatedAmount: 1234.5 },
  ]) {
    const created = await service.api('/Activity_SalesOpportunity', { method: 'POST', json: body });
    expect(created.status).toBe(201);
  }
  rows = [];
  let url: string | undefined =
    '/Activity_SalesOpportunity?$select=Currency,EstimatedAmount,WeightedAmount,IsClosed&$expand=Pipeline($select=ID),Phase($select=ID)';
  while (url) {
    const page: any = await api(url);
    rows.push(...page.body.value);
    url = page.body['@odata.nextLink'];
  }
});

describe('$apply', () => {
  it('groups by a navigation path and a property, with sum and $count', async () => {
    const response = await api(
      '/Activity_SalesOpportunity?$apply=groupby((Pipeline/ID,Currency),aggregate(EstimatedAmount with sum as Estimated,WeightedAmount with sum as Weighted,$count as Count))',
    );
    expect(response.status, response.text).toBe(200);
    const expected = groupRows(rows, (r) => `${r.Pipeline?.ID ?? null}|${r.Currency}`);
    expect(response.body.value.length).toBe(expected.size);
    for (const group of response.body.value) {
      const members = expected.get(`${group.Pipeline.ID}|${group.Currency}` as never)!;
      expect(members, JSON.stringify(group)).toBeDefined();
      expect(group.Count).toBe(members.length);
      expect(round(group.Estimated)).toBe(sum(members.map((m) => m.EstimatedAmount)));
      expect(round(group.Weighted)).toBe(sum(members.map((m) => m.WeightedAmount)));
    }
    const currencies = new Set(response.body.value.map((g: any) => g.Currency));
    expect(currencies).toEqual(new Set(['EUR', 'USD', 'GBP', 'CHF']));
  });

  it('filters first, then groups by phase', async () => {
    const response = await api(
      '/Activity_SalesOpportunity?$apply=filter(IsClosed eq false)/groupby((Phase/ID),aggregate(WeightedAmount with sum as Weighted,$count as Count))',
    );
    const open = rows.filter((r) => !r.IsClosed);
    const expected = groupRows(open, (r) => r.Phase?.ID ?? 'none');
    expect(response.body.value.length).toBe(expected.size);
    for (const group of response.body.value) {
      const members = expected.get(group.Phase.ID)!;
      expect(group.Count).toBe(members.length);
      expect(round(group.Weighted)).toBe(sum(members.map((m) => m.WeightedAmount)));
    }
  });

  it('aggregates the whole set: average, min, max and countdistinct skip nulls', async () => {
    const response = await api(
      '/Activity_SalesOpportunity?$apply=aggregate(EstimatedAmount with average as Average,EstimatedAmount with min as Smallest,EstimatedAmount with max as Largest,Currency with countdistinct as Currencies,$count as Count)',
    );
    const amounts = rows.map((r) => r.EstimatedAmount).filter((a): a is number => a !== null);
    expect(amounts.length).toBeLessThan(rows.length);
    expect(response.body.value).toEqual([
      {
        '@odata.id': null,
        Average: expect.closeTo(amounts.reduce((a, b) => a + b, 0) / amounts.length, 6),
        Smallest: Math.min(...amounts),
        Largest: Math.max(...amounts),
        Currencies: 4,
        Count: rows.length,
      },
    ]);
  });

  it('an empty selection gives no groups, and one aggregate row with count 0 and null sums', async () => {
    const groups = await api(
      "/Activity_SalesOpportunity?$apply=filter(Currency eq 'JPY')/groupby((Currency),aggregate($count as Count))",
    );
    expect(groups.body.value).toEqual([]);
    const total = await api(
      "/Activity_SalesOpportunity?$apply=filter(Currency eq 'JPY')/aggregate(EstimatedAmount with sum as Total,$count as Count)",
    );
    expect(total.body.value).toEqual([{ '@odata.id': null, Total: null, Count: 0 }]);
  });

  it('orders and pages the groups by alias, and counts them', async () => {
    const response = await api(
      '/Activity_SalesOpportunity?$apply=groupby((Currency),aggregate(EstimatedAmount with sum as Total))&$orderby=Total desc&$top=2&$count=true',
    );
    const totals = [...groupRows(rows, (r) => r.Currency).values()]
      .map((members) => sum(members.map((m) => m.EstimatedAmount)) ?? -1)
      .sort((a, b) => b - a);
    expect(response.body['@odata.count']).toBe(4);
    expect(response.body.value.map((g: any) => round(g.Total))).toEqual(totals.slice(0, 2));
  });

  it('works on a navigation collection too', async () => {
    const id = rows.find((r) => r.EstimatedAmount)!.ID;
    const response = await api(
      `/Activity_SalesOpportunity(${id})/ProductLines?$apply=aggregate(Total with sum as Total,$count as Lines)`,
    );
    const opportunity = await api(`/Activity_SalesOpportunity(${id})?$select=Amount,NumberOfProductLines`);
    expect(response.body.value[0].Lines).toBe(opportunity.body.NumberOfProductLines);
    expect(round(response.body.value[0].Total ?? 0)).toBe(opportunity.body.Amount);
  });

  it.each([
    ['groupby((Nope),aggregate($count as C))', 400, /Unknown property 'Nope'/],
    ['aggregate(Subject with sum as S)', 400, /sum needs a number/],
    ['aggregate(IsClosed with max as S)', 400, /max needs a value with an order/],
    ['groupby((Currency),aggregate($count as Currency))', 400, /used twice/],
    ['groupby((Currency)', 400, /\$apply/],
    ['aggregate(EstimatedAmount with median as M)', 400, /\$apply/],
    ['topcount(5,EstimatedAmount)', 501, /topcount/],
    ['filter(IsClosed eq false)', 501, /groupby\(\) or aggregate\(\)/],
  ])('$apply=%s → %i', async (apply, status, message) => {
    const response = await api(`/Activity_SalesOpportunity?$apply=${encodeURIComponent(apply)}`);
    expect(response.status, response.text).toBe(status);
    expect(response.body.error.message).toMatch(message);
  });

  it('is advertised in $metadata', async () => {
    const metadata = await api('/$metadata');
    expect(metadata.text).toContain('Aggregation.ApplySupported');
  });
});
