// Drawer writes. Both guard with the ETag the drawer was showing, so a rep never overwrites
// a colleague's change unseen.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type SalesOpportunity, sets } from '../../api/entities';
import { odata } from '../../api/odata-client';
import { queryKeys } from '../../api/query-keys';

export function useUpdateOpportunity(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ changes, etag }: { changes: Record<string, unknown>; etag?: string }) =>
      odata.update<SalesOpportunity>(sets.SalesOpportunity, id, changes, etag),
    onSettled: () => {
      // The board refreshes in the background; the drawer waits for its own fresh copy.
      queryClient.invalidateQueries({ queryKey: [...queryKeys.all, 'board'] });
      return queryClient.invalidateQueries({ queryKey: queryKeys.opportunity(id) });
    },
  });
}

export function useDeleteOpportunity(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (etag?: string) => odata.remove(sets.SalesOpportunity, id, etag),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: queryKeys.opportunity(id) });
      return queryClient.invalidateQueries({ queryKey: [...queryKeys.all, 'board'] });
    },
  });
}
