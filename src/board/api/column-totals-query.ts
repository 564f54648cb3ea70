// Count and amount sums of every column. The hosted API has no $apply, so the sums come from a
// narrow listing of the whole pipeline (three numbers and a phase per opportunity), which
// loads beside the cards and never holds them up.
import { queryOptions } from '@tanstack/react-query';
import { sets } from '../../api/entities';
import { odata } from '../../api/odata-client';
import { allOf, byId, type ODataFilter } from '../../api/odata-filter';
import { queryKeys } from '../../api/query-keys';

export interface TotalsRow {
  ID: string;
  Currency: string;
  EstimatedAmount: number | null;
  WeightedAmount: number | null;
  Phase?: { ID: string } | null;
}

export const columnTotalsQuery = (pipelineId: string, filter: ODataFilter) =>
  queryOptions({
    queryKey: queryKeys.columnTotals(pipelineId, filter),
    queryFn: ({ signal }) =>
      odata.listAll<TotalsRow>(
        sets.SalesOpportunity,
        {
          select: ['ID', 'Currency', 'EstimatedAmount', 'WeightedAmount'],
          expand: { Phase: { select: ['ID'] } },
          filter: allOf(byId('Pipeline', pipelineId), filter),
        },
        signal,
      ),
    staleTime: 30_000,
  });

export interface ColumnTotals {
  count: number;
  /** per currency code, never added across currencies */
  byCurrency: { currency: string; estimated: number; weighted: number }[];
}

export function totalsByPhase(rows: TotalsRow[]): Map<string, ColumnTotals> {
  const result = new Map<string, ColumnTotals>();
  for (const row of rows) {
    const phaseId = row.Phase?.ID;
    if (!phaseId) continue;
    let totals = result.get(phaseId);
    if (!totals) {
      totals = { count: 0, byCurrency: [] };
      result.set(phaseId, totals);
    }
    totals.count++;
    let sum = totals.byCurrency.find((s) => s.currency === row.Currency);
    if (!sum) {
      sum = { currency: row.Currency, estimated: 0, weighted: 0 };
      totals.byCurrency.push(sum);
    }
    sum.estimated += row.EstimatedAmount ?? 0;
    sum.weighted += row.WeightedAmount ?? 0;
  }
  for (const totals of result.values()) totals.byCurrency.sort((a, b) => b.estimated - a.estimated);
  return result;
}
