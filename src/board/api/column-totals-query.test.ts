import { describe, expect, it } from 'vitest';
import { totalsByPhase } from './column-totals-query';

describe('totalsByPhase', () => {
  it('counts per phase and sums per currency without adding currencies together', () => {
    const totals = totalsByPhase([
      { ID: '1', Currency: 'EUR', EstimatedAmount: 1000, WeightedAmount: 100, Phase: { ID: 'lead' } },
      { ID: '2', Currency: 'USD', EstimatedAmount: 5000, WeightedAmount: 500, Phase: { ID: 'lead' } },
      { ID: '3', Currency: 'EUR', EstimatedAmount: 2000, WeightedAmount: 200, Phase: { ID: 'lead' } },
      { ID: '4', Currency: 'EUR', EstimatedAmount: null, WeightedAmount: null, Phase: { ID: 'won' } },
    ]);
    expect(totals.get('lead')).toEqual({
      count: 3,
      byCurrency: [
        { currency: 'USD', estimated: 5000, weighted: 500 },
        { currency: 'EUR', estimated: 3000, weighted: 300 },
      ],
    });
    expect(totals.get('won')).toEqual({
      count: 1,
      byCurrency: [{ currency: 'EUR', estimated: 0, weighted: 0 }],
    });
  });
});
