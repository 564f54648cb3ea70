import { describe, expect, it } from 'vitest';
import { converted, rebase } from './money-view';

describe('money view', () => {
  it('converts at the table rate and refuses currencies without a usable rate', () => {
    const view = converted({ base: 'EUR', rates: { USD: 0.9, GBP: 0, CHF: Number.NaN } });
    expect(view.rateOf('EUR')).toBe(1);
    expect(view.rateOf('USD')).toBe(0.9);
    expect(view.rateOf('GBP')).toBeUndefined();
    expect(view.rateOf('CHF')).toBeUndefined();
    expect(view.rateOf('JPY')).toBeUndefined();
  });

  it('rebases the table onto another report currency', () => {
    const table = rebase({ base: 'EUR', rates: { USD: 0.8, GBP: 1.2 } }, 'USD');
    expect(table).toEqual({ base: 'USD', rates: { EUR: 1.25, GBP: 1.5 } });
    expect(rebase(table, 'EUR')).toEqual({ base: 'EUR', rates: { USD: 0.8, GBP: 1.2 } });
  });
});
