// One opportunity on the board as dnd-kit sees it: a sortable article around the card's face.
import { useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { memo, useMemo } from 'react';
import type { BoardCard } from '../api/board-card';
import { CardBody } from './CardBody';

export type DropLine = 'before' | 'after' | null;

const sortableAttributes = { role: 'article', roleDescription: 'opportunity card' };

/**
 * Kept thin on purpose: useSortable reads dnd-kit's context, so every card re-renders when a
 * drag starts, crosses a card or ends. Only this wrapper pays for that; the memoised CardBody
 * below it is skipped unless its own props change.
 */
export const OpportunityCard = memo(function OpportunityCard({
  card,
  phaseId,
  saving,
  staleDays,
  dropLine,
  onOpen,
}: {
  card: BoardCard;
  phaseId: string;
  saving: boolean;
  staleDays: number;
  dropLine: DropLine;
  onOpen: (id: string) => void;
}) {
  // Stable, so dnd-kit's memoised data for this card survives the re-renders above.
  const data = useMemo(() => ({ type: 'card' as const, card, phaseId }), [card, phaseId]);
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: card.ID,
    data,
    // A card whose last move is still being saved stays put: a second move would race the first.
    disabled: saving,
    attributes: sortableAttributes,
  });
  return (
    <li className="relative list-none">
      {dropLine === 'before' && <DropLineMark position="-top-1.5" />}
      <article
        ref={setNodeRef}
        {...attributes}
        {...listeners}
        aria-label={card.Subject}
        aria-busy={saving || undefined}
        data-card-id={card.ID}
        style={{ transform: CSS.Translate.toString(transform), transition }}
        onClick={() => onOpen(card.ID)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !isDragging) {
            event.preventDefault();
            onOpen(card.ID);
            return;
          }
          listeners?.onKeyDown?.(event);
        }}
        className={`cursor-grab touch-manipulation rounded-lg bg-white p-3 shadow-sm ring-1 ring-slate-200 transition-shadow select-none hover:shadow-md hover:ring-slate-300 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none ${
          isDragging ? 'opacity-40 ring-2 ring-indigo-300 ring-dashed' : ''
        } ${saving ? 'cursor-progress opacity-75' : ''}`}
      >
        <CardBody card={card} staleDays={staleDays} saving={saving} />
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
