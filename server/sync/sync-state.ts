// Where a sync from a source stands, kept in the target database so that a second run copies
// only what changed and an interrupted run resumes: per source and entity set, the link of the
// next page to read, the delta link to follow next time (or the time to filter on), and the
// work left for the end of a run (removals, links to records of the same set).
import { sql } from 'kysely';
import type { Store } from '../db/database.ts';

export const syncStateTable = 'sync_state';
export const syncPendingTable = 'sync_pending';

export async function createSyncTables(store: Store) {
  await sql
    .raw(
      `CREATE TABLE "${syncStateTable}" ("Source" text NOT NULL, "SetName" text NOT NULL, "NextLink" text, "DeltaLink" text, "Since" text, "Started" text, "UpdatedAt" text NOT NULL, PRIMARY KEY ("Source", "SetName"))`,
    )
    .execute(store.db);
  await sql
    .raw(
      `CREATE TABLE "${syncPendingTable}" ("Source" text NOT NULL, "SetName" text NOT NULL, "RecordID" text NOT NULL, "Kind" text NOT NULL, "Body" text, PRIMARY KEY ("Source", "SetName", "RecordID", "Kind"))`,
    )
    .execute(store.db);
}

export interface SetState {
  /** the page to read next: a run was interrupted there, or is under way */
  nextLink: string | null;
  /** the source's delta link from the last complete read */
  deltaLink: string | null;
  /** without delta links: records changed from this time on are read next time */
  since: string | null;
  /** what `since` becomes when the read under way completes */
  started: string | null;
}

const empty: SetState = { nextLink: null, deltaLink: null, since: null, started: null };

export async function readSetState(store: Store, source: string, setName: string): Promise<SetState> {
  const row = (await store.db
    .selectFrom(syncStateTable)
    .select(['NextLink', 'DeltaLink', 'Since', 'Started'])
    .where('Source', '=', source)
    .where('SetName', '=', setName)
    .executeTakeFirst()) as Record<string, string | null> | undefined;
  if (!row) return { ...empty };
  return { nextLink: row.NextLink, deltaLink: row.DeltaLink, since: row.Since, started: row.Started };
}

export async function saveSetState(store: Store, source: string, setName: string, state: SetState) {
  const values = {
    NextLink: state.nextLink,
    DeltaLink: state.deltaLink,
    Since: state.since,
    Started: state.started,
    UpdatedAt: new Date().toISOString(),
  };
  await store.db
    .insertInto(syncStateTable)
    .values({ Source: source, SetName: setName, ...values })
    .onConflict((oc) => oc.columns(['Source', 'SetName']).doUpdateSet(values))
    .execute();
}

export type PendingKind = 'removed' | 'link';

export interface Pending {
  setName: string;
  id: string;
  kind: PendingKind;
  body: Record<string, unknown> | null;
}

export async function addPending(store: Store, source: string, items: Pending[]) {
  for (const item of items) {
    const values = { Body: item.body ? JSON.stringify(item.body) : null };
    await store.db
      .insertInto(syncPendingTable)
      .values({ Source: source, SetName: item.setName, RecordID: item.id, Kind: item.kind, ...values })
      .onConflict((oc) => oc.columns(['Source', 'SetName', 'RecordID', 'Kind']).doUpdateSet(values))
      .execute();
  }
}

export async function readPending(store: Store, source: string, kind: PendingKind, setName?: string) {
  let query = store.db
    .selectFrom(syncPendingTable)
    .select(['SetName', 'RecordID', 'Body'])
    .where('Source', '=', source)
    .where('Kind', '=', kind);
  if (setName) query = query.where('SetName', '=', setName);
  const rows = (await query.orderBy('RecordID').execute()) as {
    SetName: string;
    RecordID: string;
    Body: string | null;
  }[];
  return rows.map(
    (row): Pending => ({
      setName: row.SetName,
      id: row.RecordID,
      kind,
      body: row.Body ? JSON.parse(row.Body) : null,
    }),
  );
}

export async function dropPending(
  store: Store,
  source: string,
  item: Pick<Pending, 'setName' | 'id' | 'kind'>,
) {
  await store.db
    .deleteFrom(syncPendingTable)
    .where('Source', '=', source)
    .where('SetName', '=', item.setName)
    .where('RecordID', '=', item.id)
    .where('Kind', '=', item.kind)
    .execute();
}
