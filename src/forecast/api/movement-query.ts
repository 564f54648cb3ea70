// Forecast movement from the service's change journal (GET /v1/movement beside /v1/odata, with
// the session cookie). Only Dealdeck's own service keeps a journal: elsewhere (the hosted CRM,
// or our server proxying it, which answers 404) the fetcher answers null and the forecast shows
// no movement, as the drawer shows no history.
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Movement } from '../../../server/journal/movement-types';
import { errorFromResponse, ODataRequestError } from '../../api/odata-error';
import { queryKeys } from '../../api/query-keys';
import { useSession } from '../../api/session-query';
import { useSettings } from '../../lib/settings-store';

export type { Bucket, DealMovement, Movement, PhaseConversion } from '../../../server/journal/movement-types';

export interface MovementParams {
  pipelineId: string;
  /** the date compared with (YYYY-MM-DD, from its midnight UTC) */
  since: string;
  period: { from: string; to: string };
  staleDays: number;
}

/** /v1/movement beside the service's /v1/odata. */
export function movementUrl(baseUrl: string, params: MovementParams, origin = window.location.origin) {
  const url = new URL(baseUrl, origin);
  url.pathname = url.pathname.replace(/\/odata\/?$/, '/movement');
  url.search = new URLSearchParams({
    pipeline: params.pipelineId,
    since: params.since,
    from: params.period.from,
    to: params.period.to,
    staleDays: String(params.staleDays),
  }).toString();
  return url.toString();
}

const withoutJournal = new Set([404, 405, 501]);

export async function fetchMovement(
  baseUrl: string,
  params: MovementParams,
  signal?: AbortSignal,
): Promise<Movement | null> {
  const response = await fetch(movementUrl(baseUrl, params), {
    headers: { Accept: 'application/json' },
    credentials: 'same-origin',
    signal,
  });
  if (withoutJournal.has(response.status)) return null;
  if (!response.ok) throw await errorFromResponse(response);
  const body = (await response.json()) as Movement;
  if (!Array.isArray(body?.deals) || !Array.isArray(body.totals)) {
    throw new ODataRequestError(
      502,
      'BadGateway',
      'The service answered /v1/movement with something else than movement',
    );
  }
  return body;
}

export const movementQuery = (baseUrl: string, params: MovementParams) =>
  queryOptions({
    queryKey: [...queryKeys.all, 'movement', baseUrl, params] as const,
    queryFn: ({ signal }) => fetchMovement(baseUrl, params, signal),
    placeholderData: (previous) => previous,
  });

/** Movement on our own service; `available` false where the service keeps no journal. */
export function useMovement(params: MovementParams) {
  const { baseUrl } = useSettings();
  const { own, session } = useSession();
  const query = useQuery({ ...movementQuery(baseUrl, params), enabled: own && !!session });
  return { ...query, available: own && query.data !== null };
}
