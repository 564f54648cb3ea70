// Opportunity amounts summed by the service with OData Data Aggregation, in one request:
// `$apply=filter(...)/groupby((<key>,Currency),aggregate(sum, sum, $count))`. Only for a
// service that advertises $apply (see service-capabilities); elsewhere list and use groupRows.
import { type AmountGroup, normalizeGroups } from './amount-group';
import { sets } from './entities';
import { odata } from './odata-client';
import type { ODataFilter } from './odata-filter';

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

/** Sums of the opportunities matching `filter`, per value of `key` (a property or path) and currency. */
export async function sumsViaApply(
  filter: ODataFilter,
  key: string,
  signal?: AbortSignal,
): Promise<AmountGroup[]> {
  // listAll, because a server may page even grouped results; ours answers in one page.
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
