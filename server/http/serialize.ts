// Rows to OData JSON: properties in model order, ETags, expanded records and their counts.
import type { SqlDialect } from '../db/dialect.ts';
import { versionColumn } from '../db/schema.ts';
import { qualifiedName } from '../model/csdl-names.ts';
import { model, type Property } from '../model/model.ts';
import type { ReadPlan } from '../plan/plan-read.ts';
import { field, idOf, type ResultRow, typeOf } from '../sql/select-rows.ts';

export const etagOf = (row: ResultRow) => `W/"${field(row, versionColumn)}"`;

export interface SerializeContext {
  dialect: SqlDialect;
  /** absolute URL of the service root, e.g. http://127.0.0.1:8080/v1/odata */
  serviceRoot: string;
}

export type Json = Record<string, unknown>;

export function serializeEntity(row: ResultRow, plan: ReadPlan, ctx: SerializeContext): Json {
  const out: Json = {};
  const type = typeOf(row);
  if (type !== plan.type.name) out['@odata.type'] = `#${qualifiedName(type)}`;
  out['@odata.etag'] = etagOf(row);
  const properties: Iterable<Property> = plan.allProperties
    ? (model.get(type) ?? plan.type).properties.values()
    : plan.select;
  const { values, index } = row;
  for (const property of properties) {
    out[property.name] = ctx.dialect.fromDatabase(property.type, values[index.get(property.column)!]);
  }
  for (const expand of plan.expand) {
    const name = expand.navigation.name;
    const value = row.expanded?.[name];
    const count = row.counts?.[name];
    if (count !== undefined) out[`${name}@odata.count`] = count;
    const one = (related: ResultRow) =>
      expand.ref
        ? { '@odata.id': entityUrl(ctx, typeOf(related), idOf(related)) }
        : serializeEntity(related, expand.read, ctx);
    if (Array.isArray(value)) out[name] = value.map(one);
    else out[name] = value ? one(value) : null;
  }
  return out;
}

export const entityUrl = (ctx: Pick<SerializeContext, 'serviceRoot'>, typeName: string, id: string) =>
  `${ctx.serviceRoot}/${model.get(typeName)!.setName}(${id})`;
