// GET /v1/movement: forecast movement (movement.ts) as JSON. app.ts authenticates first.
//   ?pipeline=<ID>&since=<date or time>&from=<date>&to=<date>[&staleDays=14]
import type { Context } from 'hono';
import { accessPolicy } from '../access/policy.ts';
import type { Store } from '../db/database.ts';
import type { AuthSettings } from '../people/auth-settings.ts';
import { badRequest, ODataError } from '../query/errors.ts';
import { computeMovement, type MovementQuery } from './movement.ts';

export const movementPath = '/v1/movement';

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const validDate = (text: string) =>
  isoDate.test(text) &&
  !Number.isNaN(Date.parse(text)) &&
  new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);

/** The query's parameters, checked: each mistake is named with what is expected. */
export function parseMovementQuery(params: Record<string, string | undefined>, now: Date): MovementQuery {
  const { pipeline, since, from, to, staleDays } = params;
  if (!pipeline || !guid.test(pipeline)) {
    throw badRequest(`pipeline is the ID (a GUID) of a pipeline, not '${pipeline ?? ''}'`, 'pipeline');
  }
  if (!since)
    throw badRequest('since is missing: the date or time to compare with, e.g. 2026-11-24', 'since');
  const sinceTime = isoDate.test(since) && validDate(since) ? `${since}T00:00:00.000Z` : since;
  if (!isoTime.test(sinceTime) || Number.isNaN(Date.parse(sinceTime))) {
    throw badRequest(
      `since is a date (2026-11-24) or a time with its offset (2026-11-24T09:00:00Z), not '${since}'`,
      'since',
    );
  }
  if (Date.parse(sinceTime) > now.getTime()) throw badRequest(`since (${since}) lies in the future`, 'since');
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!value || !validDate(value)) {
      throw badRequest(
        `${name} is the ${name === 'from' ? 'first' : 'last'} expected order date of the period, as 2026-12-31, not '${value ?? ''}'`,
        name,
      );
    }
  }
  if (from! > to!) throw badRequest(`The period ends (${to}) before it starts (${from})`, 'to');
  const days = staleDays === undefined ? 14 : Number(staleDays);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw badRequest(`staleDays is a whole number of days from 1 to 3650, not '${staleDays}'`, 'staleDays');
  }
  return {
    pipelineId: pipeline,
    since: new Date(Date.parse(sinceTime)).toISOString(),
    period: { from: from!, to: to! },
    staleDays: days,
    now: now.toISOString(),
  };
}

export function movementHandler(store: Store, auth: AuthSettings) {
  return async (c: Context) => {
    const query = parseMovementQuery(c.req.query(), new Date());
    const pipeline = await store.db
      .selectFrom('pipeline')
      .select('ID')
      .where('ID', '=', query.pipelineId)
      .executeTakeFirst();
    if (!pipeline)
      throw new ODataError(404, 'NotFound', `There is no pipeline with ID ${query.pipelineId}`, 'pipeline');
    const policy = accessPolicy(c.get('principal'), auth, store.dialect.name);
    return c.json(await computeMovement(store, policy, query), 200, { 'Cache-Control': 'no-store' });
  };
}
