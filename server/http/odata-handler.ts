// The OData endpoints: reads of sets, records, navigations, properties, counts and links;
// creates, updates, deletes and link writes. Each request: parse URL → check against the
// model → plan → SQL → serialize. What the request's principal may read and write comes from
// the access policy (access/policy.ts): its read scope goes with every query (ctx.expression),
// the writes ask it with the records they change.
import type { Context } from 'hono';
import { sql } from 'kysely';
import { type AccessPolicy, accessPolicy, canSee } from '../access/policy.ts';
import type { AccessSettings } from '../access/principal.ts';
import type { Store } from '../db/database.ts';
import {
  changedIds,
  checkReach,
  type DeltaToken,
  decodeDeltaToken,
  encodeDeltaToken,
  entriesOf,
  prefersTracking,
  visibleNow,
  wasVisible,
} from '../journal/delta.ts';
import {
  changeOf,
  changeTypeName,
  historyNavigation,
  historyToken,
  parseHistoryToken,
  readHistory,
} from '../journal/history.ts';
import { journalReach } from '../journal/journal.ts';
import { csdlXml } from '../model/csdl.ts';
import { namespace } from '../model/csdl-names.ts';
import type { EdmType } from '../model/define.ts';
import { type EntityType, model } from '../model/model.ts';
import { type ApplyPlan, planApply } from '../plan/plan-apply.ts';
import { planRead, type ReadPlan } from '../plan/plan-read.ts';
import type { ExpandItem, QueryOptions } from '../query/ast.ts';
import { badRequest, NotImplementedError, ODataError } from '../query/errors.ts';
import { parseQueryOptions } from '../query/parse-query-options.ts';
import { aggregateRows, shapeAggregateRow } from '../sql/aggregate-rows.ts';
import type { ExpressionContext } from '../sql/expression-sql.ts';
import { countRows, idOf, selectRows, typeOf } from '../sql/select-rows.ts';
import { loadRecord } from '../write/records.ts';
import { createEntity, deleteEntity, updateEntity } from '../write/write-entity.ts';
import { parsePrefer } from './prefer.ts';
import { readJsonBody } from './read-body.ts';
import { ensureExists, resolveTarget, type Target } from './resolve-target.ts';
import { parseKey, parseResourcePath, type ResourcePath } from './resource-path.ts';
import { entityWriter, etagOf, type Json, jsonObject, jsonValue } from './serialize.ts';

export const defaultPageSize = 100;
export const maxPageSize = 1000;

export const jsonContentType =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

interface RequestContext {
  store: Store;
  c: Context;
  serviceRoot: string;
  rawQuery: string;
  options: QueryOptions;
  now: string;
  expression: ExpressionContext;
  access: AccessPolicy;
  /** following a delta link: its token, and the page within the delta response */
  delta?: { token: DeltaToken; skiptoken?: string };
}

export function odataJson(c: Context, body: Json, status = 200, headers: Record<string, string> = {}) {
  return odataJsonText(c, JSON.stringify(body), status, headers);
}

/** A JSON answer already written as text (records: serialize.ts). */
function odataJsonText(c: Context, text: string, status = 200, headers: Record<string, string> = {}) {
  return c.body(text, status as 200, {
    'Content-Type': jsonContentType,
    'OData-Version': '4.0',
    ...headers,
  });
}

const noContent = (c: Context) => c.body(null, 204, { 'OData-Version': '4.0' });

export async function handleOData(
  store: Store,
  c: Context,
  basePath: string,
  settings: AccessSettings,
): Promise<Response> {
  const url = new URL(c.req.url);
  const serviceRoot = `${url.origin}${basePath}`;
  const question = c.req.url.indexOf('?');
  const rawQuery = question >= 0 ? c.req.url.slice(question + 1) : '';
  const resourcePath = parseResourcePath(url.pathname.slice(basePath.length));
  const method = c.req.method;
  const now = new Date().toISOString();

  if (resourcePath.segments.length === 0) {
    if (method !== 'GET') throw methodNotAllowed(method, 'the service document');
    return odataJson(c, serviceDocument(serviceRoot));
  }
  const head = resourcePath.segments[0].name;
  if (head === '$metadata' && resourcePath.segments.length === 1) {
    if (method !== 'GET') throw methodNotAllowed(method, '$metadata');
    return c.body(csdlXml(), 200, {
      'Content-Type': 'application/xml;charset=utf-8',
      'OData-Version': '4.0',
    });
  }
  if (head === '$batch')
    throw new NotImplementedError('$batch is not supported: send the requests one by one', 'path');

  // a delta link carries its defining query in its token
  const delta = deltaRequest(rawQuery);
  const query = delta ? delta.token.query : rawQuery;
  const options = parseQueryOptions(query);
  checkFormat(options.format);
  const principal = c.get('principal');
  // app.ts answers 401 before an API request without one gets here
  if (!principal) throw new ODataError(401, 'Unauthorized', 'Sign in first');
  const access = accessPolicy(principal, settings, store.dialect.name);
  const ctx: RequestContext = {
    store,
    c,
    serviceRoot,
    rawQuery: query,
    options,
    delta,
    now,
    expression: { dialect: store.dialect, now, access: access.read },
    access,
  };
  const last = resourcePath.segments[resourcePath.segments.length - 1];
  if (resourcePath.segments.length > 1 && last.name === historyNavigation && !last.key) {
    return getHistory(ctx, resourcePath, method);
  }
  const target = await resolveTarget(store, resourcePath, access.read);
  const suffix = resourcePath.suffix;

  if (delta) {
    if (method !== 'GET') throw methodNotAllowed(method, 'a delta link');
    if (suffix || target.kind !== 'collection' || target.parent || target.type.setName !== delta.token.set) {
      throw badRequest('A $deltatoken belongs to the entity set it was issued for', '$deltatoken');
    }
    return getDelta(ctx, target, delta);
  }
  if (suffix === '$ref') return handleRef(ctx, target, method);
  switch (method) {
    case 'GET':
      if (suffix === '$count') return getCount(ctx, target);
      return get(ctx, target, suffix === '$value');
    case 'POST':
      if (target.kind === 'entity' && !target.parent && !target.link) {
        throw methodNotAllowed(method, 'a single record (POST creates in a collection; use PATCH to update)');
      }
      if (target.kind !== 'collection') throw methodNotAllowed(method, 'this resource');
      return create(ctx, target);
    case 'PATCH':
    case 'PUT':
    case 'MERGE':
      if (target.kind === 'property') return writeProperty(ctx, target);
      if (target.kind !== 'entity')
        throw methodNotAllowed(method, 'a collection (address one record by its key)');
      return update(ctx, target);
    case 'DELETE':
      if (target.kind === 'property') return writeProperty(ctx, target, null);
      if (target.kind !== 'entity') throw methodNotAllowed(method, 'a collection');
      return remove(ctx, target);
    default:
      throw methodNotAllowed(method, 'this resource');
  }
}

const methodNotAllowed = (method: string, what: string) =>
  new ODataError(405, 'MethodNotAllowed', `${method} is not allowed on ${what}`);

function checkFormat(format: string | undefined) {
  if (format === undefined) return;
  if (format === 'json' || format.startsWith('application/json')) return;
  throw new ODataError(
    406,
    'NotAcceptable',
    `$format=${format} is not available; this service answers in JSON`,
    '$format',
  );
}

function serviceDocument(serviceRoot: string): Json {
  return {
    '@odata.context': `${serviceRoot}/$metadata`,
    value: [...model.values()].map((type) => ({ name: type.setName, kind: 'EntitySet', url: type.setName })),
  };
}

const contextUrl = (ctx: RequestContext, fragment: string) => `${ctx.serviceRoot}/$metadata#${fragment}`;

function selectFragment(plan: ReadPlan) {
  return plan.allProperties ? '' : `(${plan.select.map((p) => p.name).join(',')})`;
}

function parentCondition(plan: Pick<ReadPlan, 'scope'>, target: Target) {
  if ((target.kind === 'collection' || target.kind === 'entity') && target.parent) {
    return [sql`${sql.ref(`${plan.scope.alias}.${target.parent.column}`)} = ${target.parent.ownerId}`];
  }
  return [];
}

async function readOne(ctx: RequestContext, type: EntityType, id: string, options: QueryOptions) {
  const plan = planRead(type, options);
  const rows = await selectRows(
    ctx.store,
    { plan, where: [sql`${sql.ref(`${plan.scope.alias}.ID`)} = ${id}`] },
    ctx.expression,
  );
  return { plan, row: rows[0] };
}

function entityResponse(
  ctx: RequestContext,
  plan: ReadPlan,
  row: Awaited<ReturnType<typeof readOne>>['row'],
  status = 200,
  headers: Record<string, string> = {},
) {
  const context = contextUrl(ctx, `${plan.type.setName}${selectFragment(plan)}/$entity`);
  const entity = entityWriter(plan, { dialect: ctx.store.dialect, serviceRoot: ctx.serviceRoot })(row);
  // the context first, then the entity's own members
  const body = `{"@odata.context":${jsonValue(context)},${entity.slice(1)}`;
  return odataJsonText(ctx.c, body, status, { ETag: etagOf(row), ...headers });
}

function rejectCollectionOptions(options: QueryOptions) {
  for (const name of ['filter', 'orderby', 'top', 'skip', 'count', 'skiptoken', 'apply'] as const) {
    if (options[name] !== undefined)
      throw badRequest(`$${name} applies to collections, not to a single record`, `$${name}`);
  }
}

async function get(ctx: RequestContext, target: Target, rawValue: boolean): Promise<Response> {
  if (target.kind === 'unlinked') return noContent(ctx.c);
  if (target.kind === 'property') {
    const record = await loadRecord(ctx.store, target.type, target.id);
    const value = record?.[target.property.column] ?? null;
    if (rawValue) {
      if (value === null) return noContent(ctx.c);
      return ctx.c.body(String(value), 200, {
        'Content-Type': 'text/plain;charset=utf-8',
        'OData-Version': '4.0',
      });
    }
    return odataJson(ctx.c, {
      '@odata.context': contextUrl(ctx, `${target.type.setName}(${target.id})/${target.property.name}`),
      value,
    });
  }
  if (rawValue) throw badRequest('$value applies to a property', 'path');
  if (target.kind === 'entity') {
    rejectCollectionOptions(ctx.options);
    const { plan, row } = await readOne(ctx, target.type, target.id, ctx.options);
    if (!row) throw new ODataError(404, 'NotFound', `No ${target.type.setName} with ID ${target.id}`);
    if (ctx.c.req.header('If-None-Match') === etagOf(row))
      return ctx.c.body(null, 304, { ETag: etagOf(row) });
    return entityResponse(ctx, plan, row);
  }
  if (ctx.options.apply) return getAggregate(ctx, target);
  return getCollection(ctx, target);
}

function pageSizeOf(ctx: RequestContext) {
  const prefer = parsePrefer(ctx.c.req.header('Prefer'));
  const requested = prefer.maxPageSize;
  if (requested === undefined) return { size: defaultPageSize, applied: undefined };
  const size = Math.min(Math.max(requested, 1), maxPageSize);
  return { size, applied: `odata.maxpagesize=${size}` };
}

async function getCollection(ctx: RequestContext, target: Extract<Target, { kind: 'collection' }>) {
  const { options } = ctx;
  // change tracking: the sequence number is taken before the first page is read, and travels
  // in the next links (`$skiptoken=t<sequence>-<offset>`) to the delta link on the last page
  const trackedPage = /^t(\d+)-(\d+)$/.exec(options.skiptoken ?? '');
  const tracking = trackedPage || prefersTracking(ctx.c.req.header('Prefer'));
  if (tracking) checkTrackable(ctx, target);
  const sequence = trackedPage
    ? Number(trackedPage[1])
    : tracking
      ? (await journalReach(ctx.store)).newest
      : 0;
  const plan = planRead(target.type, options);
  const where = parentCondition(plan, target);
  const page = pageSizeOf(ctx);
  const token = trackedPage
    ? Number(trackedPage[2])
    : options.skiptoken === undefined
      ? 0
      : Number(options.skiptoken);
  if (!Number.isSafeInteger(token) || token < 0) {
    throw badRequest(`$skiptoken '${options.skiptoken}' is not one this service issued`, '$skiptoken');
  }
  const remaining = plan.top === undefined ? Number.POSITIVE_INFINITY : Math.max(plan.top - token, 0);
  const limit = Math.min(page.size, remaining);
  const rows =
    limit === 0
      ? []
      : await selectRows(
          ctx.store,
          { plan, where, limit: limit + 1, offset: plan.skip + token },
          ctx.expression,
        );
  const more = rows.length > limit && remaining > limit;
  if (rows.length > limit) rows.length = limit;
  const count = plan.count ? await countRows(ctx.store, plan, ctx.expression, where) : undefined;
  const write = entityWriter(plan, { dialect: ctx.store.dialect, serviceRoot: ctx.serviceRoot });
  const body = jsonObject([
    ['@odata.context', jsonValue(contextUrl(ctx, `${target.type.setName}${selectFragment(plan)}`))],
    ['@odata.count', count === undefined ? undefined : jsonValue(count)],
    ['value', `[${rows.map(write).join(',')}]`],
    [
      '@odata.nextLink',
      more
        ? jsonValue(nextLinkWith(ctx, tracking ? `t${sequence}-${token + limit}` : String(token + limit)))
        : undefined,
    ],
    ['@odata.deltaLink', tracking && !more ? jsonValue(deltaLink(ctx, target.type, sequence)) : undefined],
  ]);
  const applied = [page.applied, tracking ? 'odata.track-changes' : undefined].filter(Boolean).join(', ');
  return odataJsonText(ctx.c, body, 200, applied ? { 'Preference-Applied': applied } : {});
}

/** Change tracking covers an entity set with $filter, $select and $expand of single-valued links. */
function checkTrackable(ctx: RequestContext, target: Extract<Target, { kind: 'collection' }>) {
  if (target.parent) {
    throw new NotImplementedError(
      `Change tracking (Prefer: odata.track-changes) applies to entity sets, not to the navigation ${target.parent.navigation.name}`,
      'path',
    );
  }
  for (const name of ['top', 'skip', 'apply', 'search'] as const) {
    if (ctx.options[name] !== undefined) {
      throw new NotImplementedError(
        `Change tracking (Prefer: odata.track-changes) does not combine with $${name}: it follows a whole set, narrowed by $filter`,
        `$${name}`,
      );
    }
  }
  const checkExpand = (type: EntityType, items: ExpandItem[] | undefined) => {
    for (const item of items ?? []) {
      const reference = item.path.length === 1 ? type.references.get(item.path[0]) : undefined;
      if (!reference) {
        throw new NotImplementedError(
          `Change tracking (Prefer: odata.track-changes) expands single-valued links only (such as Phase or SalesRepresentative), not ${item.path.join('/')}`,
          '$expand',
        );
      }
      checkExpand(model.get(reference.target)!, item.options.expand);
    }
  };
  checkExpand(target.type, ctx.options.expand);
}

/** The query without paging: what a delta link repeats. */
function definingQuery(ctx: RequestContext) {
  return ctx.rawQuery
    .split('&')
    .filter((part) => part !== '' && !part.startsWith('$skiptoken=') && !part.startsWith('%24skiptoken='))
    .join('&');
}

function deltaLink(ctx: RequestContext, type: EntityType, after: number) {
  const token = encodeDeltaToken({ set: type.setName, after, query: definingQuery(ctx) });
  return `${ctx.serviceRoot}/${type.setName}?$deltatoken=${token}`;
}

/** `$deltatoken=...` (and `$skiptoken=...` of a page within a delta response): nothing else goes with it. */
function deltaRequest(rawQuery: string): RequestContext['delta'] {
  const parts = rawQuery.split('&').filter((part) => part !== '');
  const value = (name: string) => {
    const part = parts.find((p) => p.startsWith(`$${name}=`) || p.startsWith(`%24${name}=`));
    return part === undefined ? undefined : decodeURIComponent(part.slice(part.indexOf('=') + 1));
  };
  const text = value('deltatoken');
  if (text === undefined) return undefined;
  for (const part of parts) {
    const name = decodeURIComponent(part.split('=')[0]);
    if (name.startsWith('$') && name !== '$deltatoken' && name !== '$skiptoken') {
      throw badRequest(
        `A delta link carries its query in its $deltatoken: follow it as given, without ${name}`,
        name,
      );
    }
  }
  return { token: decodeDeltaToken(text), skiptoken: value('skiptoken') };
}

/**
 * Following a delta link: the set's records changed since the token's sequence number, in ID
 * order and paged by ID, up to the journal's newest entry when the first page was read (the
 * pages carry it in `$skiptoken=<sequence>.<last ID>`). A changed record that matches the query
 * is sent as it is now; one that no longer does (deleted, filtered out, or hidden from the reader)
 * as removed, unless the reader never had it (created since, or not theirs to see back then).
 */
async function getDelta(
  ctx: RequestContext,
  target: Extract<Target, { kind: 'collection' }>,
  delta: NonNullable<RequestContext['delta']>,
) {
  const { token } = delta;
  const type = target.type;
  const newest = await checkReach(ctx.store, token.after);
  let upTo = newest;
  let afterId: string | undefined;
  if (delta.skiptoken !== undefined) {
    const match = /^(\d+)\.([0-9a-f-]{36})$/.exec(delta.skiptoken);
    if (!match || Number(match[1]) < token.after || Number(match[1]) > newest) {
      throw badRequest(`$skiptoken '${delta.skiptoken}' is not one this service issued`, '$skiptoken');
    }
    upTo = Number(match[1]);
    afterId = match[2];
  }
  const page = pageSizeOf(ctx);
  const range = { after: token.after, upTo };
  const ids = await changedIds(ctx.store, type, ctx.access.read, { ...range, afterId, limit: page.size + 1 });
  const more = ids.length > page.size;
  if (more) ids.length = page.size;
  const plan = planRead(type, { ...ctx.options, orderby: undefined });
  const rows = ids.length
    ? await selectRows(
        ctx.store,
        { plan, where: [sql`${sql.ref(`${plan.scope.alias}.ID`)} IN (${sql.join(ids)})`] },
        ctx.expression,
      )
    : [];
  const write = entityWriter(plan, { dialect: ctx.store.dialect, serviceRoot: ctx.serviceRoot });
  const current = new Map(rows.map((row) => [idOf(row), write(row)]));
  const entries = await entriesOf(ctx.store, ids, range);
  const removedContext = contextUrl(ctx, `${type.setName}/$deletedEntity`);
  const value: string[] = [];
  for (const id of ids) {
    const entity = current.get(id);
    if (entity) {
      value.push(entity);
      continue;
    }
    // no entries of its own: a part of a deal whose owner changed
    const list = entries.get(id) ?? [];
    // created since the token: the reader never had it
    if (list[0]?.kind === 'created') continue;
    const recordType = (list[0] && model.get(list[0].type)) ?? type;
    const exists =
      list.at(-1)?.kind !== 'deleted' || (await visibleNow(ctx.store, undefined, recordType, id));
    let reason: 'deleted' | 'changed' | undefined;
    if (exists && (await visibleNow(ctx.store, ctx.access.read, recordType, id))) reason = 'changed';
    else if (
      await wasVisible(
        ctx.store,
        ctx.access.read,
        ctx.access.principal.employeeId,
        recordType,
        id,
        list,
        range,
      )
    )
      reason = exists ? 'changed' : 'deleted';
    if (!reason) continue;
    const url = `${ctx.serviceRoot}/${recordType.setName}(${id})`;
    value.push(
      JSON.stringify({
        '@odata.context': removedContext,
        '@odata.removed': { reason },
        '@odata.id': url,
        id: url,
        reason,
        ID: id,
      }),
    );
  }
  const next = more
    ? `${ctx.serviceRoot}/${type.setName}?$deltatoken=${encodeDeltaToken(token)}&$skiptoken=${upTo}.${ids[ids.length - 1]}`
    : undefined;
  const body = jsonObject([
    ['@odata.context', jsonValue(contextUrl(ctx, `${type.setName}${selectFragment(plan)}/$delta`))],
    ['value', `[${value.join(',')}]`],
    ['@odata.nextLink', next ? jsonValue(next) : undefined],
    ['@odata.deltaLink', next ? undefined : jsonValue(deltaLink(ctx, type, upTo))],
  ]);
  return odataJsonText(ctx.c, body, 200, page.applied ? { 'Preference-Applied': page.applied } : {});
}

async function getAggregate(ctx: RequestContext, target: Extract<Target, { kind: 'collection' }>) {
  const { options } = ctx;
  for (const name of ['select', 'expand', 'skiptoken'] as const) {
    if (options[name] !== undefined) throw badRequest(`$${name} cannot be combined with $apply`, `$${name}`);
  }
  if (options.filter) {
    throw new NotImplementedError(
      '$filter together with $apply is not supported: put filter() first in $apply',
      '$filter',
    );
  }
  const plan = planApply(target.type, options.apply!, options);
  const where = parentCondition(plan, target);
  const rows = await aggregateRows(ctx.store, plan, ctx.expression, where);
  const body: Json = { '@odata.context': contextUrl(ctx, `${target.type.setName}(${applyContext(plan)})`) };
  if (options.count) {
    body['@odata.count'] = (
      await aggregateRows(ctx.store, { ...plan, top: undefined, skip: 0 }, ctx.expression, where)
    ).length;
  }
  const fromDatabase = (edm: string, value: unknown) => ctx.store.dialect.fromDatabase(edm as EdmType, value);
  body.value = rows.map((row) => shapeAggregateRow(plan, row, fromDatabase));
  return odataJson(ctx.c, body);
}

function applyContext(plan: ApplyPlan) {
  const keys = plan.groupBy.map((k) =>
    k.path.length > 1 ? `${k.path[0]}(${k.path.slice(1).join('/')})` : k.path[0],
  );
  return [...keys, ...plan.aggregates.map((a) => a.alias)].join(',');
}

function nextLinkWith(ctx: RequestContext, token: string) {
  const url = new URL(ctx.c.req.url);
  const kept = ctx.rawQuery
    .split('&')
    .filter((part) => part !== '' && !part.startsWith('$skiptoken=') && !part.startsWith('%24skiptoken='));
  kept.push(`$skiptoken=${token}`);
  return `${url.origin}${url.pathname}?${kept.join('&')}`;
}

async function getCount(ctx: RequestContext, target: Target) {
  if (target.kind !== 'collection') throw badRequest('$count applies to collections', 'path');
  const plan = planRead(target.type, { filter: ctx.options.filter });
  const n = await countRows(ctx.store, plan, ctx.expression, parentCondition(plan, target));
  return ctx.c.body(String(n), 200, { 'Content-Type': 'text/plain;charset=utf-8', 'OData-Version': '4.0' });
}

function responseOptions(ctx: RequestContext): QueryOptions {
  return { select: ctx.options.select, expand: ctx.options.expand };
}

async function inTransaction<T>(ctx: RequestContext, work: (store: Store) => Promise<T>): Promise<T> {
  return ctx.store.transaction(work);
}

async function create(ctx: RequestContext, target: Extract<Target, { kind: 'collection' }>) {
  let body = await readJsonBody(ctx.c);
  if (target.parent) {
    // POST to Set(id)/ProductLines creates a line of that record
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ODataError(400, 'InvalidBody', 'The request body must be a JSON object');
    }
    body = { ...(body as Json), [target.parent.navigation.inverse]: { ID: target.parent.ownerId } };
  }
  const result = await inTransaction(ctx, (store) =>
    createEntity(store, target.type, body, ctx.now, ctx.access),
  );
  const { plan, row } = await readOne(ctx, target.type, result.id, responseOptions(ctx));
  const location = `${ctx.serviceRoot}/${result.type.setName}(${result.id})`;
  const status = result.created ? 201 : 200;
  if (parsePrefer(ctx.c.req.header('Prefer')).returnMinimal) {
    return ctx.c.body(null, 204, {
      Location: location,
      'OData-EntityId': location,
      ETag: etagOf(row),
      'Preference-Applied': 'return=minimal',
      'OData-Version': '4.0',
    });
  }
  return entityResponse(ctx, plan, row, status, result.created ? { Location: location } : {});
}

async function update(ctx: RequestContext, target: Extract<Target, { kind: 'entity' }>) {
  await ensureExists(ctx.store, target, ctx.access.read);
  const body = await readJsonBody(ctx.c);
  const ifMatch = ctx.c.req.header('If-Match');
  await inTransaction(ctx, (store) =>
    updateEntity(store, target.type, target.id, body, ifMatch, ctx.now, ctx.access),
  );
  return respondAfterWrite(ctx, target.type, target.id);
}

async function respondAfterWrite(ctx: RequestContext, type: EntityType, id: string) {
  const { plan, row } = await readOne(ctx, type, id, responseOptions(ctx));
  if (parsePrefer(ctx.c.req.header('Prefer')).returnMinimal) {
    return ctx.c.body(null, 204, {
      ETag: etagOf(row),
      'Preference-Applied': 'return=minimal',
      'OData-Version': '4.0',
    });
  }
  return entityResponse(ctx, plan, row);
}

async function writeProperty(
  ctx: RequestContext,
  target: Extract<Target, { kind: 'property' }>,
  value?: null,
) {
  let newValue: unknown = value;
  if (value === undefined) {
    const body = await readJsonBody(ctx.c);
    if (typeof body !== 'object' || body === null || !('value' in body)) {
      throw new ODataError(400, 'InvalidBody', 'Write a property as {"value": ...}');
    }
    newValue = (body as Json).value;
  }
  const ifMatch = ctx.c.req.header('If-Match');
  const body = { [target.property.name]: newValue };
  await inTransaction(ctx, (store) =>
    updateEntity(store, target.type, target.id, body, ifMatch, ctx.now, ctx.access),
  );
  return noContent(ctx.c);
}

async function remove(ctx: RequestContext, target: Extract<Target, { kind: 'entity' }>) {
  await ensureExists(ctx.store, target, ctx.access.read);
  const ifMatch = ctx.c.req.header('If-Match');
  await inTransaction(ctx, (store) =>
    deleteEntity(store, target.type, target.id, ifMatch, ctx.now, ctx.access),
  );
  return noContent(ctx.c);
}

/** `$ref`: read or write the link itself rather than the linked record. */
async function handleRef(ctx: RequestContext, target: Target, method: string): Promise<Response> {
  const refUrl = (type: EntityType, id: string) => `${ctx.serviceRoot}/${type.setName}(${id})`;
  if (method === 'GET') {
    if (target.kind === 'entity') {
      await ensureExists(ctx.store, target, ctx.access.read);
      const row = await loadRecord(ctx.store, target.type, target.id);
      return odataJson(ctx.c, {
        '@odata.context': contextUrl(ctx, '$ref'),
        '@odata.id': refUrl(model.get(row!._Type as string)!, target.id),
      });
    }
    if (target.kind === 'unlinked') return noContent(ctx.c);
    if (target.kind === 'collection') {
      const plan = planRead(target.type, { ...ctx.options, select: [] });
      const rows = await selectRows(
        ctx.store,
        { plan, where: parentCondition(plan, target), limit: maxPageSize },
        ctx.expression,
      );
      return odataJson(ctx.c, {
        '@odata.context': contextUrl(ctx, 'Collection($ref)'),
        value: rows.map((r) => ({ '@odata.id': refUrl(model.get(typeOf(r))!, idOf(r)) })),
      });
    }
    throw badRequest('$ref applies to navigations', 'path');
  }
  const ifMatch = ctx.c.req.header('If-Match');
  // a single-valued navigation: PUT sets the link, DELETE clears it
  if (target.kind === 'entity' && target.link) {
    const { ownerType, ownerId, reference } = target.link;
    if (method === 'PUT' || method === 'POST') {
      const id = await refTarget(ctx, model.get(reference.target)!);
      await inTransaction(ctx, (s) =>
        updateEntity(s, ownerType, ownerId, { [reference.name]: { ID: id } }, ifMatch, ctx.now, ctx.access),
      );
    } else if (method === 'DELETE') {
      await inTransaction(ctx, (s) =>
        updateEntity(s, ownerType, ownerId, { [reference.name]: null }, ifMatch, ctx.now, ctx.access),
      );
    } else throw methodNotAllowed(method, '$ref');
    return noContent(ctx.c);
  }
  if (target.kind === 'unlinked' && (method === 'PUT' || method === 'POST')) {
    const { ownerType, ownerId, reference } = target.link;
    const id = await refTarget(ctx, model.get(reference.target)!);
    await inTransaction(ctx, (s) =>
      updateEntity(s, ownerType, ownerId, { [reference.name]: { ID: id } }, ifMatch, ctx.now, ctx.access),
    );
    return noContent(ctx.c);
  }
  // a collection: POST adds a member (sets its inverse link), DELETE Coll(key)/$ref removes one
  const inverseName = (t: Target) =>
    (t.kind === 'collection' || t.kind === 'entity') && t.parent?.navigation.inverse;
  if (target.kind === 'collection' && target.parent && method === 'POST') {
    const id = await refTarget(ctx, target.type);
    const member = { [inverseName(target) as string]: { ID: target.parent.ownerId } };
    await inTransaction(ctx, (s) => updateEntity(s, target.type, id, member, undefined, ctx.now, ctx.access));
    return noContent(ctx.c);
  }
  if ((target.kind === 'entity' || target.kind === 'collection') && target.parent && method === 'DELETE') {
    const id = target.kind === 'entity' ? target.id : idFromQuery(ctx);
    const member = { ...target, kind: 'entity' as const, id };
    await ensureExists(ctx.store, member, ctx.access.read);
    await inTransaction(ctx, (s) =>
      updateEntity(
        s,
        target.type,
        id,
        { [inverseName(target) as string]: null },
        ifMatch,
        ctx.now,
        ctx.access,
      ),
    );
    return noContent(ctx.c);
  }
  throw methodNotAllowed(method, 'this $ref');
}

function idFromQuery(ctx: RequestContext): string {
  const ref = ctx.options.id;
  if (ref === undefined) {
    throw badRequest('DELETE of a collection $ref names the member: Coll(<guid>)/$ref or ?$id=<url>', '$id');
  }
  return parseKey(/\(([^()]*)\)$/.exec(ref)?.[1] ?? ref, '$id');
}

async function refTarget(ctx: RequestContext, type: EntityType): Promise<string> {
  const body = (await readJsonBody(ctx.c)) as Json | null;
  const ref = body && typeof body === 'object' ? body['@odata.id'] : undefined;
  if (typeof ref !== 'string') throw badRequest('A $ref body is {"@odata.id": "<Set>(<guid>)"}', '@odata.id');
  const key = /\(([^()]*)\)$/.exec(ref)?.[1] ?? ref;
  const id = parseKey(key, '@odata.id');
  const record = await loadRecord(ctx.store, type, id);
  if (
    !record ||
    !type.typeNames.includes(record._Type as string) ||
    !(await canSee(ctx.store, ctx.access.read, type, id))
  ) {
    throw badRequest(`No ${type.setName} with ID ${id}`, '@odata.id');
  }
  return id;
}

/** `<Set>(<id>)/History`: the record's journal entries, newest first, paged by sequence number. */
async function getHistory(ctx: RequestContext, path: ResourcePath, method: string): Promise<Response> {
  if (method !== 'GET') throw methodNotAllowed(method, `${historyNavigation} (it is read-only)`);
  if (path.suffix) throw badRequest(`${path.suffix} does not apply to ${historyNavigation}`, 'path');
  const owner = await resolveTarget(ctx.store, { segments: path.segments.slice(0, -1) }, ctx.access.read);
  if (owner.kind === 'unlinked')
    throw new ODataError(404, 'NotFound', `${owner.link.reference.name} is not linked`);
  if (owner.kind !== 'entity') {
    throw badRequest(`${historyNavigation} belongs to one record: address it by its key first`, 'path');
  }
  await ensureExists(ctx.store, owner, ctx.access.read);
  for (const name of ['filter', 'orderby', 'skip', 'count', 'apply', 'select', 'expand', 'search'] as const) {
    if ((ctx.options as Record<string, unknown>)[name] !== undefined) {
      throw new NotImplementedError(
        `$${name} is not supported on ${historyNavigation}: it pages newest first ($top and Prefer: odata.maxpagesize apply)`,
        `$${name}`,
      );
    }
  }
  const top = ctx.options.top;
  const page = pageSizeOf(ctx);
  const { before, served } = parseHistoryToken(ctx.options.skiptoken);
  const remaining = top === undefined ? Number.POSITIVE_INFINITY : Math.max(top - served, 0);
  const limit = Math.min(page.size, remaining);
  const entries = limit === 0 ? [] : await readHistory(ctx.store, owner.id, { before, limit: limit + 1 });
  const more = entries.length > limit && remaining > limit;
  if (entries.length > limit) entries.length = limit;
  const body: Json = {
    '@odata.context': contextUrl(ctx, `Collection(${namespace}.${changeTypeName})`),
    value: entries.map((entry) => changeOf(ctx.store, entry)),
  };
  if (more) {
    const last = entries[entries.length - 1].sequence;
    body['@odata.nextLink'] = nextLinkWith(ctx, historyToken(last, served + entries.length));
  }
  return odataJson(ctx.c, body, 200, page.applied ? { 'Preference-Applied': page.applied } : {});
}
