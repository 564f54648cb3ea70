// The forecast's groups computed by the service with OData Data Aggregation: five small
// `$apply=filter(...)/groupby((<key>,Currency),aggregate(...))` requests, in parallel.
import { sets } from '../../api/entities';
import { odata } from '../../api/odata-client';
import { allOf, byId, type ODataFilter } from '../../api/odata-filter';
import { type AmountGroup, type ForecastGroups, normalizeGroups } from './amount-group';
import type { ForecastScope } from './forecast-scope';

interface ApplyRow {
  Currency: string;
  Estimated: number | null;
  Weighted: number | null;
  Count: number;
  [key: string]: unknown;
}

const aggregate = [
  { EstimatedAmount: { with: 'sum', as: 'Estimated' } },
  { WeightedAmount: { with: 'sum', as: 'Weighted' } },
  { $count: { as: 'Count' } },
];

/** `Pipeline/ID` of a group row: `{"Pipeline": {"ID": ...}}`, or null when the link is empty. */
function valueAt(row: Record<string, unknown>, path: string): string | null {
  let value: unknown = row;
  for (const segment of path.split('/')) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[segment];
  }
  return typeof value === 'string' ? value : null;
}

async function sums(filter: ODataFilter, key: string, signal?: AbortSignal): Promise<AmountGroup[]> {
  const rows = await odata.listAll<ApplyRow>(
    sets.SalesOpportunity,
    { transform: [{ filter }, { groupBy: { properties: [key, 'Currency'], transform: { aggregate } } }] },
    signal,
  );
  return normalizeGroups(
    rows.map((row) => ({
      key: valueAt(row, key),
      currency: row.Currency,
      count: row.Count,
      estimated: row.Estimated ?? 0,
      weighted: row.Weighted ?? 0,
    })),
  );
}

export async function fetchGroupsViaApply(
  scope: ForecastScope,
  signal?: AbortSignal,
): Promise<ForecastGroups> {
  const open = allOf(scope.filter, { IsClosed: false });
  const openHere = allOf(byId('Pipeline', scope.pipelineId), open);
  const closedHere = allOf(byId('Pipeline', scope.pipelineId), scope.filter, { IsClosed: true });
  const [byPipeline, byPhase, byDay, byRep, closedByPhase] = await Promise.all([
    sums(open, 'Pipeline/ID', signal),
    sums(openHere, 'Phase/ID', signal),
    sums(openHere, 'ExpectedOrderDate', signal),
    sums(openHere, 'SalesRepresentative/ID', signal),
    sums(closedHere, 'Phase/ID', signal),
  ]);
  return { byPipeline, byPhase, byDay, byRep, closedByPhase };
}
