// Mirroring a live OData service into our database: every entity set the source has and we
// know, referenced sets first, page by page through @odata.nextLink. Records are written by the
// import (import-records.ts, as a GET returns them: dates and numbers kept), so the write path
// validates them and the journal records them under the sync's name.
//
// A second run reads only what changed: through the delta link the source gave at the end of the
// last read (OData change tracking, removals included), else `LastMutationDate ge <start of the
// last read>` (which cannot see removals). Where each set stands is kept in the target database
// after every page (sync-state.ts): an interrupted run resumes at the page it did not finish.
// Removals wait for the end of the run and go in reverse order (a product line before its deal);
// a link to a record of the same set that is not there yet (a parent activity) waits for the end
// of its set.
import type { Store } from '../db/database.ts';
import { type Actor, writeAs } from '../journal/journal.ts';
import { type EntityType, entitySets, model, setsInDependencyOrder } from '../model/model.ts';
import { ODataError } from '../query/errors.ts';
import { isRemovedEntry, removedId } from '../transfer/get-records.ts';
import { type ImportProblem, importRecords } from '../transfer/import-records.ts';
import type { SourceRecord } from '../transfer/read-lines.ts';
import { deleteEntity } from '../write/write-entity.ts';
import type { ClientCredentials } from './client-credentials.ts';
import { type SourceClient, sourceClient } from './source-client.ts';
import { SourceError } from './source-error.ts';
import {
  addPending,
  dropPending,
  type Pending,
  readPending,
  readSetState,
  type SetState,
  saveSetState,
} from './sync-state.ts';

export interface SyncOptions {
  /** the source's service root */
  from: string;
  token?: string;
  credentials?: ClientCredentials;
  /** records per page asked of the source (Prefer: odata.maxpagesize); default 1,000 */
  pageSize?: number;
  /** ask for delta links (default true); without, changes are found by LastMutationDate */
  changeTracking?: boolean;
  fetch?: typeof fetch;
  /** a line worth keeping: a set done, a record refused */
  log?: (line: string) => void;
  /** a line that the next one replaces: pages as they go */
  progress?: (line: string) => void;
}

export interface SetSummary {
  setName: string;
  /** how the set was read: in full, through its delta link, or by LastMutationDate */
  read: 'full' | 'delta' | 'changed since';
  resumed: boolean;
  pages: number;
  records: number;
  written: number;
  problems: number;
  removalsNoted: number;
}

export interface SyncSummary {
  source: string;
  sets: SetSummary[];
  removed: number;
  problems: number;
}

const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** The source's clock may be behind ours, and a write may commit after its LastMutationDate. */
const sinceMarginMs = 60_000;

/** Our sets that the source has, in dependency order; a missing set is covered by its derived sets that it has. */
export function setsToSync(sourceSets: string[]): EntityType[] {
  const has = new Set(sourceSets);
  const chosen: EntityType[] = [];
  for (const name of setsInDependencyOrder()) {
    const set = entitySets.get(name)!;
    if (has.has(name)) chosen.push(set);
    else chosen.push(...set.derived.filter((type) => type !== set && has.has(type.setName)));
  }
  return chosen;
}

/** References to records of the set's own table: their targets may come later in the same set. */
const selfReferences = (set: EntityType) =>
  [...set.references.values()].filter((reference) => model.get(reference.target)?.table === set.table);

const bindTarget = /\(([0-9a-fA-F-]{36})\)$/;

export async function syncFrom(store: Store, options: SyncOptions): Promise<SyncSummary> {
  const log = options.log ?? (() => {});
  const progress = options.progress ?? (() => {});
  const client = sourceClient({
    root: options.from,
    token: options.token,
    credentials: options.credentials,
    fetch: options.fetch,
  });
  const source = client.root;
  const tracking = options.changeTracking !== false;
  const pageSize = options.pageSize ?? 1000;
  const preferWith = (track: boolean) =>
    [`odata.maxpagesize=${pageSize}`, ...(track ? ['odata.track-changes'] : [])].join(', ');
  const actor: Actor = { id: 'sync', name: `Sync from ${new URL(source).host}` };

  const { names, date } = await client.entitySets();
  const sets = setsToSync(names);
  if (sets.length === 0) {
    throw new SourceError(
      `${source} has none of Dealdeck's entity sets (it lists ${names.slice(0, 10).join(', ') || 'none'})`,
    );
  }
  const runStart = new Date((date?.getTime() ?? Date.now()) - sinceMarginMs).toISOString();
  const summary: SyncSummary = { source, sets: [], removed: 0, problems: 0 };
  const report = (setName: string, problem: ImportProblem | string) => {
    summary.problems++;
    const text = typeof problem === 'string' ? problem : problem.message;
    log(`  ${setName}: ${text}`);
  };

  for (const set of sets) summary.sets.push(await syncSet(set));
  summary.removed = await applyRemovals([...sets].reverse());
  await store.refreshStatistics();
  return summary;

  async function syncSet(set: EntityType): Promise<SetSummary> {
    const setName = set.setName;
    const state = await readSetState(store, source, setName);
    // the links to read, each as Nav($select=ID); fewer when the source cannot expand some
    let links = [...set.references.keys()];
    let probed = false;
    const readUrl = (since: string | null) => {
      const query = [
        ...(since ? [`$filter=${encodeURIComponent(`LastMutationDate ge ${since}`)}`] : []),
        ...(links.length ? [`$expand=${links.map((name) => `${name}($select=ID)`).join(',')}`] : []),
      ];
      return `${source}/${setName}${query.length ? `?${query.join('&')}` : ''}`;
    };
    const result: SetSummary = {
      setName,
      read: 'full',
      resumed: state.nextLink !== null,
      pages: 0,
      records: 0,
      written: 0,
      problems: 0,
      removalsNoted: 0,
    };
    const unknown = new Map<string, number>();
    // a source that refuses change tracking for this set is read without it
    let track = tracking;
    let url: string;
    if (state.nextLink) {
      url = state.nextLink;
      result.read = state.deltaLink ? 'delta' : state.since ? 'changed since' : 'full';
    } else if (state.deltaLink && tracking) {
      url = state.deltaLink;
      result.read = 'delta';
      state.started = runStart;
    } else if (state.since) {
      url = readUrl(state.since);
      result.read = 'changed since';
      state.started = runStart;
    } else {
      url = readUrl(null);
      state.started = runStart;
    }
    state.nextLink = url;
    await saveSetState(store, source, setName, state);

    for (;;) {
      let page: Awaited<ReturnType<SourceClient['get']>>;
      try {
        page = await client.get(url, preferWith(track));
      } catch (error) {
        const refusedFirst =
          error instanceof SourceError &&
          result.pages === 0 &&
          url !== state.deltaLink &&
          (error.status === 400 || error.status === 501);
        if (refusedFirst && error.status === 400 && links.length && !probed) {
          // which links can it not expand? each alone, on one record
          probed = true;
          const expandable = await expandableLinks(setName, links);
          if (expandable.length < links.length) {
            const dropped = links.filter((name) => !expandable.includes(name));
            log(`${setName}: the source cannot expand ${dropped.join(', ')}: those links are not copied`);
            links = expandable;
            url = readUrl(result.read === 'changed since' ? state.since : null);
            continue;
          }
        }
        if (refusedFirst && track) {
          log(
            `${setName}: the source refuses change tracking (${(error as Error).message}): reading without it`,
          );
          track = false;
          continue;
        }
        // a delta link older than what the source keeps: read the set again
        if (error instanceof SourceError && error.status === 410 && url === state.deltaLink) {
          log(
            `${setName}: the source no longer has the changes since the last run (410): reading it in full`,
          );
          state.deltaLink = null;
          url = readUrl(null);
          result.read = 'full';
          state.nextLink = url;
          await saveSetState(store, source, setName, state);
          continue;
        }
        throw error;
      }
      const value = page.body.value;
      if (!Array.isArray(value)) throw new SourceError(`GET ${url} answered no "value" list of records`);
      result.pages++;
      await writePage(set, value, result, unknown);
      progress(`${setName}: page ${result.pages}, ${result.records.toLocaleString('en')} records`);
      const next = page.body['@odata.nextLink'];
      const delta = page.body['@odata.deltaLink'];
      if (typeof next === 'string') {
        url = new URL(next, url).toString();
        state.nextLink = url;
      } else {
        state.nextLink = null;
        if (typeof delta === 'string' && track) {
          state.deltaLink = new URL(delta, url).toString();
          state.since = null;
        } else {
          state.deltaLink = null;
          state.since = state.started;
        }
        state.started = null;
      }
      await saveSetState(store, source, setName, state);
      if (state.nextLink === null) break;
    }
    await applyLinks(set, result);
    if (unknown.size) {
      const names = [...unknown.keys()].slice(0, 10).join(', ');
      log(`${setName}: left out fields Dealdeck does not have: ${names}${unknown.size > 10 ? ', ...' : ''}`);
    }
    log(
      `${setName}: ${result.records.toLocaleString('en')} records read (${describeRead(result, state)}), ${result.written.toLocaleString('en')} written${result.removalsNoted ? `, ${result.removalsNoted} removals` : ''}${result.problems ? `, ${result.problems} refused` : ''}`,
    );
    return result;
  }

  /** The links the source expands for the set, tried one at a time. */
  async function expandableLinks(setName: string, names: string[]) {
    const expandable: string[] = [];
    for (const name of names) {
      try {
        await client.get(`${source}/${setName}?$top=1&$expand=${name}($select=ID)`);
        expandable.push(name);
      } catch (error) {
        if (!(error instanceof SourceError) || error.status !== 400) throw error;
      }
    }
    return expandable;
  }

  async function writePage(
    set: EntityType,
    value: unknown[],
    result: SetSummary,
    unknown: Map<string, number>,
  ) {
    const removals: Pending[] = [];
    const links: Pending[] = [];
    const records: SourceRecord[] = [];
    const selfLinks = selfReferences(set);
    const existing = await existingTargets(set, selfLinks, value);
    for (const [index, item] of value.entries()) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) continue;
      const record = { ...(item as Record<string, unknown>) };
      if (isRemovedEntry(record)) {
        const id = removedId(record);
        if (id) removals.push({ setName: set.setName, id, kind: 'removed', body: null });
        continue;
      }
      for (const reference of selfLinks) {
        const target = linkedId(record, reference.name);
        if (!target || existing.has(target) || typeof record.ID !== 'string') continue;
        delete record[reference.name];
        delete record[`${reference.name}@odata.bind`];
        links.push({
          setName: set.setName,
          id: record.ID.toLowerCase(),
          kind: 'link',
          body: { [reference.name]: { ID: target } },
        });
      }
      records.push({ line: result.pages, position: index + 1, body: record });
    }
    // noted before the page counts as done: an interrupted run finds them
    await addPending(store, source, [...removals, ...links]);
    result.removalsNoted += removals.length;
    result.records += records.length;
    if (records.length === 0) return;
    const written = await importRecords(store, iterate(records), {
      set,
      asGet: true,
      skipInvalid: true,
      batchSize: records.length,
      actor,
      refreshStatistics: false,
      onProblem: (problem) => {
        result.problems++;
        report(set.setName, `page ${problem.line}, record ${problem.position}: ${problem.message}`);
      },
    });
    result.written += written.written;
    for (const [name, n] of written.ignored.unknown) unknown.set(name, (unknown.get(name) ?? 0) + n);
  }

  /** The IDs the page's links to its own set point at that are in the database already. */
  async function existingTargets(
    set: EntityType,
    selfLinks: ReturnType<typeof selfReferences>,
    value: unknown[],
  ) {
    if (selfLinks.length === 0) return new Set<string>();
    const wanted = new Set<string>();
    for (const item of value) {
      if (typeof item !== 'object' || item === null) continue;
      for (const reference of selfLinks) {
        const id = linkedId(item as Record<string, unknown>, reference.name);
        if (id) wanted.add(id);
      }
    }
    if (wanted.size === 0) return wanted;
    const rows = (await store.db
      .selectFrom(set.table)
      .select('ID')
      .where('ID', 'in', [...wanted])
      .execute()) as { ID: string }[];
    return new Set(rows.map((row) => row.ID));
  }

  /** Links to records of the same set, written once the whole set is there. */
  async function applyLinks(set: EntityType, result: SetSummary) {
    const pending = await readPending(store, source, 'link', set.setName);
    for (const item of pending) {
      const row = (await store.db
        .selectFrom(set.table)
        .select(['ID', 'LastMutationDate'])
        .where('ID', '=', item.id)
        .executeTakeFirst()) as { ID: string; LastMutationDate: unknown } | undefined;
      if (row) {
        // the record's time stays that of the source
        const changed = new Date(row.LastMutationDate as string).toISOString();
        const body = { ID: item.id, ...item.body, LastMutationDate: changed };
        await importRecords(store, iterate([{ line: 0, body }]), {
          set,
          asGet: true,
          actor,
          refreshStatistics: false,
          onProblem: (problem) => {
            result.problems++;
            report(set.setName, `${item.id}: ${problem.message}`);
          },
        });
      }
      await dropPending(store, source, item);
    }
  }

  /** Removals the source told of, in reverse dependency order; a record already gone is fine. */
  async function applyRemovals(ordered: EntityType[]) {
    let removed = 0;
    for (const set of ordered) {
      for (const item of await readPending(store, source, 'removed', set.setName)) {
        try {
          await store.transaction(async (tx) => {
            writeAs(tx, actor);
            await deleteEntity(tx, set, item.id, undefined, new Date().toISOString());
          });
          removed++;
        } catch (error) {
          if (!(error instanceof ODataError)) throw error;
          if (error.status !== 404) report(set.setName, `removing ${item.id}: ${error.message}`);
        }
        await dropPending(store, source, item);
      }
    }
    if (removed) log(`${removed.toLocaleString('en')} records removed, as the source removed them`);
    return removed;
  }
}

function describeRead(result: SetSummary, state: SetState) {
  const how = {
    full: 'in full',
    delta: 'changes through the delta link',
    'changed since': 'changed since the last run',
  }[result.read];
  const next = state.deltaLink ? 'next run follows its delta link' : 'next run reads by LastMutationDate';
  return `${how}${result.resumed ? ', resumed' : ''}; ${next}`;
}

/** The ID a record links to through a navigation: an expanded record, `{"ID": ...}` or `@odata.bind`. */
function linkedId(record: Record<string, unknown>, name: string): string | undefined {
  const value = record[name];
  if (typeof value === 'object' && value !== null && typeof (value as { ID?: unknown }).ID === 'string') {
    const id = (value as { ID: string }).ID;
    return guid.test(id) ? id.toLowerCase() : undefined;
  }
  const bind = record[`${name}@odata.bind`];
  const match = typeof bind === 'string' ? bindTarget.exec(bind) : null;
  return match && guid.test(match[1]) ? match[1].toLowerCase() : undefined;
}

async function* iterate(records: SourceRecord[]) {
  yield* records;
}
