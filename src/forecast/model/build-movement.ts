// Forecast movement as the screen shows it: the service's per-deal figures (each in its deal's
// currency) converted with the manager's rates into one waterfall from the pipeline then to the
// pipeline now, the stage conversion with phase names, and the stale deals per rep.
import type { PhaseOption } from '../../api/lookup-queries';
import type { Bucket, DealMovement, Movement } from '../api/movement-query';
import type { MoneyView } from './money-view';

export interface WaterfallStep {
  key: Bucket | 'then' | 'now';
  label: string;
  /** the step's amount: the total for then and now, the change for the others */
  amount: number;
  /** where the bar starts and ends on the value axis */
  from: number;
  to: number;
  deals: DealMovement[];
}

export interface ConversionRow {
  phase: string;
  entered: number;
  advanced: number;
  won: number;
  lost: number;
  staying: number;
  medianDays: number | null;
  p90Days: number | null;
}

export interface MovementView {
  currency: string;
  steps: WaterfallStep[];
  conversion: ConversionRow[];
  stale: { id: string | null; rep: string; count: number }[];
  /** currencies without a rate, left out */
  excluded: string[];
}

const bucketLabels: [Bucket, string][] = [
  ['new', 'New'],
  ['pulledIn', 'Pulled in'],
  ['up', 'Amount up'],
  ['down', 'Amount down'],
  ['slipped', 'Slipped'],
  ['won', 'Won'],
  ['lost', 'Lost'],
  ['other', 'Moved out or deleted'],
];

const round = (n: number) => Math.round(n * 100) / 100;

export function buildMovement(
  movement: Movement,
  context: { money: MoneyView; phases: PhaseOption[]; repNames: Map<string, string> },
): MovementView {
  const { money } = context;
  const excluded = new Set<string>();
  const convert = (amount: number, currency: string) => {
    const rate = money.rateOf(currency);
    if (rate === undefined) {
      excluded.add(currency);
      return undefined;
    }
    return amount * rate;
  };
  let then = 0;
  let now = 0;
  for (const total of movement.totals) {
    then += convert(total.Then, total.Currency) ?? 0;
    now += convert(total.Now, total.Currency) ?? 0;
  }
  const steps: WaterfallStep[] = [
    { key: 'then', label: 'Then', amount: round(then), from: 0, to: round(then), deals: [] },
  ];
  let level = then;
  for (const [key, label] of bucketLabels) {
    const deals = movement.deals.filter((d) => d.Bucket === key && money.rateOf(d.Currency) !== undefined);
    // 'other' appears only when something went that way; the named buckets always show
    if (key === 'other' && deals.length === 0) continue;
    const change = deals.reduce((n, d) => n + (convert((d.Now ?? 0) - (d.Then ?? 0), d.Currency) ?? 0), 0);
    steps.push({ key, label, amount: round(change), from: round(level), to: round(level + change), deals });
    level += change;
  }
  steps.push({ key: 'now', label: 'Now', amount: round(now), from: 0, to: round(now), deals: [] });
  const phaseName = new Map(context.phases.map((p) => [p.ID, p.Name]));
  return {
    currency: money.currency,
    steps,
    conversion: movement.conversion.map((c) => ({
      phase: phaseName.get(c.Phase) ?? 'A phase no longer listed',
      entered: c.Entered,
      advanced: c.Advanced,
      won: c.Won,
      lost: c.Lost,
      staying: c.Staying,
      medianDays: c.MedianDays,
      p90Days: c.P90Days,
    })),
    stale: movement.stale.map((s) => ({
      id: s.Rep,
      rep: s.Rep === null ? 'Unassigned' : (context.repNames.get(s.Rep) ?? 'A former rep'),
      count: s.Count,
    })),
    excluded: [...excluded].sort(),
  };
}

/** Start and end of the period a choice names, as YYYY-MM-DD, from today's date. */
export type PeriodChoice = 'quarter' | 'nextQuarter' | 'year' | 'next12';

export const periodLabels: Record<PeriodChoice, string> = {
  quarter: 'This quarter',
  nextQuarter: 'Next quarter',
  year: 'This year',
  next12: 'Next 12 months',
};

export function periodOf(choice: PeriodChoice, today: string): { from: string; to: string } {
  const [year, month] = today.split('-').map(Number);
  const iso = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
  const quarterStart = Math.floor((month - 1) / 3) * 3 + 1;
  switch (choice) {
    case 'quarter':
      return { from: iso(year, quarterStart, 1), to: iso(year, quarterStart + 3, 0) };
    case 'nextQuarter':
      return { from: iso(year, quarterStart + 3, 1), to: iso(year, quarterStart + 6, 0) };
    case 'year':
      return { from: iso(year, 1, 1), to: iso(year, 12, 31) };
    case 'next12':
      return { from: today, to: iso(year + 1, month, Number(today.slice(8))) };
  }
}

/** The date a number of days before today, as YYYY-MM-DD. */
export function daysBefore(today: string, days: number) {
  return new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** Days in a phase: hours below a day, days to one decimal above. */
export const formatDays = (n: number | null) =>
  n === null ? '–' : n < 1 ? `${Math.max(1, Math.round(n * 24))} h` : `${Math.round(n * 10) / 10} d`;
