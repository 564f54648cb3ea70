// GET /v1/changes: the change stream over HTTP (text/event-stream). app.ts authenticates first.
import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import type { Store } from '../db/database.ts';
import type { AuthSettings } from '../people/auth-settings.ts';
import { principalOfRequest } from '../people/authenticate.ts';
import { ODataError } from '../query/errors.ts';
import type { ChangeFeed, StreamConnection } from './stream.ts';

export const changesPath = '/v1/changes';

/** Where the client resumes: Last-Event-ID, else ?after=; undefined: from now on. */
function startingPoint(c: Context): number | undefined {
  const given = c.req.header('Last-Event-ID') ?? c.req.query('after');
  if (given === undefined || given.trim() === '') return undefined;
  if (!/^\d{1,15}$/.test(given.trim())) {
    throw new ODataError(
      400,
      'BadRequest',
      `Last-Event-ID (or ?after=) is the sequence number of a change, not '${given.slice(0, 40)}'`,
    );
  }
  return Number(given.trim());
}

export const streamHeaders = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  // proxies: neither cache nor buffer the stream
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
  'Access-Control-Allow-Origin': '*',
};

export function changesHandler(store: Store, feed: ChangeFeed, auth: AuthSettings) {
  return async (c: Context) => {
    const after = startingPoint(c);
    // the Node response under Hono (@hono/node-server passes it as env.outgoing), to cut a
    // dropped client's connection; absent when the app is called without Node's server
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    const connection: StreamConnection = {
      destroy: () => {
        if (outgoing && !outgoing.writableFinished) outgoing.destroy();
      },
      finished: outgoing
        ? new Promise<void>((resolve) => {
            if (outgoing.closed) resolve();
            else outgoing.once('close', () => resolve());
          })
        : Promise.resolve(),
    };
    const principal = c.get('principal');
    const subscriber = await feed.subscribe(principal, auth, after, connection);
    c.req.raw.signal.addEventListener('abort', () => subscriber.end(), { once: true });
    // the credentials of a long stream are checked again now and then (their session is kept
    // alive by it, as by any request); any change to who it is for ends it
    const recheck = setInterval(async () => {
      try {
        const now = await principalOfRequest(store, c, auth);
        const same =
          now?.id === principal.id && now.role === principal.role && now.employeeId === principal.employeeId;
        if (!same) subscriber.end();
      } catch {
        subscriber.end();
      }
    }, feed.settings.recheckMs);
    recheck.unref();
    subscriber.onClosed = () => clearInterval(recheck);
    if (subscriber.closed) clearInterval(recheck);
    return new Response(subscriber.stream, { status: 200, headers: streamHeaders });
  };
}
