// Records as an OData GET returns them (ours, or the hosted CRM's), made into what a POST takes:
// annotations (`@odata.etag`, `@odata.type` aside), `_Type`, `_Name` and the fields the server
// computes are left out and counted; `CreationDate`, `LastMutationDate` and `Number` are kept as
// the record's own (KeptValues); a link may be `{"ID": ...}`, `<Nav>@odata.bind` or an expanded
// record, which is reduced to its ID. Fields the model does not know (the hosted CRM has custom
// ones) are left out and counted too: the summary names them.
import type { EntityType } from '../model/model.ts';
import type { KeptValues } from '../write/write-entity.ts';
import { odataTypeOf, recordType } from './fields.ts';

/** Why a value of a record was left out. */
export type IgnoredKind = 'annotation' | 'computed' | 'unknown' | 'collection';

/** Per kind, per field name: how many values were left out. */
export type IgnoredCounts = Record<IgnoredKind, Map<string, number>>;

export const noIgnored = (): IgnoredCounts => ({
  annotation: new Map(),
  computed: new Map(),
  unknown: new Map(),
  collection: new Map(),
});

export const keptFields = ['CreationDate', 'LastMutationDate', 'Number'] as const;

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export interface PostableRecord {
  body: Record<string, unknown>;
  kept: KeptValues;
}

export class RecordProblem extends Error {
  constructor(
    message: string,
    readonly target?: string,
  ) {
    super(message);
  }
}

/** Whether an entry of a delta response says a record is gone (OData JSON §15.4). */
export function isRemovedEntry(record: Record<string, unknown>) {
  if ('@odata.removed' in record || '@removed' in record) return true;
  const context = record['@odata.context'] ?? record['@context'];
  return typeof context === 'string' && context.endsWith('/$deletedEntity');
}

/** The ID of a removed entry: its `ID`, or the key in its `@odata.id` / `id` URL. */
export function removedId(record: Record<string, unknown>): string | undefined {
  if (typeof record.ID === 'string' && guid.test(record.ID)) return record.ID.toLowerCase();
  for (const key of ['@odata.id', '@id', 'id']) {
    const url = record[key];
    const match = typeof url === 'string' ? /\((?:ID=)?'?([0-9a-fA-F-]{36})'?\)$/.exec(url) : null;
    if (match && guid.test(match[1])) return match[1].toLowerCase();
  }
  return undefined;
}

function count(map: Map<string, number>, name: string) {
  map.set(name, (map.get(name) ?? 0) + 1);
}

/** The body a create takes and the server values to keep, from a record as a GET returns it. */
export function postableRecord(
  set: EntityType,
  record: Record<string, unknown>,
  ignored: IgnoredCounts,
): PostableRecord {
  const named = record['@odata.type'] ?? record._Type;
  const type = recordType(set, named);
  if (!type) {
    throw new RecordProblem(
      typeof named === 'string'
        ? `${named} is not a type of the entity set ${set.setName}`
        : `records of ${set.setName} name their type in "@odata.type" or "_Type"`,
      '@odata.type',
    );
  }
  const body: Record<string, unknown> = {};
  if (type !== set) body['@odata.type'] = odataTypeOf(type);
  const kept: KeptValues = {};
  for (const [key, value] of Object.entries(record)) {
    if (key.endsWith('@odata.bind')) {
      body[key] = value;
      continue;
    }
    if (key.startsWith('@') || key.includes('@')) {
      if (key !== '@odata.type') count(ignored.annotation, key);
      continue;
    }
    if ((keptFields as readonly string[]).includes(key) && type.properties.has(key)) {
      if (value === null || value === undefined) continue;
      if (key === 'Number') {
        if (typeof value !== 'string' || value.trim() === '')
          throw new RecordProblem('Number: must be text such as 2026-00001', 'Number');
        kept.Number = value;
      } else {
        if (typeof value !== 'string' || !isoDateTime.test(value) || Number.isNaN(Date.parse(value)))
          throw new RecordProblem(`${key}: must be a date-time such as 2026-01-01T09:00:00Z`, key);
        kept[key as 'CreationDate' | 'LastMutationDate'] = new Date(value).toISOString();
      }
      continue;
    }
    const property = type.properties.get(key);
    if (property) {
      if (key === 'ID' || !property.readOnly) body[key] = value;
      else count(key.startsWith('_') ? ignored.annotation : ignored.computed, key);
      continue;
    }
    if (type.references.has(key)) {
      // an expanded record (the hosted CRM's way) links by its ID
      const id =
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? (value as Record<string, unknown>).ID
          : undefined;
      body[key] = typeof id === 'string' ? { ID: id } : value;
      continue;
    }
    if (type.collections.has(key)) {
      count(ignored.collection, key);
      continue;
    }
    count(key.startsWith('_') ? ignored.annotation : ignored.unknown, key);
  }
  return { body, kept };
}

/** "3 annotations (@odata.etag, _Type), 2 computed values (WeightedAmount)..." or '' when nothing was left out. */
export function describeIgnored(ignored: IgnoredCounts): string {
  const labels: Record<IgnoredKind, string> = {
    annotation: 'annotations',
    computed: 'values computed by the server',
    unknown: 'values of fields Dealdeck does not have',
    collection: 'expanded collections (import their set on its own)',
  };
  const parts: string[] = [];
  for (const kind of Object.keys(labels) as IgnoredKind[]) {
    const names = [...ignored[kind].entries()].sort((a, b) => b[1] - a[1]);
    if (!names.length) continue;
    const total = names.reduce((sum, [, n]) => sum + n, 0);
    const shown = names.slice(0, 8).map(([name]) => name);
    parts.push(
      `${total.toLocaleString('en')} ${labels[kind]} (${shown.join(', ')}${names.length > shown.length ? ', ...' : ''})`,
    );
  }
  return parts.join('; ');
}

/** The `$expand` that makes a GET of the set carry every link as an ID: `Phase($select=ID),...`. */
export function linksExpand(set: EntityType): string {
  return [...set.references.keys()].map((name) => `${name}($select=ID)`).join(',');
}
