// The board's live updates: Dealdeck's change stream applied to the cache as it comes, or, where
// the service has no stream (the hosted CRM, or /v1/changes answers 404), the board loaded again
// every 30 s while the page is visible.
import type { QueryClient } from '@tanstack/react-query';
import { sets } from '../../api/entities';
import { queryKeys } from '../../api/query-keys';
import { applyChange } from './apply-change';
import type { ChangeEntry } from './change-entry';
import { draggingCard } from './dragging-card';
import { liveMode, pollIntervalMs } from './live-mode';
import { type MoveVariables, moveMutationKey } from './use-move-opportunity';

const boardsKey = [...queryKeys.all, 'board'] as const;

/** The change stream beside the OData service at `baseUrl` (/v1/odata → /v1/changes). */
export function changesUrl(baseUrl: string, origin = window.location.origin): string {
  const url = new URL(baseUrl, origin);
  url.pathname = url.pathname.replace(/\/odata\/?$/, '/changes');
  url.search = '';
  return url.toString();
}

/** Whether a drag or a pending move of the card is under way: its changes wait for it. */
export function isCardBusy(queryClient: QueryClient, id: string): boolean {
  if (draggingCard.get() === id) return true;
  return queryClient
    .getMutationCache()
    .findAll({ mutationKey: moveMutationKey, status: 'pending' })
    .some((m) => (m.state.variables as MoveVariables | undefined)?.card.ID === id);
}

/** Nothing is dragged and no move is pending: a refetch would not undo what the board shows. */
const boardIsQuiet = (queryClient: QueryClient) =>
  draggingCard.get() === null && queryClient.isMutating({ mutationKey: moveMutationKey }) === 0;

export interface ChangeApplier {
  /** applies the entry now, or after the drag or move of its card */
  receive(entry: ChangeEntry): void;
  /** the journal no longer reaches back to where this client stood: everything is loaded again */
  reset(): void;
  stop(): void;
}

/**
 * Applies entries to the cache. Another person's change (or one that needs names the entry
 * lacks) also refetches the board, `refreshDelayMs` after the last of a burst, for ETags,
 * filters and the exact sums; the signed-in person's own changes are in the cache already.
 */
export function createChangeApplier(
  queryClient: QueryClient,
  me: string | null,
  refreshDelayMs = 500,
): ChangeApplier {
  let deferred: ChangeEntry[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const refreshSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!boardIsQuiet(queryClient)) return refreshSoon();
      void queryClient.invalidateQueries({ queryKey: boardsKey });
      // The forecast sums the same deals.
      void queryClient.invalidateQueries({ queryKey: [...queryKeys.all, 'forecast'] });
    }, refreshDelayMs);
  };

  const receive = (entry: ChangeEntry) => {
    if (entry.set === sets.SalesOpportunity && isCardBusy(queryClient, entry.id)) {
      deferred.push(entry);
      return;
    }
    const { refresh } = applyChange(queryClient, entry);
    if (refresh || entry.actor?.id !== me) refreshSoon();
  };

  const flush = () => {
    if (deferred.length === 0) return;
    const waiting = deferred;
    deferred = [];
    for (const entry of waiting) receive(entry);
  };
  // After the listeners of the drop and of the mutation have run.
  const flushSoon = () => {
    if (deferred.length > 0) queueMicrotask(flush);
  };
  const unsubscribeDrag = draggingCard.subscribe(flushSoon);
  const unsubscribeMutations = queryClient.getMutationCache().subscribe(flushSoon);

  return {
    receive,
    reset: () => {
      deferred = [];
      void queryClient.invalidateQueries({ queryKey: queryKeys.all });
    },
    stop: () => {
      clearTimeout(timer);
      unsubscribeDrag();
      unsubscribeMutations();
    },
  };
}

/** Refetches the board every 30 s while the page is visible and nothing is being moved. */
export function startPolling(queryClient: QueryClient): () => void {
  liveMode.set('polling');
  const interval = setInterval(() => {
    if (document.visibilityState === 'visible' && boardIsQuiet(queryClient)) {
      void queryClient.invalidateQueries({ queryKey: boardsKey });
    }
  }, pollIntervalMs);
  return () => {
    clearInterval(interval);
    liveMode.set('off');
  };
}

/**
 * Opens the change stream (EventSource reconnects by itself and resends Last-Event-ID) and
 * applies its entries. A stream the service refuses for good (404: no stream there) ends in
 * polling instead.
 */
export function startLiveFeed(
  queryClient: QueryClient,
  url: string,
  me: string | null,
  EventSourceImpl: typeof EventSource | undefined = globalThis.EventSource,
): () => void {
  if (!EventSourceImpl) return startPolling(queryClient);
  const applier = createChangeApplier(queryClient, me);
  const source = new EventSourceImpl(url, { withCredentials: true });
  let stopPolling: (() => void) | undefined;
  source.addEventListener('open', () => liveMode.set('live'));
  source.addEventListener('change', (event) => {
    try {
      applier.receive(JSON.parse((event as MessageEvent<string>).data) as ChangeEntry);
    } catch {
      applier.reset();
    }
  });
  source.addEventListener('reset', () => applier.reset());
  source.addEventListener('error', () => {
    if (source.readyState !== EventSourceImpl.CLOSED || stopPolling) return;
    stopPolling = startPolling(queryClient);
  });
  return () => {
    source.close();
    applier.stop();
    stopPolling?.();
    liveMode.set('off');
  };
}
