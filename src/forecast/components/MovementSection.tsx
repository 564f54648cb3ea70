// What changed in the forecast since a date, from the service's change journal: the weighted
// pipeline of a period then and now as a waterfall (each bar lists its deals), how deals went on
// from each phase they entered, and the stale deals per rep. Shown only where the service keeps
// a journal (Dealdeck's own); the hosted CRM has none, and then the section is not there at all.
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { phasesQuery, repName, salesRepsQuery } from '../../api/lookup-queries';
import { describeError } from '../../api/odata-error';
import { downloadCsv } from '../../lib/download-csv';
import { formatDate, formatMoney, todayIso } from '../../lib/format';
import { useSettings } from '../../lib/settings-store';
import { Button } from '../../ui/Button';
import { inputClass } from '../../ui/Field';
import { ErrorState, Skeleton } from '../../ui/StateViews';
import { useMovement } from '../api/movement-query';
import { useElementWidth } from '../hooks/use-element-width';
import {
  buildMovement,
  daysBefore,
  formatDays,
  type MovementView,
  type PeriodChoice,
  periodLabels,
  periodOf,
  type WaterfallStep,
} from '../model/build-movement';
import type { MoneyView } from '../model/money-view';
import { toCsv } from '../model/to-csv';
import { MovementDeals } from './MovementDeals';

// fetched when this module loads, beside the movement's data, not once the data is there
const chartModule = import('./MovementWaterfallChart');
const WaterfallChart = lazy(() => chartModule.then((m) => ({ default: m.MovementWaterfallChart })));

const card = 'rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200';

export function MovementSection({ pipelineId, money }: { pipelineId: string; money: MoneyView }) {
  const today = todayIso();
  const [since, setSince] = useState(() => daysBefore(today, 7));
  const [choice, setChoice] = useState<PeriodChoice>('quarter');
  const [selected, setSelected] = useState<WaterfallStep['key']>();
  const { staleDays } = useSettings();
  const period = periodOf(choice, today);
  const sinceValid = /^\d{4}-\d{2}-\d{2}$/.test(since) && since <= today;
  const movement = useMovement({
    pipelineId,
    since: sinceValid ? since : daysBefore(today, 7),
    period,
    staleDays,
  });
  const phases = useQuery(phasesQuery(pipelineId));
  const reps = useQuery(salesRepsQuery());
  const view = useMemo(
    () =>
      movement.data && phases.data
        ? buildMovement(movement.data, {
            money,
            phases: phases.data,
            repNames: new Map((reps.data ?? []).map((r) => [r.ID, repName(r)])),
          })
        : undefined,
    [movement.data, phases.data, reps.data, money],
  );
  const width = useElementWidth();

  if (!movement.available && !movement.isPending) return null;
  const step = view?.steps.find((s) => s.key === selected);
  return (
    <section aria-labelledby="movement-title" className="space-y-4" data-testid="movement">
      <div className={card}>
        <div className="mb-3 flex flex-wrap items-end gap-x-4 gap-y-2">
          <div className="min-w-0 flex-1">
            <h2 id="movement-title" className="font-semibold text-slate-900">
              Movement: what changed since {formatDate(sinceValid ? since : undefined) || 'the date'}
            </h2>
            <p className="text-xs text-slate-600">
              Weighted open pipeline of deals expected {formatDate(period.from)} – {formatDate(period.to)},
              then and now, from the change journal; the board’s filters do not apply. Click a bar to list its
              deals.
            </p>
          </div>
          <label className="text-xs font-medium text-slate-600">
            Since
            <input
              type="date"
              className={`${inputClass} mt-1 w-40`}
              value={since}
              max={today}
              aria-invalid={!sinceValid}
              onChange={(e) => setSince(e.target.value)}
            />
          </label>
          <label className="text-xs font-medium text-slate-600">
            Expected order date
            <select
              className={`${inputClass} mt-1 w-44`}
              value={choice}
              onChange={(e) => setChoice(e.target.value as PeriodChoice)}
            >
              {Object.entries(periodLabels).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          {view && (
            <Button
              variant="ghost"
              className="text-xs"
              onClick={() => downloadCsv('forecast-movement.csv', waterfallCsv(view))}
            >
              Download CSV
            </Button>
          )}
        </div>
        {!sinceValid && (
          <p className="mb-2 text-xs text-rose-700" role="alert">
            Choose a date up to today; showing the last 7 days meanwhile.
          </p>
        )}
        {movement.error && !view ? (
          <ErrorState
            compact
            message={`The movement could not be loaded. ${describeError(movement.error)}`}
            onRetry={() => movement.refetch()}
          />
        ) : !view ? (
          <Skeleton className="h-64" />
        ) : (
          <>
            {view.excluded.length > 0 && (
              <p className="mb-2 text-xs text-amber-800">
                Left out, no exchange rate: {view.excluded.join(', ')}.
              </p>
            )}
            <div
              role="img"
              aria-label="Movement waterfall: the weighted pipeline then, each kind of change, and now; the numbers are in the table below."
            >
              <div style={{ height: 260 }} ref={width.ref}>
                {width.px > 0 && (
                  <Suspense fallback={<Skeleton className="h-full w-full" />}>
                    <WaterfallChart
                      steps={view.steps}
                      currency={view.currency}
                      width={width.px}
                      height={260}
                      onSelect={(s) => setSelected(s.deals.length > 0 ? s.key : undefined)}
                    />
                  </Suspense>
                )}
              </div>
            </div>
            <WaterfallTable view={view} selected={selected} onSelect={setSelected} />
            {step && step.deals.length > 0 && (
              <MovementDeals step={step} currency={view.currency} money={money} pipelineId={pipelineId} />
            )}
          </>
        )}
      </div>
      {view && (
        <div className="grid gap-4 lg:grid-cols-[2fr_1fr]">
          <ConversionCard view={view} />
          <StaleCard view={view} staleDays={staleDays} />
        </div>
      )}
    </section>
  );
}

function WaterfallTable({
  view,
  selected,
  onSelect,
}: {
  view: MovementView;
  selected?: WaterfallStep['key'];
  onSelect: (key: WaterfallStep['key'] | undefined) => void;
}) {
  const cell = 'px-2 py-1 text-right tabular-nums';
  return (
    <details className="mt-2 text-sm" open>
      <summary className="cursor-pointer text-xs font-medium text-slate-600 select-none hover:text-slate-800">
        Show the numbers
      </summary>
      <table className="mt-1 w-full text-sm">
        <caption className="sr-only">Movement of the weighted pipeline</caption>
        <thead className="border-b border-slate-200 text-xs text-slate-600">
          <tr>
            <th scope="col" className="px-2 py-1 text-left font-medium">
              Step
            </th>
            <th scope="col" className={`${cell} font-medium`}>
              Deals
            </th>
            <th scope="col" className={`${cell} font-medium`}>
              Weighted ({view.currency})
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {view.steps.map((s) => (
            <tr key={s.key} className={s.key === selected ? 'bg-indigo-50' : undefined}>
              <th scope="row" className="px-2 py-1 text-left font-normal">
                {s.deals.length > 0 ? (
                  <button
                    type="button"
                    className="text-indigo-700 hover:underline"
                    aria-expanded={s.key === selected}
                    onClick={() => onSelect(s.key === selected ? undefined : s.key)}
                  >
                    {s.label}
                  </button>
                ) : (
                  s.label
                )}
              </th>
              <td className={cell}>{s.key === 'then' || s.key === 'now' ? '' : s.deals.length}</td>
              <td className={cell}>
                {s.key !== 'then' && s.key !== 'now' && s.amount > 0 ? '+' : ''}
                {formatMoney(s.amount, view.currency)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function CardHeader({
  id,
  title,
  description,
  onCsv,
}: {
  id: string;
  title: string;
  description: string;
  onCsv: () => void;
}) {
  return (
    <div className="mb-2 flex items-start gap-3">
      <div className="min-w-0 flex-1">
        <h3 id={id} className="font-semibold text-slate-900">
          {title}
        </h3>
        <p className="text-xs text-slate-600">{description}</p>
      </div>
      <Button variant="ghost" className="shrink-0 text-xs" onClick={onCsv}>
        Download CSV
      </Button>
    </div>
  );
}

function ConversionCard({ view }: { view: MovementView }) {
  const cell = 'px-2 py-1 text-right tabular-nums';
  const header = ['Phase', 'Entered', 'Went on', 'Won', 'Lost', 'Still there', 'Median days', 'P90 days'];
  const csv = () =>
    toCsv(
      header,
      view.conversion.map((c) => [
        c.phase,
        c.entered,
        c.advanced,
        c.won,
        c.lost,
        c.staying,
        c.medianDays ?? '',
        c.p90Days ?? '',
      ]),
    );
  return (
    <section aria-labelledby="conversion-title" className={card}>
      <CardHeader
        id="conversion-title"
        title="Stage conversion"
        description="Deals that entered each phase since the date: how many went on to a later phase, were won or lost, and the days they spent in it."
        onCsv={() => downloadCsv('forecast-stage-conversion.csv', csv())}
      />
      {view.conversion.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 py-6 text-center text-sm text-slate-600">
          No deal entered a phase since the date.
        </p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <caption className="sr-only">Stage conversion since the date</caption>
            <thead className="border-b border-slate-200 text-xs text-slate-600">
              <tr>
                {header.map((h, i) => (
                  <th
                    key={h}
                    scope="col"
                    className={i === 0 ? 'px-2 py-1 text-left font-medium' : `${cell} font-medium`}
                  >
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {view.conversion.map((c) => (
                <tr key={c.phase}>
                  <th scope="row" className="px-2 py-1 text-left font-normal">
                    {c.phase}
                  </th>
                  <td className={cell}>{c.entered}</td>
                  <td className={cell}>{c.advanced}</td>
                  <td className={cell}>{c.won}</td>
                  <td className={cell}>{c.lost}</td>
                  <td className={cell}>{c.staying}</td>
                  <td className={cell}>{formatDays(c.medianDays)}</td>
                  <td className={cell}>{formatDays(c.p90Days)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function StaleCard({ view, staleDays }: { view: MovementView; staleDays: number }) {
  const cell = 'px-2 py-1 text-right tabular-nums';
  const csv = () =>
    toCsv(
      ['Sales rep', 'Stale deals'],
      view.stale.map((s) => [s.rep, s.count]),
    );
  return (
    <section aria-labelledby="stale-title" className={card}>
      <CardHeader
        id="stale-title"
        title="Stale deals per rep"
        description={`Open deals of this pipeline without any change for ${staleDays} days (the stale setting).`}
        onCsv={() => downloadCsv('forecast-stale-deals.csv', csv())}
      />
      {view.stale.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 py-6 text-center text-sm text-slate-600">
          No stale deals.
        </p>
      ) : (
        <table className="w-full text-sm">
          <caption className="sr-only">Stale deals per rep</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-600">
            <tr>
              <th scope="col" className="px-2 py-1 text-left font-medium">
                Sales rep
              </th>
              <th scope="col" className={`${cell} font-medium`}>
                Stale deals
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {view.stale.map((s) => (
              <tr key={s.id ?? ''}>
                <th scope="row" className="px-2 py-1 text-left font-normal">
                  {s.rep}
                </th>
                <td className={cell}>{s.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function waterfallCsv(view: MovementView) {
  return toCsv(
    ['Step', 'Deals', `Weighted (${view.currency})`],
    view.steps.map((s) => [s.label, s.key === 'then' || s.key === 'now' ? '' : s.deals.length, s.amount]),
  );
}
