// Everything the forecast screen shows, from the shared filters and the pipeline on screen:
// the service's capabilities decide between $apply and paging, the lookups name the rows.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { phasesQuery, pipelinesQuery, salesRepsQuery } from '../../api/lookup-queries';
import { capabilitiesQuery } from '../../api/service-capabilities';
import { toODataFilter } from '../../filters/filter-model';
import { useBoardFilters } from '../../filters/hooks/use-board-filters';
import { todayIso } from '../../lib/format';
import { forecastQuery } from '../api/forecast-query';
import { buildForecast } from '../model/build-forecast';
import { converted, singleCurrency } from '../model/money-view';
import { useRateTable } from './use-rate-table';

export function useForecast(pipelineId: string) {
  const { filters, me } = useBoardFilters();
  // The forecast splits open from closed itself; the board's open/closed switch does not apply.
  const { status: _status, ...forecastFilters } = filters;
  const filterKey = JSON.stringify(forecastFilters);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the serialised filters are their identity
  const filter = useMemo(() => toODataFilter(forecastFilters, me), [filterKey, me]);
  const capabilities = useQuery(capabilitiesQuery());
  const viaApply = capabilities.data?.apply ?? false;
  const groups = useQuery({
    ...forecastQuery({ pipelineId, filter }, viaApply),
    enabled: capabilities.isSuccess,
  });
  const pipelines = useQuery(pipelinesQuery());
  const phases = useQuery(phasesQuery(pipelineId));
  const reps = useQuery(salesRepsQuery());
  const rates = useRateTable();
  const money = useMemo(
    () => (filters.currency ? singleCurrency(filters.currency) : converted(rates.table)),
    [filters.currency, rates.table],
  );
  const today = todayIso();

  const forecast = useMemo(
    () =>
      groups.data && pipelines.data && phases.data
        ? buildForecast(groups.data, {
            pipelineId,
            pipelines: pipelines.data,
            phases: phases.data,
            reps: reps.data ?? [],
            today,
            money,
          })
        : undefined,
    [groups.data, pipelines.data, phases.data, reps.data, pipelineId, today, money],
  );

  // Currencies to offer: those in the data (every pipeline's), in the rate table, and the chosen one.
  const currencies = useMemo(() => {
    const codes = new Set<string>([rates.table.base, ...Object.keys(rates.table.rates)]);
    for (const g of groups.data?.byPipeline ?? []) codes.add(g.currency);
    for (const g of groups.data?.closedByPhase ?? []) codes.add(g.currency);
    if (filters.currency) codes.add(filters.currency);
    return [...codes].sort();
  }, [groups.data, rates.table, filters.currency]);

  const error = capabilities.error ?? groups.error ?? pipelines.error ?? phases.error;
  return {
    forecast,
    filters,
    currencies,
    rates,
    /** how amounts become the report currency: movement converts with it too */
    money,
    viaApply,
    isLoading: !forecast && !error,
    isFetching: groups.isFetching,
    error,
    retry: () => {
      groups.refetch();
      phases.refetch();
      pipelines.refetch();
    },
  };
}
