// The app shell: the sign-in page while nobody is signed in to Dealdeck's own service, else the
// header and the screen the URL names (board, forecast, settings, tokens, people, welcome).
// The board and the forecast share the pipeline and the filters through the URL.

import { useQuery } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense, useEffect } from 'react';
import { SignInPage } from '../account/components/SignInPage';
import type { PipelineOption } from '../api/lookup-queries';
import { describeError } from '../api/odata-error';
import type { Person } from '../api/person';
import { capabilitiesQuery } from '../api/service-capabilities';
import { useSession } from '../api/session-query';
import { Board } from '../board/components/Board';
import { LiveStatus } from '../board/components/LiveStatus';
import { LiveUpdates } from '../board/components/LiveUpdates';
import { PipelineSwitcher } from '../board/components/PipelineSwitcher';
import { useSelectedPipeline } from '../board/hooks/use-selected-pipeline';
import { FilterBar } from '../filters/components/FilterBar';
import { useBoardFilters } from '../filters/hooks/use-board-filters';
import { useSettings } from '../lib/settings-store';
import { navigate, updateSearch, useLocation } from '../lib/url-state';
import { OpportunityDrawer } from '../opportunity/components/OpportunityDrawer';
import { SettingsScreen } from '../settings/components/SettingsScreen';
import { LogoIcon } from '../ui/icons';
import { ErrorState, Skeleton } from '../ui/StateViews';
import { Toaster } from '../ui/Toaster';
import { showToast } from '../ui/toast-store';
import { AppHeader, type Screen } from './AppHeader';

// The forecast and its charts load on first visit: the board's first load does not pay for them.
let forecastModule: Promise<typeof import('../forecast/components/ForecastView')> | undefined;
const loadForecast = () => {
  forecastModule ??= import('../forecast/components/ForecastView');
  return forecastModule;
};
const ForecastView = lazy(() => loadForecast().then((m) => ({ default: m.ForecastView })));
// So do the pages of the account and of people.
const TokensPage = lazy(() =>
  import('../account/components/TokensPage').then((m) => ({ default: m.TokensPage })),
);
const PasswordPage = lazy(() =>
  import('../account/components/PasswordPage').then((m) => ({ default: m.PasswordPage })),
);
const PeoplePage = lazy(() =>
  import('../people/components/PeoplePage').then((m) => ({ default: m.PeoplePage })),
);
const WebhooksPage = lazy(() =>
  import('../webhooks/components/WebhooksPage').then((m) => ({ default: m.WebhooksPage })),
);

export function App() {
  const { path } = useLocation();
  const { own, query, session } = useSession();
  const signedIn = !!session;
  useEffect(() => {
    if (!signedIn || path !== '/sign-in') return;
    // e.g. a used sign-in link opened while signed in: say why, then go on to the board
    const error = new URLSearchParams(window.location.search).get('error');
    if (error) showToast(error, 'error');
    navigate('/', { replace: true });
  }, [signedIn, path]);

  // Dealdeck's own service: nothing shows without a signed-in person but the sign-in page, and
  // the settings (to connect to another service instead).
  if (own && !session) {
    if (path === '/settings' && !query.isPending) {
      return (
        <Shell header={<BareHeader />}>
          <SettingsScreen />
        </Shell>
      );
    }
    if (query.isError) {
      return (
        <Shell header={<BareHeader />}>
          <div className="mx-auto w-full max-w-xl p-6">
            <ErrorState
              message={`Dealdeck's service cannot be reached. ${describeError(query.error)}`}
              onRetry={() => query.refetch()}
            />
          </div>
        </Shell>
      );
    }
    if (query.isPending) return <Shell header={<BareHeader />}>{null}</Shell>;
    return (
      <>
        <SignInPage />
        <Toaster />
      </>
    );
  }
  return (
    <>
      {/* the board's live updates: one change stream (or poll) for the whole app */}
      <LiveUpdates />
      <SignedInApp person={session?.person ?? null} />
    </>
  );
}

/** The app once someone is signed in, or on another service (then `person` is null). */
function SignedInApp({ person }: { person: Person | null }) {
  const { path, search } = useLocation();
  const screen = screenOf(path);
  // Switching screens keeps the pipeline and the filters; an open drawer stays behind.
  const shared = new URLSearchParams(search);
  shared.delete('opportunity');
  const keep = shared.size ? `?${shared}` : '';
  return (
    <Shell
      header={
        <AppHeader
          screen={screen}
          keep={keep}
          person={person}
          picker={screen === 'board' || screen === 'forecast' ? <PipelinePicker /> : undefined}
        />
      }
    >
      {screen === 'settings' ? (
        <SettingsScreen />
      ) : screen === 'forecast' ? (
        <ForecastScreen />
      ) : screen === 'tokens' || screen === 'people' || screen === 'webhooks' || screen === 'welcome' ? (
        person ? (
          <Suspense fallback={<Skeleton className="m-4 h-72" />}>
            {screen === 'tokens' ? (
              <TokensPage person={person} />
            ) : screen === 'people' ? (
              <PeoplePage me={person} />
            ) : screen === 'webhooks' ? (
              <WebhooksPage me={person} />
            ) : (
              <PasswordPage person={person} />
            )}
          </Suspense>
        ) : (
          <p className="p-6 text-sm text-slate-600">
            Tokens, people and passwords belong to Dealdeck's own service; this dashboard is connected to
            another service (see Settings).
          </p>
        )
      ) : (
        <BoardScreen />
      )}
    </Shell>
  );
}

const screenOf = (path: string): Screen =>
  path === '/settings'
    ? 'settings'
    : path === '/forecast'
      ? 'forecast'
      : path === '/tokens'
        ? 'tokens'
        : path === '/people'
          ? 'people'
          : path === '/webhooks'
            ? 'webhooks'
            : path === '/welcome'
              ? 'welcome'
              : 'board';

function Shell({ header, children }: { header: ReactNode; children: ReactNode }) {
  return (
    <div className="flex h-dvh flex-col overflow-hidden bg-slate-50 text-slate-900">
      {header}
      <main className="flex min-h-0 flex-1 flex-col">{children}</main>
      <Toaster />
    </div>
  );
}

/** The header before anyone is signed in: the name, and the way back to signing in. */
function BareHeader() {
  return (
    <header className="flex h-14 shrink-0 items-center gap-4 bg-slate-900 px-4 text-white">
      <span className="flex items-center gap-2 font-semibold tracking-tight">
        <LogoIcon width={20} height={20} className="text-indigo-400" />
        Dealdeck
      </span>
      <div className="flex-1" />
      <a
        href="/sign-in"
        onClick={(e) => {
          e.preventDefault();
          navigate('/sign-in');
        }}
        className="rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-300 hover:bg-slate-800 hover:text-white"
      >
        Sign in
      </a>
    </header>
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
      <div className="relative min-h-0 flex-1 pt-3">
        <LiveStatus className="absolute top-0 right-4" />
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
