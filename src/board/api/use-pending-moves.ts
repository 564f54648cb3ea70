// Which cards are still being saved after a drop, per column: a card whose move is pending
// cannot be dragged again until the server has answered.
import { replaceEqualDeep, useMutationState } from '@tanstack/react-query';
import { useEffect, useMemo, useRef } from 'react';
import { type MoveVariables, moveMutationKey } from './use-move-opportunity';

/** Phase ID → IDs of the cards leaving or entering it whose move is pending. */
export type PendingByPhase = Readonly<Record<string, readonly string[]>>;

export const noPendingIds: readonly string[] = [];

export function pendingByPhase(moves: readonly (readonly [string, string, string])[]): PendingByPhase {
  const result: Record<string, string[]> = {};
  for (const [cardId, fromPhaseId, toPhaseId] of moves) {
    for (const phaseId of new Set([fromPhaseId, toPhaseId])) {
      result[phaseId] = [...(result[phaseId] ?? []), cardId];
    }
  }
  return result;
}

/**
 * Pending card IDs per phase. A column's list keeps its identity until a move into or out of
 * that column starts or ends, so a drop re-renders the two columns it touches and no others.
 */
export function usePendingMoves(): PendingByPhase {
  const moves = useMutationState({
    filters: { mutationKey: moveMutationKey, status: 'pending' },
    select: (mutation) => {
      const variables = mutation.state.variables as MoveVariables | undefined;
      return [variables?.card.ID ?? '', variables?.fromPhaseId ?? '', variables?.to.ID ?? ''] as const;
    },
  });
  const previous = useRef<PendingByPhase>({});
  const shared = useMemo(() => replaceEqualDeep(previous.current, pendingByPhase(moves)), [moves]);
  useEffect(() => {
    previous.current = shared;
  }, [shared]);
  return shared;
}
