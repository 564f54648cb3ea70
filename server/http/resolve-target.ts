// Walks a parsed resource path through the model (and, for single-valued navigations, the
// data) to the thing the request addresses. A record the reader may not see (access/policy.ts)
// is not there: 404, and a link to it reads as no link.
import { type SqlBool, sql } from 'kysely';
import { canSee, type ReadScope } from '../access/policy.ts';
import type { Store } from '../db/database.ts';
import {
  type Collection,
  type EntityType,
  entitySets,
  model,
  type Property,
  type Reference,
} from '../model/model.ts';
import { badRequest, NotImplementedError, ODataError } from '../query/errors.ts';
import type { ResourcePath } from './resource-path.ts';

/** The collection a navigation leads to: the target's rows whose inverse reference points at the owner. */
export interface ParentLink {
  ownerType: EntityType;
  ownerId: string;
  navigation: Collection;
  /** column of the target that holds the owner's ID */
  column: string;
}

/** The single-valued navigation an entity was reached through: `$ref` writes change it. */
export interface ReferenceLink {
  ownerType: EntityType;
  ownerId: string;
  reference: Reference;
}

export type Target =
  | { kind: 'collection'; type: EntityType; parent?: ParentLink }
  | { kind: 'entity'; type: EntityType; id: string; parent?: ParentLink; link?: ReferenceLink }
  | { kind: 'unlinked'; type: EntityType; link: ReferenceLink }
  | { kind: 'property'; type: EntityType; id: string; property: Property };

const notFound = (message: string) => new ODataError(404, 'NotFound', message);

export async function resolveTarget(store: Store, path: ResourcePath, access?: ReadScope): Promise<Target> {
  const [first, ...rest] = path.segments;
  const set = entitySets.get(first.name);
  if (!set) {
    if (first.name.startsWith('$')) throw new NotImplementedError(`${first.name} is not supported`, 'path');
    throw notFound(`No entity set named '${first.name}'. $metadata lists them`);
  }
  let target: Target = first.key
    ? { kind: 'entity', type: set, id: first.key }
    : { kind: 'collection', type: set };
  for (const segment of rest) {
    if (target.kind === 'collection') {
      throw badRequest(
        `'${segment.name}' cannot follow a collection; address one record by its key first`,
        'path',
      );
    }
    if (target.kind === 'property')
      throw badRequest(`'${segment.name}' cannot follow the property ${target.property.name}`, 'path');
    if (target.kind === 'unlinked')
      throw notFound(`${target.link.reference.name} is not linked, so it has no '${segment.name}'`);
    const owner: Extract<Target, { kind: 'entity' }> = target;
    await ensureExists(store, owner, access);
    const property = owner.type.properties.get(segment.name);
    const reference = owner.type.references.get(segment.name);
    const collection = owner.type.collections.get(segment.name);
    if (property) {
      if (segment.key) throw badRequest(`The property ${property.name} takes no key`, 'path');
      target = { kind: 'property', type: owner.type, id: owner.id, property };
    } else if (reference) {
      if (segment.key) throw badRequest(`${reference.name} is a single record and takes no key`, 'path');
      const row = await store.db
        .selectFrom(owner.type.table)
        .select(sql.ref(reference.column).as('fk'))
        .where('ID', '=', owner.id)
        .executeTakeFirst();
      const targetType = model.get(reference.target)!;
      const link = { ownerType: owner.type, ownerId: owner.id, reference };
      let fk = (row as { fk?: string | null } | undefined)?.fk;
      if (fk && !access?.follows(reference) && !(await canSee(store, access, targetType, fk))) fk = null;
      target = fk
        ? { kind: 'entity', type: targetType, id: fk, link }
        : { kind: 'unlinked', type: targetType, link };
    } else if (collection) {
      const targetType = model.get(collection.target)!;
      const parent: ParentLink = {
        ownerType: owner.type,
        ownerId: owner.id,
        navigation: collection,
        column: targetType.references.get(collection.inverse)!.column,
      };
      target = segment.key
        ? { kind: 'entity', type: targetType, id: segment.key, parent }
        : { kind: 'collection', type: targetType, parent };
    } else if (segment.name.includes('.')) {
      throw new NotImplementedError(`Type-cast segments such as '${segment.name}' are not supported`, 'path');
    } else {
      throw notFound(`${owner.type.name} has no property or navigation '${segment.name}'`);
    }
  }
  return target;
}

/** 404 unless the entity exists in its set (and under its parent, when reached through one) and the reader may see it. */
export async function ensureExists(
  store: Store,
  target: Extract<Target, { kind: 'entity' }>,
  access?: ReadScope,
) {
  let query = store.db
    .selectFrom(`${target.type.table} as t0`)
    .select('t0.ID')
    .where('t0.ID', '=', target.id)
    .where('t0._Type', 'in', target.type.typeNames);
  if (target.parent) query = query.where(`t0.${target.parent.column}`, '=', target.parent.ownerId);
  const visible = access?.rows(target.type.table, 't0', 'test');
  if (visible) query = query.where(sql<SqlBool>`${visible}`);
  const row = await query.executeTakeFirst();
  if (!row) {
    const where = target.parent
      ? ` among the ${target.parent.navigation.name} of ${target.parent.ownerId}`
      : '';
    throw notFound(`No ${target.type.setName} with ID ${target.id}${where}`);
  }
}
