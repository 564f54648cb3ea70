// The entity model resolved for use: inheritance flattened, entity sets named, SQL columns
// assigned. Every other part of the service (schema, $metadata, validation, query planning)
// reads the model through these structures.
import type { CollectionDef, EntityTypeDef, PropertyDef, ReferenceDef } from './define.ts';
import { entityTypes } from './entities.ts';

export interface Property extends PropertyDef {
  name: string;
  /** the SQL column; the same as the name */
  column: string;
  /** type that declares it */
  declaredBy: string;
}

export interface Reference extends ReferenceDef {
  name: string;
  /** the foreign-key column holding the target's ID */
  column: string;
  declaredBy: string;
}

export interface Collection extends CollectionDef {
  name: string;
  declaredBy: string;
}

export type Navigation = Reference | Collection;

export interface EntityType {
  /** qualified name, e.g. 'Activity.SalesOpportunity'; also the value of `_Type` */
  name: string;
  /** entity set, e.g. 'Activity_SalesOpportunity' */
  setName: string;
  base?: EntityType;
  abstract: boolean;
  description?: string;
  /** the root of the hierarchy owns the table */
  table: string;
  displayName: readonly string[];
  /** own and inherited properties, by name */
  properties: Map<string, Property>;
  references: Map<string, Reference>;
  collections: Map<string, Collection>;
  /** this type and every type derived from it, the values of `_Type` in its entity set */
  typeNames: string[];
  /** the concrete types of the set; a create picks the set's own type, which must be concrete */
  derived: EntityType[];
}

export const setNameOf = (typeName: string) => typeName.replaceAll('.', '_');

function resolve(defs: Record<string, EntityTypeDef>): Map<string, EntityType> {
  const types = new Map<string, EntityType>();
  const build = (name: string): EntityType => {
    const existing = types.get(name);
    if (existing) return existing;
    const def = defs[name];
    if (!def) throw new Error(`Model error: unknown entity type ${name}`);
    const base = def.base ? build(def.base) : undefined;
    const table = base?.table ?? def.table;
    if (!table) throw new Error(`Model error: root type ${name} needs a table`);
    const properties = new Map(base?.properties);
    for (const [propName, prop] of Object.entries(def.properties)) {
      properties.set(propName, { ...prop, name: propName, column: propName, declaredBy: name });
    }
    const references = new Map(base?.references);
    const collections = new Map(base?.collections);
    for (const [navName, nav] of Object.entries(def.navigations ?? {})) {
      if (nav.kind === 'reference') {
        references.set(navName, { ...nav, name: navName, column: `${navName}ID`, declaredBy: name });
      } else {
        collections.set(navName, { ...nav, name: navName, declaredBy: name });
      }
    }
    const type: EntityType = {
      name,
      setName: setNameOf(name),
      base,
      abstract: def.abstract ?? false,
      description: def.description,
      table,
      displayName: def.displayName ?? base?.displayName ?? ['ID'],
      properties,
      references,
      collections,
      typeNames: [],
      derived: [],
    };
    types.set(name, type);
    return type;
  };
  for (const name of Object.keys(defs)) build(name);
  for (const type of types.values()) {
    for (let t: EntityType | undefined = type; t; t = t.base) {
      t.typeNames.push(type.name);
      if (!type.abstract) t.derived.push(type);
    }
  }
  for (const type of types.values()) {
    for (const nav of [...type.references.values(), ...type.collections.values()]) {
      if (!types.has(nav.target))
        throw new Error(`Model error: ${type.name}.${nav.name} targets unknown ${nav.target}`);
    }
    for (const col of type.collections.values()) {
      const inverse = types.get(col.target)!.references.get(col.inverse);
      if (!inverse) throw new Error(`Model error: ${type.name}.${col.name} has no inverse ${col.inverse}`);
    }
  }
  return types;
}

export const model = resolve(entityTypes);

export const entitySets = new Map([...model.values()].map((type) => [type.setName, type]));

/** Root types, one table each. */
export const tables = [...model.values()].filter((type) => !type.base);

/** Every column of a table: the properties and foreign keys of all types stored in it. */
export function tableColumns(root: EntityType) {
  const properties = new Map<string, Property>();
  const references = new Map<string, Reference>();
  for (const typeName of root.typeNames) {
    const type = model.get(typeName)!;
    for (const p of type.properties.values()) properties.set(p.name, p);
    for (const r of type.references.values()) references.set(r.name, r);
  }
  return { properties: [...properties.values()], references: [...references.values()] };
}

/** The references anywhere in the model that point to (a base of) the given type. */
export function referencesTo(type: EntityType) {
  const found: { owner: EntityType; reference: Reference }[] = [];
  const targets = new Set<string>();
  for (let t: EntityType | undefined = type; t; t = t.base) targets.add(t.name);
  for (const owner of model.values()) {
    for (const reference of owner.references.values()) {
      if (reference.declaredBy === owner.name && targets.has(reference.target))
        found.push({ owner, reference });
    }
  }
  return found;
}

/** The type whose table holds this type's records. */
export const rootOf = (type: EntityType): EntityType => (type.base ? rootOf(type.base) : type);

/** Root types ordered so that every table comes after the tables it links to (self-links aside). */
export function tablesInDependencyOrder(): EntityType[] {
  const ordered: EntityType[] = [];
  const placed = new Set<string>();
  const visit = (root: EntityType, path: Set<string>) => {
    if (placed.has(root.table)) return;
    if (path.has(root.table)) throw new Error(`Model error: tables link in a circle through ${root.table}`);
    path.add(root.table);
    for (const reference of tableColumns(root).references) {
      const target = model.get(reference.target)!;
      if (target.table !== root.table) visit(tables.find((t) => t.table === target.table)!, path);
    }
    path.delete(root.table);
    placed.add(root.table);
    ordered.push(root);
  };
  for (const root of tables) visit(root, new Set());
  return ordered;
}

/**
 * Entity sets that together hold every record, in an order where links find their targets:
 * per table, the outermost concrete types (a competitor is among the organisations).
 */
export function setsInDependencyOrder(): string[] {
  return tablesInDependencyOrder().flatMap((root) =>
    root.typeNames
      .map((name) => model.get(name)!)
      .filter((type) => !type.abstract && (!type.base || type.base.abstract))
      .map((type) => type.setName),
  );
}
