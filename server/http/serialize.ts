// Rows to OData JSON: properties in model order, ETags, expanded records and their counts.
import type { SqlDialect } from '../db/dialect.ts';
import { qualifiedName } from '../model/csdl-names.ts';
import { model, type Property } from '../model/model.ts';
import type { ReadPlan } from '../plan/plan-read.ts';
import { countKey, type ExpandedRow, expandedKey, type Row } from '../sql/select-rows.ts';

export const etagOf = (row: Pick<Row, '_Version'>) => `W/"${row._Version}"`;

export interface SerializeContext {
  dialect: SqlDialect;
  /** absolute URL of the service root, e.g. http://127.0.0.1:8080/v1/odata */
  serviceRoot: string;
}

export type Json = Record<string, unknown>;

export function serializeEntity(row: ExpandedRow, plan: ReadPlan, ctx: SerializeContext): Json {
  const out: Json = {};
  if (row._Type !== plan.type.name) out['@odata.type'] = `#${qualifiedName(row._Type)}`;
  out['@odata.etag'] = etagOf(row);
  const properties: Iterable<Property> = plan.allProperties
    ? (model.get(row._Type) ?? plan.type).properties.values()
    : plan.select;
  for (const property of properties) {
    out[property.name] = ctx.dialect.fromDatabase(property.type, row[property.column]);
  }
  for (const expand of plan.expand) {
    const name = expand.navigation.name;
    const value = row[expandedKey]?.[name];
    const count = row[countKey]?.[name];
    if (count !== undefined) out[`${name}@odata.count`] = count;
    const one = (related: ExpandedRow) =>
      expand.ref ? { '@odata.id': entityUrl(ctx, related) } : serializeEntity(related, expand.read, ctx);
    if (Array.isArray(value)) out[name] = value.map(one);
    else out[name] = value ? one(value) : null;
  }
  return out;
}

export const entityUrl = (ctx: Pick<SerializeContext, 'serviceRoot'>, row: Pick<Row, '_Type' | 'ID'>) =>
  `${ctx.serviceRoot}/${model.get(row._Type)!.setName}(${row.ID})`;
