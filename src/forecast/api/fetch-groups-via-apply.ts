// The forecast's groups computed by the service with OData Data Aggregation: five small
// `$apply=filter(...)/groupby((<key>,Currency),aggregate(...))` requests, in parallel.
import { allOf, byId } from '../../api/odata-filter';
import { sumsViaApply } from '../../api/sums-via-apply';
import type { ForecastGroups } from './forecast-groups';
import type { ForecastScope } from './forecast-scope';

export async function fetchGroupsViaApply(
  scope: ForecastScope,
  signal?: AbortSignal,
): Promise<ForecastGroups> {
  const open = allOf(scope.filter, { IsClosed: false });
  const openHere = allOf(byId('Pipeline', scope.pipelineId), open);
  const closedHere = allOf(byId('Pipeline', scope.pipelineId), scope.filter, { IsClosed: true });
  const [byPipeline, byPhase, byDay, byRep, closedByPhase] = await Promise.all([
    sumsViaApply(open, 'Pipeline/ID', signal),
    sumsViaApply(openHere, 'Phase/ID', signal),
    sumsViaApply(openHere, 'ExpectedOrderDate', signal),
    sumsViaApply(openHere, 'SalesRepresentative/ID', signal),
    sumsViaApply(closedHere, 'Phase/ID', signal),
  ]);
  return { byPipeline, byPhase, byDay, byRep, closedByPhase };
}
