// The app shell: header, and the screen the URL names (the board, the forecast, or the settings).
// The board and the forecast share the pipeline and the filters through the URL.

import { useQuery } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense } from 'react';
import type { PipelineOption } from '../api/lookup-queries';
import { describeError } from '../api/odata-error';
import { capabilitiesQuery } from '../api/service-capabilities';
import { Board } from '../board/components/Board';
import { PipelineSwitcher } from '../board/components/PipelineSwitcher';
import { useSelectedPipeline } from '../board/hooks/use-selected-pipeline';
import { FilterBar } from '../filters/components/FilterBar';
import { useBoardFilters } from '../filters/hooks/use-board-filters';
import { useSettings } from '../lib/settings-store';
import { navigate, updateSearch, useLocation } from '../lib/url-state';
import { OpportunityDrawer } from '../opportunity/components/OpportunityDrawer';
import { SettingsScreen } from '../settings/components/SettingsScreen';
import { LogoIcon, SettingsIcon } from '../ui/icons';
import { ErrorState, Skeleton } from '../ui/StateViews';
import { Toaster } from '../ui/Toaster';

// The forecast and its charts load on first visit: the board's first load does not pay for them.
let forecastModule: Promise<typeof import('../forecast/components/ForecastView')> | undefined;
const loadForecast = () => {
  forecastModule ??= import('../forecast/components/ForecastView');
  return forecastModule;
};
const ForecastView = lazy(() => loadForecast().then((m) => ({ default: m.ForecastView })));

export function App() {
  const { path, search } = useLocation();
  const onSettings = path === '/settings';
  const onForecast = path === '/forecast';
  // Switching screens keeps the pipeline and the filters; an open drawer stays behind.
  const shared = new URLSearchParams(search);
  shared.delete('opportunity');
  const keep = shared.size ? `?${shared}` : '';
  return (
    <div className="flex h-dvh flex-col overflow-hidden bg-slate-50 text-slate-900">
      <header className="flex h-14 shrink-0 items-center gap-4 bg-slate-900 px-4 text-white">
        <a
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate('/');
          }}
          className="flex items-center gap-2 font-semibold tracking-tight"
        >
          <LogoIcon width={20} height={20} className="text-indigo-400" />
          Dealdeck
        </a>
        {!onSettings && <PipelinePicker />}
        <nav aria-label="Screens" className="flex items-center gap-1">
          <ScreenLink href={`/${keep}`} current={!onSettings && !onForecast}>
            Board
          </ScreenLink>
          <ScreenLink href={`/forecast${keep}`} current={onForecast}>
            Forecast
          </ScreenLink>
        </nav>
        <div className="flex-1" />
        <a
          href="/settings"
          onClick={(e) => {
            e.preventDefault();
            navigate('/settings');
          }}
          aria-current={onSettings ? 'page' : undefined}
          className="flex items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm text-slate-300 hover:bg-slate-800 hover:text-white"
        >
          <SettingsIcon /> Settings
        </a>
      </header>
      <main className="flex min-h-0 flex-1 flex-col">
        {onSettings ? <SettingsScreen /> : onForecast ? <ForecastScreen /> : <BoardScreen />}
      </main>
      <Toaster />
    </div>
  );
}

function ScreenLink({ href, current, children }: { href: string; current: boolean; children: string }) {
  return (
    <a
      href={href}
      onClick={(e) => {
        e.preventDefault();
        navigate(href);
      }}
      aria-current={current ? 'page' : undefined}
      className={`rounded-md px-2.5 py-1.5 text-sm font-medium ${
        current ? 'bg-slate-700 text-white' : 'text-slate-300 hover:bg-slate-800 hover:text-white'
      }`}
    >
      {children}
    </a>
  );
}

function ForecastScreen() {
  // Code and service capabilities are asked for at once, beside the pipelines, instead of one
  // after the other once the pipeline on screen is known.
  loadForecast();
  useQuery(capabilitiesQuery());
  const { selected } = useSelectedPipeline();
  return (
    <>
      <FilterBar pipelineId={selected?.ID} omit={['status']} />
      <WithPipeline>
        {(selected) => (
          <Suspense fallback={<Skeleton className="m-4 h-72" />}>
            <ForecastView key={selected.ID} pipelineId={selected.ID} pipelineName={selected.Name} />
          </Suspense>
        )}
      </WithPipeline>
    </>
  );
}

/** The screen of the pipeline on show, once the pipelines are loaded; their error or absence otherwise. */
function WithPipeline({ children }: { children: (selected: PipelineOption) => ReactNode }) {
  const { pipelines, selected } = useSelectedPipeline();
  if (pipelines.isError) {
    return (
      <div className="p-6">
        <ErrorState
          message={`The pipelines could not be loaded. ${describeError(pipelines.error)}`}
          onRetry={() => pipelines.refetch()}
        />
      </div>
    );
  }
  if (pipelines.data && !selected) {
    return <p className="p-6 text-sm text-slate-600">This service has no pipelines yet.</p>;
  }
  return selected ? children(selected) : null;
}

function PipelinePicker() {
  const { pipelines, selected, select } = useSelectedPipeline();
  if (!pipelines.data) return null;
  return <PipelineSwitcher pipelines={pipelines.data} value={selected?.ID} onChange={select} />;
}

function BoardScreen() {
  const { search } = useLocation();
  const { odataFilter } = useBoardFilters();
  const { selected } = useSelectedPipeline();
  const settings = useSettings();
  const openId = search.get('opportunity');
  return (
    <>
      <h1 className="sr-only">Pipeline board{selected ? `: ${selected.Name}` : ''}</h1>
      <FilterBar pipelineId={selected?.ID} />
      <div className="min-h-0 flex-1 pt-3">
        <WithPipeline>
          {(selected) => (
            <Board
              pipelineId={selected.ID}
              filter={odataFilter}
              staleDays={settings.staleDays}
              onOpen={(id) => updateSearch({ opportunity: id })}
            />
          )}
        </WithPipeline>
      </div>
      {openId && (
        <OpportunityDrawer
          key={openId}
          id={openId}
          onClose={() => updateSearch({ opportunity: undefined })}
        />
      )}
    </>
  );
}
