// Where a dragged card would land: which column, and between which of its loaded cards.
import type { Active, Over } from '@dnd-kit/core';
import { arrayMove } from '@dnd-kit/sortable';
import type { BoardCard } from '../api/board-card';
import { sortIndexBetween } from '../api/sort-index';

export interface DragData {
  type: 'card' | 'column';
  phaseId: string;
  card?: BoardCard;
}

export interface Landing {
  phaseId: string;
  /** neighbours after the drop, for the fractional SortIndex */
  before: BoardCard | undefined;
  after: BoardCard | undefined;
  /** where to draw the drop line in a foreign column */
  lineAt: { cardId: string | null; line: 'before' | 'after' | null };
}

function isBelow(active: Active, over: Over) {
  const rect = active.rect.current.translated;
  return !!rect && rect.top + rect.height / 2 > over.rect.top + over.rect.height / 2;
}

/**
 * The landing place of `active` over `over`, given the loaded cards of the target column;
 * undefined when the drop changes nothing.
 */
export function landingOf(
  active: Active,
  over: Over | null,
  targetCards: BoardCard[],
  hasMore: boolean,
): Landing | undefined {
  const from = active.data.current as DragData | undefined;
  const target = over?.data.current as DragData | undefined;
  if (!over || !from?.card || !target) return undefined;
  const sameColumn = from.phaseId === target.phaseId;
  if (target.type === 'column') {
    if (sameColumn) return undefined;
    // Below the loaded cards of a column that has more, "the end" is unknown: land on top.
    if (hasMore) {
      return {
        phaseId: target.phaseId,
        before: undefined,
        after: targetCards[0],
        lineAt: { cardId: targetCards[0]?.ID ?? null, line: 'before' },
      };
    }
    const last = targetCards[targetCards.length - 1];
    return { phaseId: target.phaseId, before: last, after: undefined, lineAt: { cardId: null, line: null } };
  }
  const overIndex = targetCards.findIndex((c) => c.ID === over.id);
  if (overIndex < 0) return undefined;
  if (sameColumn) {
    const oldIndex = targetCards.findIndex((c) => c.ID === active.id);
    if (oldIndex < 0 || oldIndex === overIndex) return undefined;
    const reordered = arrayMove(targetCards, oldIndex, overIndex);
    return {
      phaseId: target.phaseId,
      before: reordered[overIndex - 1],
      after: reordered[overIndex + 1],
      lineAt: { cardId: null, line: null },
    };
  }
  const below = isBelow(active, over);
  const insertAt = overIndex + (below ? 1 : 0);
  return {
    phaseId: target.phaseId,
    before: targetCards[insertAt - 1],
    after: targetCards[insertAt],
    lineAt: { cardId: String(over.id), line: below ? 'after' : 'before' },
  };
}

export const sortIndexOf = (landing: Landing) =>
  sortIndexBetween(landing.before?.SortIndex, landing.after?.SortIndex);
