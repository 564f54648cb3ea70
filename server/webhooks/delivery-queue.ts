// The delivery queue in the database, shared by every instance (WORKERS=N, or several machines
// on one PostgreSQL):
// - enqueue: each active subscription's new journal entries become delivery rows. The
//   subscription's cursor moves in the same transaction, on the condition that it still stands
//   where it was read: when two instances enqueue at once, one of them changes nothing.
// - claim: an instance takes due deliveries by setting a lease (ClaimedUntil) in one statement;
//   another instance takes only deliveries whose lease has run out (the first crashed). A
//   delivery is due only when no earlier change of the same record is still pending for its
//   subscription: a record's changes arrive in order.
// - finish: the outcome of an attempt, written only while the lease is still this one's.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../db/database.ts';
import { type JournalEntry, readJournal } from '../journal/journal.ts';
import { entitySets } from '../model/model.ts';
import type { DeliveryRow, SubscriptionRow } from './subscriptions.ts';
import { deliveryTable, subscriptionTable } from './webhook-schema.ts';
import type { WebhookSettings } from './webhook-settings.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Whether a subscription wants an entry. A set holds the records of its type and of the types
 * derived from it, as in OData: a subscription to Activity gets the changes of deals too.
 */
export function wants(subscription: Pick<SubscriptionRow, 'Sets' | 'Kinds'>, entry: JournalEntry) {
  const sets = subscription.Sets === null ? null : (JSON.parse(subscription.Sets) as string[]);
  const kinds = JSON.parse(subscription.Kinds) as string[];
  if (!kinds.includes(entry.kind)) return false;
  return (
    sets === null ||
    sets.some((set) => entitySets.get(set)?.typeNames.includes(entry.type) ?? set === entry.set)
  );
}

/** The JSON body POSTed for an entry: the journal entry as the change stream sends it. */
export const bodyOf = (entry: JournalEntry) =>
  JSON.stringify({
    sequence: entry.sequence,
    at: entry.at,
    actor: entry.actor,
    set: entry.set,
    type: entry.type,
    id: entry.id,
    kind: entry.kind,
    changes: entry.changes,
  });

/**
 * Turns new journal entries into deliveries for every active subscription, a page at a time;
 * returns how many deliveries it made.
 */
export async function enqueueChanges(store: Store, settings: WebhookSettings): Promise<number> {
  const subscriptions = (await store.db
    .selectFrom(subscriptionTable)
    .select(['ID', 'Sets', 'Kinds', 'Cursor'])
    .where('Active', '=', 1)
    .execute()) as Pick<SubscriptionRow, 'ID' | 'Sets' | 'Kinds' | 'Cursor'>[];
  let made = 0;
  for (const subscription of subscriptions) {
    let cursor = Number(subscription.Cursor);
    for (;;) {
      const entries = await readJournal(store, { after: cursor, limit: settings.pageSize });
      if (entries.length === 0) break;
      const next = entries.at(-1)!.sequence;
      const created = iso(settings.now());
      const rows = entries
        .filter((entry) => wants(subscription, entry))
        .map((entry) => ({
          ID: randomUUID(),
          SubscriptionID: subscription.ID,
          Sequence: entry.sequence,
          SetName: entry.set,
          RecordID: entry.id,
          Kind: entry.kind,
          Body: bodyOf(entry),
          Status: 'pending',
          Attempts: 0,
          // the retry window counts from the write
          CreatedAt: entry.at,
          NextAttemptAt: created,
        }));
      const moved = await store.transaction(async (tx) => {
        const result = await tx.db
          .updateTable(subscriptionTable)
          .set({ Cursor: next })
          .where('ID', '=', subscription.ID)
          .where('Cursor', '=', cursor)
          .where('Active', '=', 1)
          .executeTakeFirst();
        // another instance got here first, or the subscription was paused or deleted
        if (Number(result.numUpdatedRows) === 0) return false;
        for (let i = 0; i < rows.length; i += 200) {
          await tx.db
            .insertInto(deliveryTable)
            .values(rows.slice(i, i + 200))
            .onConflict((oc) => oc.columns(['SubscriptionID', 'Sequence']).doNothing())
            .execute();
        }
        return true;
      });
      if (!moved) break;
      made += rows.length;
      cursor = next;
      if (entries.length < settings.pageSize) break;
    }
  }
  return made;
}

export interface ClaimedDelivery extends DeliveryRow {
  Url: string;
  Secret: string;
}

/** Takes up to `limit` due deliveries for this instance, with a lease; oldest due first. */
export async function claimDeliveries(
  store: Store,
  settings: WebhookSettings,
  limit: number,
): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  const now = iso(settings.now());
  const token = randomUUID();
  const until = iso(settings.now() + settings.leaseMs);
  const d = sql.table(deliveryTable);
  const free = sql`("ClaimedUntil" IS NULL OR "ClaimedUntil" < ${now})`;
  const lock = store.dialect.name === 'postgres' ? sql`FOR UPDATE OF d SKIP LOCKED` : sql``;
  const claimed = await sql<DeliveryRow>`
    UPDATE ${d} SET "ClaimedUntil" = ${until}, "ClaimToken" = ${token}
    WHERE "ID" IN (
      SELECT d."ID" FROM ${d} AS d
      JOIN ${sql.table(subscriptionTable)} AS s ON s."ID" = d."SubscriptionID"
      WHERE d."Status" = 'pending' AND d."NextAttemptAt" <= ${now}
        AND (d."ClaimedUntil" IS NULL OR d."ClaimedUntil" < ${now}) AND s."Active" = 1
        AND NOT EXISTS (
          SELECT 1 FROM ${d} AS e
          WHERE e."SubscriptionID" = d."SubscriptionID" AND e."RecordID" = d."RecordID"
            AND e."Status" = 'pending' AND e."Sequence" < d."Sequence"
        )
      ORDER BY d."NextAttemptAt", d."Sequence"
      LIMIT ${limit}
      ${lock}
    ) AND ${free}
    RETURNING *`.execute(store.db);
  if (claimed.rows.length === 0) return [];
  const subscriptions = (await store.db
    .selectFrom(subscriptionTable)
    .select(['ID', 'Url', 'Secret'])
    .where('ID', 'in', [...new Set(claimed.rows.map((r) => r.SubscriptionID))])
    .execute()) as Pick<SubscriptionRow, 'ID' | 'Url' | 'Secret'>[];
  const byId = new Map(subscriptions.map((s) => [s.ID, s]));
  return claimed.rows
    .filter((row) => byId.has(row.SubscriptionID))
    .map((row) => ({
      ...row,
      Url: byId.get(row.SubscriptionID)!.Url,
      Secret: byId.get(row.SubscriptionID)!.Secret,
    }))
    .sort((a, b) => Number(a.Sequence) - Number(b.Sequence));
}

export interface AttemptOutcome {
  ok: boolean;
  /** the receiver's status code, when it answered */
  status?: number;
  /** why it failed, when it did */
  error?: string;
}

/**
 * Writes an attempt's outcome: delivered; or tried again after the backoff; or failed, when the
 * next attempt would fall after the retry window. Returns the delivery's new status (undefined
 * when the lease ran out meanwhile and another instance took it over).
 */
export async function finishAttempt(
  store: Store,
  settings: WebhookSettings,
  delivery: ClaimedDelivery,
  outcome: AttemptOutcome,
): Promise<DeliveryRow['Status'] | undefined> {
  const nowMs = settings.now();
  const attempts = Number(delivery.Attempts) + 1;
  const next = nowMs + settings.backoffMs(attempts);
  const status: DeliveryRow['Status'] = outcome.ok
    ? 'delivered'
    : next > Date.parse(delivery.CreatedAt) + settings.retryWindowMs
      ? 'failed'
      : 'pending';
  const result = await store.db
    .updateTable(deliveryTable)
    .set({
      Status: status,
      Attempts: attempts,
      LastAttemptAt: iso(nowMs),
      LastStatusCode: outcome.status ?? null,
      LastError: outcome.ok ? null : (outcome.error ?? null),
      NextAttemptAt: status === 'pending' ? iso(next) : null,
      FinishedAt: status === 'pending' ? null : iso(nowMs),
      ClaimedUntil: null,
      ClaimToken: null,
    })
    .where('ID', '=', delivery.ID)
    .where('ClaimToken', '=', delivery.ClaimToken)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0 ? status : undefined;
}

/**
 * When the next delivery can be claimed (ms), if any: a pending delivery of an active
 * subscription whose record has no earlier pending change, at its next attempt, or when its
 * lease runs out if it is claimed (its attempt's end wakes this instance before that).
 */
export async function nextDue(store: Store): Promise<number | undefined> {
  const d = sql.table(deliveryTable);
  const row = await sql<{ next: string | null }>`
    SELECT MIN(CASE WHEN d."ClaimedUntil" > d."NextAttemptAt" THEN d."ClaimedUntil" ELSE d."NextAttemptAt" END) AS next
    FROM ${d} AS d
    JOIN ${sql.table(subscriptionTable)} AS s ON s."ID" = d."SubscriptionID"
    WHERE d."Status" = 'pending' AND s."Active" = 1
      AND NOT EXISTS (
        SELECT 1 FROM ${d} AS e
        WHERE e."SubscriptionID" = d."SubscriptionID" AND e."RecordID" = d."RecordID"
          AND e."Status" = 'pending' AND e."Sequence" < d."Sequence"
      )`.execute(store.db);
  const next = row.rows[0]?.next;
  return next ? Date.parse(next) : undefined;
}

export async function hasActiveSubscriptions(store: Store) {
  const row = await store.db
    .selectFrom(subscriptionTable)
    .select('ID')
    .where('Active', '=', 1)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Removes delivered and failed deliveries that finished before `before`. */
export async function pruneDeliveryLog(store: Store, before: number) {
  const result = await store.db
    .deleteFrom(deliveryTable)
    .where('FinishedAt', '<', iso(before))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
