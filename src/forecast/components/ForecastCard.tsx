// One chart of the forecast with its numbers: the bars (clickable: they open the board on those
// deals), the same numbers as a table, and the table as a CSV download.
import { lazy, Suspense } from 'react';
import { downloadCsv } from '../../lib/download-csv';
import { navigate } from '../../lib/url-state';
import { Button } from '../../ui/Button';
import { Skeleton } from '../../ui/StateViews';
import { useElementWidth } from '../hooks/use-element-width';
import type { ForecastRow } from '../model/build-forecast';
import { toCsv } from '../model/to-csv';
import type { ForecastBarChartProps } from './ForecastBarChart';
import { ForecastTable } from './ForecastTable';

// Recharts is fetched as soon as this module loads, beside the forecast's data, not when the
// first chart renders after the data arrived. Once it is here the chart renders directly:
// React.lazy would suspend once more, and React holds back revealing suspended content for up
// to 300 ms, longer than the wait it saves.
let loaded: typeof import('./ForecastBarChart') | undefined;
const chartModule = import('./ForecastBarChart').then((m) => {
  loaded = m;
  return m;
});
const LazyBarChart = lazy(() => chartModule.then((m) => ({ default: m.ForecastBarChart })));

function BarChart(props: ForecastBarChartProps) {
  const Loaded = loaded?.ForecastBarChart;
  if (Loaded) return <Loaded {...props} />;
  return (
    <Suspense fallback={<Skeleton className="h-full w-full" />}>
      <LazyBarChart {...props} />
    </Suspense>
  );
}

export function ForecastCard({
  id,
  title,
  description,
  keyLabel,
  rows,
  chartRows = rows,
  currency,
  horizontal,
  hrefOf,
  className = '',
}: {
  id: string;
  title: string;
  description: string;
  keyLabel: string;
  rows: ForecastRow[];
  /** the rows drawn, when the table holds more (later and undated deals) */
  chartRows?: ForecastRow[];
  currency: string;
  horizontal?: boolean;
  hrefOf: (row: ForecastRow) => string | undefined;
  className?: string;
}) {
  const height = horizontal ? Math.max(160, chartRows.length * 34 + 48) : 260;
  const csv = () =>
    toCsv(
      [keyLabel, 'Deals', `Estimated (${currency})`, `Weighted (${currency})`],
      [
        ...rows.map((r) => [r.label, r.count, r.estimated, r.weighted]),
        [
          'Total',
          rows.reduce((n, r) => n + r.count, 0),
          Math.round(rows.reduce((n, r) => n + r.estimated, 0) * 100) / 100,
          Math.round(rows.reduce((n, r) => n + r.weighted, 0) * 100) / 100,
        ],
      ],
    );
  const empty = rows.every((r) => r.count === 0);
  const width = useElementWidth();
  return (
    <section
      aria-labelledby={`${id}-title`}
      className={`flex flex-col rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 ${className}`}
    >
      <div className="mb-2 flex items-start gap-3">
        <div className="min-w-0 flex-1">
          <h2 id={`${id}-title`} className="font-semibold text-slate-900">
            {title}
          </h2>
          <p className="text-xs text-slate-500">{description}</p>
        </div>
        <Button
          variant="ghost"
          className="shrink-0 text-xs"
          onClick={() => downloadCsv(`forecast-${id}.csv`, csv())}
        >
          Download CSV
        </Button>
      </div>
      {empty ? (
        <p className="flex items-center justify-center rounded-lg border border-dashed border-slate-300 py-10 text-sm text-slate-500">
          No open deals match the filters.
        </p>
      ) : (
        <div
          role="img"
          aria-label={`${title}: bar chart of estimated and weighted amounts; the numbers are in the table below.`}
        >
          <div style={{ height }} ref={width.ref}>
            {width.px > 0 && (
              <BarChart
                rows={chartRows}
                currency={currency}
                horizontal={horizontal}
                width={width.px}
                height={height}
                onSelect={(row) => {
                  const href = hrefOf(row);
                  if (href) navigate(href);
                }}
              />
            )}
          </div>
        </div>
      )}
      <details className="group mt-2 text-sm">
        <summary className="cursor-pointer text-xs font-medium text-slate-500 select-none hover:text-slate-800">
          Show the numbers
        </summary>
        <div className="mt-1 overflow-x-auto">
          <ForecastTable
            caption={title}
            keyLabel={keyLabel}
            rows={rows}
            currency={currency}
            hrefOf={hrefOf}
          />
        </div>
      </details>
    </section>
  );
}
