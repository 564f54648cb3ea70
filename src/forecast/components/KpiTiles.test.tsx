import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Forecast, ForecastRow } from '../model/build-forecast';
import { KpiTiles } from './KpiTiles';

const row = (key: string, label: string, count: number, weighted: number): ForecastRow => ({
  key,
  label,
  count,
  estimated: weighted * 2,
  weighted,
});

const forecast = (reps: ForecastRow[], openCount: number): Forecast => ({
  currency: 'EUR',
  excluded: [],
  open: { count: openCount, estimated: 0, weighted: 0 },
  overdue: { count: 0, weighted: 0 },
  closed: { won: 0, lost: 0, winRate: null, wonAmount: 0, averageWon: null },
  pipelines: [],
  phases: [],
  months: [],
  reps,
});

const topRepTile = () => screen.getByText('Top rep, weighted').parentElement!;

describe('KpiTiles: top rep', () => {
  it('names the rep with the most weighted open pipeline, leaving unassigned deals aside', () => {
    render(
      <KpiTiles
        forecast={forecast([row('none', 'Unassigned', 9, 90_000), row('r1', 'Sophie', 2, 5_000)], 11)}
      />,
    );
    expect(topRepTile()).toHaveTextContent('Sophie · 2 deals');
  });

  it('says the open deals are unassigned when no rep has any, rather than that there are none', () => {
    render(<KpiTiles forecast={forecast([row('none', 'Unassigned', 3, 1_000)], 3)} />);
    expect(topRepTile()).toHaveTextContent('No rep has open deals; 3 deals unassigned');
  });

  it('says there are no open deals when there are none', () => {
    render(<KpiTiles forecast={forecast([], 0)} />);
    expect(topRepTile()).toHaveTextContent('No open deals');
  });
});
