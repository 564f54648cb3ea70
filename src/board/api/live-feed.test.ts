import type { InfiniteData } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '../../api/query-keys';
import { createTestClient } from '../../test/render-with-client';
import type { BoardCard, ColumnPage } from './board-card';
import type { ChangeEntry } from './change-entry';
import { draggingCard } from './dragging-card';
import { changesUrl, createChangeApplier, startLiveFeed } from './live-feed';
import { liveMode } from './live-mode';
import { moveMutationKey } from './use-move-opportunity';

const pipelineId = 'pipe-1';
const lead = 'phase-lead';
const won = 'phase-won';
const card = (ID: string, SortIndex: number) =>
  ({ ID, Subject: ID, SortIndex, Currency: 'EUR', EstimatedAmount: 1000, WeightedAmount: 100 }) as BoardCard;
const column = (cards: BoardCard[]): InfiniteData<ColumnPage> => ({ pages: [{ cards }], pageParams: [0] });
const move = (id: string, actor = 'someone'): ChangeEntry => ({
  sequence: 1,
  at: '2026-12-01T00:00:00Z',
  actor: { id: actor, name: actor },
  set: 'Activity_SalesOpportunity',
  type: 'Dealdeck.SalesOpportunity',
  id,
  kind: 'updated',
  changes: { Phase: [lead, won] },
});

function setup() {
  const client = createTestClient();
  client.setQueryData(queryKeys.column(pipelineId, lead, {}), column([card('a', 1)]));
  client.setQueryData(queryKeys.column(pipelineId, won, {}), column([]));
  const ids = (phase: string) =>
    client
      .getQueryData<InfiniteData<ColumnPage>>(queryKeys.column(pipelineId, phase, {}))
      ?.pages.flatMap((p) => p.cards.map((c) => c.ID));
  return { client, ids };
}

const flushMicrotasks = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  draggingCard.set(null);
  liveMode.set('off');
  vi.useRealTimers();
});

describe('the change applier', () => {
  it('holds back a change to the card being dragged until the drop', async () => {
    const { client, ids } = setup();
    const applier = createChangeApplier(client, 'me');
    draggingCard.set('a');
    applier.receive(move('a'));
    expect(ids(lead)).toEqual(['a']);
    draggingCard.set(null);
    await flushMicrotasks();
    expect(ids(won)).toEqual(['a']);
    applier.stop();
  });

  it('holds back a change to a card whose move is being saved', async () => {
    const { client, ids } = setup();
    const applier = createChangeApplier(client, 'me');
    let finish: () => void = () => {};
    const mutation = client.getMutationCache().build(client, {
      mutationKey: moveMutationKey,
      mutationFn: () => new Promise<void>((resolve) => (finish = resolve)),
    });
    const done = mutation.execute({ card: card('a', 1) });
    await flushMicrotasks();
    applier.receive(move('a'));
    expect(ids(lead)).toEqual(['a']);
    finish();
    await done;
    await flushMicrotasks();
    expect(ids(won)).toEqual(['a']);
    applier.stop();
  });

  it('refetches the board a little after another person’s changes, not after one’s own', () => {
    vi.useFakeTimers();
    const { client } = setup();
    const applier = createChangeApplier(client, 'me', 500);
    applier.receive(move('a', 'me'));
    vi.advanceTimersByTime(600);
    expect(client.getQueryState(queryKeys.column(pipelineId, won, {}))?.isInvalidated).toBe(false);
    applier.receive({ ...move('a', 'someone'), changes: { Subject: ['a', 'b'] } });
    vi.advanceTimersByTime(600);
    expect(client.getQueryState(queryKeys.column(pipelineId, won, {}))?.isInvalidated).toBe(true);
    applier.stop();
  });

  it('loads everything again on reset', () => {
    const { client } = setup();
    client.setQueryData(queryKeys.opportunity('a'), { ID: 'a' });
    const applier = createChangeApplier(client, 'me');
    applier.reset();
    expect(client.getQueryState(queryKeys.column(pipelineId, lead, {}))?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.opportunity('a'))?.isInvalidated).toBe(true);
    applier.stop();
  });
});

class FakeEventSource extends EventTarget {
  static CLOSED = 2;
  static last: FakeEventSource;
  readyState = 0;
  closed = false;
  constructor(
    readonly url: string,
    readonly init?: EventSourceInit,
  ) {
    super();
    FakeEventSource.last = this;
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  emit(type: string, data?: string) {
    this.dispatchEvent(Object.assign(new Event(type), { data }));
  }
}

describe('startLiveFeed', () => {
  const Impl = FakeEventSource as unknown as typeof EventSource;

  it('finds the stream beside the OData service', () => {
    expect(changesUrl('/v1/odata', 'https://deals.example')).toBe('https://deals.example/v1/changes');
  });

  it('applies the stream’s changes, says it is live, and closes the stream when stopped', () => {
    const { client, ids } = setup();
    const stop = startLiveFeed(client, '/v1/changes', 'me', Impl);
    const source = FakeEventSource.last;
    expect(source.init?.withCredentials).toBe(true);
    source.emit('open');
    expect(liveMode.get()).toBe('live');
    source.emit('change', JSON.stringify(move('a')));
    expect(ids(won)).toEqual(['a']);
    stop();
    expect(source.closed).toBe(true);
    expect(liveMode.get()).toBe('off');
  });

  it('reconnecting keeps it live; a stream refused for good (404) falls back to polling every 30 s', () => {
    vi.useFakeTimers();
    const { client } = setup();
    const stop = startLiveFeed(client, '/v1/changes', 'me', Impl);
    const source = FakeEventSource.last;
    source.emit('open');
    source.emit('error');
    expect(liveMode.get()).toBe('live');
    source.readyState = FakeEventSource.CLOSED;
    source.emit('error');
    expect(liveMode.get()).toBe('polling');
    vi.advanceTimersByTime(30_000);
    expect(client.getQueryState(queryKeys.column(pipelineId, lead, {}))?.isInvalidated).toBe(true);
    stop();
    expect(liveMode.get()).toBe('off');
  });

  it('loads the board again on reset', () => {
    const { client } = setup();
    const stop = startLiveFeed(client, '/v1/changes', 'me', Impl);
    FakeEventSource.last.emit('reset', '42');
    expect(client.getQueryState(queryKeys.column(pipelineId, lead, {}))?.isInvalidated).toBe(true);
    stop();
  });
});
