import { describe, expect, it } from 'vitest';
import { totalsByPhase } from './column-totals-query';

describe('totalsByPhase', () => {
  it('counts per phase over all currencies and lists each currency apart, largest first', () => {
    const totals = totalsByPhase([
      { key: null, currency: 'EUR', count: 4, estimated: 9000, weighted: 900 },
      { key: 'lead', currency: 'EUR', count: 2, estimated: 3000, weighted: 300 },
      { key: 'lead', currency: 'USD', count: 1, estimated: 5000, weighted: 500 },
      { key: 'won', currency: 'EUR', count: 1, estimated: 0, weighted: 0 },
    ]);
    expect(totals).toEqual({
      lead: {
        count: 3,
        byCurrency: [
          { currency: 'USD', estimated: 5000, weighted: 500 },
          { currency: 'EUR', estimated: 3000, weighted: 300 },
        ],
      },
      // opportunities without a phase belong to no column
      won: { count: 1, byCurrency: [{ currency: 'EUR', estimated: 0, weighted: 0 }] },
    });
  });
});
