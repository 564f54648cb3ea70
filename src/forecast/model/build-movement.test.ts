import { describe, expect, it } from 'vitest';
import type { PhaseOption } from '../../api/lookup-queries';
import type { DealMovement, Movement } from '../api/movement-query';
import { buildMovement, daysBefore, formatDays, periodOf } from './build-movement';
import { converted } from './money-view';

const deal = (
  ID: string,
  Bucket: DealMovement['Bucket'],
  Then: number | null,
  Now: number | null,
  Currency = 'EUR',
): DealMovement => ({
  ID,
  Subject: ID,
  Currency,
  Bucket,
  Then,
  Now,
  Exists: true,
  Rep: null,
  Phase: { Then: null, Now: null },
  ExpectedOrderDate: { Then: null, Now: null },
});

const movement: Movement = {
  since: '2026-11-24T00:00:00.000Z',
  now: '2026-12-01T10:00:00.000Z',
  period: { from: '2026-10-01', to: '2026-12-31' },
  totals: [
    { Currency: 'EUR', Then: 1000, Now: 1400 },
    { Currency: 'USD', Then: 100, Now: 0 },
    { Currency: 'JPY', Then: 5000, Now: 5000 },
  ],
  deals: [
    deal('a', 'new', null, 500),
    deal('b', 'won', 200, null),
    deal('c', 'up', 100, 100 + 100),
    deal('d', 'slipped', 100, null, 'USD'),
    deal('e', 'up', 1000, 2000, 'JPY'),
  ],
  conversion: [
    { Phase: 'p1', Entered: 3, Advanced: 1, Won: 1, Lost: 0, Staying: 2, MedianDays: 2.5, P90Days: 4 },
  ],
  stale: [
    { Rep: 'r1', Count: 4 },
    { Rep: null, Count: 2 },
    { Rep: 'gone', Count: 1 },
  ],
};

const phases = [{ ID: 'p1', Name: 'Proposal sent' }] as PhaseOption[];

describe('buildMovement', () => {
  const view = buildMovement(movement, {
    money: converted({ base: 'EUR', rates: { USD: 0.9 } }),
    phases,
    repNames: new Map([['r1', 'Anna Akker']]),
  });

  it('walks from then to now in the report currency, each step where the last ended', () => {
    const byKey = Object.fromEntries(view.steps.map((s) => [s.key, s]));
    expect(byKey.then.amount).toBe(1000 + 90);
    expect(byKey.now.amount).toBe(1400);
    expect(byKey.new).toMatchObject({ amount: 500, from: 1090, to: 1590 });
    expect(byKey.up.amount).toBe(100);
    expect(byKey.slipped.amount).toBe(-90);
    expect(byKey.won.amount).toBe(-200);
    const last = view.steps.at(-2)!;
    expect(last.to).toBe(byKey.now.amount);
    // 'other' only when a deal went that way
    expect(byKey.other).toBeUndefined();
    expect(view.steps.map((s) => s.label)).toEqual([
      'Then',
      'New',
      'Pulled in',
      'Amount up',
      'Amount down',
      'Slipped',
      'Won',
      'Lost',
      'Now',
    ]);
  });

  it('leaves out and names a currency without a rate', () => {
    expect(view.excluded).toEqual(['JPY']);
    expect(view.steps.find((s) => s.key === 'up')!.deals.map((d) => d.ID)).toEqual(['c']);
  });

  it('names phases and reps, unassigned and former ones too', () => {
    expect(view.conversion[0]).toMatchObject({
      phase: 'Proposal sent',
      entered: 3,
      medianDays: 2.5,
      p90Days: 4,
    });
    expect(view.stale.map((s) => [s.rep, s.count])).toEqual([
      ['Anna Akker', 4],
      ['Unassigned', 2],
      ['A former rep', 1],
    ]);
  });
});

describe('periods', () => {
  it('names the quarter, the next one, the year and the next 12 months', () => {
    expect(periodOf('quarter', '2026-12-01')).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(periodOf('nextQuarter', '2026-12-01')).toEqual({ from: '2027-01-01', to: '2027-03-31' });
    expect(periodOf('quarter', '2026-02-10')).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(periodOf('year', '2026-12-01')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(periodOf('next12', '2026-12-01')).toEqual({ from: '2026-12-01', to: '2027-12-01' });
    expect(daysBefore('2026-12-01', 7)).toBe('2026-11-24');
  });
});

describe('days in a phase', () => {
  it('reads in hours below a day and in days above', () => {
    expect(formatDays(null)).toBe('–');
    expect(formatDays(0.01)).toBe('1 h');
    expect(formatDays(0.25)).toBe('6 h');
    expect(formatDays(1)).toBe('1 d');
    expect(formatDays(12.34)).toBe('12.3 d');
  });
});
