// The optimistic half of a move: what the board shows between the drop and the server's answer.
import type { InfiniteData } from '@tanstack/react-query';
import { type AmountGroup, normalizeGroups } from '../../api/amount-group';
import type { PhaseOption } from '../../api/lookup-queries';
import { type BoardCard, type ColumnPage, compareCards } from './board-card';

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

/**
 * Adds a card's amounts to the sums of a phase (`sign` 1), or takes them out (-1). A group
 * left without opportunities goes; a card taken out of a group the sums do not have (they were
 * loaded before the card existed) changes nothing.
 */
export function addToSums(
  groups: AmountGroup[],
  phaseId: string,
  card: BoardCard,
  sign: 1 | -1,
): AmountGroup[] {
  const at = groups.findIndex((g) => g.key === phaseId && g.currency === card.Currency);
  if (at < 0) {
    if (sign < 0) return groups;
    const group = { key: phaseId, currency: card.Currency, count: 0, estimated: 0, weighted: 0 };
    return addToSums(normalizeGroups([...groups, group]), phaseId, card, sign);
  }
  const group = groups[at];
  const changed = {
    ...group,
    count: group.count + sign,
    estimated: group.estimated + sign * (card.EstimatedAmount ?? 0),
    weighted: group.weighted + sign * (card.WeightedAmount ?? 0),
  };
  const next = [...groups];
  if (changed.count > 0) next[at] = changed;
  else next.splice(at, 1);
  return normalizeGroups(next);
}

/** The sums after `card` left `fromPhaseId` and arrived, as `moved`, in `toPhaseId`. */
export const moveInSums = (
  groups: AmountGroup[],
  card: BoardCard,
  fromPhaseId: string,
  moved: BoardCard,
  toPhaseId: string,
) => addToSums(addToSums(groups, fromPhaseId, card, -1), toPhaseId, moved, 1);
