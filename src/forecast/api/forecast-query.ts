// The forecast's groups, by $apply where the service advertises it, else by paging.
import { queryOptions } from '@tanstack/react-query';
import { queryKeys } from '../../api/query-keys';
import { fetchGroupsByPaging } from './fetch-groups-by-paging';
import { fetchGroupsViaApply } from './fetch-groups-via-apply';
import type { ForecastScope } from './forecast-scope';

export const forecastQuery = (scope: ForecastScope, viaApply: boolean) =>
  queryOptions({
    queryKey: queryKeys.forecast(scope.pipelineId, scope.filter, viaApply),
    queryFn: ({ signal }) =>
      viaApply ? fetchGroupsViaApply(scope, signal) : fetchGroupsByPaging(scope, signal),
    // Keeps the last figures on screen while a changed filter loads, instead of a blank page.
    placeholderData: (previous) => previous,
  });
