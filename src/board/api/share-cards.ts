// Structural sharing for a column's pages by card ID rather than by position.
import { type InfiniteData, replaceEqualDeep } from '@tanstack/react-query';
import type { BoardCard, ColumnPage } from './board-card';

type ColumnData = InfiniteData<ColumnPage>;

/**
 * Keeps every card that did not change the very object it was, wherever it now sits. TanStack's
 * default sharing compares arrays index by index: a card dropped on top of a column shifted
 * every card below it, each compared with its former neighbour and copied into a new object, so
 * a drop re-rendered every card of both columns (about 100 memoised cards, most of a frame).
 * A refetch after the drop had the same effect.
 */
export function shareCards(previous: unknown, next: unknown): unknown {
  const before = previous as ColumnData | undefined;
  const after = next as ColumnData;
  if (!before?.pages || !after?.pages) return next;
  const known = new Map<string, BoardCard>();
  for (const page of before.pages) for (const card of page.cards) known.set(card.ID, card);
  let unchanged = before.pages.length === after.pages.length;
  const pages = after.pages.map((page, i) => {
    const cards = page.cards.map((card) => {
      const old = known.get(card.ID);
      return old ? (replaceEqualDeep(old, card) as BoardCard) : card;
    });
    const old = before.pages[i];
    if (
      old &&
      old.nextSkip === page.nextSkip &&
      old.cards.length === cards.length &&
      old.cards.every((card, j) => card === cards[j])
    ) {
      return old;
    }
    unchanged = false;
    return { ...page, cards };
  });
  const pageParams = replaceEqualDeep(before.pageParams, after.pageParams);
  return unchanged && pageParams === before.pageParams ? before : { ...after, pages, pageParams };
}
