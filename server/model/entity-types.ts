// TypeScript types of the entities, derived from the model definition (no field list is
// written twice). The dashboard imports these: `import type { SalesOpportunity } from ...`.
import type { EdmType } from './define.ts';
import type { entityTypes } from './entities.ts';

type Defs = typeof entityTypes;
type TypeName = keyof Defs;

interface EdmToTs {
  'Edm.Guid': string;
  'Edm.String': string;
  'Edm.Double': number;
  'Edm.Int32': number;
  'Edm.Boolean': boolean;
  /** 'YYYY-MM-DD' */
  'Edm.Date': string;
  /** ISO 8601 with offset */
  'Edm.DateTimeOffset': string;
}

type PropertyValue<P> = P extends { type: infer T extends EdmType }
  ? P extends { nullable: false }
    ? EdmToTs[T]
    : EdmToTs[T] | null
  : never;

type OwnProperties<N extends TypeName> = {
  -readonly [K in keyof Defs[N]['properties']]: PropertyValue<Defs[N]['properties'][K]>;
};

type OwnNavigations<N extends TypeName> = Defs[N] extends { navigations: infer Navs }
  ? {
      -readonly [K in keyof Navs]?: Navs[K] extends { kind: 'reference'; target: infer T extends TypeName }
        ? Entity<T> | null
        : Navs[K] extends { kind: 'collection'; target: infer T extends TypeName }
          ? Entity<T>[]
          : never;
    }
  : unknown;

type BaseOf<N extends TypeName> = Defs[N] extends { base: infer B extends TypeName } ? Entity<B> : unknown;

/** An entity of the type `N` as the service returns it: properties, and navigations when expanded. */
export type Entity<N extends TypeName> = OwnProperties<N> &
  OwnNavigations<N> &
  BaseOf<N> & { '@odata.etag'?: string };

export type SalesOpportunity = Entity<'Activity.SalesOpportunity'>;
export type Phase = Entity<'Datastore.Phase.ActivitySalesOpportunity'>;
export type Pipeline = Entity<'Pipeline'>;
export type Organization = Entity<'Relationship.Organization'>;
export type Relationship = Entity<'Relationship'>;
export type Competitor = Entity<'Relationship.Organization.Competitor'>;
export type Contact = Entity<'Relation.Person.Contact'>;
export type Employee = Entity<'Relation.Person.Contact.Employee'>;
export type Source = Entity<'Datastore.Source'>;
export type LostReason = Entity<'Datastore.LostReason'>;
export type ProductLine = Entity<'ProductLine'>;
export type Product = Entity<'Product'>;
export type PriceList = Entity<'PriceList'>;

/** Entity set names, as in the URL. */
export const sets = {
  SalesOpportunity: 'Activity_SalesOpportunity',
  Phase: 'Datastore_Phase_ActivitySalesOpportunity',
  Pipeline: 'Pipeline',
  Relationship: 'Relationship',
  Organization: 'Relationship_Organization',
  Competitor: 'Relationship_Organization_Competitor',
  Contact: 'Relation_Person_Contact',
  Employee: 'Relation_Person_Contact_Employee',
  Source: 'Datastore_Source',
  LostReason: 'Datastore_LostReason',
  ProductLine: 'ProductLine',
  Product: 'Product',
  PriceList: 'PriceList',
} as const;
