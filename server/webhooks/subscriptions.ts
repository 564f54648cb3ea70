// Webhook subscriptions: what an admin registers (README, Webhooks), checked, stored and shown.
// The secret is shown once, in the answer to the POST that made (or the PATCH that set) it.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Store } from '../db/database.ts';
import { type ChangeKind, journalReach } from '../journal/journal.ts';
import type { DeliveryStatus, DeliverySummary, DeliveryView, SubscriptionView } from './webhook-types.ts';

export type { DeliveryStatus, DeliverySummary, DeliveryView, SubscriptionView };

import { entitySets } from '../model/model.ts';
import { ODataError } from '../query/errors.ts';
import { assertPublicTarget, parseTargetUrl } from './target-address.ts';
import { deliveryTable, subscriptionTable } from './webhook-schema.ts';
import type { WebhookSettings } from './webhook-settings.ts';

export const changeKinds: ChangeKind[] = ['created', 'updated', 'deleted'];

export interface SubscriptionRow {
  ID: string;
  Url: string;
  Sets: string | null;
  Kinds: string;
  Secret: string;
  Active: number;
  Description: string;
  Cursor: number | string;
  CreatedAt: string;
  CreatedBy: string;
  UpdatedAt: string;
}

export interface SubscriptionInput {
  url?: unknown;
  sets?: unknown;
  kinds?: unknown;
  secret?: unknown;
  active?: unknown;
  description?: unknown;
}

const fields = new Set(['url', 'sets', 'kinds', 'secret', 'active', 'description']);

const invalid = (target: string, message: string) =>
  new ODataError(400, 'InvalidSubscription', message, target);

/** The set names a subscription may name, as in the journal's entries. */
export const subscribableSets = () => [...entitySets.keys()].sort();

function checkSets(value: unknown): string[] | null {
  if (value === null) return null;
  if (!Array.isArray(value) || value.length === 0 || value.some((s) => typeof s !== 'string'))
    throw invalid(
      'sets',
      'sets is a list of entity set names, e.g. ["Activity_SalesOpportunity"], or null for every set',
    );
  const unknown = value.filter((s) => !entitySets.has(s));
  if (unknown.length > 0) {
    throw invalid(
      'sets',
      `${unknown.map((s) => `'${String(s).slice(0, 60)}'`).join(', ')} ${unknown.length === 1 ? 'is not an entity set' : 'are not entity sets'} of this service; see GET /v1/odata for their names`,
    );
  }
  return [...new Set(value as string[])];
}

function checkKinds(value: unknown): ChangeKind[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((k) => !changeKinds.includes(k as ChangeKind))
  )
    throw invalid('kinds', 'kinds is a non-empty list of created, updated and deleted');
  return changeKinds.filter((k) => value.includes(k));
}

function checkSecret(value: unknown): string {
  if (typeof value !== 'string' || value.length < 16 || value.length > 200 || /\s/.test(value))
    throw invalid('secret', 'secret is 16 to 200 characters without spaces; leave it out to have one made');
  return value;
}

const checkActive = (value: unknown) => {
  if (typeof value !== 'boolean') throw invalid('active', 'active is true or false');
  return value;
};

const checkDescription = (value: unknown) => {
  if (typeof value !== 'string' || value.length > 200)
    throw invalid('description', 'description is text of at most 200 characters');
  return value.trim();
};

/** Reads the JSON body of a POST or PATCH: an object with only known fields. */
export function parseSubscriptionInput(text: string): SubscriptionInput {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ODataError(400, 'InvalidJson', 'The body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ODataError(
      400,
      'InvalidSubscription',
      'The body is a JSON object, e.g. {"url": "https://example.com/hooks"}',
    );
  const unknown = Object.keys(body).filter((k) => !fields.has(k));
  if (unknown.length > 0) {
    throw invalid(
      unknown[0],
      `Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: a subscription has url, sets, kinds, secret, active and description`,
    );
  }
  return body as SubscriptionInput;
}

export const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

export async function createSubscription(
  store: Store,
  input: SubscriptionInput,
  createdBy: string,
  settings: WebhookSettings,
): Promise<{ view: SubscriptionView; secret: string }> {
  const url = parseTargetUrl(input.url);
  const sets = input.sets === undefined ? null : checkSets(input.sets);
  const kinds = input.kinds === undefined ? changeKinds : checkKinds(input.kinds);
  const secret = input.secret === undefined ? newSecret() : checkSecret(input.secret);
  const active = input.active === undefined ? true : checkActive(input.active);
  const description = input.description === undefined ? '' : checkDescription(input.description);
  await assertPublicTarget(url, settings.allowPrivate);
  const now = new Date(settings.now()).toISOString();
  const row: SubscriptionRow = {
    ID: randomUUID(),
    Url: url.toString(),
    Sets: sets === null ? null : JSON.stringify(sets),
    Kinds: JSON.stringify(kinds),
    Secret: secret,
    Active: active ? 1 : 0,
    Description: description,
    // the changes from now on
    Cursor: (await journalReach(store)).newest,
    CreatedAt: now,
    CreatedBy: createdBy,
    UpdatedAt: now,
  };
  await store.db.insertInto(subscriptionTable).values(row).execute();
  return { view: (await viewSubscription(store, row.ID))!, secret };
}

export async function updateSubscription(
  store: Store,
  id: string,
  input: SubscriptionInput,
  settings: WebhookSettings,
): Promise<SubscriptionView> {
  const existing = await loadSubscription(store, id);
  if (!existing) throw notFound(id);
  const change: Partial<SubscriptionRow> = {};
  if (input.url !== undefined) {
    const url = parseTargetUrl(input.url);
    await assertPublicTarget(url, settings.allowPrivate);
    change.Url = url.toString();
  }
  if (input.sets !== undefined) {
    const sets = checkSets(input.sets);
    change.Sets = sets === null ? null : JSON.stringify(sets);
  }
  if (input.kinds !== undefined) change.Kinds = JSON.stringify(checkKinds(input.kinds));
  if (input.secret !== undefined) change.Secret = checkSecret(input.secret);
  if (input.description !== undefined) change.Description = checkDescription(input.description);
  if (input.active !== undefined) {
    const active = checkActive(input.active);
    change.Active = active ? 1 : 0;
    // Resumed: from now on. What was written while it was paused is not sent (README).
    if (active && !existing.Active) change.Cursor = (await journalReach(store)).newest;
  }
  change.UpdatedAt = new Date(settings.now()).toISOString();
  await store.db.updateTable(subscriptionTable).set(change).where('ID', '=', id).execute();
  return (await viewSubscription(store, id))!;
}

export async function deleteSubscription(store: Store, id: string) {
  await store.transaction(async (tx) => {
    const result = await tx.db.deleteFrom(subscriptionTable).where('ID', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound(id);
    await tx.db.deleteFrom(deliveryTable).where('SubscriptionID', '=', id).execute();
  });
}

export const notFound = (id: string) =>
  new ODataError(404, 'NotFound', `There is no webhook subscription with the ID '${id.slice(0, 60)}'`);

export const loadSubscription = async (store: Store, id: string) =>
  (await store.db.selectFrom(subscriptionTable).selectAll().where('ID', '=', id).executeTakeFirst()) as
    | SubscriptionRow
    | undefined;

export async function listSubscriptions(store: Store): Promise<SubscriptionView[]> {
  const rows = (await store.db
    .selectFrom(subscriptionTable)
    .selectAll()
    .orderBy('CreatedAt')
    .orderBy('ID')
    .execute()) as SubscriptionRow[];
  return Promise.all(rows.map((row) => viewOf(store, row)));
}

export async function viewSubscription(store: Store, id: string) {
  const row = await loadSubscription(store, id);
  return row ? viewOf(store, row) : undefined;
}

async function viewOf(store: Store, row: SubscriptionRow): Promise<SubscriptionView> {
  const last = (await store.db
    .selectFrom(deliveryTable)
    .selectAll()
    .where('SubscriptionID', '=', row.ID)
    .where('LastAttemptAt', 'is not', null)
    .orderBy('LastAttemptAt', 'desc')
    .orderBy('Sequence', 'desc')
    .limit(1)
    .executeTakeFirst()) as DeliveryRow | undefined;
  const counts = (await store.db
    .selectFrom(deliveryTable)
    .select(['Status', (eb) => eb.fn.countAll().as('count')])
    .where('SubscriptionID', '=', row.ID)
    .where('Status', 'in', ['pending', 'failed'])
    .groupBy('Status')
    .execute()) as { Status: DeliveryStatus; count: number | string }[];
  const count = (status: DeliveryStatus) => Number(counts.find((c) => c.Status === status)?.count ?? 0);
  return {
    id: row.ID,
    url: row.Url,
    sets: row.Sets === null ? null : (JSON.parse(row.Sets) as string[]),
    kinds: JSON.parse(row.Kinds) as ChangeKind[],
    active: Boolean(row.Active),
    description: row.Description,
    createdAt: row.CreatedAt,
    createdBy: row.CreatedBy,
    lastDelivery: last ? summaryOf(last) : null,
    pending: count('pending'),
    failed: count('failed'),
  };
}

export interface DeliveryRow {
  ID: string;
  SubscriptionID: string;
  Sequence: number | string;
  SetName: string;
  RecordID: string;
  Kind: ChangeKind;
  Body: string;
  Status: DeliveryStatus;
  Attempts: number;
  CreatedAt: string;
  NextAttemptAt: string | null;
  ClaimedUntil: string | null;
  ClaimToken: string | null;
  LastAttemptAt: string | null;
  LastStatusCode: number | null;
  LastError: string | null;
  FinishedAt: string | null;
}

const summaryOf = (row: DeliveryRow): DeliverySummary => ({
  id: row.ID,
  sequence: Number(row.Sequence),
  status: row.Status,
  attempts: Number(row.Attempts),
  lastAttemptAt: row.LastAttemptAt,
  responseStatus: row.LastStatusCode === null ? null : Number(row.LastStatusCode),
  error: row.LastError,
});

export const deliveryViewOf = (row: DeliveryRow): DeliveryView => ({
  ...summaryOf(row),
  set: row.SetName,
  recordId: row.RecordID,
  kind: row.Kind,
  createdAt: row.CreatedAt,
  nextAttemptAt: row.Status === 'pending' ? row.NextAttemptAt : null,
  finishedAt: row.FinishedAt,
});

/** The delivery log, newest change first. */
export async function listDeliveries(
  store: Store,
  subscriptionId: string,
  options: { status?: DeliveryStatus; top: number },
): Promise<DeliveryView[]> {
  let query = store.db
    .selectFrom(deliveryTable)
    .selectAll()
    .where('SubscriptionID', '=', subscriptionId)
    .orderBy('Sequence', 'desc')
    .limit(options.top);
  if (options.status) query = query.where('Status', '=', options.status);
  return ((await query.execute()) as DeliveryRow[]).map(deliveryViewOf);
}
