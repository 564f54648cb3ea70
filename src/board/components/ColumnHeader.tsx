// Phase name, count and per-currency sums: EUR and USD are shown side by side, never added.
import { memo } from 'react';
import type { PhaseOption } from '../../api/lookup-queries';
import { formatMoney } from '../../lib/format';
import { Skeleton } from '../../ui/StateViews';
import type { ColumnTotals } from '../api/column-totals-query';

/**
 * Memoised: a column re-renders whenever dnd-kit's context changes (twice per drop, for every
 * column), and its header needs to only when its totals do.
 */
export const ColumnHeader = memo(function ColumnHeader({
  phase,
  headingId,
  totals,
  loading,
}: {
  phase: PhaseOption;
  headingId: string;
  totals: ColumnTotals | undefined;
  loading: boolean;
}) {
  const accent = phase.IsWon ? 'bg-emerald-500' : phase.IsLost ? 'bg-rose-500' : 'bg-indigo-500';
  return (
    <header className="px-3 pt-3 pb-2">
      <div className="flex items-center gap-2">
        <span aria-hidden="true" className={`h-2.5 w-2.5 shrink-0 rounded-full ${accent}`} />
        <h2 id={headingId} className="flex-1 truncate text-sm font-semibold text-slate-800">
          {phase.Name}
        </h2>
        <span className="rounded-full bg-slate-200 px-2 py-0.5 text-xs font-semibold text-slate-700 tabular-nums">
          {loading ? '…' : (totals?.count ?? 0)}
          <span className="sr-only"> opportunities</span>
        </span>
      </div>
      <div className="mt-1.5 min-h-9 space-y-0.5 text-xs text-slate-600" data-testid="column-sums">
        {loading ? (
          <>
            <Skeleton className="h-3.5 w-40" />
            <Skeleton className="h-3.5 w-28" />
          </>
        ) : totals && totals.byCurrency.length > 0 ? (
          totals.byCurrency.map((sum) => (
            <p key={sum.currency} className="flex items-baseline justify-between gap-2 tabular-nums">
              <span className="font-semibold text-slate-700" title={`Estimated total in ${sum.currency}`}>
                {formatMoney(sum.estimated, sum.currency)}
              </span>
              <span title={`Weighted total in ${sum.currency}`}>
                weighted {formatMoney(sum.weighted, sum.currency)}
              </span>
            </p>
          ))
        ) : (
          <p>
            {phase.IsWon || phase.IsLost ? 'Nothing closed here' : `${phase.Probability ?? 0}% probability`}
          </p>
        )}
      </div>
    </header>
  );
});
