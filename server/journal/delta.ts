// OData delta links over the change journal (protocol §11.3, JSON format §15): what a delta
// token holds, which records of a set changed after a sequence number, and whether a record
// that a reader no longer gets was theirs to see when the token was issued.
//
// A token holds the journal's newest sequence number taken BEFORE the first page was read (a
// change made while the pages were read is sent again, never missed) and the defining query
// ($filter, $select, $expand), so that following the link repeats it over the changed records.
import { sql } from 'kysely';
import { dealColumnOf, dealTable, ownerColumn, type ReadScope } from '../access/policy.ts';
import type { Store } from '../db/database.ts';
import { type EntityType, model } from '../model/model.ts';
import { badRequest, ODataError } from '../query/errors.ts';
import { entryOf, type JournalEntry, journalReach, journalTable } from './journal.ts';

export interface DeltaToken {
  /** the entity set */
  set: string;
  /** changes after this sequence number are the delta */
  after: number;
  /** the defining query: the raw query string without $skiptoken */
  query: string;
}

export function encodeDeltaToken(token: DeltaToken): string {
  return Buffer.from(JSON.stringify({ e: token.set, s: token.after, q: token.query })).toString('base64url');
}

export function decodeDeltaToken(text: string): DeltaToken {
  try {
    const { e, s, q } = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof e === 'string' && Number.isSafeInteger(s) && s >= 0 && typeof q === 'string') {
      return { set: e, after: s, query: q };
    }
  } catch {
    // answered below
  }
  throw badRequest('The $deltatoken is not one this service issued: request the set again', '$deltatoken');
}

/** 410 when the journal no longer holds every entry after the token's sequence number. */
export async function checkReach(store: Store, after: number) {
  const { oldest, newest } = await journalReach(store);
  const pruned = oldest === 0 ? after > 0 : oldest > after + 1;
  if (pruned || after > newest) {
    throw new ODataError(
      410,
      'Gone',
      'The changes since this delta link are no longer kept (the change journal was pruned past it): read the set again for a new delta link',
      '$deltatoken',
    );
  }
  return newest;
}

const deal = model.get('Activity.SalesOpportunity')!;
const ownerLink = [...deal.references.values()].find((r) => r.column === ownerColumn)!.name;

/** The reference of a part of a deal (product line, involved party, time registration) to its deal. */
const dealLinkOf = (type: EntityType) => {
  const column = dealColumnOf(type.table);
  return column ? [...type.references.values()].find((r) => r.column === column) : undefined;
};

/**
 * IDs of the set's records with entries in (after, upTo], in ID order, after `afterId`. Under a
 * read scope, the parts of deals whose owner changed too: they came into or went out of sight
 * with their deal, without an entry of their own.
 */
export async function changedIds(
  store: Store,
  type: EntityType,
  scope: ReadScope | undefined,
  range: { after: number; upTo: number; afterId?: string; limit: number },
): Promise<string[]> {
  const inRange = sql`${sql.ref('Sequence')} > ${range.after} AND ${sql.ref('Sequence')} <= ${range.upTo}`;
  const own = sql`SELECT ${sql.ref('RecordID')} AS ${sql.id('id')} FROM ${sql.table(journalTable)} WHERE ${inRange} AND ${sql.ref('TypeName')} IN (${sql.join(type.typeNames)})`;
  const link = scope?.rows(type.table, 'v', 'test') ? dealLinkOf(type) : undefined;
  const parts = link
    ? sql` UNION SELECT ${sql.ref('p.ID')} AS ${sql.id('id')} FROM ${sql.table(type.table)} AS ${sql.id('p')} WHERE ${sql.ref(`p.${link.column}`)} IN (SELECT ${sql.ref('RecordID')} FROM ${sql.table(journalTable)} WHERE ${inRange} AND ${sql.ref('TypeName')} IN (${sql.join(deal.typeNames)}) AND ${sql.ref('Changes')} LIKE ${`%"${ownerLink}":%`})`
    : sql``;
  const after = range.afterId === undefined ? sql`` : sql` WHERE ${sql.ref('c.id')} > ${range.afterId}`;
  const statement = sql<{
    id: string;
  }>`SELECT DISTINCT ${sql.ref('c.id')} AS ${sql.id('id')} FROM (${own}${parts}) AS ${sql.id('c')}${after} ORDER BY ${sql.ref('c.id')} LIMIT ${range.limit}`;
  return (await statement.execute(store.db)).rows.map((row) => row.id);
}

/** What happened to each record in (after, upTo], oldest entry first. */
export async function entriesOf(
  store: Store,
  ids: string[],
  range: { after: number; upTo: number },
): Promise<Map<string, JournalEntry[]>> {
  const byId = new Map<string, JournalEntry[]>();
  if (ids.length === 0) return byId;
  const rows = await store.db
    .selectFrom(journalTable)
    .selectAll()
    .where('RecordID', 'in', ids)
    .where('Sequence', '>', range.after)
    .where('Sequence', '<=', range.upTo)
    .orderBy('Sequence')
    .execute();
  // biome-ignore lint/suspicious/noExplicitAny: the journal's row type lives in journal.ts
  for (const entry of (rows as any[]).map(entryOf)) {
    const list = byId.get(entry.id) ?? [];
    list.push(entry);
    byId.set(entry.id, list);
  }
  return byId;
}

/** A property's (or link's) value before the first of these entries: the old value of the first that changed it. */
function valueBefore(entries: JournalEntry[], name: string): { known: boolean; value: unknown } {
  for (const entry of entries) {
    if (name in entry.changes) return { known: true, value: entry.changes[name][0] ?? null };
  }
  return { known: false, value: undefined };
}

/**
 * Whether the reader could see the record when the token was issued, for a record it does not
 * get now. Without a read scope every record. Under REP_SEES=own a deal was visible when its
 * owner then was nobody or the reader; a part of a deal when its deal then was.
 */
export async function wasVisible(
  store: Store,
  scope: ReadScope | undefined,
  employeeId: string | null,
  type: EntityType,
  id: string,
  entries: JournalEntry[],
  range: { after: number; upTo: number },
): Promise<boolean> {
  if (!scope?.rows(type.table, 'v', 'test')) return true;
  const dealWasVisible = async (dealId: string, dealEntries: JournalEntry[]) => {
    let owner = valueBefore(dealEntries, ownerLink);
    if (!owner.known) {
      const row = await store.db
        .selectFrom(dealTable)
        .select(sql.ref(ownerColumn).as('owner'))
        .where('ID', '=', dealId)
        .executeTakeFirst();
      owner = { known: true, value: (row as { owner?: string | null } | undefined)?.owner ?? null };
    }
    return owner.value === null || owner.value === employeeId;
  };
  if (type.table === dealTable) return dealWasVisible(id, entries);
  const dealLink = dealLinkOf(type);
  if (!dealLink) return true;
  let deal = valueBefore(entries, dealLink.name);
  if (!deal.known) {
    const row = await store.db
      .selectFrom(type.table)
      .select(sql.ref(dealLink.column).as('deal'))
      .where('ID', '=', id)
      .executeTakeFirst();
    deal = { known: true, value: (row as { deal?: string | null } | undefined)?.deal ?? null };
  }
  if (deal.value === null) return !dealLink.required;
  const dealId = String(deal.value);
  return dealWasVisible(dealId, (await entriesOf(store, [dealId], range)).get(dealId) ?? []);
}

/** Whether the record exists now and the reader may see it (whatever the filter says). */
export async function visibleNow(store: Store, scope: ReadScope | undefined, type: EntityType, id: string) {
  const visible = scope?.rows(type.table, 'v', 'test');
  const statement = sql`SELECT 1 AS ${sql.id('one')} FROM ${sql.table(type.table)} AS ${sql.id('v')} WHERE ${sql.ref('v.ID')} = ${id}${visible ? sql` AND ${visible}` : sql``}`;
  return (await statement.execute(store.db)).rows.length > 0;
}

/** The Prefer header asks for change tracking (`odata.track-changes`, or 4.01's `track-changes`). */
export const prefersTracking = (header: string | undefined) =>
  !!header &&
  header.split(',').some((part) => /^(odata\.)?track-changes$/i.test(part.trim().split('=')[0].trim()));
