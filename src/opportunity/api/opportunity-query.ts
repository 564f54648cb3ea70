// One opportunity with everything the drawer shows.
import { queryOptions } from '@tanstack/react-query';
import {
  type Competitor,
  type Contact,
  type Employee,
  type LostReason,
  type Phase,
  type Pipeline,
  type Product,
  type ProductLine,
  type Relationship,
  type SalesOpportunity,
  type Source,
  sets,
} from '../../api/entities';
import { odata } from '../../api/odata-client';
import { queryKeys } from '../../api/query-keys';

export type OpportunityDetail = SalesOpportunity & {
  Relationship?: Relationship | null;
  Contact?: Contact | null;
  ProductLines?: (ProductLine & { Product?: Product | null })[];
  Phase?: Phase | null;
  Pipeline?: Pipeline | null;
  SalesRepresentative?: Employee | null;
  Source?: Source | null;
  LostReason?: LostReason | null;
  LostToCompetitor?: Competitor | null;
};

export const opportunityQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.opportunity(id),
    queryFn: ({ signal }) =>
      odata.get<OpportunityDetail>(
        sets.SalesOpportunity,
        id,
        {
          expand: {
            Relationship: {},
            Contact: {},
            ProductLines: { expand: 'Product', orderBy: [['SortIndex', 'asc']] },
            Phase: {},
            Pipeline: {},
            SalesRepresentative: {},
            Source: {},
            LostReason: {},
            LostToCompetitor: {},
          },
        },
        signal,
      ),
  });
