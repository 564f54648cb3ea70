// What a card shows: a slice of SalesOpportunity, typed from the model.
import type { Employee, Relationship, SalesOpportunity } from '../../api/entities';

export type BoardCard = Pick<
  SalesOpportunity,
  | 'ID'
  | 'Subject'
  | 'Number'
  | 'EstimatedAmount'
  | 'WeightedAmount'
  | 'Probability'
  | 'Currency'
  | 'ExpectedOrderDate'
  | 'IsClosed'
  | 'SortIndex'
  | 'LastMutationDate'
> & {
  '@odata.etag'?: string;
  Relationship?: Pick<Relationship, 'ID' | 'Name'> | null;
  SalesRepresentative?: Pick<Employee, 'ID' | 'FirstName' | 'LastName'> | null;
};

export const cardSelect = [
  'ID',
  'Subject',
  'Number',
  'EstimatedAmount',
  'WeightedAmount',
  'Probability',
  'Currency',
  'ExpectedOrderDate',
  'IsClosed',
  'SortIndex',
  'LastMutationDate',
] as const;

export const cardExpand = {
  Relationship: { select: ['ID', 'Name'] },
  SalesRepresentative: { select: ['ID', 'FirstName', 'LastName'] },
};

export interface ColumnPage {
  cards: BoardCard[];
  /** `$skip` of the next page; undefined on the last page */
  nextSkip?: number;
}

export const columnPageSize = 50;

/** Cards in board order: SortIndex, then ID so equal indexes keep a stable order. */
export function compareCards(a: BoardCard, b: BoardCard) {
  return (a.SortIndex ?? 0) - (b.SortIndex ?? 0) || a.ID.localeCompare(b.ID);
}
