// One phase of the board: a labelled region with its cards, loaded a page at a time as the
// rep scrolls, and a drop target for cards from other columns.
import { useDroppable } from '@dnd-kit/core';
import { SortableContext, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { useInfiniteQuery } from '@tanstack/react-query';
import { memo, type ReactNode, useEffect, useId, useMemo, useRef, useState } from 'react';
import { dealAccess } from '../../api/deal-access';
import type { PhaseOption } from '../../api/lookup-queries';
import { describeError } from '../../api/odata-error';
import type { ODataFilter } from '../../api/odata-filter';
import { useCurrentPerson } from '../../api/session-query';
import { Button } from '../../ui/Button';
import { PlusIcon, SpinnerIcon } from '../../ui/icons';
import { EmptyState, ErrorState, Skeleton } from '../../ui/StateViews';
import { type BoardCard, compareCards } from '../api/board-card';
import { columnQuery } from '../api/column-query';
import type { ColumnTotals } from '../api/column-totals-query';
import { useLiveCards } from '../hooks/use-live-cards';
import { ColumnHeader } from './ColumnHeader';
import { type DropLine, OpportunityCard } from './OpportunityCard';
import { QuickAdd } from './QuickAdd';

export interface LandedCard {
  card: BoardCard;
  fromPhaseId: string;
  toPhaseId: string;
}

export interface DropIndicator {
  phaseId: string;
  /** the card the line is drawn at, or null for the end of the column */
  cardId: string | null;
  line: DropLine;
}

/**
 * Memoised: the board hands each column props that keep their identity unless something in
 * that column changed, so a drop re-renders the column it leaves and the one it enters.
 */
export const BoardColumn = memo(function BoardColumn({
  pipelineId,
  phase,
  filter,
  totals,
  totalsLoading,
  pendingIds,
  staleDays,
  isDropTarget,
  dropIndicator,
  landed,
  onOpen,
}: {
  pipelineId: string;
  phase: PhaseOption;
  filter: ODataFilter;
  totals: ColumnTotals | undefined;
  totalsLoading: boolean;
  /** cards in this column whose move is still being saved */
  pendingIds: readonly string[];
  staleDays: number;
  isDropTarget: boolean;
  dropIndicator: DropIndicator | null;
  landed: LandedCard | null;
  onOpen: (id: string) => void;
}) {
  const headingId = useId();
  const [adding, setAdding] = useState(false);
  const query = useInfiniteQuery(columnQuery(pipelineId, phase.ID, filter));
  const cards = useMemo(() => {
    const loaded = query.data?.pages.flatMap((p) => p.cards) ?? [];
    if (!landed) return loaded;
    const others = loaded.filter((c) => c.ID !== landed.card.ID);
    return landed.toPhaseId === phase.ID ? [...others, landed.card].sort(compareCards) : others;
  }, [query.data, landed, phase.ID]);
  const ids = useMemo(() => cards.map((c) => c.ID), [cards]);
  const listRef = useRef<HTMLDivElement>(null);
  const sentinelRef = useRef<HTMLButtonElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const live = useLiveCards(listRef);

  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!sentinel || !hasNextPage || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) fetchNextPage();
      },
      { root: listRef.current, rootMargin: '400px' },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const { isLive, wake, observe, focusHandOver } = live;
  const person = useCurrentPerson();
  // The same element while only dnd-kit's context changed (a drag starting, crossing a card or
  // ending re-renders every column): React then skips the list instead of comparing every card.
  const list = useMemo(
    () => (
      <ul className="flex flex-col gap-2">
        {cards.map((card, index) => {
          const access = dealAccess(person, card.SalesRepresentative);
          return (
            <OpportunityCard
              key={card.ID}
              lockedBy={access.canChange ? undefined : access.owner}
              live={isLive(card.ID, index)}
              onWake={wake}
              focusHandOver={focusHandOver}
              observe={observe}
              card={card}
              phaseId={phase.ID}
              saving={pendingIds.includes(card.ID)}
              staleDays={staleDays}
              dropLine={dropIndicator?.cardId === card.ID ? dropIndicator.line : null}
              onOpen={onOpen}
            />
          );
        })}
      </ul>
    ),
    [
      cards,
      isLive,
      wake,
      observe,
      focusHandOver,
      phase.ID,
      pendingIds,
      staleDays,
      dropIndicator,
      onOpen,
      person,
    ],
  );

  const tone = phase.IsWon ? 'bg-emerald-50/60' : phase.IsLost ? 'bg-rose-50/60' : 'bg-slate-100';
  return (
    <section
      aria-labelledby={headingId}
      className={`flex max-h-full w-72 shrink-0 flex-col rounded-xl ${tone} ring-1 transition-colors ${
        isDropTarget ? 'ring-2 ring-indigo-400' : 'ring-slate-200/70'
      }`}
    >
      <ColumnHeader phase={phase} headingId={headingId} totals={totals} loading={totalsLoading} />
      {adding ? (
        <QuickAdd
          pipelineId={pipelineId}
          phaseId={phase.ID}
          phaseName={phase.Name}
          topSortIndex={cards[0]?.SortIndex ?? undefined}
          onDone={() => setAdding(false)}
        />
      ) : (
        <div className="px-2 pb-2">
          <button
            type="button"
            onClick={() => setAdding(true)}
            className="flex w-full items-center justify-center gap-1 rounded-md py-1 text-xs font-medium text-slate-600 hover:bg-white hover:text-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-500"
            aria-label={`Add opportunity to ${phase.Name}`}
          >
            <PlusIcon width={14} height={14} /> Add opportunity
          </button>
        </div>
      )}
      <div ref={listRef} className="min-h-24 flex-1 overflow-y-auto px-2 pb-2">
        <ColumnDropArea phaseId={phase.ID}>
          {query.isPending ? (
            <ul className="space-y-2" aria-label="Loading opportunities">
              {[0, 1, 2].map((i) => (
                <li key={i} className="list-none rounded-lg bg-white p-3 shadow-sm ring-1 ring-slate-200">
                  <Skeleton className="h-3 w-16" />
                  <Skeleton className="mt-2 h-4 w-48" />
                  <Skeleton className="mt-2 h-3 w-32" />
                  <Skeleton className="mt-3 h-4 w-full" />
                </li>
              ))}
            </ul>
          ) : query.isError ? (
            <ErrorState compact message={describeError(query.error)} onRetry={() => query.refetch()} />
          ) : (
            <SortableContext items={ids} strategy={verticalListSortingStrategy}>
              {list}
              {cards.length === 0 && (
                <EmptyState title={isDropTarget ? 'Drop here' : 'No opportunities'}>
                  {isDropTarget ? null : 'Drag a card here or add one.'}
                </EmptyState>
              )}
              {dropIndicator && dropIndicator.cardId === null && cards.length > 0 && (
                <div aria-hidden="true" className="mt-2 h-0.5 rounded bg-indigo-500" />
              )}
              {hasNextPage && (
                <Button
                  ref={sentinelRef}
                  variant="ghost"
                  className="mt-2 w-full text-xs"
                  onClick={() => fetchNextPage()}
                  disabled={isFetchingNextPage}
                >
                  {isFetchingNextPage ? (
                    <>
                      <SpinnerIcon width={12} height={12} /> Loading…
                    </>
                  ) : (
                    'Load more'
                  )}
                </Button>
              )}
            </SortableContext>
          )}
        </ColumnDropArea>
      </div>
    </section>
  );
});

/**
 * The column as a drop target. Apart from the column because useDroppable reads dnd-kit's
 * context, which changes twice per drop: only this re-renders then, and React skips the
 * column's content it was given.
 */
function ColumnDropArea({ phaseId, children }: { phaseId: string; children: ReactNode }) {
  const data = useMemo(() => ({ type: 'column', phaseId }), [phaseId]);
  const { setNodeRef } = useDroppable({ id: `column:${phaseId}`, data });
  return (
    <div ref={setNodeRef} className="min-h-full">
      {children}
    </div>
  );
}
