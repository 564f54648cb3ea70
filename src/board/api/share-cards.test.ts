import type { InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { BoardCard, ColumnPage } from './board-card';
import { shareCards } from './share-cards';

const card = (ID: string, SortIndex: number, extra: Partial<BoardCard> = {}) =>
  ({ ID, Subject: ID, SortIndex, Relationship: { ID: 'r', Name: 'Acme' }, ...extra }) as BoardCard;
const column = (...pages: BoardCard[][]): InfiniteData<ColumnPage> => ({
  pages: pages.map((cards, i) => ({ cards, nextSkip: i < pages.length - 1 ? (i + 1) * 50 : undefined })),
  pageParams: pages.map((_, i) => i * 50),
});
/** The same data as the server would send it again: equal, but new objects. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe('shareCards', () => {
  it('keeps every unchanged card the same object when a card lands on top and shifts the others', () => {
    const [a, b, c] = [card('a', 2), card('b', 3), card('c', 4)];
    const before = column([a, b, c]);
    const after = shareCards(before, copy(column([card('new', 1), a, b, c]))) as InfiniteData<ColumnPage>;
    const [dropped, ...rest] = after.pages[0].cards;
    expect(dropped.ID).toBe('new');
    expect(rest[0]).toBe(a);
    expect(rest[1]).toBe(b);
    expect(rest[2]).toBe(c);
  });

  it('gives a changed card a new object, sharing its unchanged parts', () => {
    const a = card('a', 1);
    const after = shareCards(column([a]), copy(column([{ ...a, SortIndex: 7 }]))) as InfiniteData<ColumnPage>;
    expect(after.pages[0].cards[0]).not.toBe(a);
    expect(after.pages[0].cards[0]).toMatchObject({ ID: 'a', SortIndex: 7 });
    expect(after.pages[0].cards[0].Relationship).toBe(a.Relationship);
  });

  it('returns the previous data itself when nothing changed, and keeps unchanged pages', () => {
    const before = column([card('a', 1)], [card('b', 2)]);
    expect(shareCards(before, copy(before))).toBe(before);
    const after = shareCards(
      before,
      copy(column([card('a', 1)], [card('b', 5)])),
    ) as InfiniteData<ColumnPage>;
    expect(after.pages[0]).toBe(before.pages[0]);
    expect(after.pages[1]).not.toBe(before.pages[1]);
  });

  it('takes the new data as it is when there was none', () => {
    const next = column([card('a', 1)]);
    expect(shareCards(undefined, next)).toBe(next);
  });
});
