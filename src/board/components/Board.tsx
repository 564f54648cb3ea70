// The pipeline board: one column per phase, cards dragged between them by pointer, touch or
// keyboard. A drop is written back with PATCH and shown at once (see useMoveOpportunity).
import {
  type Announcements,
  type CollisionDetection,
  closestCorners,
  DndContext,
  type DragEndEvent,
  type DragMoveEvent,
  DragOverlay,
  type DragStartEvent,
  KeyboardSensor,
  MeasuringStrategy,
  PointerSensor,
  pointerWithin,
  TouchSensor,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { sortableKeyboardCoordinates } from '@dnd-kit/sortable';
import { type InfiniteData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type PhaseOption, phasesQuery } from '../../api/lookup-queries';
import { describeError } from '../../api/odata-error';
import type { ODataFilter } from '../../api/odata-filter';
import { ErrorState, Skeleton } from '../../ui/StateViews';
import { showToast } from '../../ui/toast-store';
import type { BoardCard, ColumnPage } from '../api/board-card';
import { columnQuery } from '../api/column-query';
import { useColumnTotals } from '../api/column-totals-query';
import { draggingCard } from '../api/dragging-card';
import { movedCard } from '../api/move-in-cache';
import { type MoveVariables, useMoveOpportunity } from '../api/use-move-opportunity';
import { noPendingIds, usePendingMoves } from '../api/use-pending-moves';
import { BoardColumn, type DropIndicator, type LandedCard } from './BoardColumn';
import { CardBody } from './CardBody';
import { LostDialog, WonDialog } from './CloseDialogs';
import { dragInstructionsId } from './drag-instructions-id';
import { type DragData, landingOf, sortIndexOf } from './drop-target';

// Cards first (the precise target), the column itself when the pointer is over empty space.
const collisionDetection: CollisionDetection = (args) => {
  const within = pointerWithin(args);
  const cards = within.filter(
    (c) => (c.data?.droppableContainer.data.current as DragData | undefined)?.type === 'card',
  );
  if (cards.length) return cards;
  if (within.length) return within;
  return closestCorners(args);
};

// Droppables are measured while a drag is on, not always: with `Always`, ending a drag
// re-measured all ~250 cards (a layout read and a walk up the scroll parents each) inside the
// render that drops the card, which alone cost about two frames.
const measuring = { droppable: { strategy: MeasuringStrategy.WhileDragging } };

const screenReaderInstructions = {
  draggable:
    'To move this opportunity, press Space, then use the arrow keys to choose a column and position, and press Space again to drop it. Press Enter to open it.',
};

const keyboardCodes = { start: ['Space'], cancel: ['Escape'], end: ['Space'] };

export function Board({
  pipelineId,
  filter,
  staleDays,
  onOpen,
}: {
  pipelineId: string;
  filter: ODataFilter;
  staleDays: number;
  onOpen: (id: string) => void;
}) {
  const queryClient = useQueryClient();
  const phases = useQuery(phasesQuery(pipelineId));
  const totalsQuery = useColumnTotals(pipelineId, filter);
  const totals = totalsQuery.data;
  const pending = usePendingMoves();
  // The app passes a new function on each of its renders; the cards need one that never changes.
  const latestOnOpen = useRef(onOpen);
  useEffect(() => {
    latestOnOpen.current = onOpen;
  }, [onOpen]);
  const openCard = useCallback((id: string) => latestOnOpen.current(id), []);
  const move = useMoveOpportunity((message) => showToast(message, 'error'));
  const [active, setActive] = useState<BoardCard | null>(null);
  const [indicator, setIndicator] = useState<DropIndicator | null>(null);
  const [overPhaseId, setOverPhaseId] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<MoveVariables | null>(null);
  // The last drop, drawn by the columns in the same render that ends the drag, so the card
  // lands in the frame after the drop; the query cache catches up a moment later.
  const [landed, setLanded] = useState<LandedCard | null>(null);

  const save = (variables: MoveVariables) => {
    setLanded({
      card: movedCard(
        variables.card,
        variables.to,
        variables.sortIndex,
        variables.fromPhaseId !== variables.to.ID,
      ),
      fromPhaseId: variables.fromPhaseId,
      toPhaseId: variables.to.ID,
    });
    const clear = () => setLanded((current) => (current?.card.ID === variables.card.ID ? null : current));
    move.mutate(variables, { onSettled: clear });
  };

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    // Press-and-hold on touch screens, so that a swipe still scrolls the board.
    useSensor(TouchSensor, { activationConstraint: { delay: 250, tolerance: 8 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates, keyboardCodes }),
  );

  const phaseById = useMemo(() => new Map((phases.data ?? []).map((p) => [p.ID, p])), [phases.data]);
  const columnCards = useCallback(
    (phaseId: string) => {
      const data = queryClient.getQueryData<InfiniteData<ColumnPage>>(
        columnQuery(pipelineId, phaseId, filter).queryKey,
      );
      const cards = data?.pages.flatMap((p) => p.cards) ?? [];
      const hasMore = data ? data.pages[data.pages.length - 1]?.nextSkip !== undefined : false;
      return { cards, hasMore };
    },
    [queryClient, pipelineId, filter],
  );

  const announcements = useMemo<Announcements>(() => {
    const subjectOf = (data: unknown) => (data as DragData | undefined)?.card?.Subject ?? 'the card';
    const placeOf = (data: unknown) => {
      const target = data as DragData | undefined;
      if (!target) return 'outside the board';
      const phase = phaseById.get(target.phaseId)?.Name ?? 'a column';
      return target.type === 'card' && target.card ? `${phase}, at ${target.card.Subject}` : phase;
    };
    return {
      onDragStart: ({ active }) =>
        `Picked up ${subjectOf(active.data.current)}. Use the arrow keys to move it between columns and cards, Space to drop it, Escape to cancel.`,
      onDragOver: ({ active, over }) =>
        `${subjectOf(active.data.current)} is over ${placeOf(over?.data.current)}.`,
      onDragEnd: ({ active, over }) =>
        over
          ? `${subjectOf(active.data.current)} was dropped in ${placeOf(over.data.current)}.`
          : `${subjectOf(active.data.current)} was dropped outside the board and stays where it was.`,
      onDragCancel: ({ active }) =>
        `Moving ${subjectOf(active.data.current)} was cancelled; it stays where it was.`,
    };
  }, [phaseById]);

  const accessibility = useMemo(() => ({ announcements, screenReaderInstructions }), [announcements]);

  const onDragStart = ({ active, activatorEvent }: DragStartEvent) => {
    setActive((active.data.current as DragData).card ?? null);
    // The live updates hold back changes to this card until the drop (see live-feed).
    draggingCard.set(String(active.id));
    // A pointer or touch drag does not need the focus the press gave the card, and a drop that
    // removes a focused article makes the browser fix the focus up in the middle of the drop's
    // commit (about 3 ms here). A keyboard drag keeps it: dnd-kit's keyboard sensor needs it.
    if (!(activatorEvent instanceof KeyboardEvent)) {
      const focused = document.activeElement;
      if (focused instanceof HTMLElement && focused.dataset.cardId === String(active.id)) focused.blur();
    }
  };

  const onDragMove = ({ active, over }: DragMoveEvent) => {
    const targetPhase = (over?.data.current as DragData | undefined)?.phaseId ?? null;
    setOverPhaseId((current) => (current === targetPhase ? current : targetPhase));
    const fromPhase = (active.data.current as DragData | undefined)?.phaseId;
    let next: DropIndicator | null = null;
    if (targetPhase && targetPhase !== fromPhase) {
      const { cards, hasMore } = columnCards(targetPhase);
      const landing = landingOf(active, over, cards, hasMore);
      if (landing) next = { phaseId: targetPhase, ...landing.lineAt };
    }
    setIndicator((current) =>
      current?.phaseId === next?.phaseId && current?.cardId === next?.cardId && current?.line === next?.line
        ? current
        : next,
    );
  };

  const reset = () => {
    draggingCard.set(null);
    setActive(null);
    setIndicator(null);
    setOverPhaseId(null);
  };

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    reset();
    const from = active.data.current as DragData | undefined;
    const targetPhaseId = (over?.data.current as DragData | undefined)?.phaseId;
    if (!from?.card || !targetPhaseId) return;
    const { cards, hasMore } = columnCards(targetPhaseId);
    const landing = landingOf(active, over, cards, hasMore);
    const to = phaseById.get(targetPhaseId);
    if (!landing || !to) return;
    const variables: MoveVariables = {
      pipelineId,
      card: from.card,
      fromPhaseId: from.phaseId,
      to,
      sortIndex: sortIndexOf(landing),
    };
    const closes = from.phaseId !== to.ID && (to.IsWon || to.IsLost);
    if (closes) setConfirming(variables);
    else save(variables);
  };

  if (phases.isPending) return <BoardSkeleton />;
  if (phases.isError) {
    return (
      <div className="p-6">
        <ErrorState
          message={`The board could not be loaded. ${describeError(phases.error)}`}
          onRetry={() => phases.refetch()}
        />
      </div>
    );
  }

  return (
    <DndContext
      id={dragInstructionsId}
      sensors={sensors}
      collisionDetection={collisionDetection}
      measuring={measuring}
      accessibility={accessibility}
      onDragStart={onDragStart}
      onDragMove={onDragMove}
      onDragOver={onDragMove}
      onDragEnd={onDragEnd}
      onDragCancel={reset}
    >
      <div className="flex h-full items-start gap-3 overflow-x-auto px-4 pt-1 pb-4">
        {phases.data.map((phase: PhaseOption) => (
          <BoardColumn
            key={phase.ID}
            pipelineId={pipelineId}
            phase={phase}
            filter={filter}
            totals={totals?.[phase.ID]}
            totalsLoading={totalsQuery.isPending}
            pendingIds={pending[phase.ID] ?? noPendingIds}
            staleDays={staleDays}
            isDropTarget={!!active && overPhaseId === phase.ID}
            dropIndicator={indicator?.phaseId === phase.ID ? indicator : null}
            landed={landed?.fromPhaseId === phase.ID || landed?.toPhaseId === phase.ID ? landed : null}
            onOpen={openCard}
          />
        ))}
      </div>
      <DragOverlay dropAnimation={null}>
        {active ? (
          // The tilt is on an inner element: dnd-kit measures the outer one, and a rotated
          // rectangle would make keyboard moves think the card sits left of its own column.
          <div className="w-68 cursor-grabbing">
            <div className="rotate-2 rounded-lg bg-white p-3 shadow-2xl ring-2 ring-indigo-400">
              <CardBody card={active} staleDays={staleDays} />
            </div>
          </div>
        ) : null}
      </DragOverlay>
      {confirming?.to.IsLost && (
        <LostDialog
          subject={confirming.card.Subject}
          onCancel={() => setConfirming(null)}
          onConfirm={(lost) => {
            save({ ...confirming, lost });
            setConfirming(null);
          }}
        />
      )}
      {confirming?.to.IsWon && (
        <WonDialog
          subject={confirming.card.Subject}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            save(confirming);
            setConfirming(null);
          }}
        />
      )}
    </DndContext>
  );
}

function BoardSkeleton() {
  return (
    <div className="flex h-full gap-3 overflow-hidden px-4 pt-1 pb-4" aria-busy="true">
      <span className="sr-only">Loading the board…</span>
      {[0, 1, 2, 3, 4].map((i) => (
        <div key={i} className="w-72 shrink-0 space-y-2 rounded-xl bg-slate-100 p-3 ring-1 ring-slate-200/70">
          <Skeleton className="h-4 w-32" />
          <Skeleton className="h-3 w-44" />
          <Skeleton className="h-3 w-28" />
          {[0, 1, 2].map((j) => (
            <Skeleton key={j} className="h-28 w-full bg-white" />
          ))}
        </div>
      ))}
    </div>
  );
}
