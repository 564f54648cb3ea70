import buildQuery from 'odata-query';
import { describe, expect, it } from 'vitest';
import { parseFilters, toODataFilter, toSearchChanges } from './filter-model';

const rep = '3fa85f64-5717-4562-b3fc-2c963f66afa6';

describe('board filters', () => {
  it('reads the URL and writes the OData $filter of the seed examples', () => {
    const filters = parseFilters(
      new URLSearchParams(
        `q=O'Neil&probability=50&weighted=1000&estimated=5000&before=2026-12-31&status=open&rep=${rep}`,
      ),
    );
    const query = new URLSearchParams(buildQuery({ filter: toODataFilter(filters) }).slice(1));
    expect(query.get('$filter')).toBe(
      `((contains(Subject,'O''Neil')) and (Probability gt 50) and (WeightedAmount gt 1000) and (EstimatedAmount gt 5000) and (ExpectedOrderDate lt 2026-12-31) and (IsClosed eq false) and (SalesRepresentative/ID eq ${rep}))`,
    );
  });

  it('narrows to a phase, a currency and an expected-order window, as the forecast links do', () => {
    const phase = '6fa85f64-5717-4562-b3fc-2c963f66afa7';
    const filters = parseFilters(
      new URLSearchParams(`phase=${phase}&currency=usd&from=2027-01-01&before=2027-02-01`),
    );
    expect(filters).toEqual({
      phase,
      currency: 'USD',
      expectedFrom: '2027-01-01',
      expectedBefore: '2027-02-01',
    });
    const query = new URLSearchParams(buildQuery({ filter: toODataFilter(filters) }).slice(1));
    expect(query.get('$filter')).toBe(
      `((ExpectedOrderDate ge 2027-01-01) and (ExpectedOrderDate lt 2027-02-01) and (Phase/ID eq ${phase}) and (Currency eq 'USD'))`,
    );
  });

  it('drops values a hand-edited link cannot mean', () => {
    expect(
      parseFilters(
        new URLSearchParams(
          'probability=lots&before=tomorrow&rep=1 or 1&status=maybe&currency=euro&phase=x&from=soon',
        ),
      ),
    ).toEqual({});
  });

  it('writes a day boundary with an offset for "created after"', () => {
    const filter = toODataFilter({ createdAfter: '2026-01-01' });
    expect(buildQuery({ filter })).toMatch(/CreationDate ge 2026-01-01T00:00:00[+-]\d{2}:\d{2}/);
  });

  it('round-trips through the URL', () => {
    const filters = { subject: 'renewal', minProbability: 40, status: 'closed' as const };
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(toSearchChanges(filters))) if (value) params.set(key, value);
    expect(parseFilters(params)).toEqual(filters);
  });

  it('"my deals" is kept in the URL and means the signed-in person\'s employee', () => {
    const filters = parseFilters(new URLSearchParams('mine=1&status=open'));
    expect(filters).toEqual({ mine: true, status: 'open' });
    expect(toSearchChanges(filters).mine).toBe('1');
    const query = new URLSearchParams(buildQuery({ filter: toODataFilter(filters, rep) }).slice(1));
    expect(query.get('$filter')).toBe(`((IsClosed eq false) and (SalesRepresentative/ID eq ${rep}))`);
    // without an employee to mean (another service), the filter is left out rather than guessed
    expect(toODataFilter(filters, null)).toEqual({ IsClosed: false });
    expect(parseFilters(new URLSearchParams('mine=yes'))).toEqual({});
  });
});
