// One entry of Dealdeck's change stream (GET /v1/changes, server/journal/stream.ts).

export interface ChangeEntry {
  sequence: number;
  at: string;
  actor: { id: string | null; name: string } | null;
  /** the entity set, e.g. Activity_SalesOpportunity */
  set: string;
  type: string;
  id: string;
  /** 'removed': the record left the reader's view (a rep with REP_SEES=own) */
  kind: 'created' | 'updated' | 'deleted' | 'removed';
  /** property → [old, new]; links by navigation name, as IDs */
  changes: Record<string, [unknown, unknown]>;
}

/** The new value of a changed property, or undefined when the entry does not change it. */
export const newValue = (entry: ChangeEntry, prop: string): unknown =>
  Object.hasOwn(entry.changes ?? {}, prop) ? entry.changes[prop][1] : undefined;
