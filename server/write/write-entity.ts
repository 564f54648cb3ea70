// Creates, updates and deletes records. Callers run these inside one transaction per request,
// so a refused write changes nothing. Given an access policy (requests of the API), each write
// asks it first; without one (imports, demo data, the people command) the operator writes all.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { type AccessPolicy, dealColumnOf } from '../access/policy.ts';
import type { Store } from '../db/database.ts';
import { versionColumn } from '../db/schema.ts';
import { actorOf, appendChange, changesOf, writeAs } from '../journal/journal.ts';
import { typeNameFromCsdl } from '../model/csdl-names.ts';
import { type EntityType, model, referencesTo } from '../model/model.ts';
import { type ErrorDetail, ODataError } from '../query/errors.ts';
import { afterWrite, applyRules, type Change, recomputeActivityTotals } from './business-rules.ts';
import { type DbRecord, forgetRecords, loadRecord, toDatabaseRow, typeInSet } from './records.ts';
import { guidPattern, type ValidatedBody, validateBody } from './validate-body.ts';

/**
 * Values the server maintains that a migration carries over from another service (import and
 * sync): the record keeps its creation and change times and its number. The journal still
 * records the write at the time it happens here.
 */
export interface KeptValues {
  CreationDate?: string;
  LastMutationDate?: string;
  Number?: string;
}

export interface WriteResult {
  id: string;
  type: EntityType;
  created: boolean;
}

const notFound = (set: EntityType, id: string) =>
  new ODataError(404, 'NotFound', `No ${set.setName} with ID ${id}`, set.setName);

export const preconditionFailed = () =>
  new ODataError(
    412,
    'PreconditionFailed',
    'The record was changed by someone else since you read it (If-Match does not match its ETag): read it again and reapply your change',
  );

/** True when an If-Match header allows writing a record whose version is `version`. */
export function ifMatchAllows(ifMatch: string | undefined, version: number) {
  if (ifMatch === undefined) return true;
  return ifMatch
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag.replace(/^W\//, '') === `"${version}"`);
}

/** Picks the concrete type a create in `set` makes, from `@odata.type` or `_Type` when the set is a base set. */
function concreteTypeFor(set: EntityType, body: unknown): EntityType {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const named = b['@odata.type'] ?? b._Type;
  if (typeof named === 'string') {
    const name = typeNameFromCsdl(named, (n) => model.has(n));
    const type = name ? model.get(name) : undefined;
    if (!type || !name || !set.typeNames.includes(name)) {
      throw new ODataError(
        400,
        'InvalidType',
        `${named} is not a type of the entity set ${set.setName}`,
        '@odata.type',
      );
    }
    if (!type.abstract) return type;
  }
  if (!set.abstract) return set;
  const concrete = set.derived.map((t) => t.setName).join(', ');
  throw new ODataError(
    400,
    'AbstractType',
    `${set.name} records are created through a concrete type: post to ${concrete}, or name the type in "@odata.type"`,
    '@odata.type',
  );
}

export async function createEntity(
  store: Store,
  set: EntityType,
  body: unknown,
  now: string,
  access?: AccessPolicy,
  kept?: KeptValues,
): Promise<WriteResult> {
  const type = concreteTypeFor(set, body);
  // An ID or ImportId that exists makes the create an update: clients retry creates safely.
  const { id, importId } = keysOf(body);
  const existingId =
    id ??
    (importId
      ? (
          (await store.db
            .selectFrom(type.table)
            .select('ID')
            .where('ImportId', '=', importId)
            .executeTakeFirst()) as { ID: string } | undefined
        )?.ID
      : undefined);
  if (existingId) {
    const existing = await loadRecord(store, type, existingId, true);
    // a record the reader may not see is not there for them: the insert below then conflicts
    if (existing && (!access || (await access.canSee(store, type, existingId)))) {
      const existingType = typeInSet(set, existing);
      if (!existingType) {
        throw new ODataError(
          409,
          'Conflict',
          `ID ${existingId} belongs to a ${existing._Type}, not to ${set.setName}`,
          'ID',
        );
      }
      await access?.mayChange(store, existingType, existing);
      return save(
        store,
        existingType,
        existing,
        validateBody(existingType, body, 'update'),
        now,
        access,
        kept,
      );
    }
  }
  await access?.mayChange(store, type);
  const checked = validateBody(type, body, 'create');
  return save(store, type, undefined, { ...checked, id: existingId ?? checked.id }, now, access, kept);
}

/** The keys a create may name an existing record by; their validation comes with the rest of the body. */
function keysOf(body: unknown): { id?: string; importId?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const { ID, ImportId } = body as Record<string, unknown>;
  return {
    id: typeof ID === 'string' && guidPattern.test(ID) ? ID.toLowerCase() : undefined,
    importId: typeof ImportId === 'string' && ImportId !== '' ? ImportId : undefined,
  };
}

export async function updateEntity(
  store: Store,
  set: EntityType,
  id: string,
  body: unknown,
  ifMatch: string | undefined,
  now: string,
  access?: AccessPolicy,
): Promise<WriteResult> {
  const existing = await loadRecord(store, set, id, true);
  const type = typeInSet(set, existing);
  if (!existing || !type || (access && !(await access.canSee(store, type, id)))) throw notFound(set, id);
  await access?.mayChange(store, type, existing);
  if (!ifMatchAllows(ifMatch, existing[versionColumn] as number)) throw preconditionFailed();
  const input = validateBody(type, body, 'update');
  if (input.id && input.id !== id) {
    throw new ODataError(400, 'KeyMismatch', `The body's ID ${input.id} differs from the URL's ${id}`, 'ID');
  }
  return save(store, type, existing, input, now, access);
}

async function save(
  store: Store,
  type: EntityType,
  before: DbRecord | undefined,
  input: ValidatedBody,
  now: string,
  access?: AccessPolicy,
  kept?: KeptValues,
): Promise<WriteResult> {
  if (!before) access?.assignNew(type, input.links);
  if (access) writeAs(store, { id: access.principal.id, name: access.principal.name });
  const record: DbRecord = before ? { ...before } : newRecord(type, input.id ?? randomUUID(), now);
  const written = new Set<string>();
  for (const [name, value] of input.values) {
    record[name] = value;
    written.add(name);
  }
  for (const [name, targetId] of input.links) {
    const reference = type.references.get(name)!;
    record[reference.column] = targetId;
    written.add(reference.column);
  }
  await checkLinks(store, type, input, access);
  // with the links in place: the deal's new owner, or the deal a part now belongs to
  await access?.mayWrite(store, type, before, record);
  if (!before) {
    for (const property of type.properties.values()) {
      if (record[property.name] === undefined) record[property.name] = property.default ?? null;
    }
    if (record.SortIndex === null) record.SortIndex = await nextSortIndex(store, type);
  }
  record.LastMutationDate = kept?.LastMutationDate ?? now;
  if (kept?.CreationDate) record.CreationDate = kept.CreationDate;
  // a kept Number is taken as it is (activityRules keeps later numbers clear of it)
  if (kept?.Number && type.properties.has('Number')) record.Number = kept.Number;
  const change: Change = { type, record, before, written, now };
  await applyRules(store, change);
  if (before) {
    const version = before[versionColumn] as number;
    const { [versionColumn]: _version, ID: _id, ...changes } = toDatabaseRow(store, type, record);
    const result = await store.db
      .updateTable(type.table)
      .set({ ...changes, [versionColumn]: version + 1 })
      .where('ID', '=', record.ID as string)
      .where(versionColumn, '=', version)
      .executeTakeFirst();
    // another writer got in between our read and our write
    if (Number(result.numUpdatedRows) !== 1) throw preconditionFailed();
  } else {
    await store.db
      .insertInto(type.table)
      .values(toDatabaseRow(store, type, record))
      .execute();
  }
  forgetRecords(store, type.table, record.ID as string);
  await appendChange(store, {
    actor: actorOf(store),
    type,
    id: record.ID as string,
    kind: before ? 'updated' : 'created',
    changes: changesOf(type, before, record),
    at: now,
  });
  await afterWrite(store, change);
  return { id: record.ID as string, type, created: !before };
}

function newRecord(type: EntityType, id: string, now: string): DbRecord {
  return { ID: id, _Type: type.name, CreationDate: now, LastMutationDate: now, [versionColumn]: 1 };
}

async function nextSortIndex(store: Store, type: EntityType) {
  const row = await store.db
    .selectFrom(type.table)
    .select(sql<number | null>`MAX(${sql.ref('SortIndex')})`.as('max'))
    .executeTakeFirst();
  return Math.floor(Number(row?.max ?? 0)) + 1;
}

/** Every link must point at an existing record of the navigation's target type, one the writer may see. */
async function checkLinks(store: Store, type: EntityType, input: ValidatedBody, access?: AccessPolicy) {
  const problems: ErrorDetail[] = [];
  for (const [name, targetId] of input.links) {
    if (targetId === null) continue;
    const reference = type.references.get(name)!;
    const target = model.get(reference.target)!;
    const row = await loadRecord(store, target, targetId);
    if (
      !row ||
      !target.typeNames.includes(row._Type as string) ||
      (access && !(await access.canSee(store, target, targetId)))
    ) {
      const message = `${name}: no ${target.setName} with ID ${targetId}`;
      problems.push({ code: 'LinkNotFound', target: name, message });
    }
  }
  if (problems.length) {
    throw new ODataError(
      400,
      'LinkNotFound',
      problems.map((p) => p.message).join('; '),
      problems[0].target,
      problems,
    );
  }
}

export async function deleteEntity(
  store: Store,
  set: EntityType,
  id: string,
  ifMatch: string | undefined,
  now: string,
  access?: AccessPolicy,
) {
  const existing = await loadRecord(store, set, id, true);
  const type = typeInSet(set, existing);
  if (!existing || !type || (access && !(await access.canSee(store, type, id)))) throw notFound(set, id);
  await access?.mayChange(store, type, existing);
  if (!ifMatchAllows(ifMatch, existing[versionColumn] as number)) throw preconditionFailed();
  await refuseWhileLinked(store, type, id, access);
  if (access) writeAs(store, { id: access.principal.id, name: access.principal.name });
  await journalDeletion(store, type, existing, now);
  const isProductLine = model.get('ProductLine')!.typeNames.includes(type.name);
  // as for writes of lines: one transaction at a time per activity, so that its totals add up
  if (isProductLine && typeof existing.ActivityID === 'string') {
    await loadRecord(store, model.get('Activity')!, existing.ActivityID, true);
  }
  await store.db.deleteFrom(type.table).where('ID', '=', id).execute();
  // the foreign keys may have deleted or unlinked others too
  for (const { owner } of referencesTo(type)) forgetRecords(store, owner.table);
  forgetRecords(store, type.table);
  // cascades and SET NULL are done by the foreign keys; an activity's totals follow its product lines
  if (isProductLine) {
    await recomputeActivityTotals(store, existing.ActivityID, now);
  }
}

/**
 * 409 when records still link to this one through a reference that must not dangle; 403 when
 * the delete would take parts of a deal the writer may not change with it.
 */
async function refuseWhileLinked(
  store: Store,
  type: EntityType,
  id: string,
  access?: AccessPolicy,
  seen = new Set<string>(),
) {
  if (seen.has(id)) return;
  seen.add(id);
  for (const { owner, reference } of referencesTo(type)) {
    const onDelete = reference.onDelete ?? 'restrict';
    if (onDelete === 'null') continue;
    const dealColumn = dealColumnOf(owner.table);
    const linked = (await store.db
      .selectFrom(owner.table)
      .select(['ID', '_Type', ...(dealColumn ? [dealColumn] : [])])
      .where(reference.column, '=', id)
      .where('_Type', 'in', owner.typeNames)
      .limit(onDelete === 'restrict' ? 1 : 10_000)
      .execute()) as ({ ID: string; _Type: string } & Record<string, string | null>)[];
    if (linked.length === 0) continue;
    if (onDelete === 'restrict') {
      // a reader who may not see every record is not told how many there are
      const count = access?.read
        ? undefined
        : await store.db
            .selectFrom(owner.table)
            .select(sql<number>`COUNT(*)`.as('n'))
            .where(reference.column, '=', id)
            .executeTakeFirstOrThrow();
      throw new ODataError(
        409,
        'StillLinked',
        `Cannot delete this ${type.name}: ${count ? `${count.n} ` : ''}${owner.setName} record(s) link to it through ${reference.name}; relink or delete them first`,
        reference.name,
      );
    }
    if (access && dealColumn) {
      const deals = linked.map((row) => row[dealColumn]).filter((d): d is string => typeof d === 'string');
      await access.mayCascade(store, type, owner, deals);
    }
    for (const row of linked) await refuseWhileLinked(store, model.get(row._Type)!, row.ID, access, seen);
  }
}

/**
 * Journals a delete before it happens: the record, and what its foreign keys will do to the
 * records linking to it (deleted with it, or unlinked), each with its values as they were.
 */
async function journalDeletion(store: Store, type: EntityType, record: DbRecord, now: string, depth = 0) {
  const actor = actorOf(store);
  for (const { owner, reference } of referencesTo(type)) {
    if (reference.onDelete !== 'cascade' && reference.onDelete !== 'null') continue;
    const linked = (await store.db
      .selectFrom(owner.table)
      .select('ID')
      .where(reference.column, '=', record.ID as string)
      .execute()) as { ID: string }[];
    for (const { ID } of linked) {
      const row = await loadRecord(store, owner, ID);
      const rowType = row && model.get(row._Type as string);
      if (!row || !rowType || ID === record.ID) continue;
      if (reference.onDelete === 'cascade') {
        // a cascade deep enough to loop would be a model error; the model's are one level
        if (depth < 4) await journalDeletion(store, rowType, row, now, depth + 1);
      } else {
        const changes = { [reference.name]: [record.ID, null] as [unknown, unknown] };
        await appendChange(store, { actor, type: rowType, id: ID, kind: 'updated', changes, at: now });
      }
    }
  }
  await appendChange(store, {
    actor,
    type,
    id: record.ID as string,
    kind: 'deleted',
    changes: changesOf(type, record, undefined),
    at: now,
  });
}
