// The app shell: header, and the screen the URL names (the board, or the settings).

import { describeError } from '../api/odata-error';
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
import { ErrorState } from '../ui/StateViews';
import { Toaster } from '../ui/Toaster';

export function App() {
  const { path } = useLocation();
  const onSettings = path === '/settings';
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
        {onSettings ? <SettingsScreen /> : <BoardScreen />}
      </main>
      <Toaster />
    </div>
  );
}

function PipelinePicker() {
  const { pipelines, selected, select } = useSelectedPipeline();
  if (!pipelines.data) return null;
  return <PipelineSwitcher pipelines={pipelines.data} value={selected?.ID} onChange={select} />;
}

function BoardScreen() {
  const { search } = useLocation();
  const { odataFilter } = useBoardFilters();
  const { pipelines, selected } = useSelectedPipeline();
  const settings = useSettings();
  const openId = search.get('opportunity');
  return (
    <>
      <h1 className="sr-only">Pipeline board{selected ? `: ${selected.Name}` : ''}</h1>
      <FilterBar />
      <div className="min-h-0 flex-1 pt-3">
        {pipelines.isError ? (
          <div className="p-6">
            <ErrorState
              message={`The pipelines could not be loaded. ${describeError(pipelines.error)}`}
              onRetry={() => pipelines.refetch()}
            />
          </div>
        ) : pipelines.data && !selected ? (
          <p className="p-6 text-sm text-slate-600">This service has no pipelines yet.</p>
        ) : selected ? (
          <Board
            pipelineId={selected.ID}
            filter={odataFilter}
            staleDays={settings.staleDays}
            onOpen={(id) => updateSearch({ opportunity: id })}
          />
        ) : null}
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
