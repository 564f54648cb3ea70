// The vocabulary the entity model is written in. The model itself (entities.ts) is plain data,
// so the same definition can drive the SQL schema, $metadata, write validation and the
// TypeScript types the dashboard imports.

export type EdmType =
  | 'Edm.Guid'
  | 'Edm.String'
  | 'Edm.Double'
  | 'Edm.Int32'
  | 'Edm.Boolean'
  | 'Edm.Date'
  | 'Edm.DateTimeOffset';

export interface PropertyDef {
  readonly type: EdmType;
  /** defaults to true; false means a create must supply it (or the server does) */
  readonly nullable?: boolean;
  /** maintained by the server: clients may read and filter, never write */
  readonly readOnly?: boolean;
  /** required on create (nullable false and no server value) */
  readonly required?: boolean;
  readonly maxLength?: number;
  readonly min?: number;
  readonly max?: number;
  /** a regular expression the string must match, with a human description */
  readonly pattern?: { readonly regex: string; readonly description: string };
  /** the table gets an index on it (filters and sorting of the board and the seed's examples) */
  readonly indexed?: boolean;
  /** no two records of the table share a value */
  readonly unique?: boolean;
  /** value used on create when the client sends none */
  readonly default?: string | number | boolean;
  readonly description?: string;
}

export interface ReferenceDef {
  readonly kind: 'reference';
  /** qualified type name of the target, e.g. 'Datastore.Phase.ActivitySalesOpportunity' */
  readonly target: string;
  /** a create must link it */
  readonly required?: boolean;
  /** deleting the target: 'restrict' refuses while links exist (409), 'null' unlinks, 'cascade' deletes */
  readonly onDelete?: 'restrict' | 'null' | 'cascade';
  readonly description?: string;
}

export interface CollectionDef {
  readonly kind: 'collection';
  readonly target: string;
  /** the reference on the target that points back to this entity */
  readonly inverse: string;
  readonly description?: string;
}

export type NavigationDef = ReferenceDef | CollectionDef;

export interface EntityTypeDef {
  /** qualified name without the base, e.g. base 'Activity' for 'Activity.SalesOpportunity' */
  readonly base?: string;
  /** records are created only through a concrete subtype */
  readonly abstract?: boolean;
  /** SQL table, on root types only; subtypes share their root's table (one table per hierarchy) */
  readonly table?: string;
  readonly description?: string;
  /** how the server computes `_Name` from the record's own properties */
  readonly displayName?: readonly string[];
  readonly properties: Readonly<Record<string, PropertyDef>>;
  readonly navigations?: Readonly<Record<string, NavigationDef>>;
}

export const reference = <T extends string, O extends Omit<ReferenceDef, 'kind' | 'target'>>(
  target: T,
  options?: O,
) => ({ kind: 'reference' as const, target, ...(options as O) });

export const collection = <T extends string>(target: T, inverse: string, description?: string) => ({
  kind: 'collection' as const,
  target,
  inverse,
  description,
});
