// The face of an opportunity card: what a rep scans for (who, how much, how likely, when, whose).
import { memo } from 'react';
import { repName } from '../../api/lookup-queries';
import { formatDate, formatMoney, todayIso } from '../../lib/format';
import { BuildingIcon, CalendarIcon, ClockIcon, LockIcon, SpinnerIcon, UserIcon } from '../../ui/icons';
import type { BoardCard } from '../api/board-card';

const dayMs = 24 * 60 * 60 * 1000;

export function isStale(card: BoardCard, staleDays: number, now = Date.now()) {
  if (card.IsClosed || !card.LastMutationDate) return false;
  return now - new Date(card.LastMutationDate).getTime() > staleDays * dayMs;
}

export function isOverdue(card: BoardCard, today = todayIso()) {
  return !card.IsClosed && !!card.ExpectedOrderDate && card.ExpectedOrderDate < today;
}

function probabilityTone(p: number) {
  if (p >= 70) return 'bg-emerald-50 text-emerald-700 ring-emerald-600/20';
  if (p >= 40) return 'bg-amber-50 text-amber-700 ring-amber-600/20';
  return 'bg-slate-100 text-slate-600 ring-slate-500/20';
}

/**
 * What the card shows. Memoised apart from the sortable wrapper around it: every wrapper
 * re-renders when a drag starts or ends (dnd-kit's context changes), but a body only when its
 * card, the stale threshold or its saving state changes, so a drop formats one card, not 250.
 */
export const CardBody = memo(function CardBody({
  card,
  staleDays,
  saving,
  lockedBy,
  lockId,
}: {
  card: BoardCard;
  staleDays: number;
  saving?: boolean;
  /** the owner's name, when the signed-in person may not move this card */
  lockedBy?: string;
  /** id of the lock's text: the card's accessible description */
  lockId?: string;
}) {
  const overdue = isOverdue(card);
  const stale = isStale(card, staleDays);
  const probability = card.Probability ?? 0;
  const rep = repName(card.SalesRepresentative);
  return (
    <>
      <div className="flex items-center justify-between gap-2 text-[11px] text-slate-500">
        <span className="font-mono">{card.Number}</span>
        <span className="flex items-center gap-1.5">
          {saving && (
            <span className="flex items-center gap-1 text-indigo-600">
              <SpinnerIcon width={12} height={12} /> Saving…
            </span>
          )}
          {stale && (
            <span
              className="inline-flex items-center gap-1 rounded bg-amber-100 px-1.5 py-0.5 font-medium text-amber-800"
              title={`Not updated for more than ${staleDays} days`}
            >
              <ClockIcon width={11} height={11} /> Stale
            </span>
          )}
        </span>
      </div>
      <h3 className="mt-1 line-clamp-2 text-sm leading-snug font-semibold text-slate-900">{card.Subject}</h3>
      {card.Relationship?.Name && (
        <p className="mt-1 flex items-center gap-1.5 truncate text-xs text-slate-600">
          <BuildingIcon width={12} height={12} className="shrink-0 text-slate-400" />
          <span className="truncate">{card.Relationship.Name}</span>
        </p>
      )}
      <div className="mt-2 flex items-center justify-between gap-2">
        <span className="text-sm font-semibold text-slate-800 tabular-nums">
          {formatMoney(card.EstimatedAmount, card.Currency)}
        </span>
        <span
          className={`rounded-full px-2 py-0.5 text-[11px] font-semibold tabular-nums ring-1 ring-inset ${probabilityTone(probability)}`}
          title="Probability"
        >
          {probability}%
        </span>
      </div>
      <div className="mt-2 flex items-center justify-between gap-2 border-t border-slate-100 pt-2 text-[11px] text-slate-500">
        <span
          className={`flex shrink-0 items-center gap-1 whitespace-nowrap ${overdue ? 'font-semibold text-rose-600' : ''}`}
          title={overdue ? 'Expected order date has passed' : 'Expected order date'}
        >
          <CalendarIcon width={12} height={12} />
          {card.ExpectedOrderDate ? formatDate(card.ExpectedOrderDate) : 'No date'}
          {overdue && <span className="sr-only">(overdue)</span>}
          {overdue && <span aria-hidden="true">· overdue</span>}
        </span>
        {lockedBy ? (
          // Where the owner shows anyway: a lock and whose deal it is, the card's description.
          <span
            id={lockId}
            className="flex min-w-0 items-center gap-1 font-medium text-slate-700"
            title={`Only ${lockedBy} or a manager can move or change this deal`}
          >
            <LockIcon width={12} height={12} className="shrink-0" />
            <span className="truncate">{lockedBy}'s deal</span>{' '}
            <span className="sr-only">
              (locked: only {lockedBy} or a manager can move or change it). Press Enter to open it.
            </span>
          </span>
        ) : (
          rep && (
            <span className="flex min-w-0 items-center gap-1" title="Sales representative">
              <UserIcon width={12} height={12} className="shrink-0" />
              <span className="truncate">{rep}</span>
            </span>
          )
        )}
      </div>
    </>
  );
});
