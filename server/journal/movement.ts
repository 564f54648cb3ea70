// Forecast movement, built from the change journal: how the weighted open pipeline of a period
// moved since a date (a waterfall of new, won, lost, amount up and down, pulled in, slipped),
// how deals went on from each phase they entered since then, and the stale deals per rep.
//
// A deal's state at `since` is its state now with the journal's later entries undone, newest
// first (an update's old values, a delete's last values, a create: not there yet); states in
// between follow by replaying the same entries forward. Amounts stay in each deal's currency:
// the dashboard converts them with the manager's rate table.
import { sql } from 'kysely';
import { type AccessPolicy, dealTable, ownerColumn } from '../access/policy.ts';
import type { Store } from '../db/database.ts';
import type { EdmType } from '../model/define.ts';
import { model } from '../model/model.ts';
import { columnTypesOf } from '../write/records.ts';
import type { ChangeKind } from './change-kind.ts';
import { journalTable } from './journal.ts';
import type { Bucket, DealMovement, Movement, PhaseConversion } from './movement-types.ts';

export type { Bucket, DealMovement, Movement, PhaseConversion };

import { StreamReader } from './stream-access.ts';

const opportunity = model.get('Activity.SalesOpportunity')!;
const phaseType = model.get('Datastore.Phase.ActivitySalesOpportunity')!;

/** The values movement reads, by OData name (links as IDs). */
const fields = [
  'Subject',
  'Currency',
  'IsClosed',
  'WeightedAmount',
  'ExpectedOrderDate',
  'Phase',
  'Pipeline',
  'SalesRepresentative',
] as const;
type Field = (typeof fields)[number];
export type DealState = Record<Field, unknown>;

export interface MovementQuery {
  pipelineId: string;
  /** ISO time the comparison starts from */
  since: string;
  /** expected order dates (ISO dates, inclusive) that make up the period the pipeline is for */
  period: { from: string; to: string };
  staleDays: number;
  /** ISO time of "now"; the tests set it */
  now?: string;
}

const round = (n: number) => Math.round(n * 100) / 100;

const columnOf = (name: Field) =>
  opportunity.properties.get(name)?.column ?? opportunity.references.get(name)!.column;
const edmOf = (name: Field): EdmType =>
  (opportunity.properties.get(name)?.type as EdmType | undefined) ?? 'Edm.Guid';

function normalise(store: Store, name: Field, value: unknown): unknown {
  const plain = store.dialect.fromDatabase(edmOf(name), value);
  if (plain === null || plain === undefined) return null;
  switch (name) {
    case 'IsClosed':
      return plain === true || plain === 1 || plain === '1' || plain === 'true';
    case 'WeightedAmount':
      return Number(plain);
    case 'ExpectedOrderDate':
      return String(plain).slice(0, 10);
    default:
      return String(plain);
  }
}

/** A deal's journal entry, with only the changes movement reads. */
interface DealEntry {
  at: string;
  kind: ChangeKind;
  id: string;
  changes: Partial<Record<Field, [unknown, unknown]>>;
}

/** Undoes (direction 'back') or redoes ('forward') one entry on a deal's state; null: absent. */
function applyEntry(
  state: DealState | null,
  entry: DealEntry,
  direction: 'back' | 'forward',
  normaliseValue: (name: Field, value: unknown) => unknown,
): DealState | null {
  const valueAt = (index: 0 | 1) => {
    const next = { ...(state ?? ({} as DealState)) };
    for (const name of fields) {
      const change = entry.changes[name];
      if (change) next[name] = normaliseValue(name, change[index]);
      else if (!state) next[name] = name === 'IsClosed' ? false : null;
    }
    return next;
  };
  if (direction === 'back') {
    if (entry.kind === 'created') return null;
    return valueAt(0);
  }
  if (entry.kind === 'deleted') return null;
  return valueAt(1);
}

/** Whether a state counts in the period's open pipeline of the pipeline, and for how much. */
function countedValue(state: DealState | null, query: MovementQuery): number | null {
  if (!state || state.IsClosed || state.Pipeline !== query.pipelineId) return null;
  const date = state.ExpectedOrderDate as string | null;
  if (!date || date < query.period.from || date > query.period.to) return null;
  return (state.WeightedAmount as number | null) ?? 0;
}

interface PhaseInfo {
  sortIndex: number;
  isWon: boolean;
  isLost: boolean;
}

function bucketOf(
  then: DealState | null,
  now: DealState | null,
  thenValue: number | null,
  nowValue: number | null,
  createdSince: boolean,
  phases: Map<string, PhaseInfo>,
  query: MovementQuery,
): Bucket | undefined {
  if (thenValue !== null && nowValue !== null) {
    if (round(nowValue) === round(thenValue)) return undefined;
    return nowValue > thenValue ? 'up' : 'down';
  }
  if (thenValue === null && nowValue === null) return undefined;
  const openInPipeline = (s: DealState | null) => !!s && !s.IsClosed && s.Pipeline === query.pipelineId;
  if (nowValue !== null) {
    if (createdSince) return 'new';
    // open in the pipeline then, only its date outside the period
    return openInPipeline(then) ? 'pulledIn' : 'new';
  }
  if (!now) return 'other';
  if (now.IsClosed) {
    const phase = phases.get(now.Phase as string);
    return phase?.isWon ? 'won' : 'lost';
  }
  return openInPipeline(now) ? 'slipped' : 'other';
}

/** Nearest-rank percentile of sorted numbers. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

const dayMs = 86_400_000;

export async function computeMovement(
  store: Store,
  policy: AccessPolicy,
  query: MovementQuery,
): Promise<Movement> {
  const now = query.now ?? new Date().toISOString();
  const norm = (name: Field, value: unknown) => normalise(store, name, value);

  const entries = await dealEntriesSince(store, query.since);
  const byDeal = new Map<string, DealEntry[]>();
  for (const entry of entries) {
    const list = byDeal.get(entry.id) ?? [];
    list.push(entry);
    byDeal.set(entry.id, list);
  }

  const current = await currentStates(store, [...byDeal.keys()], norm);
  const phases = await phasesOf(store, query.pipelineId);
  const reader = new StreamReader(store, policy);
  const sees = (state: DealState | null) =>
    !!state && (policy.read === undefined || reader.seesDealOf(state.SalesRepresentative as string | null));

  const deals: DealMovement[] = [];
  const stays: { phase: string; entered: string; left: string | null; after: string[] }[] = [];
  for (const [id, list] of byDeal) {
    const nowState = current.get(id) ?? null;
    let thenState = nowState;
    for (let i = list.length - 1; i >= 0; i--) thenState = applyEntry(thenState, list[i], 'back', norm);
    const seenThen = await sees(thenState);
    const seenNow = await sees(nowState);
    if (!seenThen && !seenNow) continue;
    const thenValue = seenThen ? countedValue(thenState, query) : null;
    const nowValue = seenNow ? countedValue(nowState, query) : null;
    const createdSince = list[0].kind === 'created';
    const bucket = bucketOf(thenState, nowState, thenValue, nowValue, createdSince, phases, query);
    const shown = (seenNow ? nowState : thenState) ?? thenState ?? nowState;
    if (bucket) {
      deals.push({
        ID: id,
        Subject: (shown?.Subject as string | null) ?? '',
        Currency: ((nowState ?? thenState)?.Currency as string | null) ?? 'EUR',
        Bucket: bucket,
        Then: thenValue === null ? null : round(thenValue),
        Now: nowValue === null ? null : round(nowValue),
        Exists: nowState !== null,
        Rep: (shown?.SalesRepresentative as string | null) ?? null,
        Phase: { Then: (thenState?.Phase as string) ?? null, Now: (nowState?.Phase as string) ?? null },
        ExpectedOrderDate: {
          Then: (thenState?.ExpectedOrderDate as string) ?? null,
          Now: (nowState?.ExpectedOrderDate as string) ?? null,
        },
      });
    }
    // the phases the deal entered since the date, replayed forward from its state then
    let state = thenState;
    const dealStays: (typeof stays)[number][] = [];
    for (const entry of list) {
      const before = state;
      state = applyEntry(state, entry, 'forward', norm);
      const moved = (state?.Phase ?? null) !== (before?.Phase ?? null);
      if (!moved && !(entry.kind === 'deleted' && before)) continue;
      const open = dealStays.at(-1);
      if (open && open.left === null) open.left = entry.at;
      for (const earlier of dealStays) if (state?.Phase) earlier.after.push(state.Phase as string);
      if (state?.Phase && state.Pipeline === query.pipelineId) {
        dealStays.push({ phase: state.Phase as string, entered: entry.at, left: null, after: [] });
      }
    }
    stays.push(...dealStays);
  }

  return {
    since: query.since,
    now,
    period: query.period,
    totals: await totalsOf(store, policy, query, deals),
    deals,
    conversion: conversionOf(stays, phases),
    stale: await staleOf(store, policy, query, now),
  };
}

/**
 * Every deal entry since the date, oldest first, with the changes of the fields movement reads
 * picked out by the database (a create's entry holds every field: parsing them all in JS cost
 * most of the time at 100,000 deals). Entries are appended in time order, so those since the
 * date lie after the first of them; back-dated ones among them (demo data) are left out by time.
 */
async function dealEntriesSince(store: Store, since: string): Promise<DealEntry[]> {
  const first = await store.db
    .selectFrom(journalTable)
    .select(sql<number | string | null>`MIN(${sql.ref('Sequence')})`.as('first'))
    .where('At', '>=', since)
    .executeTakeFirst();
  if (first?.first === null || first?.first === undefined) return [];
  // the changes of the fields read here, as one JSON array a row: the entry's JSON parsed once
  const changes = sql.ref('Changes');
  const picked =
    store.dialect.name === 'postgres'
      ? sql`(SELECT jsonb_build_array(${sql.join(fields.map((name) => sql`j -> ${sql.lit(name)}`))}) FROM (SELECT CAST(${changes} AS jsonb) AS j) AS parsed)`
      : sql`json_extract(${changes}, ${sql.join(fields.map((name) => sql.lit(`$.${name}`)))})`;
  const rows = (await store.db
    .selectFrom(journalTable)
    .select([
      sql.ref('At').as('At'),
      sql.ref('Kind').as('Kind'),
      sql.ref('RecordID').as('RecordID'),
      picked.as('Picked'),
    ])
    .where('Sequence', '>=', Number(first.first))
    .where('At', '>=', since)
    .where('TypeName', 'in', opportunity.typeNames)
    .orderBy('Sequence')
    .execute()) as Record<string, unknown>[];
  const entries: DealEntry[] = [];
  for (const row of rows) {
    const changes: DealEntry['changes'] = {};
    let any = false;
    // SQLite gives the array as JSON text, PostgreSQL's jsonb as a value
    const values = (typeof row.Picked === 'string' ? JSON.parse(row.Picked) : row.Picked) as unknown[];
    fields.forEach((name, i) => {
      if (values[i] === null || values[i] === undefined) return;
      changes[name] = values[i] as [unknown, unknown];
      any = true;
    });
    const kind = row.Kind as ChangeKind;
    // an update of other fields only (a deal's totals) moves nothing here
    if (kind === 'updated' && !any) continue;
    entries.push({ at: row.At as string, kind, id: row.RecordID as string, changes });
  }
  return entries;
}

async function currentStates(
  store: Store,
  ids: string[],
  norm: (name: Field, value: unknown) => unknown,
): Promise<Map<string, DealState>> {
  const states = new Map<string, DealState>();
  const types = columnTypesOf(opportunity);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await store.db
      .selectFrom(dealTable)
      .select(['ID', ...fields.map(columnOf)])
      .where('ID', 'in', ids.slice(i, i + 500))
      .where('_Type', 'in', opportunity.typeNames)
      .execute();
    for (const row of rows as Record<string, unknown>[]) {
      const state = {} as DealState;
      for (const name of fields) {
        const column = columnOf(name);
        state[name] = norm(name, store.dialect.fromDatabase(types.get(column) ?? 'Edm.String', row[column]));
      }
      states.set(row.ID as string, state);
    }
  }
  return states;
}

async function phasesOf(store: Store, pipelineId: string): Promise<Map<string, PhaseInfo>> {
  const pipelineColumn = phaseType.references.get('Pipeline')!.column;
  const rows = await store.db
    .selectFrom(phaseType.table)
    .select(['ID', 'SortIndex', 'IsWon', 'IsLost'])
    .where('_Type', '=', phaseType.name)
    .where((eb) => eb.or([eb(pipelineColumn, '=', pipelineId), eb(pipelineColumn, 'is', null)]))
    .execute();
  const flag = (v: unknown) => v === true || v === 1;
  return new Map(
    (rows as Record<string, unknown>[]).map((r) => [
      r.ID as string,
      { sortIndex: Number(r.SortIndex ?? 0), isWon: flag(r.IsWon), isLost: flag(r.IsLost) },
    ]),
  );
}

/** Now: summed in SQL over the reader's deals; then: now less every counted deal's change. */
async function totalsOf(store: Store, policy: AccessPolicy, query: MovementQuery, deals: DealMovement[]) {
  const col = (name: Field) => sql.ref(`d.${columnOf(name)}`);
  const scope = policy.read?.rows(dealTable, 'd', 'search');
  const rows = await sql<{ currency: string; weighted: unknown }>`
    SELECT ${col('Currency')} AS ${sql.id('currency')}, SUM(${col('WeightedAmount')}) AS ${sql.id('weighted')}
    FROM ${sql.table(dealTable)} AS ${sql.id('d')}
    WHERE ${sql.ref('d._Type')} IN (${sql.join(opportunity.typeNames)})
      AND ${col('IsClosed')} = ${store.dialect.toDatabase('Edm.Boolean', false)}
      AND ${col('Pipeline')} = ${query.pipelineId}
      AND ${col('ExpectedOrderDate')} >= ${query.period.from} AND ${col('ExpectedOrderDate')} <= ${query.period.to}
      ${scope ? sql`AND ${scope}` : sql``}
    GROUP BY ${col('Currency')}`.execute(store.db);
  const totals = new Map<string, { Currency: string; Then: number; Now: number }>();
  const totalOf = (currency: string) => {
    let total = totals.get(currency);
    if (!total) {
      total = { Currency: currency, Then: 0, Now: 0 };
      totals.set(currency, total);
    }
    return total;
  };
  for (const row of rows.rows) {
    const total = totalOf(row.currency);
    total.Now = round(Number(row.weighted ?? 0));
    total.Then = total.Now;
  }
  for (const deal of deals) {
    const total = totalOf(deal.Currency);
    total.Then = round(total.Then - (deal.Now ?? 0) + (deal.Then ?? 0));
  }
  return [...totals.values()].sort((a, b) => a.Currency.localeCompare(b.Currency));
}

function conversionOf(
  stays: { phase: string; entered: string; left: string | null; after: string[] }[],
  phases: Map<string, PhaseInfo>,
): PhaseConversion[] {
  const byPhase = new Map<string, typeof stays>();
  for (const stay of stays) {
    const phase = phases.get(stay.phase);
    if (!phase || phase.isWon || phase.isLost) continue;
    const list = byPhase.get(stay.phase) ?? [];
    list.push(stay);
    byPhase.set(stay.phase, list);
  }
  return [...byPhase.entries()]
    .sort(([a], [b]) => phases.get(a)!.sortIndex - phases.get(b)!.sortIndex)
    .map(([id, list]) => {
      const order = phases.get(id)!.sortIndex;
      const reached = (stay: (typeof stays)[number], test: (p: PhaseInfo) => boolean) =>
        stay.after.some((p) => {
          const info = phases.get(p);
          return !!info && test(info);
        });
      const days = list
        .filter((s) => s.left !== null)
        .map((s) => (Date.parse(s.left!) - Date.parse(s.entered)) / dayMs)
        .sort((a, b) => a - b);
      // to the hundredth of a day (about a quarter of an hour): a fast phase shows in hours
      const inDays = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
      return {
        Phase: id,
        Entered: list.length,
        Advanced: list.filter((s) => reached(s, (p) => !p.isLost && (p.isWon || p.sortIndex > order))).length,
        Won: list.filter((s) => reached(s, (p) => p.isWon)).length,
        Lost: list.filter((s) => reached(s, (p) => p.isLost)).length,
        Staying: list.filter((s) => s.left === null).length,
        MedianDays: inDays(percentile(days, 50)),
        P90Days: inDays(percentile(days, 90)),
      };
    });
}

async function staleOf(store: Store, policy: AccessPolicy, query: MovementQuery, now: string) {
  const before = new Date(Date.parse(now) - query.staleDays * dayMs).toISOString();
  const scope = policy.read?.rows(dealTable, 'd', 'search');
  const rep = sql.ref(`d.${ownerColumn}`);
  const col = (name: Field) => sql.ref(`d.${columnOf(name)}`);
  const changed = sql.ref('d.LastMutationDate');
  const rows = await sql<{ rep: string | null; count: unknown }>`
    SELECT ${rep} AS ${sql.id('rep')}, COUNT(*) AS ${sql.id('count')}
    FROM ${sql.table(dealTable)} AS ${sql.id('d')}
    WHERE ${sql.ref('d._Type')} IN (${sql.join(opportunity.typeNames)})
      AND ${col('IsClosed')} = ${store.dialect.toDatabase('Edm.Boolean', false)}
      AND ${col('Pipeline')} = ${query.pipelineId}
      AND ${changed} < ${store.dialect.name === 'postgres' ? sql`CAST(${before} AS timestamptz)` : before}
      ${scope ? sql`AND ${scope}` : sql``}
    GROUP BY ${rep}`.execute(store.db);
  return rows.rows.map((r) => ({ Rep: r.rep, Count: Number(r.count) })).sort((a, b) => b.Count - a.Count);
}
