// The headline numbers above the charts: what is open, what is late, how often we win.
import { formatMoney } from '../../lib/format';
import type { Forecast } from '../model/build-forecast';

function Tile({
  label,
  value,
  detail,
  tone,
}: {
  label: string;
  value: string;
  detail: string;
  tone?: 'warn';
}) {
  return (
    <div className="rounded-xl bg-white px-4 py-3 shadow-sm ring-1 ring-slate-200">
      <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{label}</dt>
      <dd
        className={`mt-1 text-2xl font-semibold tabular-nums ${tone === 'warn' ? 'text-rose-600' : 'text-slate-900'}`}
      >
        {value}
      </dd>
      <dd className="text-xs text-slate-500">{detail}</dd>
    </div>
  );
}

const deals = (n: number) => `${n} ${n === 1 ? 'deal' : 'deals'}`;

export function KpiTiles({ forecast }: { forecast: Forecast }) {
  const { open, overdue, closed, currency } = forecast;
  const money = (n: number) => formatMoney(n, currency);
  // This month (from today) and the two after it: what a quarter's commit call is about.
  const soon = forecast.months.filter((m) => !m.kind).slice(0, 3);
  const soonWeighted = soon.reduce((n, m) => n + m.weighted, 0);
  const soonCount = soon.reduce((n, m) => n + m.count, 0);
  const top = forecast.reps.find((r) => r.count > 0 && r.key !== 'none');
  return (
    <dl className="grid grid-cols-2 gap-3 xl:grid-cols-3" aria-label="Totals">
      <Tile
        label="Open pipeline, weighted"
        value={money(open.weighted)}
        detail={`${money(open.estimated)} estimated · ${deals(open.count)}`}
      />
      <Tile
        label="Overdue, weighted"
        value={money(overdue.weighted)}
        detail={`${deals(overdue.count)} expected before today`}
        tone={overdue.count > 0 ? 'warn' : undefined}
      />
      <Tile
        label="Next 3 months, weighted"
        value={money(soonWeighted)}
        detail={`${deals(soonCount)} expected ${soon[0]?.label ?? ''} – ${soon[soon.length - 1]?.label ?? ''}`}
      />
      <Tile
        label="Win rate"
        value={closed.winRate === null ? '–' : `${Math.round(closed.winRate * 100)}%`}
        detail={`${closed.won} won of ${closed.won + closed.lost} closed`}
      />
      <Tile
        label="Average won deal"
        value={closed.averageWon === null ? '–' : money(closed.averageWon)}
        detail={`${money(closed.wonAmount)} won in total`}
      />
      <Tile
        label="Top rep, weighted"
        value={top ? money(top.weighted) : '–'}
        detail={
          top
            ? `${top.label} · ${deals(top.count)}`
            : open.count > 0
              ? `No rep has open deals; ${deals(open.count)} unassigned`
              : 'No open deals'
        }
      />
    </dl>
  );
}
