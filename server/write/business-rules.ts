// The values the server maintains: display names, numbers, weighted amounts, phase rules and
// the totals derived from product lines. Run inside the write's transaction.
import { sql } from 'kysely';
import type { Store } from '../db/database.ts';
import { sequenceTable, versionColumn } from '../db/schema.ts';
import {
  actorOf,
  appendChange,
  bufferJournal,
  changesOf,
  dropJournalBuffer,
  flushJournal,
} from '../journal/journal.ts';
import { type EntityType, model } from '../model/model.ts';
import { type ErrorDetail, ODataError } from '../query/errors.ts';
import { type DbRecord, forgetRecords, loadRecord, startRecordCache, stopRecordCache } from './records.ts';

export interface Change {
  type: EntityType;
  /** the record as it will be written */
  record: DbRecord;
  /** the record before the write; undefined on create */
  before?: DbRecord;
  /** properties and references (by column) this write sets explicitly */
  written: Set<string>;
  now: string;
}

export const round2 = (n: number) => Math.round(n * 100) / 100;

const isA = (type: EntityType, name: string) => model.get(name)!.typeNames.includes(type.name);
const changed = (change: Change, column: string) =>
  !change.before || change.before[column] !== change.record[column];

const refused = (target: string, message: string) =>
  new ODataError(400, 'BusinessRule', `${target}: ${message}`, target, [
    { code: 'BusinessRule', target, message: `${target}: ${message}` } satisfies ErrorDetail,
  ]);

export function displayName(type: EntityType, record: DbRecord): string | null {
  const parts = type.displayName
    .map((p) => record[p])
    .filter((v) => v !== null && v !== undefined && v !== '');
  return parts.length ? parts.join(' ') : null;
}

/** Applies the rules that shape a record before it is written. */
export async function applyRules(store: Store, change: Change) {
  const { type, record } = change;
  record._Name = displayName(type, record);
  if (isA(type, 'Activity.SalesOpportunity')) await opportunityRules(store, change);
  if (isA(type, 'Activity')) await activityRules(store, change);
  if (isA(type, 'ProductLine')) await productLineRules(store, change);
  if (isA(type, 'Datastore.Phase.ActivitySalesOpportunity') && record.IsWon && record.IsLost) {
    throw refused('IsLost', 'a phase cannot be both won and lost');
  }
}

async function lookup(store: Store, typeName: string, id: unknown, lock = false) {
  return typeof id === 'string' ? loadRecord(store, model.get(typeName)!, id, lock) : undefined;
}

async function opportunityRules(store: Store, change: Change) {
  const { record, written } = change;
  const creating = !change.before;
  if (creating && !record.PipelineID && !record.PhaseID) {
    const first = await store.db
      .selectFrom('pipeline')
      .select('ID')
      .where('IsActive', '=', store.dialect.toDatabase('Edm.Boolean', true))
      .orderBy('SortIndex')
      .orderBy('ID')
      .executeTakeFirst();
    record.PipelineID = first?.ID ?? null;
  }
  if (!record.PhaseID && record.PipelineID && (creating || changed(change, 'PipelineID'))) {
    const first = await store.db
      .selectFrom('datastore')
      .select('ID')
      .where('_Type', '=', 'Datastore.Phase.ActivitySalesOpportunity')
      .where((eb) => eb.or([eb('PipelineID', '=', record.PipelineID), eb('PipelineID', 'is', null)]))
      .where('IsWon', '=', store.dialect.toDatabase('Edm.Boolean', false))
      .where('IsLost', '=', store.dialect.toDatabase('Edm.Boolean', false))
      .orderBy('SortIndex')
      .orderBy('ID')
      .executeTakeFirst();
    record.PhaseID = first?.ID ?? null;
  }
  const phase = await lookup(store, 'Datastore.Phase.ActivitySalesOpportunity', record.PhaseID);
  if (phase) {
    if (phase.PipelineID) {
      if (!record.PipelineID) record.PipelineID = phase.PipelineID;
      else if (record.PipelineID !== phase.PipelineID) {
        const pipeline = await lookup(store, 'Pipeline', record.PipelineID);
        throw refused(
          'Phase',
          `phase '${phase.Name}' belongs to another pipeline than '${pipeline?.Name ?? record.PipelineID}'`,
        );
      }
    }
    const closedAt = phase.IsWon ? 100 : phase.IsLost ? 0 : undefined;
    if (closedAt !== undefined) {
      if (written.has('Probability') && record.Probability !== closedAt) {
        throw refused(
          'Probability',
          `a ${phase.IsWon ? 'won' : 'lost'} phase closes the opportunity at ${closedAt}`,
        );
      }
      record.Probability = closedAt;
      record.IsClosed = true;
    } else if (changed(change, 'PhaseID')) {
      if (!written.has('Probability')) record.Probability = phase.Probability ?? record.Probability ?? 0;
      if (!written.has('IsClosed')) record.IsClosed = false;
    }
  }
  const amount = record.EstimatedAmount;
  const probability = record.Probability;
  record.WeightedAmount =
    typeof amount === 'number' && typeof probability === 'number'
      ? round2((amount * probability) / 100)
      : null;
}

async function activityRules(store: Store, change: Change) {
  const { record } = change;
  if (typeof record.Number === 'string' && changed(change, 'Number')) {
    await keepNumberClear(store, record.Number);
  } else if (!change.before) {
    const year = change.now.slice(0, 4);
    const next = await sql<{
      Value: number;
    }>`INSERT INTO ${sql.table(sequenceTable)} ("Name", "Value") VALUES (${`Activity.Number.${year}`}, 1) ON CONFLICT ("Name") DO UPDATE SET "Value" = ${sql.table(sequenceTable)}."Value" + 1 RETURNING "Value"`.execute(
      store.db,
    );
    record.Number = `${year}-${String(next.rows[0].Value).padStart(5, '0')}`;
  }
  if (!change.before) for (const total of activityTotalColumns) record[total] = 0;
  if (changed(change, 'RelationshipID')) {
    const relationship = await lookup(store, 'Relationship', record.RelationshipID);
    record.RelationDescription = (relationship?._Name as string | undefined) ?? null;
  }
}

/**
 * A number carried over from another service (import, sync) in our own form `<year>-<n>`:
 * that year's sequence moves past n, so that numbers assigned later never meet it.
 */
async function keepNumberClear(store: Store, number: string) {
  const match = /^(\d{4})-(\d{1,15})$/.exec(number);
  if (!match) return;
  const taken = Number(match[2]);
  await sql`INSERT INTO ${sql.table(sequenceTable)} ("Name", "Value") VALUES (${`Activity.Number.${match[1]}`}, ${taken}) ON CONFLICT ("Name") DO UPDATE SET "Value" = CASE WHEN ${sql.table(sequenceTable)}."Value" < ${taken} THEN ${taken} ELSE ${sql.table(sequenceTable)}."Value" END`.execute(
    store.db,
  );
}

async function productLineRules(store: Store, change: Change) {
  const { record } = change;
  // lines of one activity are written one transaction at a time, so that its totals add up
  const activity = await lookup(store, 'Activity', record.ActivityID, true);
  record.Currency = (activity?.Currency as string | undefined) ?? null;
  Object.assign(record, lineTotals(record, Boolean(activity?.IsVatIncluded)));
}

export function lineTotals(line: DbRecord, vatIncluded: boolean) {
  const quantity = Number(line.Quantity ?? 0);
  const price = Number(line.Price ?? 0);
  const discount = Number(line.DiscountPercentage ?? 0);
  const vat = Number(line.VatPercentage ?? 0);
  const net = quantity * price * (1 - discount / 100);
  const excluding = vatIncluded ? net / (1 + vat / 100) : net;
  const including = vatIncluded ? net : net * (1 + vat / 100);
  return {
    Total: round2(excluding),
    TotalExcludingVat: round2(excluding),
    TotalIncludingVat: round2(including),
    VatAmount: round2(including - excluding),
  };
}

export const activityTotalColumns = [
  'Amount',
  'AmountInCurrency',
  'BillingAmount',
  'BillingAmountInCurrency',
  'TotalSalesExcludingVAT',
  'TotalSalesIncludingVAT',
  'VatAmount',
  'TotalDiscountExcludingVAT',
  'TotalMargin',
  'TotalPurchaseAmount',
  'NumberOfProductLines',
  'NumberOfOpenTasks',
  'NumberOfPlannedActions',
] as const;

/** Work a write causes in other records: totals of the activity, lines of a changed activity, names. */
export async function afterWrite(store: Store, change: Change) {
  const { type, record, before } = change;
  if (isA(type, 'ProductLine')) {
    // a line carried over with its own change time (import, sync) dates its activity's change by it
    const changedAt = record.LastMutationDate as string;
    await recomputeActivityTotals(store, record.ActivityID, change.now, changedAt);
    if (before && before.ActivityID !== record.ActivityID)
      await recomputeActivityTotals(store, before.ActivityID, change.now, changedAt);
  }
  if (isA(type, 'Activity') && before && (changed(change, 'Currency') || changed(change, 'IsVatIncluded'))) {
    const lines = await store.db
      .selectFrom('productline')
      .selectAll()
      .where('ActivityID', '=', record.ID)
      .execute();
    const productLine = model.get('ProductLine')!;
    for (const line of lines) {
      const values = { Currency: record.Currency, ...lineTotals(line, Boolean(record.IsVatIncluded)) };
      await store.db
        .updateTable('productline')
        .set({ ...values, [versionColumn]: sql`${sql.ref(versionColumn)} + 1`, LastMutationDate: change.now })
        .where('ID', '=', line.ID)
        .execute();
      await appendChange(store, {
        actor: actorOf(store),
        type: productLine,
        id: line.ID,
        kind: 'updated',
        changes: changesOf(productLine, line, { ...line, ...values }),
        at: change.now,
      });
    }
    forgetRecords(store, 'productline');
    await recomputeActivityTotals(store, record.ID, change.now);
  }
  if (isA(type, 'Relationship') && before && changed(change, '_Name')) {
    const described = (await store.db
      .selectFrom('activity')
      .select(['ID', '_Type', 'RelationDescription'])
      .where('RelationshipID', '=', record.ID)
      .execute()) as { ID: string; _Type: string; RelationDescription: string | null }[];
    await store.db
      .updateTable('activity')
      .set({
        RelationDescription: record._Name,
        [versionColumn]: sql`${sql.ref(versionColumn)} + 1`,
        LastMutationDate: change.now,
      })
      .where('RelationshipID', '=', record.ID)
      .execute();
    forgetRecords(store, 'activity');
    for (const activity of described) {
      await appendChange(store, {
        actor: actorOf(store),
        type: model.get(activity._Type)!,
        id: activity.ID,
        kind: 'updated',
        changes: { RelationDescription: [activity.RelationDescription, record._Name] },
        at: change.now,
      });
    }
  }
}

/** Activities whose totals a bulk write recomputes once at its end, with the time of their last change. */
const deferredTotals = new WeakMap<Store, Map<string, { now: string; changedAt: string }>>();

/**
 * Runs bulk work (an import batch, the demo data) in a transaction store: each touched
 * activity's totals are recomputed once at the end instead of after every product line, and
 * records looked up again and again are read once.
 */
export async function bulkWrite<T>(store: Store, work: () => Promise<T>): Promise<T> {
  const pending = new Map<string, { now: string; changedAt: string }>();
  deferredTotals.set(store, pending);
  startRecordCache(store);
  bufferJournal(store);
  try {
    const result = await work();
    deferredTotals.delete(store);
    for (const [activityId, { now, changedAt }] of pending)
      await recomputeActivityTotals(store, activityId, now, changedAt);
    await flushJournal(store);
    return result;
  } finally {
    deferredTotals.delete(store);
    stopRecordCache(store);
    dropJournalBuffer(store);
  }
}

/** `changedAt`, the activity's new LastMutationDate at the least, is `now` but for writes that keep their times. */
export async function recomputeActivityTotals(
  store: Store,
  activityId: unknown,
  now: string,
  changedAt: string = now,
) {
  if (typeof activityId !== 'string') return;
  const pending = deferredTotals.get(store);
  if (pending) {
    const earlier = pending.get(activityId)?.changedAt;
    pending.set(activityId, { now, changedAt: earlier && earlier > changedAt ? earlier : changedAt });
    return;
  }
  const totals = await store.db
    .selectFrom('productline')
    .where('ActivityID', '=', activityId)
    .select([
      sql<number>`COUNT(*)`.as('lines'),
      sql<number>`COALESCE(SUM("TotalExcludingVat"), 0)`.as('excluding'),
      sql<number>`COALESCE(SUM("TotalIncludingVat"), 0)`.as('including'),
      sql<number>`COALESCE(SUM("VatAmount"), 0)`.as('vat'),
      sql<number>`COALESCE(SUM("Quantity" * "Price" * COALESCE("DiscountPercentage", 0) / 100), 0)`.as(
        'discount',
      ),
      sql<number>`COALESCE(SUM("Quantity" * COALESCE("PurchasePrice", 0)), 0)`.as('purchase'),
    ])
    .executeTakeFirstOrThrow();
  const excluding = round2(Number(totals.excluding));
  const including = round2(Number(totals.including));
  const purchase = round2(Number(totals.purchase));
  const values = {
    Amount: excluding,
    AmountInCurrency: excluding,
    BillingAmount: including,
    BillingAmountInCurrency: including,
    TotalSalesExcludingVAT: excluding,
    TotalSalesIncludingVAT: including,
    VatAmount: round2(Number(totals.vat)),
    TotalDiscountExcludingVAT: round2(Number(totals.discount)),
    TotalPurchaseAmount: purchase,
    TotalMargin: round2(excluding - purchase),
    NumberOfProductLines: Number(totals.lines),
  };
  const before = await loadRecord(store, model.get('Activity')!, activityId);
  await store.db
    .updateTable('activity')
    .set({
      ...values,
      [versionColumn]: sql`${sql.ref(versionColumn)} + 1`,
      // deferred (bulk) recomputes may run after a later change of the activity itself
      LastMutationDate: sql`CASE WHEN ${sql.ref('LastMutationDate')} > ${changedAt} THEN ${sql.ref('LastMutationDate')} ELSE ${changedAt} END`,
    })
    .where('ID', '=', activityId)
    .execute();
  const type = before && model.get(before._Type as string);
  if (before && type) {
    await appendChange(store, {
      actor: actorOf(store),
      type,
      id: activityId,
      kind: 'updated',
      changes: changesOf(type, before, { ...before, ...values }),
      at: now,
    });
  }
  forgetRecords(store, 'activity', activityId);
}
