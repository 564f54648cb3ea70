// One column of the board: its cards a page at a time, so a pipeline with thousands of open
// opportunities shows its first cards at once. Plain $top/$skip, which the hosted API supports.
import { infiniteQueryOptions } from '@tanstack/react-query';
import { sets } from '../../api/entities';
import { odata } from '../../api/odata-client';
import { allOf, byId, type ODataFilter } from '../../api/odata-filter';
import { queryKeys } from '../../api/query-keys';
import { type BoardCard, type ColumnPage, cardExpand, cardSelect, columnPageSize } from './board-card';
import { shareCards } from './share-cards';

export const columnQuery = (pipelineId: string, phaseId: string, filter: ODataFilter) =>
  infiniteQueryOptions({
    queryKey: queryKeys.column(pipelineId, phaseId, filter),
    initialPageParam: 0,
    queryFn: async ({ pageParam, signal }): Promise<ColumnPage> => {
      const page = await odata.list<BoardCard>(
        sets.SalesOpportunity,
        {
          select: [...cardSelect],
          expand: cardExpand,
          filter: allOf(byId('Pipeline', pipelineId), byId('Phase', phaseId), filter),
          orderBy: [
            ['SortIndex', 'asc'],
            ['ID', 'asc'],
          ],
          top: columnPageSize,
          skip: pageParam,
        },
        signal,
      );
      return {
        cards: page.value,
        nextSkip: page.value.length === columnPageSize ? pageParam + columnPageSize : undefined,
      };
    },
    getNextPageParam: (last) => last.nextSkip,
    staleTime: 30_000,
    structuralSharing: shareCards,
  });
