// The entity model of the service: every type, field and relationship of the seed page
// (shared/seed/sales-opportunities-api.txt) and of the records they link to.
// Qualified type names are the hosted CRM's (`Activity.SalesOpportunity`); each type is
// served at the entity set named after it with '.' replaced by '_'.
import { collection, type EntityTypeDef, type PropertyDef, reference } from './define.ts';

const readOnlyDouble = (description: string) =>
  ({ type: 'Edm.Double', readOnly: true, description }) as const;
const indexed = <P extends PropertyDef>(property: P) => ({ ...property, indexed: true }) as const;
const percentage = (description: string) =>
  ({ type: 'Edm.Double', min: 0, max: 100, description }) as const satisfies PropertyDef;
const text = (maxLength: number, description: string) =>
  ({ type: 'Edm.String', maxLength, description }) as const satisfies PropertyDef;
const requiredText = (maxLength: number, description: string) =>
  ({
    type: 'Edm.String',
    maxLength,
    required: true,
    nullable: false,
    description,
  }) as const satisfies PropertyDef;

/** The seed's "Standard Fields (all entities)". */
const standard = {
  ID: { type: 'Edm.Guid', nullable: false, description: 'Primary key (UUID)' },
  _Type: {
    type: 'Edm.String',
    nullable: false,
    readOnly: true,
    description: 'Entity type discriminator (e.g., Activity.SalesOpportunity)',
  },
  _Name: { type: 'Edm.String', readOnly: true, description: 'Computed display name' },
  SortIndex: { type: 'Edm.Double', description: 'Sorting order' },
  CreationDate: {
    type: 'Edm.DateTimeOffset',
    nullable: false,
    readOnly: true,
    description: 'Date the record was created',
  },
  LastMutationDate: {
    type: 'Edm.DateTimeOffset',
    nullable: false,
    readOnly: true,
    description: 'Date of the last modification',
  },
  IsActive: {
    type: 'Edm.Boolean',
    nullable: false,
    default: true,
    description: 'Whether the record is active',
  },
  IsClosed: {
    type: 'Edm.Boolean',
    nullable: false,
    default: false,
    description: 'Whether the record is closed',
  },
  ImportId: {
    ...text(100, ''),
    unique: true,
    description: 'Client key for idempotent creates: a create with a known ImportId updates that record',
  },
} as const satisfies Record<string, PropertyDef>;

const currencyCode = {
  type: 'Edm.String',
  maxLength: 3,
  pattern: { regex: '^[A-Z]{3}$', description: 'a three-letter ISO 4217 code such as EUR' },
} as const satisfies PropertyDef;

export const entityTypes = {
  Activity: {
    abstract: true,
    table: 'activity',
    description: 'Anything done for a relation; sales opportunities are activities',
    displayName: ['Subject'],
    properties: {
      ...standard,
      // the board sorts by SortIndex; the seed filters on CreationDate and IsClosed
      SortIndex: indexed(standard.SortIndex),
      CreationDate: indexed(standard.CreationDate),
      IsClosed: indexed(standard.IsClosed),
      Subject: requiredText(255, 'Activity subject / title'),
      Number: {
        type: 'Edm.String',
        readOnly: true,
        unique: true,
        description: 'Auto-generated activity number (e.g., 2026-00001)',
      },
      Amount: indexed(readOnlyDouble('Activity amount')),
      Currency: {
        ...currencyCode,
        nullable: false,
        default: 'EUR',
        description: 'Currency code (e.g., EUR)',
      },
      IsVatIncluded: {
        type: 'Edm.Boolean',
        nullable: false,
        default: false,
        description: 'Whether prices include VAT',
      },
      DiscountPercentage: percentage('Discount percentage'),
      RelationDescription: {
        type: 'Edm.String',
        readOnly: true,
        description: 'Description of the linked relation',
      },
      NumberOfProductLines: readOnlyDouble('Number of product lines'),
      NumberOfOpenTasks: readOnlyDouble('Number of open tasks linked to this activity'),
      NumberOfPlannedActions: readOnlyDouble('Number of planned actions'),
      BillingAmount: readOnlyDouble('Amount to be invoiced'),
      BillingAmountInCurrency: readOnlyDouble('Amount to be invoiced (in currency)'),
      AmountInCurrency: readOnlyDouble('Amount (in currency)'),
      TotalSalesExcludingVAT: readOnlyDouble('Subtotal excluding VAT'),
      TotalSalesIncludingVAT: readOnlyDouble('Total including VAT'),
      VatAmount: readOnlyDouble('VAT amount'),
      TotalDiscountExcludingVAT: readOnlyDouble('Total discount amount'),
      TotalMargin: readOnlyDouble('Total profit margin'),
      TotalPurchaseAmount: readOnlyDouble('Total purchase/cost amount'),
    },
    navigations: {
      Relationship: reference('Relationship', { description: 'Linked relation (customer/contact)' }),
      Contact: reference('Relation.Person.Contact', { description: 'Contact person' }),
      ProductLines: collection('ProductLine', 'Activity', 'Product lines / line items'),
      Involved: collection('Involved', 'Activity', 'Involved parties'),
      PriceList: reference('PriceList', { description: 'Price list' }),
      LinkedActivities: collection('Activity', 'Activity', 'Linked activities'),
      Activity: reference('Activity', { onDelete: 'null', description: 'Parent activity' }),
      TimeRegistrations: collection('TimeRegistration', 'Activity', 'Time registrations'),
    },
  },
  'Activity.SalesOpportunity': {
    base: 'Activity',
    description: 'A potential deal in the sales pipeline',
    properties: {
      Probability: indexed(percentage('Win probability percentage (0–100)')),
      WeightedAmount: indexed(readOnlyDouble('Amount weighted by probability')),
      EstimatedAmount: indexed({ type: 'Edm.Double', min: 0, description: 'Estimated deal amount' }),
      ExpectedOrderDate: indexed({ type: 'Edm.Date', description: 'Expected order / close date' }),
    },
    navigations: {
      Phase: reference('Datastore.Phase.ActivitySalesOpportunity', { description: 'Sales phase / stage' }),
      Pipeline: reference('Pipeline', { description: 'Sales pipeline' }),
      Source: reference('Datastore.Source', { description: 'Lead source' }),
      SalesRepresentative: reference('Relation.Person.Contact.Employee', {
        description: 'Assigned sales rep',
      }),
      LostReason: reference('Datastore.LostReason', { description: 'Reason for losing the deal' }),
      LostToCompetitor: reference('Relationship.Organization.Competitor', {
        description: 'Competitor the deal was lost to',
      }),
    },
  },

  Relationship: {
    abstract: true,
    table: 'relationship',
    description: 'A customer, prospect, competitor or other organisation',
    displayName: ['Name'],
    properties: {
      ...standard,
      Name: requiredText(255, 'Name'),
      EmailAddress: text(255, 'E-mail address'),
      PhoneNumber: text(50, 'Phone number'),
      Website: text(255, 'Website'),
      City: text(100, 'City'),
      Country: text(100, 'Country'),
    },
    navigations: {
      Contacts: collection('Relation.Person.Contact', 'Organization', 'Contact persons'),
    },
  },
  'Relationship.Organization': {
    base: 'Relationship',
    description: 'An organisation: customer or prospect',
    properties: {
      Industry: text(100, 'Industry'),
      NumberOfEmployees: { type: 'Edm.Int32', min: 0, description: 'Number of employees' },
    },
  },
  'Relationship.Organization.Competitor': {
    base: 'Relationship.Organization',
    description: 'A competing organisation',
    properties: {},
  },

  Relation: {
    abstract: true,
    table: 'relation',
    description: 'A person in a role: a contact at an organisation, or an employee',
    displayName: ['FirstName', 'LastName'],
    properties: {
      ...standard,
      FirstName: text(100, 'First name'),
      LastName: requiredText(100, 'Last name'),
      EmailAddress: text(255, 'E-mail address'),
      PhoneNumber: text(50, 'Phone number'),
      JobTitle: text(100, 'Job title'),
    },
    navigations: {
      Organization: reference('Relationship', { description: 'Organisation the person works for' }),
    },
  },
  'Relation.Person.Contact': {
    base: 'Relation',
    description: 'A contact person',
    properties: {},
  },
  'Relation.Person.Contact.Employee': {
    base: 'Relation.Person.Contact',
    description: 'An employee of our own organisation, such as a sales representative',
    properties: {},
  },

  Datastore: {
    abstract: true,
    table: 'datastore',
    description: 'Lookup values: phases, sources, lost reasons',
    displayName: ['Name'],
    properties: {
      ...standard,
      Code: text(50, 'Code'),
      Name: requiredText(255, 'Name'),
    },
  },
  'Datastore.Phase': {
    base: 'Datastore',
    abstract: true,
    description: 'A phase of an activity type',
    properties: {},
  },
  'Datastore.Phase.ActivitySalesOpportunity': {
    base: 'Datastore.Phase',
    description: 'A sales phase; without a Pipeline it is used by every pipeline',
    properties: {
      Probability: { ...percentage('Default win probability of opportunities in this phase'), default: 0 },
      IsWon: {
        type: 'Edm.Boolean',
        nullable: false,
        default: false,
        description: 'Opportunities in this phase are won',
      },
      IsLost: {
        type: 'Edm.Boolean',
        nullable: false,
        default: false,
        description: 'Opportunities in this phase are lost',
      },
    },
    navigations: {
      Pipeline: reference('Pipeline', {
        onDelete: 'cascade',
        description: 'Pipeline; none = every pipeline',
      }),
    },
  },
  'Datastore.Source': {
    base: 'Datastore',
    description: 'Lead source',
    properties: {},
  },
  'Datastore.LostReason': {
    base: 'Datastore',
    description: 'Reason for losing a deal',
    properties: {},
  },

  Pipeline: {
    table: 'pipeline',
    description: 'A sales pipeline with its phases',
    displayName: ['Name'],
    properties: {
      ...standard,
      Name: requiredText(255, 'Name'),
    },
    navigations: {
      Phases: collection('Datastore.Phase.ActivitySalesOpportunity', 'Pipeline', 'Phases of this pipeline'),
    },
  },

  PriceList: {
    table: 'pricelist',
    description: 'A price list',
    displayName: ['Name'],
    properties: {
      ...standard,
      Name: requiredText(255, 'Name'),
      Currency: { ...currencyCode, nullable: false, default: 'EUR', description: 'Currency of the prices' },
    },
    navigations: {
      Products: collection('Product', 'PriceList', 'Products on this price list'),
    },
  },
  Product: {
    table: 'product',
    description: 'A product or service that can be sold',
    displayName: ['Name'],
    properties: {
      ...standard,
      Code: text(50, 'Product code'),
      Name: requiredText(255, 'Name'),
      Description: text(2000, 'Description'),
      Price: { type: 'Edm.Double', min: 0, description: 'Sales price per unit' },
      PurchasePrice: { type: 'Edm.Double', min: 0, description: 'Purchase price per unit' },
      VatPercentage: { ...percentage('VAT percentage'), default: 21 },
      Unit: text(50, 'Unit'),
    },
    navigations: {
      PriceList: reference('PriceList', { onDelete: 'null', description: 'Price list' }),
    },
  },

  ProductLine: {
    table: 'productline',
    description: 'A line item of an activity; its totals are computed by the server',
    displayName: ['Description'],
    properties: {
      ...standard,
      Description: requiredText(2000, 'Description'),
      Quantity: { type: 'Edm.Double', nullable: false, default: 1, description: 'Quantity' },
      Price: { type: 'Edm.Double', nullable: false, default: 0, description: 'Price per unit' },
      PurchasePrice: { type: 'Edm.Double', min: 0, description: 'Purchase price per unit' },
      DiscountPercentage: percentage('Discount percentage'),
      VatPercentage: { ...percentage('VAT percentage'), nullable: false, default: 21 },
      Currency: { type: 'Edm.String', readOnly: true, description: 'Currency, that of the activity' },
      Total: readOnlyDouble('Line total (excluding VAT)'),
      TotalExcludingVat: readOnlyDouble('Line total excluding VAT'),
      TotalIncludingVat: readOnlyDouble('Line total including VAT'),
      VatAmount: readOnlyDouble('VAT amount'),
      StartDate: { type: 'Edm.Date', description: 'Start date (subscriptions)' },
      EndDate: { type: 'Edm.Date', description: 'End date (subscriptions)' },
    },
    navigations: {
      Activity: reference('Activity', { required: true, onDelete: 'cascade', description: 'The activity' }),
      Product: reference('Product', { onDelete: 'null', description: 'Product' }),
    },
  },

  Involved: {
    table: 'involved',
    description: 'A person involved in an activity, in a role',
    displayName: ['Role'],
    properties: {
      ...standard,
      Role: text(100, 'Role, e.g. decision maker'),
    },
    navigations: {
      Activity: reference('Activity', { required: true, onDelete: 'cascade', description: 'The activity' }),
      Relation: reference('Relation', { required: true, onDelete: 'cascade', description: 'The person' }),
    },
  },

  TimeRegistration: {
    table: 'timeregistration',
    description: 'Time spent on an activity',
    displayName: ['Description'],
    properties: {
      ...standard,
      Description: text(2000, 'Description'),
      Date: { type: 'Edm.Date', nullable: false, required: true, description: 'Day worked' },
      Hours: { type: 'Edm.Double', min: 0, max: 24, nullable: false, required: true, description: 'Hours' },
    },
    navigations: {
      Activity: reference('Activity', { onDelete: 'null', description: 'The activity' }),
      Employee: reference('Relation.Person.Contact.Employee', { description: 'Who worked' }),
    },
  },
} as const satisfies Record<string, EntityTypeDef>;

export type EntityTypeName = keyof typeof entityTypes;
