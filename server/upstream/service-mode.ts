// GET /v1/mode: whether Dealdeck serves its own data or forwards /v1/odata to an upstream
// (proxy mode), for the dashboard's Settings. Public, like /auth/options: the upstream's address
// is no secret, its token never leaves the server.
import type { Context } from 'hono';
import { ODataError } from '../query/errors.ts';

export const modePath = '/v1/mode';

export type ServiceMode = { mode: 'own' } | { mode: 'proxy'; upstream: string };

export const modeHandler = (upstreamUrl: string | undefined) => (c: Context) =>
  c.json<ServiceMode>(upstreamUrl ? { mode: 'proxy', upstream: upstreamUrl } : { mode: 'own' });

/**
 * What reads Dealdeck's own change journal (the change stream, forecast movement, webhooks), in
 * proxy mode: the upstream's changes never pass through the journal. A 404 makes the dashboard
 * do without: the board refreshes every 30 s, the forecast shows no movement.
 */
export const notInProxyMode = (what: string, upstreamUrl: string) => () => {
  throw new ODataError(
    404,
    'NotFound',
    `There is no ${what} in proxy mode: Dealdeck forwards /v1/odata to ${upstreamUrl}, whose changes its change journal does not hold`,
  );
};
