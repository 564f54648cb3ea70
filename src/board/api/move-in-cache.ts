// The optimistic half of a move: what the board shows between the drop and the server's answer.
import type { InfiniteData } from '@tanstack/react-query';
import type { PhaseOption } from '../../api/lookup-queries';
import { type BoardCard, type ColumnPage, compareCards } from './board-card';
import type { TotalsRow } from './column-totals-query';

/** The probability the server will give a card moved to `phase` (it follows the phase). */
export function probabilityIn(phase: PhaseOption): number {
  if (phase.IsWon) return 100;
  if (phase.IsLost) return 0;
  return phase.Probability ?? 0;
}

export function movedCard(
  card: BoardCard,
  to: PhaseOption,
  sortIndex: number,
  phaseChanges: boolean,
): BoardCard {
  if (!phaseChanges) return { ...card, SortIndex: sortIndex };
  const probability = probabilityIn(to);
  return {
    ...card,
    SortIndex: sortIndex,
    Probability: probability,
    WeightedAmount: ((card.EstimatedAmount ?? 0) * probability) / 100,
    IsClosed: to.IsWon || to.IsLost ? true : card.IsClosed,
  };
}

export function removeCard(data: InfiniteData<ColumnPage>, id: string): InfiniteData<ColumnPage> {
  return {
    ...data,
    pages: data.pages.map((page) => ({ ...page, cards: page.cards.filter((c) => c.ID !== id) })),
  };
}

/**
 * Puts the card where its SortIndex belongs among the loaded pages. A card that sorts after
 * every loaded card while more pages exist stays out: it appears when its page loads.
 */
export function insertCard(data: InfiniteData<ColumnPage>, card: BoardCard): InfiniteData<ColumnPage> {
  const pages = data.pages.map((page) => ({ ...page, cards: page.cards.filter((c) => c.ID !== card.ID) }));
  for (let i = 0; i < pages.length; i++) {
    const page = pages[i];
    const isLast = i === pages.length - 1;
    const lastCard = page.cards[page.cards.length - 1];
    if ((lastCard && compareCards(card, lastCard) < 0) || (isLast && page.nextSkip === undefined)) {
      const cards = [...page.cards, card].sort(compareCards);
      pages[i] = { ...page, cards };
      return { ...data, pages };
    }
  }
  return { ...data, pages };
}

export const holdsCard = (data: InfiniteData<ColumnPage>, id: string) =>
  data.pages.some((page) => page.cards.some((c) => c.ID === id));

export function replaceCard(data: InfiniteData<ColumnPage>, card: Partial<BoardCard> & { ID: string }) {
  return {
    ...data,
    pages: data.pages.map((page) => ({
      ...page,
      cards: page.cards.map((c) => (c.ID === card.ID ? { ...c, ...card } : c)),
    })),
  };
}

export function moveTotalsRow(rows: TotalsRow[], card: BoardCard, to: PhaseOption): TotalsRow[] {
  return rows.map((row) =>
    row.ID === card.ID
      ? {
          ...row,
          Phase: { ID: to.ID },
          WeightedAmount: ((row.EstimatedAmount ?? 0) * probabilityIn(to)) / 100,
        }
      : row,
  );
}
