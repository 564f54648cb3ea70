// One opportunity on the board: a sortable article around the card's face when it is near the
// visible part of its column (or focused), a plain one otherwise (see useLiveCards). A card the
// signed-in person may not change is locked: it cannot be picked up (it still marks where other
// cards land), and it says whose deal it is instead of the drag instructions.

import type { DraggableSyntheticListeners } from '@dnd-kit/core';
import { type AnimateLayoutChanges, useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { type KeyboardEvent, memo, type Ref, useLayoutEffect, useMemo, useRef } from 'react';
import { showToast } from '../../ui/toast-store';
import type { BoardCard } from '../api/board-card';
import type { FocusHandOver } from '../hooks/use-live-cards';
import { CardBody } from './CardBody';
import { dragInstructionsId } from './drag-instructions-id';

export type DropLine = 'before' | 'after' | null;

const roleDescription = 'opportunity card';
const sortableAttributes = { role: 'article', roleDescription };

// No slide after a drop: the overlay showed the drag, and animating would measure every card
// whose index changed (a forced layout each) inside the render that drops the card.
const noLayoutAnimation: AnimateLayoutChanges = () => false;

interface CardProps {
  card: BoardCard;
  /** the owner's name when the signed-in person may not move this card */
  lockedBy?: string;
  phaseId: string;
  saving: boolean;
  staleDays: number;
  dropLine: DropLine;
  onOpen: (id: string) => void;
  /** ref callback that watches the article's distance from the visible part of the column */
  observe: (node: HTMLElement | null) => (() => void) | undefined;
}

/**
 * Memoised; only live cards call useSortable, which reads dnd-kit's context and so re-renders
 * whenever a drag starts, crosses a card or ends. A plain card is skipped unless its props change.
 */
export const OpportunityCard = memo(function OpportunityCard({
  live,
  onWake,
  focusHandOver,
  ...props
}: CardProps & {
  live: boolean;
  onWake: (id: string) => void;
  /** passes the focus from a plain article to the sortable one that replaces it */
  focusHandOver: FocusHandOver;
}) {
  // Both report the focus: the focused card stays live when the column scrolls it away.
  return live ? (
    <SortableCard {...props} focusHandOver={focusHandOver} onWake={onWake} />
  ) : (
    <PlainCard {...props} focusHandOver={focusHandOver} onWake={onWake} />
  );
});

type CardWithFocus = CardProps & { onWake: (id: string) => void; focusHandOver: FocusHandOver };

function SortableCard({ focusHandOver, onWake, ...props }: CardWithFocus) {
  const { card, phaseId, saving, observe, lockedBy } = props;
  // Stable, so dnd-kit's memoised data for this card survives the re-renders above.
  const data = useMemo(() => ({ type: 'card' as const, card, phaseId }), [card, phaseId]);
  const {
    attributes: sortable,
    listeners,
    setNodeRef,
    transform,
    transition,
    isDragging,
  } = useSortable({
    id: card.ID,
    data,
    // A card whose last move is still being saved stays put: a second move would race the first.
    // A locked card is never picked up, but other cards can still be dropped before or after it.
    disabled: lockedBy ? lockedDisabled : saving,
    attributes: sortableAttributes,
    animateLayoutChanges: noLayoutAnimation,
  });
  const attributes = useMemo(
    () =>
      lockedBy ? { ...sortable, 'aria-disabled': undefined, 'aria-describedby': lockId(card.ID) } : sortable,
    [sortable, lockedBy, card.ID],
  );
  const node = useRef<HTMLElement | null>(null);
  const ref = useMemo(
    () => (element: HTMLElement | null) => {
      node.current = element;
      setNodeRef(element);
      const unobserve = observe(element);
      return () => {
        unobserve?.();
        setNodeRef(null);
      };
    },
    [setNodeRef, observe],
  );
  // Turned live by the focus: the plain article that had it is gone, so this one takes it. Only
  // then: a card landing from a drop does not take the focus, which would also force a style
  // recalculation in the middle of the drop's commit.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when mounted
  useLayoutEffect(() => {
    if (focusHandOver.take(card.ID)) node.current?.focus({ preventScroll: true });
  }, []);
  return (
    <CardArticle
      {...props}
      articleRef={ref}
      attributes={attributes}
      listeners={listeners}
      isDragging={isDragging}
      onWake={onWake}
      transform={CSS.Translate.toString(transform)}
      transition={transition}
    />
  );
}

const lockedDisabled = { draggable: true, droppable: false };

/** The id of a locked card's "whose deal" text, its accessible description. */
const lockId = (cardId: string) => `card-lock-${cardId}`;

const plainAttributes = {
  role: 'article',
  tabIndex: 0,
  'aria-roledescription': roleDescription,
  'aria-describedby': dragInstructionsId,
};

function PlainCard({ focusHandOver, onWake, ...props }: CardWithFocus) {
  const { card, saving, observe, lockedBy } = props;
  const attributes = useMemo(
    () =>
      lockedBy
        ? { ...plainAttributes, 'aria-describedby': lockId(card.ID) }
        : { ...plainAttributes, 'aria-disabled': saving },
    [saving, lockedBy, card.ID],
  );
  const node = useRef<HTMLElement | null>(null);
  const ref = useMemo(
    () => (element: HTMLElement | null) => {
      node.current = element;
      const unobserve = observe(element);
      return () => {
        unobserve?.();
        node.current = null;
      };
    },
    [observe],
  );
  // Swapped for the sortable card (it took the focus, see useLiveCards): React runs this before
  // it removes the article, which still has the focus then.
  useLayoutEffect(
    () => () => {
      if (node.current && node.current === document.activeElement) focusHandOver.give(card.ID);
    },
    [focusHandOver, card.ID],
  );
  return (
    <CardArticle {...props} articleRef={ref} attributes={attributes} onWake={onWake} isDragging={false} />
  );
}

/**
 * Memoised, with props that keep their identity (dnd-kit memoises attributes and listeners, the
 * transform comes as a string): every sortable card re-renders twice per drop for dnd-kit's
 * context, and its article needs to only when its own drag state changes.
 */
const CardArticle = memo(function CardArticle({
  card,
  lockedBy,
  saving,
  staleDays,
  dropLine,
  onOpen,
  articleRef,
  attributes,
  listeners,
  isDragging,
  transform,
  transition,
  onWake,
}: Omit<CardProps, 'observe'> & {
  articleRef: Ref<HTMLElement>;
  attributes: object;
  listeners?: DraggableSyntheticListeners;
  isDragging: boolean;
  transform?: string;
  transition?: string;
  onWake: (id: string) => void;
}) {
  const style = transform || transition ? { transform, transition } : undefined;
  return (
    <li className="relative list-none">
      {dropLine === 'before' && <DropLineMark position="-top-1.5" />}
      <article
        ref={articleRef}
        {...attributes}
        {...listeners}
        aria-label={card.Subject}
        aria-busy={saving || undefined}
        data-card-id={card.ID}
        style={style}
        onFocus={() => onWake(card.ID)}
        onClick={() => onOpen(card.ID)}
        onKeyDown={(event: KeyboardEvent<HTMLElement>) => {
          if (event.key === 'Enter' && !isDragging) {
            event.preventDefault();
            onOpen(card.ID);
            return;
          }
          if (lockedBy && event.key === ' ') {
            // Space picks a card up: say why this one stays put.
            event.preventDefault();
            showToast(`${lockedBy}'s deal: only ${lockedBy} or a manager can move it.`, 'info');
            return;
          }
          listeners?.onKeyDown?.(event);
        }}
        // content-visibility: a board holds hundreds of loaded cards and shows a few dozen; the
        // browser skips style, layout and paint for the rest, which is most of a drop's frame once
        // a card moves (the shifted cards below it). The size stands in while a card is skipped.
        className={`${lockedBy ? 'cursor-pointer' : 'cursor-grab'} touch-manipulation rounded-lg bg-white p-3 [contain-intrinsic-size:auto_9rem] [content-visibility:auto] shadow-sm ring-1 ring-slate-200 transition-shadow select-none hover:shadow-md hover:ring-slate-300 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none ${
          isDragging ? 'opacity-40 ring-2 ring-indigo-300 ring-dashed' : ''
        } ${saving ? 'cursor-progress opacity-75' : ''}`}
      >
        <CardBody
          card={card}
          staleDays={staleDays}
          saving={saving}
          lockedBy={lockedBy}
          lockId={lockedBy ? lockId(card.ID) : undefined}
        />
      </article>
      {dropLine === 'after' && <DropLineMark position="-bottom-1.5" />}
    </li>
  );
});

function DropLineMark({ position }: { position: string }) {
  return (
    <div
      aria-hidden="true"
      className={`pointer-events-none absolute right-0 left-0 ${position} z-10 flex items-center`}
    >
      <span className="h-2 w-2 rounded-full bg-indigo-500" />
      <span className="h-0.5 flex-1 rounded bg-indigo-500" />
    </div>
  );
}
