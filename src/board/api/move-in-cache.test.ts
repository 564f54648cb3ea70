import type { InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { BoardCard, ColumnPage } from './board-card';
import { addToSums, insertCard, movedCard, moveInSums, removeCard } from './move-in-cache';

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

describe('optimistic column sums', () => {
  const deal = { ...card('a', 1), Currency: 'USD', EstimatedAmount: 1000.1, WeightedAmount: 100.01 };
  const sums = [
    { key: 'lead', currency: 'EUR', count: 2, estimated: 3000, weighted: 300 },
    { key: 'lead', currency: 'USD', count: 2, estimated: 1500.1, weighted: 150.01 },
    { key: 'qualified', currency: 'EUR', count: 1, estimated: 500, weighted: 100 },
  ];

  it("moves a card's amounts from its phase and currency to the new phase, at its new weight", () => {
    const moved = { ...deal, Probability: 20, WeightedAmount: 200.02 };
    expect(moveInSums(sums, deal, 'lead', moved, 'qualified')).toEqual([
      { key: 'lead', currency: 'EUR', count: 2, estimated: 3000, weighted: 300 },
      { key: 'lead', currency: 'USD', count: 1, estimated: 500, weighted: 50 },
      { key: 'qualified', currency: 'EUR', count: 1, estimated: 500, weighted: 100 },
      { key: 'qualified', currency: 'USD', count: 1, estimated: 1000.1, weighted: 200.02 },
    ]);
  });

  it('drops a group its last card leaves, and leaves the sums alone for a card they never had', () => {
    const one = [{ key: 'lead', currency: 'USD', count: 1, estimated: 1000.1, weighted: 100.01 }];
    expect(addToSums(one, 'lead', deal, -1)).toEqual([]);
    expect(addToSums(one, 'qualified', deal, -1)).toBe(one);
  });

  it('moving there and back gives the same sums', () => {
    const moved = { ...deal, Probability: 20, WeightedAmount: 200.02 };
    const there = moveInSums(sums, deal, 'lead', moved, 'qualified');
    expect(moveInSums(there, moved, 'qualified', deal, 'lead')).toEqual(sums);
  });
});
