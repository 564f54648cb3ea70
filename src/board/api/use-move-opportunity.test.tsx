import { type InfiniteData, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '../../api/query-keys';
import { fakeService } from '../../test/fake-service';
import { createTestClient } from '../../test/render-with-client';
import type { BoardCard, ColumnPage } from './board-card';
import { type MoveVariables, useMoveOpportunity } from './use-move-opportunity';
import { pendingByPhase, usePendingMoves } from './use-pending-moves';

const pipelineId = '00000000-0000-4000-8000-000000000001';
const from = '00000000-0000-4000-8000-00000000000a';
const to = {
  ID: '00000000-0000-4000-8000-00000000000b',
  Name: 'Qualified',
  Code: 'Q',
  Probability: 20,
  SortIndex: 2,
  IsWon: false,
  IsLost: false,
};
const card = {
  ID: '00000000-0000-4000-8000-000000000101',
  Subject: 'Big deal',
  SortIndex: 1,
  EstimatedAmount: 1000,
  Probability: 10,
  '@odata.etag': 'W/"1"',
} as BoardCard;
const column = (cards: BoardCard[]): InfiniteData<ColumnPage> => ({ pages: [{ cards }], pageParams: [0] });

function setup() {
  const client = createTestClient();
  client.setQueryData(queryKeys.column(pipelineId, from, {}), column([card]));
  client.setQueryData(queryKeys.column(pipelineId, to.ID, {}), column([]));
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
  const onFailure = vi.fn();
  const hook = renderHook(() => ({ move: useMoveOpportunity(onFailure), pending: usePendingMoves() }), {
    wrapper,
  });
  const ids = (phase: string) =>
    client
      .getQueryData<InfiniteData<ColumnPage>>(queryKeys.column(pipelineId, phase, {}))
      ?.pages[0].cards.map((c) => c.ID);
  return { client, hook, onFailure, ids };
}

const variables: MoveVariables = { pipelineId, card, fromPhaseId: from, to, sortIndex: 5 };

afterEach(() => vi.unstubAllGlobals());

describe('useMoveOpportunity', () => {
  it('moves the card at once, marks it pending, and PATCHes phase and SortIndex with the ETag', async () => {
    let answer: (value: { body: unknown }) => void = () => {};
    const { requests } = fakeService({
      'PATCH /v1/odata/Activity_SalesOpportunity': () => new Promise((resolve) => (answer = resolve)),
      'GET /v1/odata/': () => ({ body: { value: [] } }),
    });
    const { hook, ids, client } = setup();
    const otherKey = queryKeys.column(pipelineId, 'other-phase', {});
    const other = column([{ ...card, ID: 'someone-else' }]);
    client.setQueryData(otherKey, other);
    act(() => hook.result.current.move.mutate(variables));
    await waitFor(() => expect(ids(to.ID)).toEqual([card.ID]));
    expect(ids(from)).toEqual([]);
    await waitFor(() => expect(hook.result.current.pending[from]).toEqual([card.ID]));
    expect(hook.result.current.pending[to.ID]).toEqual([card.ID]);
    const patch = requests.find((r) => r.method === 'PATCH')!;
    expect(patch.body).toEqual({ SortIndex: 5, Phase: { ID: to.ID } });
    expect(patch.headers.get('If-Match')).toBe('W/"1"');
    answer({ body: { ...card, SortIndex: 5, Probability: 20, '@odata.etag': 'W/"2"' } });
    await waitFor(() => expect(hook.result.current.pending).toEqual({}));
    // the new ETag went to the card's column only; other columns keep their data as it was
    expect(
      client.getQueryData<InfiniteData<ColumnPage>>(queryKeys.column(pipelineId, to.ID, {}))?.pages[0]
        .cards[0]['@odata.etag'],
    ).toBe('W/"2"');
    expect(client.getQueryData(otherKey)).toBe(other);
  });

  it('puts the card back and says someone else changed it when the server answers 412', async () => {
    fakeService({
      'PATCH /v1/odata/Activity_SalesOpportunity': () => ({
        status: 412,
        body: { error: { code: 'PreconditionFailed', message: 'stale' } },
      }),
      'GET /v1/odata/': () => ({ body: { value: [] } }),
    });
    const { hook, ids, onFailure, client } = setup();
    const invalidate = vi.spyOn(client, 'invalidateQueries');
    act(() => hook.result.current.move.mutate(variables));
    await waitFor(() => expect(onFailure).toHaveBeenCalled());
    expect(onFailure.mock.calls[0][0]).toMatch(/Someone else changed “Big deal”/);
    expect(ids(from)).toEqual([card.ID]);
    expect(ids(to.ID)).toEqual([]);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: queryKeys.board(pipelineId) });
  });
});

describe('pendingByPhase', () => {
  it('lists a pending card under the column it leaves and the one it enters, once for a reorder', () => {
    expect(
      pendingByPhase([
        ['card-1', 'lead', 'qualified'],
        ['card-2', 'lead', 'lead'],
      ]),
    ).toEqual({ lead: ['card-1', 'card-2'], qualified: ['card-1'] });
  });
});
