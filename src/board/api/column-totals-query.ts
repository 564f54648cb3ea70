// Count and amount sums of every column, per currency. Where the service advertises $apply
// (ours), one grouped request per board view; where it does not (the hosted CRM), a narrow
// listing of the whole pipeline (three numbers and a phase per opportunity), page by page.
// Either way they load beside the cards and never hold them up.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { type AmountGroup, type AmountRow, groupRows } from '../../api/amount-group';
import { sets } from '../../api/entities';
import { odata } from '../../api/odata-client';
import { allOf, byId, type ODataFilter } from '../../api/odata-filter';
import { queryKeys } from '../../api/query-keys';
import { capabilitiesQuery } from '../../api/service-capabilities';
import { sumsViaApply } from '../../api/sums-via-apply';

interface TotalsRow extends AmountRow {
  Phase?: { ID: string } | null;
}

/**
 * The pipeline's opportunities under the board's filters, summed per phase (`key`) and
 * currency: the same normalised groups by either path.
 */
export async function fetchColumnSums(
  pipelineId: string,
  filter: ODataFilter,
  viaApply: boolean,
  signal?: AbortSignal,
): Promise<AmountGroup[]> {
  const scope = allOf(byId('Pipeline', pipelineId), filter);
  if (viaApply) return sumsViaApply(scope, 'Phase/ID', signal);
  const rows = await odata.listAll<TotalsRow>(
    sets.SalesOpportunity,
    {
      select: ['ID', 'Currency', 'EstimatedAmount', 'WeightedAmount'] as (keyof TotalsRow)[],
      expand: { Phase: { select: ['ID'] } },
      filter: scope,
    },
    signal,
  );
  return groupRows(rows, (row) => row.Phase?.ID ?? null);
}

export const columnTotalsQuery = (pipelineId: string, filter: ODataFilter) =>
  queryOptions({
    queryKey: queryKeys.columnTotals(pipelineId, filter),
    // The capabilities (from $metadata, cached) and the sums in one chain: waiting for a render
    // in between put the sums behind the columns' first renders (a second, on 5,000 deals).
    queryFn: async ({ client, signal }) => {
      const { apply } = await client.ensureQueryData(capabilitiesQuery());
      return fetchColumnSums(pipelineId, filter, apply, signal);
    },
    staleTime: 30_000,
  });

export interface ColumnTotals {
  count: number;
  /** per currency code, never added across currencies; largest estimated total first */
  byCurrency: { currency: string; estimated: number; weighted: number }[];
}

/** Phase ID → that column's totals. Opportunities without a phase belong to no column. */
export function totalsByPhase(groups: AmountGroup[]): Record<string, ColumnTotals> {
  const result: Record<string, ColumnTotals> = {};
  for (const group of groups) {
    if (group.key === null) continue;
    result[group.key] ??= { count: 0, byCurrency: [] };
    const totals = result[group.key];
    totals.count += group.count;
    totals.byCurrency.push({
      currency: group.currency,
      estimated: group.estimated,
      weighted: group.weighted,
    });
  }
  for (const totals of Object.values(result)) totals.byCurrency.sort((a, b) => b.estimated - a.estimated);
  return result;
}

/**
 * The board's column totals. The cache holds the groups, which a drop adjusts in place (see
 * move-in-cache); the columns get a plain object per phase, which the query's structural
 * sharing keeps identical for every column a move does not touch, so their headers are not
 * re-rendered.
 */
export function useColumnTotals(pipelineId: string, filter: ODataFilter) {
  return useQuery({ ...columnTotalsQuery(pipelineId, filter), select: totalsByPhase });
}
