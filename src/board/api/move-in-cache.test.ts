import type { InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { BoardCard, ColumnPage } from './board-card';
import { insertCard, movedCard, removeCard } from './move-in-cache';

const card = (ID: string, SortIndex: number): BoardCard =>
  ({
    ID,
    Subject: ID,
    SortIndex,
    EstimatedAmount: 1000,
    Probability: 10,
    WeightedAmount: 100,
    IsClosed: false,
  }) as BoardCard;
const data = (pages: BoardCard[][], lastHasMore = false): InfiniteData<ColumnPage> => ({
  pages: pages.map((cards, i) => ({
    cards,
    nextSkip: i < pages.length - 1 || lastHasMore ? (i + 1) * 50 : undefined,
  })),
  pageParams: pages.map((_, i) => i * 50),
});
const ids = (d: InfiniteData<ColumnPage>) => d.pages.map((p) => p.cards.map((c) => c.ID));

describe('optimistic cache changes', () => {
  it('inserts a card where its SortIndex belongs', () => {
    expect(ids(insertCard(data([[card('a', 1), card('c', 3)]]), card('b', 2)))).toEqual([['a', 'b', 'c']]);
    expect(ids(insertCard(data([[card('a', 1)], [card('c', 3)]]), card('d', 9)))).toEqual([
      ['a'],
      ['c', 'd'],
    ]);
  });

  it('keeps a card that sorts after the loaded pages out until its page loads', () => {
    expect(ids(insertCard(data([[card('a', 1)]], true), card('z', 99)))).toEqual([['a']]);
  });

  it('removes a card from whichever page holds it', () => {
    expect(ids(removeCard(data([[card('a', 1)], [card('b', 2)]]), 'b'))).toEqual([['a'], []]);
  });

  it('gives a card moved to a won phase the probability the server will set', () => {
    const won = {
      ID: 'won',
      Name: 'Won',
      Code: 'Won',
      Probability: 100,
      SortIndex: 101,
      IsWon: true,
      IsLost: false,
    };
    expect(movedCard(card('a', 1), won, 5, true)).toMatchObject({
      Probability: 100,
      WeightedAmount: 1000,
      IsClosed: true,
      SortIndex: 5,
    });
  });
});
