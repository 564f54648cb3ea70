// The tables of webhooks: subscriptions (where to send which changes, and how far through the
// change journal each has got) and deliveries (one per subscription and journal entry: its body,
// state, attempts and last answer; the delivery log).
import { sql } from 'kysely';
import type { Store } from '../db/database.ts';

export const subscriptionTable = 'webhook_subscription';
export const deliveryTable = 'webhook_delivery';

export async function createWebhookTables(store: Store) {
  const sequence = store.dialect.name === 'postgres' ? 'bigint' : 'integer';
  const statements = [
    // Sets and Kinds: JSON arrays (Sets null: every set). Cursor: the newest journal sequence
    // number looked at for this subscription.
    `CREATE TABLE "${subscriptionTable}" ("ID" text PRIMARY KEY, "Url" text NOT NULL, "Sets" text, "Kinds" text NOT NULL, "Secret" text NOT NULL, "Active" integer NOT NULL, "Description" text NOT NULL, "Cursor" ${sequence} NOT NULL, "CreatedAt" text NOT NULL, "CreatedBy" text NOT NULL, "UpdatedAt" text NOT NULL)`,
    // Status: pending, delivered or failed. Body: the exact bytes sent (signed), made once.
    `CREATE TABLE "${deliveryTable}" ("ID" text PRIMARY KEY, "SubscriptionID" text NOT NULL, "Sequence" ${sequence} NOT NULL, "SetName" text NOT NULL, "RecordID" text NOT NULL, "Kind" text NOT NULL, "Body" text NOT NULL, "Status" text NOT NULL, "Attempts" integer NOT NULL, "CreatedAt" text NOT NULL, "NextAttemptAt" text, "ClaimedUntil" text, "ClaimToken" text, "LastAttemptAt" text, "LastStatusCode" integer, "LastError" text, "FinishedAt" text)`,
    // one delivery per change and subscription, also when two instances read the journal at once
    `CREATE UNIQUE INDEX "${deliveryTable}_change" ON "${deliveryTable}" ("SubscriptionID", "Sequence")`,
    // what is due; an earlier pending change of the same record (order per record)
    `CREATE INDEX "${deliveryTable}_due" ON "${deliveryTable}" ("Status", "NextAttemptAt")`,
    `CREATE INDEX "${deliveryTable}_record" ON "${deliveryTable}" ("SubscriptionID", "RecordID", "Sequence")`,
    `CREATE INDEX "${deliveryTable}_finished" ON "${deliveryTable}" ("FinishedAt")`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(store.db);
}
