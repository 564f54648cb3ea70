import { describe, expect, it } from 'vitest';
import type { AmountGroup } from '../../api/amount-group';
import type { PhaseOption } from '../../api/lookup-queries';
import type { ForecastGroups } from '../api/forecast-groups';
import { buildForecast, type ForecastContext } from './build-forecast';
import { converted, singleCurrency } from './money-view';

const phase = (ID: string, SortIndex: number, extra: Partial<PhaseOption> = {}): PhaseOption => ({
  ID,
  Name: ID,
  Code: ID,
  Probability: 10,
  SortIndex,
  IsWon: false,
  IsLost: false,
  ...extra,
});

const g = (
  key: string | null,
  currency: string,
  count: number,
  estimated: number,
  weighted: number,
): AmountGroup => ({
  key,
  currency,
  count,
  estimated,
  weighted,
});

const context = (money = converted({ base: 'EUR', rates: { USD: 0.5 } })): ForecastContext => ({
  pipelineId: 'p1',
  pipelines: [
    { ID: 'p1', Name: 'New business', SortIndex: 1 },
    { ID: 'p2', Name: 'Renewals', SortIndex: 2 },
  ],
  phases: [
    phase('Lead', 1),
    phase('Offer', 2),
    phase('Won', 101, { IsWon: true }),
    phase('Lost', 102, { IsLost: true }),
  ],
  reps: [
    { ID: 'r1', FirstName: 'Ann', LastName: 'Lee' },
    { ID: 'r2', FirstName: 'Bo', LastName: 'Ng' },
  ],
  today: '2026-11-27',
  money,
});

const groups = (over: Partial<ForecastGroups> = {}): ForecastGroups => ({
  byPipeline: [],
  byPhase: [],
  byDay: [],
  byRep: [],
  closedByPhase: [],
  ...over,
});

describe('buildForecast', () => {
  it('converts with the rate table and never adds currencies as plain numbers', () => {
    const forecast = buildForecast(
      groups({
        byPhase: [
          g('Lead', 'EUR', 2, 1000, 100),
          g('Lead', 'USD', 1, 1000, 400),
          g('Offer', 'GBP', 1, 50, 5),
        ],
      }),
      context(),
    );
    expect(forecast.currency).toBe('EUR');
    // 1000 EUR + 1000 USD × 0.5; GBP has no rate: left out and named
    expect(forecast.phases[0]).toMatchObject({ label: 'Lead', count: 3, estimated: 1500, weighted: 300 });
    expect(forecast.phases[1]).toMatchObject({ label: 'Offer', count: 0, estimated: 0 });
    expect(forecast.excluded).toEqual(['GBP']);
    expect(forecast.open).toEqual({ count: 3, estimated: 1500, weighted: 300 });
  });

  it('shows one currency alone when the view is per currency', () => {
    const forecast = buildForecast(
      groups({ byPhase: [g('Lead', 'EUR', 2, 1000, 100), g('Lead', 'USD', 1, 1000, 400)] }),
      context(singleCurrency('USD')),
    );
    expect(forecast.currency).toBe('USD');
    expect(forecast.phases[0]).toMatchObject({ count: 1, estimated: 1000, weighted: 400 });
  });

  it('is a funnel of the open phases in pipeline order, each linked to its column', () => {
    const forecast = buildForecast(groups({ byPhase: [g('Offer', 'EUR', 1, 10, 5)] }), context());
    expect(forecast.phases.map((p) => p.label)).toEqual(['Lead', 'Offer']);
    expect(forecast.phases[1].link).toEqual({ pipelineId: 'p1', filters: { phase: 'Offer' } });
  });

  it('buckets days into overdue, this month from today, the next 11 months, later and undated', () => {
    const forecast = buildForecast(
      groups({
        byDay: [
          g(null, 'EUR', 1, 70, 7),
          g('2026-11-01', 'EUR', 1, 10, 1),
          g('2026-11-26', 'EUR', 1, 20, 2),
          g('2026-11-27', 'EUR', 1, 30, 3),
          g('2026-12-31', 'USD', 2, 80, 8),
          g('2027-10-31', 'EUR', 1, 40, 4),
          g('2027-11-01', 'EUR', 1, 50, 5),
        ],
      }),
      context(),
    );
    const months = forecast.months;
    expect(months.map((m) => m.key)).toEqual([
      'overdue',
      ...['2026-11', '2026-12'],
      ...Array.from({ length: 10 }, (_, i) => `2027-${String(i + 1).padStart(2, '0')}`),
      'later',
      'none',
    ]);
    expect(months[0]).toMatchObject({ label: 'Overdue', kind: 'overdue', count: 2, weighted: 3 });
    expect(months[0].link?.filters).toEqual({ expectedFrom: undefined, expectedBefore: '2026-11-27' });
    expect(months[1]).toMatchObject({ label: 'Nov 2026', count: 1, weighted: 3 });
    expect(months[1].link?.filters).toEqual({ expectedFrom: '2026-11-27', expectedBefore: '2026-12-01' });
    expect(months[2]).toMatchObject({ label: 'Dec 2026', count: 2, estimated: 40 });
    expect(months[12]).toMatchObject({ label: 'Oct 2027', count: 1 });
    expect(months[13]).toMatchObject({
      kind: 'later',
      count: 1,
      link: { filters: { expectedFrom: '2027-11-01' } },
    });
    expect(months[14]).toMatchObject({ kind: 'none', count: 1, link: undefined });
    expect(forecast.overdue).toEqual({ count: 2, weighted: 3 });
    // every deal is in exactly one row
    expect(months.reduce((n, m) => n + m.count, 0)).toBe(8);
  });

  it('leaves later and undated out when they are empty', () => {
    const forecast = buildForecast(groups({ byDay: [g('2026-12-01', 'EUR', 1, 1, 1)] }), context());
    expect(forecast.months).toHaveLength(13);
  });

  it('ranks reps by weighted amount, with unassigned deals apart from former reps', () => {
    const forecast = buildForecast(
      groups({
        byRep: [
          g(null, 'EUR', 1, 10, 10),
          g('r1', 'EUR', 1, 100, 20),
          g('r2', 'EUR', 1, 100, 90),
          g('r9', 'EUR', 1, 5, 5),
        ],
      }),
      context(),
    );
    expect(forecast.reps.map((r) => r.label)).toEqual(['Bo Ng', 'Ann Lee', 'Unassigned', 'Former rep']);
    expect(forecast.reps[2].link).toBeUndefined();
    expect(forecast.reps[3].link?.filters).toEqual({ rep: 'r9' });
  });

  it('lists every pipeline, also those without open deals', () => {
    const forecast = buildForecast(groups({ byPipeline: [g('p2', 'EUR', 3, 300, 30)] }), context());
    expect(forecast.pipelines).toMatchObject([
      { label: 'New business', count: 0, weighted: 0 },
      { label: 'Renewals', count: 3, weighted: 30, link: { pipelineId: 'p2' } },
    ]);
  });

  it('takes win rate and average deal size from the closed deals', () => {
    const forecast = buildForecast(
      groups({
        closedByPhase: [
          g('Won', 'EUR', 3, 3000, 3000),
          g('Won', 'USD', 1, 2000, 2000),
          g('Lost', 'EUR', 4, 900, 0),
        ],
      }),
      context(),
    );
    expect(forecast.closed).toEqual({ won: 4, lost: 4, winRate: 0.5, wonAmount: 4000, averageWon: 1000 });
    const none = buildForecast(groups(), context());
    expect(none.closed.winRate).toBeNull();
    expect(none.closed.averageWon).toBeNull();
  });
});
