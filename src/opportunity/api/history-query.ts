// A deal's history: `<Set>(<id>)/History` on our own service, the change journal's entries newest
// first, paged by the server (@odata.nextLink). Where the service has no History (the hosted
// CRM answers 400, 404, 405 or 501 there) the fetcher answers null and the drawer shows no
// history section: absence of the feature is not an error. So does an answer whose entries are
// not Dealdeck.Change ones.
import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { sets } from '../../api/entities';
import { entityPath, odata, type Page } from '../../api/odata-client';
import { ODataRequestError } from '../../api/odata-error';
import { queryKeys } from '../../api/query-keys';

/** One property or link (by navigation name, the linked record's ID as value) with its values. */
export interface PropertyChange {
  Property: string;
  Old: unknown;
  New: unknown;
}

/** One journal entry (`Dealdeck.Change`). */
export interface Change {
  Sequence: number;
  At: string;
  /** a person's ID, 'service' (the API token) or 'system' */
  ActorID: string;
  ActorName: string;
  Kind: 'created' | 'updated' | 'deleted' | string;
  Changes: PropertyChange[];
}

const isChange = (entry: unknown): entry is Change =>
  typeof entry === 'object' &&
  entry !== null &&
  typeof (entry as Change).Sequence === 'number' &&
  typeof (entry as Change).At === 'string' &&
  Array.isArray((entry as Change).Changes);

const withoutHistory = new Set([400, 404, 405, 501]);

/**
 * One page: the first when `next` is empty, else the query string of the previous page's
 * nextLink (the server's `$skiptoken`), sent through the one OData client.
 */
export async function fetchHistoryPage(id: string, next: string, signal?: AbortSignal) {
  try {
    const page = await odata.list<Change>(
      `${entityPath(sets.SalesOpportunity, id)}/History${next}`,
      {},
      signal,
    );
    // A service with some other `History` (not Dealdeck.Change entries) has no history for us.
    return page.value.every(isChange) ? page : null;
  } catch (error) {
    if (error instanceof ODataRequestError && withoutHistory.has(error.status)) return null;
    throw error;
  }
}

/** The query string of a nextLink, whatever host or root it names. */
const nextPageOf = (page: Page<Change> | null) =>
  page?.nextLink ? new URL(page.nextLink, window.location.href).search : undefined;

export const historyQuery = (id: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.opportunityHistory(id),
    queryFn: ({ pageParam, signal }) => fetchHistoryPage(id, pageParam, signal),
    initialPageParam: '',
    getNextPageParam: nextPageOf,
  });

export const useHistory = (id: string) => useInfiniteQuery(historyQuery(id));
