// A change from the stream, applied to the cached board: a card moved (out of its old column's
// pages, into the new one at its SortIndex, with the helpers the drag uses), edited in place,
// deleted or out of view (dropped), created (its column loaded again). The column sums follow.
// Idempotent: a change the cache already shows (the board's own drop, heard back) changes nothing.
import type { InfiniteData, Query, QueryClient } from '@tanstack/react-query';
import type { AmountGroup } from '../../api/amount-group';
import { sets } from '../../api/entities';
import type { ODataFilter } from '../../api/odata-filter';
import { queryKeys } from '../../api/query-keys';
import { type BoardCard, type ColumnPage, cardSelect } from './board-card';
import { type ChangeEntry, newValue } from './change-entry';
import { addToSums, insertCard, removeCard, replaceCard } from './move-in-cache';

type ColumnData = InfiniteData<ColumnPage>;

/** What the cache could not take from the entry alone. */
export interface ApplyResult {
  /** the cards need data the entry lacks (a name behind a link): refetch the board soon */
  refresh: boolean;
}

const boardsKey = [...queryKeys.all, 'board'] as const;
/** Column keys are [...board(pipelineId), 'column', phaseId, filter]. */
const isColumn = (query: Query) => query.queryKey[3] === 'column';
const pipelineOf = (key: readonly unknown[]) => key[2] as string;
const phaseOf = (key: readonly unknown[]) => key[4] as string;
const filterOf = (key: readonly unknown[]) => key[5] as ODataFilter;

/** The card's own fields an entry may carry; links (names behind IDs) are not among them. */
const cardFields = cardSelect.filter((field) => field !== 'ID');
/** Links a card shows by name: a change to them needs the board loaded again. */
const namedLinks = ['Relationship', 'SalesRepresentative'];

export function cardPatch(entry: ChangeEntry): Partial<BoardCard> {
  const patch: Record<string, unknown> = {};
  for (const field of cardFields) {
    if (Object.hasOwn(entry.changes ?? {}, field)) patch[field] = entry.changes[field][1];
  }
  return patch as Partial<BoardCard>;
}

/** The card with the patch, or the very same card when the patch changes nothing. */
export function patchedCard(card: BoardCard, patch: Partial<BoardCard>): BoardCard {
  const changes = Object.entries(patch).some(([field, value]) => card[field as keyof BoardCard] !== value);
  return changes ? { ...card, ...patch } : card;
}

function adjustSums(
  queryClient: QueryClient,
  pipelineId: string,
  filter: ODataFilter,
  change: (groups: AmountGroup[]) => AmountGroup[],
) {
  const key = queryKeys.columnTotals(pipelineId, filter);
  if (queryClient.getQueryData(key)) queryClient.setQueryData<AmountGroup[]>(key, (g) => g && change(g));
}

interface Holder {
  key: readonly unknown[];
  card: BoardCard;
}

function holdersOf(queryClient: QueryClient, id: string): Holder[] {
  const holders: Holder[] = [];
  for (const query of queryClient.getQueryCache().findAll({ queryKey: boardsKey, predicate: isColumn })) {
    const data = query.state.data as ColumnData | undefined;
    const card = data?.pages.flatMap((page) => page.cards).find((c) => c.ID === id);
    if (card) holders.push({ key: query.queryKey, card });
  }
  return holders;
}

/** Loads again the cached columns of a phase (a card came into them) and their pipeline's sums. */
function reloadPhase(queryClient: QueryClient, phaseId: string) {
  const columns = queryClient
    .getQueryCache()
    .findAll({ queryKey: boardsKey, predicate: (q) => isColumn(q) && phaseOf(q.queryKey) === phaseId });
  for (const pipelineId of new Set(columns.map((q) => pipelineOf(q.queryKey)))) {
    void queryClient.invalidateQueries({ queryKey: [...queryKeys.board(pipelineId), 'totals'] });
  }
  for (const column of columns)
    void queryClient.invalidateQueries({ queryKey: column.queryKey, exact: true });
}

function applyDealChange(queryClient: QueryClient, entry: ChangeEntry): ApplyResult {
  const holders = holdersOf(queryClient, entry.id);
  if (entry.kind === 'deleted' || entry.kind === 'removed') {
    for (const { key, card } of holders) {
      queryClient.setQueryData<ColumnData>(key, (data) => data && removeCard(data, entry.id));
      adjustSums(queryClient, pipelineOf(key), filterOf(key), (g) => addToSums(g, phaseOf(key), card, -1));
    }
    return { refresh: false };
  }
  const newPhase = newValue(entry, 'Phase') as string | null | undefined;
  const newPipeline = newValue(entry, 'Pipeline') as string | null | undefined;
  if (entry.kind === 'created') {
    if (newPhase) reloadPhase(queryClient, newPhase);
    return { refresh: false };
  }
  const patch = cardPatch(entry);
  const oldPhase = entry.changes?.Phase?.[0];
  let outOfStep = false;
  for (const { key, card } of holders) {
    const pipelineId = pipelineOf(key);
    const phaseId = phaseOf(key);
    const filter = filterOf(key);
    // Neither where the move started nor where it ended: the cache is past this entry (the
    // board's own later move, heard back late). Moving the card back would be wrong; a refetch
    // settles it.
    if (newPhase !== undefined && phaseId !== oldPhase && phaseId !== newPhase) {
      outOfStep = true;
      continue;
    }
    const moved = patchedCard(card, patch);
    const leavesPipeline = newPipeline !== undefined && newPipeline !== pipelineId;
    const toPhase = newPhase === undefined ? phaseId : newPhase;
    if (leavesPipeline || toPhase !== phaseId) {
      queryClient.setQueryData<ColumnData>(key, (data) => data && removeCard(data, card.ID));
      adjustSums(queryClient, pipelineId, filter, (g) => addToSums(g, phaseId, card, -1));
      if (leavesPipeline || !toPhase) continue;
      const target = queryKeys.column(pipelineId, toPhase, filter);
      if (queryClient.getQueryData(target)) {
        queryClient.setQueryData<ColumnData>(target, (data) => data && insertCard(data, moved));
      }
      adjustSums(queryClient, pipelineId, filter, (g) => addToSums(g, toPhase, moved, 1));
    } else if (moved !== card) {
      const resorts = moved.SortIndex !== card.SortIndex;
      queryClient.setQueryData<ColumnData>(
        key,
        (data) => data && (resorts ? insertCard(data, moved) : replaceCard(data, moved)),
      );
      if (moved.EstimatedAmount !== card.EstimatedAmount || moved.WeightedAmount !== card.WeightedAmount) {
        adjustSums(queryClient, pipelineId, filter, (g) =>
          addToSums(addToSums(g, phaseId, card, -1), phaseId, moved, 1),
        );
      }
    }
  }
  // A card no loaded column holds may have come into view: into a phase, or into this pipeline.
  if (holders.length === 0 && newPhase) reloadPhase(queryClient, newPhase);
  return { refresh: outOfStep || namedLinks.some((link) => Object.hasOwn(entry.changes ?? {}, link)) };
}

/** Applies one entry of the change stream to the cache. */
export function applyChange(queryClient: QueryClient, entry: ChangeEntry): ApplyResult {
  switch (entry.set) {
    case sets.SalesOpportunity: {
      const result = applyDealChange(queryClient, entry);
      // The open drawer's record and its history (nested under the record's key).
      void queryClient.invalidateQueries({ queryKey: queryKeys.opportunity(entry.id) });
      return result;
    }
    case sets.Phase:
    case sets.Pipeline:
      void queryClient.invalidateQueries({ queryKey: queryKeys.pipelines() });
      void queryClient.invalidateQueries({ queryKey: [...queryKeys.all, 'Phase'] });
      return { refresh: true };
    case sets.ProductLine:
      // The deal's amounts arrive as an update of the deal.
      return { refresh: false };
    default:
      void queryClient.invalidateQueries({ queryKey: queryKeys.lookup(entry.set) });
      // Names cards show: a customer's or a representative's.
      return {
        refresh:
          entry.set === sets.Relationship || entry.set === sets.Organization || entry.set === sets.Employee,
      };
  }
}
