// Drag-and-drop's write: PATCH the phase and SortIndex, with the card moved at once and put
// back when the server refuses. The ETag guards against overwriting someone else's change.
import { type InfiniteData, useMutation, useQueryClient } from '@tanstack/react-query';
import type { AmountGroup } from '../../api/amount-group';
import { sets } from '../../api/entities';
import type { PhaseOption } from '../../api/lookup-queries';
import { link, odata } from '../../api/odata-client';
import { describeError, ODataRequestError } from '../../api/odata-error';
import { queryKeys } from '../../api/query-keys';
import type { BoardCard, ColumnPage } from './board-card';
import { holdsCard, insertCard, movedCard, moveInSums, removeCard, replaceCard } from './move-in-cache';

export interface MoveVariables {
  pipelineId: string;
  card: BoardCard;
  fromPhaseId: string;
  to: PhaseOption;
  sortIndex: number;
  lost?: { reasonId: string; competitorId?: string };
}

export const moveMutationKey = ['move-opportunity'] as const;

type Snapshot = [readonly unknown[], unknown][];

/** Column keys are [...board(pipelineId), 'column', phaseId, filter]. */
const phaseOfKey = (key: readonly unknown[]) => key[4] as string;

export function moveBody({ fromPhaseId, to, sortIndex, lost }: MoveVariables) {
  const body: Record<string, unknown> = { SortIndex: sortIndex };
  if (fromPhaseId !== to.ID) body.Phase = link(to.ID);
  if (lost) {
    body.LostReason = link(lost.reasonId);
    body.LostToCompetitor = link(lost.competitorId);
  }
  return body;
}

export function moveErrorMessage(error: unknown, card: BoardCard) {
  if (error instanceof ODataRequestError && error.isConflict) {
    return `Someone else changed “${card.Subject}” in the meantime, so it was not moved. The board now shows their version.`;
  }
  return `“${card.Subject}” could not be moved: ${describeError(error)}`;
}

export function useMoveOpportunity(onFailure: (message: string) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: moveMutationKey,
    mutationFn: async (variables: MoveVariables) => {
      // The frame that shows the drop goes first: starting a fetch costs a few milliseconds of
      // the drop's task, and the browser runs a frame after an input event before a timer.
      await new Promise((resolve) => setTimeout(resolve, 0));
      return odata.update<BoardCard>(
        sets.SalesOpportunity,
        variables.card.ID,
        moveBody(variables),
        variables.card['@odata.etag'],
      );
    },
    // Synchronous on purpose: TanStack calls onMutate inside mutate(), so the cache holds the
    // move before the drop handler returns and the render that ends the drag reads it. Awaiting
    // the cancel first put the write a task later, and its render in front of the next frame.
    // Cancelling is synchronous anyway (a cancelled fetch reverts its state at once); only the
    // settling of the fetches' promises is async, and nothing here needs to wait for that.
    onMutate: (variables): { snapshot: Snapshot } => {
      const boardKey = queryKeys.board(variables.pipelineId);
      void queryClient.cancelQueries({ queryKey: boardKey });
      const snapshot = queryClient.getQueriesData({ queryKey: boardKey }) as Snapshot;
      const phaseChanges = variables.fromPhaseId !== variables.to.ID;
      const card = movedCard(variables.card, variables.to, variables.sortIndex, phaseChanges);
      for (const query of queryClient.getQueryCache().findAll({ queryKey: [...boardKey, 'column'] })) {
        const phaseId = phaseOfKey(query.queryKey);
        if (phaseId !== variables.fromPhaseId && phaseId !== variables.to.ID) continue;
        queryClient.setQueryData<InfiniteData<ColumnPage>>(query.queryKey, (data) => {
          if (!data) return data;
          return phaseId === variables.to.ID ? insertCard(data, card) : removeCard(data, card.ID);
        });
      }
      if (phaseChanges) {
        queryClient.setQueriesData<AmountGroup[]>({ queryKey: [...boardKey, 'totals'] }, (groups) =>
          groups ? moveInSums(groups, variables.card, variables.fromPhaseId, card, variables.to.ID) : groups,
        );
      }
      return { snapshot };
    },
    onSuccess: (saved, variables) => {
      if (!saved) return;
      // The new ETag right away: a next drag of this card must not be refused as stale.
      const fresh = {
        ID: saved.ID,
        '@odata.etag': saved['@odata.etag'],
        Probability: saved.Probability,
        WeightedAmount: saved.WeightedAmount,
        IsClosed: saved.IsClosed,
        SortIndex: saved.SortIndex,
        LastMutationDate: saved.LastMutationDate,
      };
      // Only the column holding the card: returning undefined leaves the others untouched, so
      // their cards are not re-rendered for nothing.
      queryClient.setQueriesData<InfiniteData<ColumnPage>>(
        { queryKey: [...queryKeys.board(variables.pipelineId), 'column'] },
        (data) => (data && holdsCard(data, saved.ID) ? replaceCard(data, fresh) : undefined),
      );
    },
    onError: (error, variables, context) => {
      for (const [key, data] of context?.snapshot ?? []) queryClient.setQueryData(key, data);
      onFailure(moveErrorMessage(error, variables.card));
    },
    onSettled: (_data, _error, variables) => {
      queryClient.invalidateQueries({ queryKey: queryKeys.opportunity(variables.card.ID) });
      // Refetching while another move is in flight would show the board without that move.
      if (queryClient.isMutating({ mutationKey: moveMutationKey }) === 1) {
        return queryClient.invalidateQueries({ queryKey: queryKeys.board(variables.pipelineId) });
      }
    },
  });
}
