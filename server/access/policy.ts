// The access policy: what the person (or token) behind a request may read and write. The read
// side is SQL, a condition per table and alias that every query builder adds where it reads a
// table (select-rows.ts, aggregate-rows.ts, expression-sql.ts, resolve-target.ts), so that
// lists, counts, sums and probes through navigation all see the same rows: filtering rows in
// JavaScript after the query would leave counts and totals counting the hidden ones. The write
// side is asked by the write path (write-entity.ts) with the record before and after a change.
//
// The rules (issue 9):
// - Deals are the rows of the activity table (Activity.SalesOpportunity; the Activity set
//   serves the same rows). Product lines, involved parties and time registrations belong to the
//   deal they name (ActivityID) and follow it, for reading and writing.
// - A rep changes their own deals (SalesRepresentative = their employee record) and unassigned
//   ones; may take an unassigned deal or leave their own unassigned, never assign one to someone
//   else; a new deal is theirs unless the body names SalesRepresentative (null: unassigned).
//   Managers and admins (and API_TOKEN, an admin) change every deal.
// - Reference data (pipelines, phases, sources, lost reasons, price lists, products, employee
//   records) is written by admins only; contacts and organisations by everyone.
// - REP_SEES=own: a rep reads only their own and unassigned deals, and only those deals' parts.
import { type RawBuilder, sql } from 'kysely';
import type { Store } from '../db/database.ts';
import type { DialectName } from '../db/dialect.ts';
import { type Collection, type EntityType, model, type Reference } from '../model/model.ts';
import { ODataError } from '../query/errors.ts';
import { type DbRecord, loadRecord } from '../write/records.ts';
import type { AccessSettings, Principal } from './principal.ts';

type Sql = RawBuilder<unknown>;

const opportunity = model.get('Activity.SalesOpportunity')!;
const employee = model.get('Relation.Person.Contact.Employee')!;
/** the table of deals; every row of it is treated as a deal (opportunities are its only rows) */
export const dealTable = opportunity.table;
/** the column that names a deal's owner */
export const ownerColumn = opportunity.references.get('SalesRepresentative')!.column;

/** Records that belong to a deal, by table: the reference to their deal. */
const dealParts = new Map(
  (['ProductLine', 'Involved', 'TimeRegistration'] as const).map((name) => {
    const type = model.get(name)!;
    return [type.table, { type, deal: type.references.get('Activity')! }] as const;
  }),
);

/** What a part of a deal is called in messages. */
const partNames: Record<string, string> = {
  productline: 'product line',
  involved: 'involved party',
  timeregistration: 'time registration',
};

const withArticle = (noun: string) => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

/** Types only admins write, with what messages call them. */
const adminOnly: [type: EntityType, label: string][] = [
  [model.get('Pipeline')!, 'Pipelines'],
  [model.get('Datastore.Phase')!, 'Phases'],
  [model.get('Datastore.Source')!, 'Sources'],
  [model.get('Datastore.LostReason')!, 'Lost reasons'],
  [model.get('Datastore')!, 'Phases, sources and lost reasons'],
  [model.get('PriceList')!, 'Price lists'],
  [model.get('Product')!, 'Products'],
  [employee, 'Employee records'],
];

/** 'Phases' for a phase: the first (narrowest) entry whose types include it. */
export const adminOnlyLabel = (type: EntityType) =>
  adminOnly.find(([base]) => base.typeNames.includes(type.name))?.[1];

export const isDeal = (type: EntityType) => type.table === dealTable;

/**
 * How a scope condition is written. 'search' lets an index find the visible rows (the owner
 * column's index, or the parts of the visible deals by their deal's index): for counts, sums and
 * pages where they are few. 'test' checks each row where it stands (SQLite's unary `+` keeps the
 * owner's index out; a part looks its deal up by key): for a row found by key or by its parent,
 * and for pages that walk another index in their order because the visible rows are many.
 */
export type ScopeForm = 'search' | 'test';

/** The rows a reader may see, as SQL. */
export interface ReadScope {
  /** the condition a row of `table`, named `alias` in the query, must pass; undefined: every row */
  rows(table: string, alias: string, form: ScopeForm): Sql | undefined;
  /**
   * True when the navigation leads only to visible rows whenever it starts from a visible one:
   * a part's own deal, and a deal's parts. Those need no condition of their own, which keeps
   * `ProductLine?$filter=Activity/ID eq ...` an index range on the part's ActivityID.
   */
  follows(navigation: Reference | Collection): boolean;
  /** the column of the table whose index finds the visible rows in the 'search' form */
  searchColumn(table: string): string | undefined;
}

/** REP_SEES=own: the deals the rep owns or nobody owns, and their parts. */
export function ownDealsScope(employeeId: string | null, dialect: DialectName): ReadScope {
  // + only on SQLite: PostgreSQL has no unary plus on text, and its planner needs no such hint
  const keepOut = (ref: Sql) => (dialect === 'sqlite' ? sql`+${ref}` : ref);
  const visibleDeal = (alias: string, form: ScopeForm) => {
    const owner = sql.ref(`${alias}.${ownerColumn}`);
    const column = form === 'test' ? keepOut(owner) : owner;
    // a rep without an employee record owns nothing: only unassigned deals
    return employeeId === null
      ? sql`(${column} IS NULL)`
      : sql`(${column} IS NULL OR ${column} = ${employeeId})`;
  };
  return {
    rows(table, alias, form) {
      if (table === dealTable) return visibleDeal(alias, form);
      const part = dealParts.get(table);
      if (!part) return undefined;
      const dealId = sql.ref(`${alias}.${part.deal.column}`);
      const deal = `${alias}_deal`;
      const dealRows = sql`${sql.table(dealTable)} AS ${sql.id(deal)}`;
      if (form === 'test') {
        // NOT EXISTS of a hidden deal rather than IN the visible ones: one key lookup per row,
        // where IN would first collect every visible deal (most of the table for a busy rep)
        const owner = sql.ref(`${deal}.${ownerColumn}`);
        const hidden = employeeId === null ? sql`${owner} IS NOT NULL` : sql`${owner} <> ${employeeId}`;
        return sql`NOT EXISTS (SELECT 1 FROM ${dealRows} WHERE ${sql.ref(`${deal}.ID`)} = ${dealId} AND ${hidden})`;
      }
      const visible = sql`${dealId} IN (SELECT ${sql.ref(`${deal}.ID`)} FROM ${dealRows} WHERE ${visibleDeal(deal, 'search')})`;
      // a time registration may belong to no deal: then it is nobody's to hide
      return part.deal.required ? visible : sql`(${dealId} IS NULL OR ${visible})`;
    },
    follows(navigation) {
      if (navigation.kind === 'reference') {
        const owner = model.get(navigation.declaredBy)!;
        return dealParts.get(owner.table)?.deal.name === navigation.name;
      }
      const target = model.get(navigation.target)!;
      return dealParts.get(target.table)?.deal.name === navigation.inverse;
    },
    searchColumn(table) {
      if (table === dealTable) return ownerColumn;
      return dealParts.get(table)?.deal.column;
    },
  };
}

const forbidden = (code: string, message: string, target?: string) =>
  new ODataError(403, code, message, target);

export class AccessPolicy {
  /** undefined when the principal reads every row */
  readonly read: ReadScope | undefined;

  constructor(
    readonly principal: Principal,
    settings: AccessSettings,
    dialect: DialectName,
  ) {
    this.read =
      principal.role === 'rep' && settings.repSees === 'own'
        ? ownDealsScope(principal.employeeId, dialect)
        : undefined;
  }

  /** managers and admins: every deal */
  get changesEveryDeal() {
    return this.principal.role !== 'rep';
  }

  /** Whether the reader may see the record with this ID (assumed to exist). */
  canSee(store: Store, type: EntityType, id: string) {
    return canSee(store, this.read, type, id);
  }

  /** A rep's new deal is theirs unless the body names its SalesRepresentative (null: unassigned). */
  assignNew(type: EntityType, links: Map<string, string | null>) {
    const { employeeId } = this.principal;
    if (this.changesEveryDeal || !isDeal(type) || !employeeId) return;
    const reference = [...type.references.values()].find((r) => r.column === ownerColumn);
    if (reference && !links.has(reference.name)) links.set(reference.name, employeeId);
  }

  /**
   * Refuses a write before its body is looked at: a type only admins write, or a record (before
   * the change) on a deal the rep may not change. `existing` is undefined for a create.
   */
  async mayChange(store: Store, type: EntityType, existing?: DbRecord) {
    const label = adminOnlyLabel(type);
    if (label && this.principal.role !== 'admin') {
      throw forbidden(
        'AdminOnly',
        `${label} are reference data: only an admin can change them (you are signed in as a ${this.principal.role})`,
      );
    }
    if (this.changesEveryDeal || !existing) return;
    await this.checkDeal(store, type, existing, dealIdOf(type, existing));
  }

  /**
   * Refuses the record as it would be written: a deal given to someone else, or a part moved
   * to (or created on) a deal the rep may not change.
   */
  async mayWrite(store: Store, type: EntityType, before: DbRecord | undefined, after: DbRecord) {
    if (this.changesEveryDeal) return;
    if (isDeal(type)) {
      const owner = after[ownerColumn] as string | null | undefined;
      if (owner && owner !== this.principal.employeeId && owner !== before?.[ownerColumn]) {
        throw forbidden(
          'NotYourDeal',
          this.principal.employeeId === null
            ? 'Your account is not linked to an employee record, so you can only leave deals unassigned: a manager can assign them'
            : `A rep can take a deal or leave it unassigned, not assign it to ${await employeeName(store, owner)}: only a manager can`,
          'SalesRepresentative',
        );
      }
      return;
    }
    const dealId = dealIdOf(type, after);
    if (dealId && dealId !== (before && dealIdOf(type, before)))
      await this.checkDeal(store, type, after, dealId);
  }

  /** The rep may change the deal (or the part of it) only when the deal is theirs or nobody's. */
  private async checkDeal(store: Store, type: EntityType, record: DbRecord, dealId: string | undefined) {
    if (!dealId) return;
    const deal = isDeal(type) && record.ID === dealId ? record : await loadRecord(store, opportunity, dealId);
    const owner = deal?.[ownerColumn] as string | null | undefined;
    if (!owner || owner === this.principal.employeeId) return;
    const what = isDeal(type) ? 'This deal' : `This ${partNames[type.table]} is part of a deal that`;
    throw forbidden(
      'NotYourDeal',
      `${what} belongs to ${await employeeName(store, owner)}: only they or a manager can change it`,
    );
  }

  /**
   * Refuses a delete that would take parts of a deal the rep may not change with it (deleting a
   * contact deletes their place among a deal's involved parties).
   */
  async mayCascade(store: Store, deleted: EntityType, part: EntityType, dealIds: string[]) {
    if (this.changesEveryDeal || !dealParts.has(part.table)) return;
    for (const dealId of new Set(dealIds)) {
      const deal = await loadRecord(store, opportunity, dealId);
      const owner = deal?.[ownerColumn] as string | null | undefined;
      if (!owner || owner === this.principal.employeeId) continue;
      // under REP_SEES=own the deal is hidden from this rep: its owner goes unnamed
      const whose = this.read ? "another rep's deal" : `a deal of ${await employeeName(store, owner)}`;
      throw forbidden(
        'NotYourDeal',
        `Deleting this ${deleted.name.split('.').at(-1)!.toLowerCase()} would also delete ${withArticle(partNames[part.table])} of ${whose}: only they or a manager can change it`,
      );
    }
  }
}

/**
 * Whether a reader may see a record that exists: true without a scope, else the record must
 * pass the scope's condition (checked in SQL, the same condition lists use).
 */
export async function canSee(store: Store, scope: ReadScope | undefined, type: EntityType, id: string) {
  const visible = scope?.rows(type.table, 'v', 'test');
  if (!visible) return true;
  const statement = sql`SELECT 1 AS ${sql.id('one')} FROM ${sql.table(type.table)} AS ${sql.id('v')} WHERE ${sql.ref('v.ID')} = ${id} AND ${visible}`;
  return (await statement.execute(store.db)).rows.length > 0;
}

/** The deal a record is or belongs to. */
function dealIdOf(type: EntityType, record: DbRecord): string | undefined {
  if (isDeal(type)) return record.ID as string;
  const part = dealParts.get(type.table);
  const id = part ? record[part.deal.column] : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** the part's column naming its deal, when the table holds parts of deals */
export const dealColumnOf = (table: string) => dealParts.get(table)?.deal.column;

async function employeeName(store: Store, id: string) {
  const record = await loadRecord(store, employee, id);
  return (record?._Name as string | null | undefined) ?? 'another rep';
}

/** The policy of a request: its principal and the service's settings. */
export const accessPolicy = (principal: Principal, settings: AccessSettings, dialect: DialectName) =>
  new AccessPolicy(principal, settings, dialect);

/** Webhooks send every set's changes to another service: only admins (and API_TOKEN) manage them. */
export function assertManagesWebhooks(principal: Principal) {
  if (principal.role !== 'admin') {
    throw forbidden(
      'AdminOnly',
      `Webhooks send every change to another service: only an admin can manage them (you are signed in as a ${principal.role})`,
    );
  }
}
