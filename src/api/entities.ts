// The model's entity types, re-exported for the dashboard: the service's model is the single
// definition of every field, so a renamed field breaks the build instead of the board.
export type {
  Competitor,
  Contact,
  Employee,
  LostReason,
  Organization,
  Phase,
  Pipeline,
  Product,
  ProductLine,
  Relationship,
  SalesOpportunity,
  Source,
} from '../../server/model/entity-types';
export { sets } from '../../server/model/entity-types';
