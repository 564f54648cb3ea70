// Per-person upstream sign-in (proxy mode with UPSTREAM_SIGN_IN=person): whether the signed-in
// person has connected their account at the upstream, and disconnecting it. Connecting is a
// page navigation to /auth/upstream/connect (the upstream's sign-in page, then back to Settings);
// the upstream's tokens stay on Dealdeck's server. A server without per-person sign-in answers
// 404: there is nothing to connect; nor is there for nobody signed in (401).
import { queryOptions } from '@tanstack/react-query';
import { jsonRequest } from '../api/json-request';
import { ODataRequestError } from '../api/odata-error';

export const upstreamConnectionPath = '/auth/upstream';
export const connectUrl = `${upstreamConnectionPath}/connect`;

export interface UpstreamConnection {
  /** the upstream's host, e.g. api.tribecrm.nl */
  upstream: string;
  connected: boolean;
  /** ms since 1970 */
  connectedAt?: number;
}

export async function fetchUpstreamConnection(signal?: AbortSignal): Promise<UpstreamConnection | null> {
  try {
    return await jsonRequest<UpstreamConnection>('GET', upstreamConnectionPath, undefined, signal);
  } catch (error) {
    if (error instanceof ODataRequestError && (error.status === 404 || error.status === 401)) return null;
    throw error;
  }
}

export const upstreamConnectionQuery = () =>
  queryOptions({
    queryKey: ['upstream-connection'],
    queryFn: ({ signal }) => fetchUpstreamConnection(signal),
  });

export const disconnectUpstream = () => jsonRequest<void>('DELETE', upstreamConnectionPath);
