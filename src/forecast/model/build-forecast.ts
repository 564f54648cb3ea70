// From the groups to what the forecast shows: the rows of each chart and table, the totals,
// the win rate. Pure, so both data paths and every view share one tested computation.
import type { AmountGroup } from '../../api/amount-group';
import type { PhaseOption, PipelineOption, RepOption } from '../../api/lookup-queries';
import { repName } from '../../api/lookup-queries';
import type { ForecastGroups } from '../api/forecast-groups';
import type { BoardLink } from './board-link';
import type { MoneyView } from './money-view';
import { bucketOf, monthBuckets } from './month-buckets';

export interface ForecastRow {
  key: string;
  label: string;
  count: number;
  estimated: number;
  weighted: number;
  /** the board showing exactly these deals; none where the board has no such filter */
  link?: BoardLink;
  /** overdue deals are drawn apart; later and undated ones are in the table only */
  kind?: 'overdue' | 'later' | 'none';
}

export interface Forecast {
  /** the unit of every amount */
  currency: string;
  /** currencies found in the data but left out (no rate to convert them) */
  excluded: string[];
  open: { count: number; estimated: number; weighted: number };
  overdue: { count: number; weighted: number };
  closed: { won: number; lost: number; winRate: number | null; wonAmount: number; averageWon: number | null };
  pipelines: ForecastRow[];
  phases: ForecastRow[];
  months: ForecastRow[];
  reps: ForecastRow[];
}

export interface ForecastContext {
  pipelineId: string;
  pipelines: PipelineOption[];
  /** the pipeline's phases in board order, the shared Won and Lost included */
  phases: PhaseOption[];
  reps: RepOption[];
  /** `YYYY-MM-DD`, the rep's own day */
  today: string;
  money: MoneyView;
}

const cents = (n: number) => Math.round(n * 100) / 100;

/** Sums groups per row key in the view's currency, noting the currencies it cannot convert. */
function rollUp(
  groups: AmountGroup[],
  money: MoneyView,
  excluded: Set<string>,
  keyOf = (g: AmountGroup) => g.key ?? '',
) {
  const rows = new Map<string, { count: number; estimated: number; weighted: number }>();
  for (const group of groups) {
    const rate = money.rateOf(group.currency);
    if (rate === undefined) {
      excluded.add(group.currency);
      continue;
    }
    const key = keyOf(group);
    const row = rows.get(key) ?? { count: 0, estimated: 0, weighted: 0 };
    row.count += group.count;
    row.estimated += group.estimated * rate;
    row.weighted += group.weighted * rate;
    rows.set(key, row);
  }
  return rows;
}

const empty = { count: 0, estimated: 0, weighted: 0 };
const rounded = (sums: { count: number; estimated: number; weighted: number } = empty) => ({
  count: sums.count,
  estimated: cents(sums.estimated),
  weighted: cents(sums.weighted),
});

export function buildForecast(groups: ForecastGroups, context: ForecastContext): Forecast {
  const { money, pipelineId } = context;
  const excluded = new Set<string>();

  const byPipeline = rollUp(groups.byPipeline, money, excluded);
  const pipelines: ForecastRow[] = context.pipelines.map((p) => ({
    key: p.ID,
    label: p.Name,
    ...rounded(byPipeline.get(p.ID)),
    link: { pipelineId: p.ID, filters: {} },
  }));

  const byPhase = rollUp(groups.byPhase, money, excluded);
  const openPhases = context.phases.filter((p) => !p.IsWon && !p.IsLost);
  const phases: ForecastRow[] = openPhases.map((p) => ({
    key: p.ID,
    label: p.Name,
    ...rounded(byPhase.get(p.ID)),
    link: { pipelineId, filters: { phase: p.ID } },
  }));
  // Deals in a phase the board no longer lists (deactivated) still count, under their own row.
  for (const [key, sums] of byPhase) {
    if (!openPhases.some((p) => p.ID === key))
      phases.push({ key: key || 'none', label: key ? 'Other phase' : 'No phase', ...rounded(sums) });
  }

  const byMonth = rollUp(groups.byDay, money, excluded, (g) => bucketOf(g.key, context.today));
  const months: ForecastRow[] = monthBuckets(context.today)
    .map((bucket) => ({
      key: bucket.key,
      label: bucket.label,
      ...rounded(byMonth.get(bucket.key)),
      link:
        bucket.kind === 'none'
          ? undefined
          : { pipelineId, filters: { expectedFrom: bucket.from, expectedBefore: bucket.before } },
      kind: bucket.kind === 'month' ? undefined : bucket.kind,
    }))
    // Later and undated appear only when they hold deals, so the table still adds up.
    .filter((row) => (row.kind !== 'later' && row.kind !== 'none') || row.count > 0);

  const byRep = rollUp(groups.byRep, money, excluded);
  const repsById = new Map(context.reps.map((r) => [r.ID, r]));
  const reps: ForecastRow[] = [...byRep]
    .map(([key, sums]): ForecastRow => {
      const rep = repsById.get(key);
      return {
        key: key || 'none',
        label: !key ? 'Unassigned' : rep ? repName(rep) : 'Former rep',
        ...rounded(sums),
        link: key ? { pipelineId, filters: { rep: key } } : undefined,
      };
    })
    .sort((a, b) => b.weighted - a.weighted || a.label.localeCompare(b.label));

  const open = rounded(
    [...byPhase.values()].reduce(
      (t, s) => ({
        count: t.count + s.count,
        estimated: t.estimated + s.estimated,
        weighted: t.weighted + s.weighted,
      }),
      empty,
    ),
  );
  const overdueSums = rounded(byMonth.get('overdue'));

  const phaseById = new Map(context.phases.map((p) => [p.ID, p]));
  const closedSums = rollUp(groups.closedByPhase, money, excluded, (g) =>
    g.key && phaseById.get(g.key)?.IsWon ? 'won' : 'lost',
  );
  const won = closedSums.get('won') ?? empty;
  const lost = closedSums.get('lost') ?? empty;
  // Closed without being won counts as lost: a deal closed in another phase was not won.
  const closedCount = won.count + lost.count;

  return {
    currency: money.currency,
    excluded: [...excluded].sort(),
    open,
    overdue: { count: overdueSums.count, weighted: overdueSums.weighted },
    closed: {
      won: won.count,
      lost: lost.count,
      winRate: closedCount ? won.count / closedCount : null,
      wonAmount: cents(won.estimated),
      averageWon: won.count ? cents(won.estimated / won.count) : null,
    },
    pipelines,
    phases,
    months,
    reps,
  };
}
