// What an import reads and an export writes for an entity set: the fields a client may write
// (plus ID and ImportId) and the single-valued links, named as in $metadata. Everything the
// server computes (Number, WeightedAmount, totals, _Name, CreationDate, ...) is left out: an
// import recomputes it exactly as a POST does.
import { qualifiedName, typeNameFromCsdl } from '../model/csdl-names.ts';
import { type EntityType, entitySets, model, type Property, type Reference } from '../model/model.ts';

export type TransferFormat = 'ndjson' | 'csv';

export interface TransferFields {
  properties: Property[];
  references: Reference[];
}

const byType = new Map<string, TransferFields>();

/** The writable fields of one concrete type: ID and ImportId first, then the others in model order. */
export function transferFields(type: EntityType): TransferFields {
  let found = byType.get(type.name);
  if (!found) {
    const writable = [...type.properties.values()].filter((p) => !p.readOnly);
    const first = ['ID', 'ImportId'];
    found = {
      properties: [
        ...first.map((name) => type.properties.get(name)).filter((p): p is Property => p !== undefined),
        ...writable.filter((p) => !first.includes(p.name)),
      ],
      references: [...type.references.values()],
    };
    byType.set(type.name, found);
  }
  return found;
}

/** The fields of every type an entity set holds (a set includes its derived types): the CSV columns. */
export function setFields(set: EntityType): TransferFields {
  const properties = new Map<string, Property>();
  const references = new Map<string, Reference>();
  for (const type of [set, ...set.derived]) {
    const fields = transferFields(type);
    for (const p of fields.properties) if (!properties.has(p.name)) properties.set(p.name, p);
    for (const r of fields.references) if (!references.has(r.name)) references.set(r.name, r);
  }
  return { properties: [...properties.values()], references: [...references.values()] };
}

/** Whether records of the set can be of more than one type, so that each must say which. */
export const setHoldsSeveralTypes = (set: EntityType) => set.abstract || set.derived.length > 1;

/** The `@odata.type` of a record, as $metadata and the API's responses name it. */
export const odataTypeOf = (type: EntityType) => `#${qualifiedName(type.name)}`;

/** The concrete type a record names in `@odata.type` (or `_Type`), or the set's own type. */
export function recordType(set: EntityType, named: unknown): EntityType | undefined {
  if (typeof named !== 'string' || named === '') return set.abstract ? undefined : set;
  const name = typeNameFromCsdl(named, (n) => model.has(n));
  return name && set.typeNames.includes(name) ? model.get(name) : undefined;
}

export class UnknownSetError extends Error {
  constructor(name: string) {
    const sets = [...entitySets.keys()].sort();
    const close = sets.find((s) => s.toLowerCase() === name.toLowerCase());
    super(
      `Unknown entity set '${name}'.${close ? ` Did you mean ${close}?` : ''} The entity sets are: ${sets.join(', ')}`,
    );
    this.name = 'UnknownSetError';
  }
}

/** The entity set of that name, as in $metadata (e.g. Activity_SalesOpportunity). */
export function entitySetNamed(name: string): EntityType {
  const set = entitySets.get(name);
  if (!set) throw new UnknownSetError(name);
  return set;
}
