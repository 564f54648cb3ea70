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
 * /v1/changes in proxy mode: the change stream reads our journal, and the upstream's changes
 * never pass through it. A 404 makes the dashboard refresh the board every 30 s instead.
 */
export const noChangeStream = (upstreamUrl: string) => () => {
  throw new ODataError(
    404,
    'NotFound',
    `There is no change stream in proxy mode: Dealdeck forwards /v1/odata to ${upstreamUrl}, whose changes it does not hear. Read the records again to see them`,
  );
};
