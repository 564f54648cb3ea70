// Quick-add: a new opportunity straight into a column, on top of it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type Organization, type SalesOpportunity, sets } from '../../api/entities';
import { link, odata } from '../../api/odata-client';
import { queryKeys } from '../../api/query-keys';

export interface QuickAddInput {
  pipelineId: string;
  phaseId: string;
  subject: string;
  /** an existing customer, or a name to create one with */
  customer: { id?: string; name: string } | null;
  amount: number | null;
  currency: string;
  sortIndex: number;
  /** the sales rep's employee, null for none; undefined leaves it to the service */
  salesRepId?: string | null;
}

export function useCreateOpportunity() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: QuickAddInput) => {
      let customerId = input.customer?.id;
      if (!customerId && input.customer?.name) {
        const created = await odata.create<Organization>(sets.Organization, { Name: input.customer.name });
        customerId = created.ID;
      }
      return odata.create<SalesOpportunity>(sets.SalesOpportunity, {
        Subject: input.subject,
        EstimatedAmount: input.amount,
        Currency: input.currency,
        SortIndex: input.sortIndex,
        Phase: link(input.phaseId),
        Pipeline: link(input.pipelineId),
        Relationship: link(customerId),
        ...(input.salesRepId === undefined ? {} : { SalesRepresentative: link(input.salesRepId) }),
      });
    },
    onSuccess: (_created, input) =>
      queryClient.invalidateQueries({ queryKey: queryKeys.board(input.pipelineId) }),
  });
}
