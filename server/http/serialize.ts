// Rows to OData JSON text: properties in model order, ETags, expanded records and their counts.
//
// The text is written directly, not as objects handed to JSON.stringify: building an object per
// record and then serialising it cost three times what writing the text costs, more than the
// SQL of a page of 50. What can be worked out from the model is worked out once: each property's
// `,"Name":` and each type's property list. Values go through the dialect's fromDatabase and are
// encoded exactly as JSON.stringify encodes them, so the bytes are the same as
// JSON.stringify(the entity as an object).
import type { SqlDialect } from '../db/dialect.ts';
import { versionColumn } from '../db/schema.ts';
import { qualifiedName } from '../model/csdl-names.ts';
import { type EntityType, model, type Property } from '../model/model.ts';
import type { ReadPlan } from '../plan/plan-read.ts';
import { field, idOf, type ResultRow, typeOf } from '../sql/select-rows.ts';

export const etagOf = (row: ResultRow) => `W/"${field(row, versionColumn)}"`;

export interface SerializeContext {
  dialect: SqlDialect;
  /** absolute URL of the service root, e.g. http://127.0.0.1:8080/v1/odata */
  serviceRoot: string;
}

export type Json = Record<string, unknown>;

/** Characters JSON.stringify escapes in a string (any surrogate: it escapes lone ones). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const needsEscape = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A value as JSON.stringify writes it; undefined where JSON.stringify leaves the member out.
 * Strings, numbers, booleans and null, nearly every value, skip the call.
 */
export function jsonValue(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return needsEscape.test(value) ? JSON.stringify(value) : `"${value}"`;
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return value === null ? 'null' : JSON.stringify(value);
  }
}

/** `,"Name":`, once per property of the model */
interface Member {
  property: Property;
  prefix: string;
}

/** map.get(key), made and kept on first use */
function cached<K, V>(map: Map<K, V>, key: K, make: (key: K) => V): V {
  const found = map.get(key);
  if (found !== undefined) return found;
  const made = make(key);
  map.set(key, made);
  return made;
}

const members = new Map<Property, Member>();
const member = (property: Property) =>
  cached(members, property, () => ({ property, prefix: `,${JSON.stringify(property.name)}:` }));

/** Without $select a record shows every property of its own type: per type, once. */
const typeMembers = new Map<EntityType, Member[]>();
const allMembersOf = (type: EntityType) =>
  cached(typeMembers, type, () => [...type.properties.values()].map(member));

/**
 * Writes a plan's records as JSON objects: `{"@odata.etag":...,"ID":...,...}`. Made once per
 * response (and per expansion); the column positions of a property list are looked up once per
 * query result, not per value.
 */
export function entityWriter(plan: ReadPlan, ctx: SerializeContext): (row: ResultRow) => string {
  const { dialect } = ctx;
  const selected = plan.allProperties ? undefined : plan.select.map(member);
  const expansions = plan.expand.map((expand) => {
    const name = expand.navigation.name;
    const writeRelated = expand.ref
      ? (related: ResultRow) => `{"@odata.id":${jsonValue(entityUrl(ctx, typeOf(related), idOf(related)))}}`
      : entityWriter(expand.read, ctx);
    return {
      name,
      countPrefix: `,${JSON.stringify(`${name}@odata.count`)}:`,
      prefix: `,${JSON.stringify(name)}:`,
      writeRelated,
    };
  });
  // the rows of one query share their column index: positions are worked out once per index
  let positionsIndex: ResultRow['index'] | undefined;
  const positions = new Map<Member[], number[]>();
  const positionsOf = (list: Member[], index: ResultRow['index']) => {
    if (index !== positionsIndex) {
      positionsIndex = index;
      positions.clear();
    }
    return cached(positions, list, () => list.map((m) => index.get(m.property.column)!));
  };

  return (row) => {
    const type = typeOf(row);
    let out = type === plan.type.name ? '{' : `{"@odata.type":${jsonValue(`#${qualifiedName(type)}`)},`;
    out += `"@odata.etag":${jsonValue(etagOf(row))}`;
    const list = selected ?? allMembersOf(model.get(type) ?? plan.type);
    const at = positionsOf(list, row.index);
    const { values } = row;
    for (let i = 0; i < list.length; i++) {
      const { property, prefix } = list[i];
      const text = jsonValue(dialect.fromDatabase(property.type, values[at[i]]));
      if (text !== undefined) out += prefix + text;
    }
    for (const expansion of expansions) {
      const value = row.expanded?.[expansion.name];
      const count = row.counts?.[expansion.name];
      if (count !== undefined) out += expansion.countPrefix + jsonValue(count);
      out += expansion.prefix;
      if (Array.isArray(value)) out += `[${value.map(expansion.writeRelated).join(',')}]`;
      else out += value ? expansion.writeRelated(value) : 'null';
    }
    return `${out}}`;
  };
}

/**
 * A JSON object from members already written as JSON text, in order; a member whose text is
 * undefined is left out, as JSON.stringify leaves out undefined.
 */
export function jsonObject(members: [name: string, text: string | undefined][]): string {
  let out = '';
  for (const [name, text] of members) {
    if (text !== undefined) out += `${out ? ',' : ''}${JSON.stringify(name)}:${text}`;
  }
  return `{${out}}`;
}

export const entityUrl = (ctx: Pick<SerializeContext, 'serviceRoot'>, typeName: string, id: string) =>
  `${ctx.serviceRoot}/${model.get(typeName)!.setName}(${id})`;
