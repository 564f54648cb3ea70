import type { InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { AmountGroup } from '../../api/amount-group';
import { queryKeys } from '../../api/query-keys';
import { createTestClient } from '../../test/render-with-client';
import { applyChange } from './apply-change';
import type { BoardCard, ColumnPage } from './board-card';
import type { ChangeEntry } from './change-entry';

const pipelineId = 'pipe-1';
const lead = 'phase-lead';
const won = 'phase-won';
const other = 'phase-other';
const card = (ID: string, SortIndex: number, extra: Partial<BoardCard> = {}): BoardCard =>
  ({
    ID,
    Subject: ID,
    SortIndex,
    Currency: 'EUR',
    EstimatedAmount: 1000,
    Probability: 10,
    WeightedAmount: 100,
    IsClosed: false,
    ...extra,
  }) as BoardCard;
const column = (cards: BoardCard[]): InfiniteData<ColumnPage> => ({ pages: [{ cards }], pageParams: [0] });
const group = (key: string, count: number, estimated: number, weighted: number): AmountGroup => ({
  key,
  currency: 'EUR',
  count,
  estimated,
  weighted,
});

let sequence = 0;
const entry = (
  id: string,
  kind: ChangeEntry['kind'],
  changes: ChangeEntry['changes'] = {},
  set = 'Activity_SalesOpportunity',
): ChangeEntry => ({
  sequence: ++sequence,
  at: '2026-12-01T00:00:00Z',
  actor: { id: 'someone', name: 'Someone' },
  set,
  type: 'Dealdeck.SalesOpportunity',
  id,
  kind,
  changes,
});

function setup() {
  const client = createTestClient();
  client.setQueryData(queryKeys.column(pipelineId, lead, {}), column([card('a', 1), card('b', 2)]));
  client.setQueryData(queryKeys.column(pipelineId, won, {}), column([card('c', 1), card('d', 3)]));
  client.setQueryData(queryKeys.columnTotals(pipelineId, {}), [
    group(lead, 2, 2000, 200),
    group(won, 2, 2000, 200),
  ]);
  const ids = (phase: string) =>
    client
      .getQueryData<InfiniteData<ColumnPage>>(queryKeys.column(pipelineId, phase, {}))
      ?.pages.flatMap((p) => p.cards.map((c) => c.ID));
  const cardIn = (phase: string, id: string) =>
    client
      .getQueryData<InfiniteData<ColumnPage>>(queryKeys.column(pipelineId, phase, {}))
      ?.pages.flatMap((p) => p.cards)
      .find((c) => c.ID === id);
  const sums = () => client.getQueryData<AmountGroup[]>(queryKeys.columnTotals(pipelineId, {}));
  return { client, ids, cardIn, sums };
}

const moveOfA = () =>
  entry('a', 'updated', {
    Phase: [lead, won],
    SortIndex: [1, 2],
    Probability: [10, 100],
    WeightedAmount: [100, 1000],
  });

describe('applyChange', () => {
  it('moves a card to its new column at its SortIndex, with the sums', () => {
    const { client, ids, cardIn, sums } = setup();
    applyChange(client, moveOfA());
    expect(ids(lead)).toEqual(['b']);
    expect(ids(won)).toEqual(['c', 'a', 'd']);
    expect(cardIn(won, 'a')).toMatchObject({ Probability: 100, WeightedAmount: 1000 });
    expect(sums()).toEqual(expect.arrayContaining([group(lead, 1, 1000, 100), group(won, 3, 3000, 1200)]));
  });

  it('changes nothing when the cache shows the change already (the board’s own drop, heard back)', () => {
    const { client, ids, sums } = setup();
    applyChange(client, moveOfA());
    const columns = [lead, won].map((p) => client.getQueryData(queryKeys.column(pipelineId, p, {})));
    const totals = sums();
    applyChange(client, moveOfA());
    expect(ids(won)).toEqual(['c', 'a', 'd']);
    expect([lead, won].map((p) => client.getQueryData(queryKeys.column(pipelineId, p, {})))).toEqual(columns);
    expect(client.getQueryData(queryKeys.column(pipelineId, won, {}))).toBe(columns[1]);
    expect(sums()).toBe(totals);
  });

  it('does not move a card back when the cache is past the entry (an own later move, heard late)', () => {
    const { client, ids } = setup();
    const late = entry('c', 'updated', { Phase: [other, lead] });
    expect(applyChange(client, late).refresh).toBe(true);
    expect(ids(won)).toEqual(['c', 'd']);
    expect(ids(lead)).toEqual(['a', 'b']);
  });

  it('edits a card in place, keeping the other cards the objects they were', () => {
    const { client, cardIn, sums } = setup();
    const b = cardIn(lead, 'b');
    applyChange(
      client,
      entry('a', 'updated', {
        Subject: ['a', 'Renamed'],
        EstimatedAmount: [1000, 5000],
        WeightedAmount: [100, 500],
        ExpectedOrderDate: [null, '2027-01-31'],
      }),
    );
    expect(cardIn(lead, 'a')).toMatchObject({
      Subject: 'Renamed',
      EstimatedAmount: 5000,
      ExpectedOrderDate: '2027-01-31',
    });
    expect(cardIn(lead, 'b')).toBe(b);
    expect(sums()).toEqual(expect.arrayContaining([group(lead, 2, 6000, 600)]));
  });

  it('re-sorts a card whose SortIndex changed within its column', () => {
    const { client, ids } = setup();
    applyChange(client, entry('a', 'updated', { SortIndex: [1, 5] }));
    expect(ids(lead)).toEqual(['b', 'a']);
  });

  it('asks for the board again when a name behind a link changed', () => {
    const { client } = setup();
    expect(applyChange(client, entry('a', 'updated', { SalesRepresentative: [null, 'emp-1'] })).refresh).toBe(
      true,
    );
    expect(applyChange(client, entry('a', 'updated', { Subject: ['a', 'x'] })).refresh).toBe(false);
  });

  it('drops a deleted card, and one that left the reader’s view, with the sums', () => {
    const { client, ids, sums } = setup();
    applyChange(client, entry('a', 'deleted'));
    applyChange(client, entry('c', 'removed'));
    expect(ids(lead)).toEqual(['b']);
    expect(ids(won)).toEqual(['d']);
    expect(sums()).toEqual(expect.arrayContaining([group(lead, 1, 1000, 100), group(won, 1, 1000, 100)]));
    // Deleting again is a no-op.
    const before = sums();
    applyChange(client, entry('a', 'deleted'));
    expect(sums()).toBe(before);
  });

  it('loads again the column a new deal is created in, and the sums', () => {
    const { client } = setup();
    applyChange(
      client,
      entry('new', 'created', { Subject: [null, 'New'], Phase: [null, won], Pipeline: [null, pipelineId] }),
    );
    expect(client.getQueryState(queryKeys.column(pipelineId, won, {}))?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.column(pipelineId, lead, {}))?.isInvalidated).toBe(false);
    expect(client.getQueryState(queryKeys.columnTotals(pipelineId, {}))?.isInvalidated).toBe(true);
  });

  it('loads again a column a card not loaded anywhere moved into', () => {
    const { client } = setup();
    applyChange(client, entry('elsewhere', 'updated', { Phase: [other, lead] }));
    expect(client.getQueryState(queryKeys.column(pipelineId, lead, {}))?.isInvalidated).toBe(true);
  });

  it('takes a card out of the board when it moves to another pipeline', () => {
    const { client, ids } = setup();
    applyChange(client, entry('a', 'updated', { Pipeline: [pipelineId, 'pipe-2'], Phase: [lead, other] }));
    expect(ids(lead)).toEqual(['b']);
    expect(ids(won)).toEqual(['c', 'd']);
  });

  it('refreshes the open record and its history, and lookups on other sets', () => {
    const { client } = setup();
    client.setQueryData(queryKeys.opportunity('a'), { ID: 'a' });
    client.setQueryData([...queryKeys.opportunity('a'), 'History'], []);
    client.setQueryData(queryKeys.pipelines(), []);
    applyChange(client, entry('a', 'updated', { Description: ['', 'x'] }));
    expect(client.getQueryState(queryKeys.opportunity('a'))?.isInvalidated).toBe(true);
    expect(client.getQueryState([...queryKeys.opportunity('a'), 'History'])?.isInvalidated).toBe(true);
    applyChange(
      client,
      entry('p', 'updated', { Name: ['x', 'y'] }, 'Datastore_Phase_ActivitySalesOpportunity'),
    );
    expect(client.getQueryState(queryKeys.pipelines())?.isInvalidated).toBe(true);
  });
});
