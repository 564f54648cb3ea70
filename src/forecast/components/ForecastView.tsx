// The forecast screen: what will we close (open pipeline, funnel), when (expected order months,
// overdue apart), and who brings it (reps), with win rate and deal size from closed deals.
// Loaded lazily by the app shell; its charts load lazily again (see ForecastCard).
import { describeError } from '../../api/odata-error';
import { updateSearch } from '../../lib/url-state';
import { ErrorState, Skeleton } from '../../ui/StateViews';
import { useForecast } from '../hooks/use-forecast';
import { boardHref } from '../model/board-link';
import type { ForecastRow } from '../model/build-forecast';
import { CurrencyPanel } from './CurrencyPanel';
import { ForecastCard } from './ForecastCard';
import { KpiTiles } from './KpiTiles';
import { MovementSection } from './MovementSection';

export function ForecastView({ pipelineId, pipelineName }: { pipelineId: string; pipelineName: string }) {
  const { forecast, filters, currencies, rates, money, viaApply, isLoading, isFetching, error, retry } =
    useForecast(pipelineId);
  const { status: _status, ...shared } = filters;
  const hrefOf = (row: ForecastRow) => (row.link ? boardHref(row.link, shared) : undefined);

  if (error && !forecast) {
    return (
      <div className="p-6">
        <ErrorState message={`The forecast could not be loaded. ${describeError(error)}`} onRetry={retry} />
      </div>
    );
  }
  if (isLoading || !forecast) return <ForecastSkeleton />;

  const { currency } = forecast;
  const inCurrency = `in ${currency}${filters.currency ? `, ${currency} deals only` : ''}`;
  return (
    <div
      className="min-h-0 flex-1 overflow-y-auto px-4 pt-3 pb-8"
      data-testid="forecast"
      aria-busy={isFetching || undefined}
    >
      <div className="mx-auto max-w-[1400px] space-y-4">
        <div className="flex flex-wrap items-baseline gap-x-3">
          <h1 className="text-lg font-semibold text-slate-900">Forecast: {pipelineName}</h1>
          <p className="text-sm text-slate-500">
            Open deals by expected order date, amounts {inCurrency}. Click a bar to see its deals on the
            board.
          </p>
          <p className="ml-auto text-xs text-slate-600" title="How the numbers were computed">
            {viaApply ? 'Summed by the service ($apply)' : 'Summed here from the listed deals'}
          </p>
        </div>
        <div className="grid items-start gap-3 lg:grid-cols-[1fr_18rem]">
          <KpiTiles forecast={forecast} />
          <CurrencyPanel
            currency={filters.currency}
            currencies={currencies}
            rates={rates}
            excluded={forecast.excluded}
            onCurrency={(code) => updateSearch({ currency: code })}
          />
        </div>
        <div className="grid gap-4 lg:grid-cols-2">
          <ForecastCard
            id="months"
            className="lg:col-span-2"
            title="When: expected orders per month"
            description="Overdue deals (expected before today) apart in red, then the next 12 months."
            keyLabel="Month"
            rows={forecast.months}
            chartRows={forecast.months.filter((m) => m.kind !== 'later' && m.kind !== 'none')}
            currency={currency}
            hrefOf={hrefOf}
          />
          <ForecastCard
            id="phases"
            title="What: funnel by phase"
            description={`Open deals of ${pipelineName}, in pipeline order.`}
            keyLabel="Phase"
            rows={forecast.phases}
            currency={currency}
            horizontal
            hrefOf={hrefOf}
          />
          <ForecastCard
            id="reps"
            title="Who: per sales rep"
            description="Ranked by weighted amount."
            keyLabel="Sales rep"
            rows={forecast.reps}
            currency={currency}
            horizontal
            hrefOf={hrefOf}
          />
          <ForecastCard
            id="pipelines"
            className="lg:col-span-2"
            title="All pipelines"
            description="Open deals of every pipeline, with the same filters."
            keyLabel="Pipeline"
            rows={forecast.pipelines}
            currency={currency}
            horizontal
            hrefOf={hrefOf}
          />
        </div>
        <MovementSection pipelineId={pipelineId} money={money} />
      </div>
    </div>
  );
}

function ForecastSkeleton() {
  return (
    <div className="flex-1 space-y-4 px-4 pt-3" aria-busy="true">
      <span className="sr-only">Loading the forecast…</span>
      <Skeleton className="h-6 w-80" />
      <div className="grid grid-cols-4 gap-3">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} className="h-24" />
        ))}
      </div>
      <Skeleton className="h-72" />
    </div>
  );
}
