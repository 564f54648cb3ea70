// Which journal entries a reader of the change stream may see: the read rules of the access
// policy (policy.ts), asked about each entry, so that the stream shows what reads show and no
// rule is written twice.
//
// The policy's rules are SQL conditions on a row (ReadScope.rows). An entry is judged by the
// values its record had before and after the change: the condition is evaluated on a one-row
// table of those values. For a deal that is its owner; for a part of a deal (product line,
// involved party, time registration) the deal it belongs to, whose owner decides. The values come
// from the entry (a create carries every value, a delete every old one, an update what changed);
// what an update left alone is read from the record as it is now, or, for a record deleted
// since, from its delete entry. Without either (pruned), the entry is not sent.
//
// - visible after the change: the entry is sent as it is (a deal assigned to the reader arrives
//   as its update; the board fetches a record it does not hold);
// - visible before only (a deal moved to another rep, a part moved to a hidden deal): an entry of
//   kind 'removed' with no changes, so that the board drops the card without learning more;
// - visible neither before nor after: not sent.
import { sql } from 'kysely';
import {
  type AccessPolicy,
  dealColumnOf,
  dealTable,
  isDeal,
  ownerColumn,
  type ReadScope,
} from '../access/policy.ts';
import type { Store } from '../db/database.ts';
import { type EntityType, model } from '../model/model.ts';
import { type ChangeKind, type JournalEntry, readJournal } from './journal.ts';

/** An entry as the stream sends it: 'removed' when the record left the reader's view. */
export interface StreamEntry extends Omit<JournalEntry, 'kind'> {
  kind: ChangeKind | 'removed';
}

const missing = Symbol('missing');
type Found = unknown | typeof missing;

/** What decides whether a reader sees a record at one point in time. */
type Holder =
  | { on: 'deal'; owner: string | null } // a deal with this owner, or a part of such a deal
  | { on: 'nothing'; table: string } // a part that belongs to no deal
  | { on: 'unknown' }; // cannot tell: not sent

const opportunity = model.get('Activity.SalesOpportunity')!;

/**
 * The lookups an entry's judgement needs, shared by all readers of one batch of entries (one
 * judge a batch): the current values of records, and the last values of records deleted since.
 */
export class EntryJudge {
  private current = new Map<string, Promise<Found>>();
  private deletedValues = new Map<string, Promise<Record<string, [unknown, unknown]> | undefined>>();
  private holders = new Map<number, Promise<{ before?: Holder; after?: Holder } | undefined>>();

  private prefetched = false;

  constructor(private store: Store) {}

  /**
   * Loads the current values a batch's judgement needs in a few queries rather than one a record:
   * the owners of updated deals and of the deals that parts name, and the deals of updated parts.
   */
  async prefetch(entries: JournalEntry[]) {
    if (this.prefetched) return;
    this.prefetched = true;
    const wanted = new Map<string, { table: string; column: string; ids: Set<string> }>();
    const want = (table: string, column: string, id: unknown) => {
      if (typeof id !== 'string') return;
      const key = `${table}\u0000${column}`;
      const entry = wanted.get(key) ?? { table, column, ids: new Set<string>() };
      wanted.set(key, entry);
      entry.ids.add(id);
    };
    for (const entry of entries) {
      const type = model.get(entry.type);
      if (!type || entry.kind !== 'updated') continue;
      if (isDeal(type)) {
        const link = referenceNamed(type, ownerColumn);
        if (link && !entry.changes[link]) want(dealTable, ownerColumn, entry.id);
        continue;
      }
      const dealColumn = dealColumnOf(type.table);
      const link = dealColumn && referenceNamed(type, dealColumn);
      if (!dealColumn || !link) continue;
      const change = entry.changes[link];
      if (change) for (const dealId of change) want(dealTable, ownerColumn, dealId);
      else want(type.table, dealColumn, entry.id);
    }
    for (const { table, column, ids } of wanted.values()) {
      const list = [...ids].filter((id) => !this.current.has(`${table}\u0000${column}\u0000${id}`));
      for (let i = 0; i < list.length; i += 500) {
        const chunk = list.slice(i, i + 500);
        const rows = (await this.store.db
          .selectFrom(table)
          .select(['ID', column])
          .where('ID', 'in', chunk)
          .execute()) as Record<string, unknown>[];
        const found = new Map(rows.map((row) => [row.ID as string, row[column]]));
        for (const id of chunk) {
          const value = found.has(id) ? found.get(id) : missing;
          this.current.set(`${table}\u0000${column}\u0000${id}`, Promise.resolve(value));
        }
      }
    }
  }

  private currentValue(table: string, column: string, id: string): Promise<Found> {
    const key = `${table}\u0000${column}\u0000${id}`;
    let found = this.current.get(key);
    if (!found) {
      found = this.store.db
        .selectFrom(table)
        .select(column)
        .where('ID', '=', id)
        .executeTakeFirst()
        .then((row) => (row ? (row as Record<string, unknown>)[column] : missing));
      this.current.set(key, found);
    }
    return found;
  }

  private lastValues(id: string) {
    let values = this.deletedValues.get(id);
    if (!values) {
      values = readJournal(this.store, { recordId: id }).then(
        (entries) => entries.findLast((e) => e.kind === 'deleted')?.changes,
      );
      this.deletedValues.set(id, values);
    }
    return values;
  }

  /** The value of a link or property (by OData name, in the table's column) before and after. */
  private async valuesAt(
    entry: JournalEntry,
    type: EntityType,
    name: string,
    column: string,
  ): Promise<{ before?: Found; after?: Found }> {
    const change = entry.changes[name];
    if (entry.kind === 'created') return { after: change?.[1] ?? null };
    if (entry.kind === 'deleted') return { before: change?.[0] ?? null };
    if (change) return { before: change[0] ?? null, after: change[1] ?? null };
    let value = await this.currentValue(type.table, column, entry.id);
    if (value === missing) {
      const last = await this.lastValues(entry.id);
      value = last ? (last[name]?.[0] ?? null) : missing;
    }
    return { before: value, after: value };
  }

  /** The owner of a deal now, or when it was deleted. */
  private async ownerOf(dealId: string): Promise<Found> {
    const owner = await this.currentValue(dealTable, ownerColumn, dealId);
    if (owner !== missing) return owner;
    const last = await this.lastValues(dealId);
    return last ? (last.SalesRepresentative?.[0] ?? null) : missing;
  }

  private async holderOfDeal(dealId: Found, partTable: string): Promise<Holder> {
    if (dealId === missing) return { on: 'unknown' };
    if (dealId === null) return { on: 'nothing', table: partTable };
    const owner = await this.ownerOf(String(dealId));
    return owner === missing ? { on: 'unknown' } : { on: 'deal', owner: owner as string | null };
  }

  /** Before and after of a deal's or a part's entry; undefined for other records. */
  holdersOf(entry: JournalEntry) {
    let holders = this.holders.get(entry.sequence);
    if (!holders) {
      holders = this.findHolders(entry);
      this.holders.set(entry.sequence, holders);
    }
    return holders;
  }

  private async findHolders(entry: JournalEntry) {
    const type = model.get(entry.type);
    if (!type) return undefined;
    if (isDeal(type)) {
      const link = referenceNamed(type, ownerColumn) ?? referenceNamed(opportunity, ownerColumn)!;
      const { before, after } = await this.valuesAt(entry, type, link, ownerColumn);
      const holder = (owner: Found | undefined): Holder | undefined =>
        owner === undefined
          ? undefined
          : owner === missing
            ? { on: 'unknown' }
            : { on: 'deal', owner: owner as string | null };
      return { before: holder(before), after: holder(after) };
    }
    const dealColumn = dealColumnOf(type.table);
    if (!dealColumn) return undefined;
    const link = referenceNamed(type, dealColumn);
    if (!link) return undefined;
    const { before, after } = await this.valuesAt(entry, type, link, dealColumn);
    return {
      before: before === undefined ? undefined : await this.holderOfDeal(before, type.table),
      after: after === undefined ? undefined : await this.holderOfDeal(after, type.table),
    };
  }

  /** Whether the record of an entry with no deal to go by is visible now (the policy's canSee). */
  async visibleNow(policy: AccessPolicy, entry: JournalEntry) {
    const type = model.get(entry.type);
    if (!type) return false;
    const exists = (await this.currentValue(type.table, 'ID', entry.id)) !== missing;
    return exists && policy.canSee(this.store, type, entry.id);
  }
}

const referenceNamed = (type: EntityType, column: string) =>
  [...type.references.values()].find((r) => r.column === column)?.name;

/**
 * One reader's view of the stream: asks its policy about each entry. Answers of the policy for
 * one owner are kept for the reader's lifetime (they depend on the owner and the reader alone).
 */
export class StreamReader {
  private answers = new Map<string, Promise<boolean>>();
  private readonly scope: ReadScope | undefined;

  constructor(
    private store: Store,
    readonly policy: AccessPolicy,
  ) {
    this.scope = policy.read;
  }

  /** The entries this reader may see, as sent. */
  async view(entries: JournalEntry[], judge: EntryJudge): Promise<StreamEntry[]> {
    const scope = this.scope;
    if (!scope) return entries;
    const seen: StreamEntry[] = [];
    await judge.prefetch(entries);
    for (const entry of entries) {
      const type = model.get(entry.type);
      if (type && !scope.rows(type.table, 'v', 'test')) {
        seen.push(entry);
        continue;
      }
      const holders = await judge.holdersOf(entry);
      if (!holders) {
        if (await judge.visibleNow(this.policy, entry)) seen.push(entry);
        continue;
      }
      const after = holders.after ? await this.sees(holders.after) : false;
      if (after) {
        seen.push(entry);
        continue;
      }
      const before = holders.before ? await this.sees(holders.before) : false;
      if (before) seen.push(entry.kind === 'deleted' ? entry : { ...entry, kind: 'removed', changes: {} });
    }
    return seen;
  }

  /** Whether the reader sees a deal with this owner (null: unassigned), as reads would. */
  seesDealOf(owner: string | null) {
    return this.sees({ on: 'deal', owner });
  }

  private sees(holder: Holder): Promise<boolean> {
    if (holder.on === 'unknown') return Promise.resolve(false);
    const key = holder.on === 'deal' ? `deal\u0000${holder.owner ?? ''}` : `none\u0000${holder.table}`;
    let answer = this.answers.get(key);
    if (!answer) {
      answer =
        holder.on === 'deal'
          ? this.holds(dealTable, ownerColumn, holder.owner)
          : this.holds(holder.table, dealColumnOf(holder.table)!, null);
      this.answers.set(key, answer);
    }
    return answer;
  }

  /** The policy's condition for rows of `table`, evaluated on a row whose `column` is `value`. */
  private async holds(table: string, column: string, value: string | null) {
    const condition = this.scope?.rows(table, 'v', 'test');
    if (!condition) return true;
    const row = sql`(SELECT CAST(${value} AS text) AS ${sql.id(column)}) AS ${sql.id('v')}`;
    const result = await sql`SELECT 1 AS ${sql.id('one')} FROM ${row} WHERE ${condition}`.execute(
      this.store.db,
    );
    return result.rows.length > 0;
  }
}
