import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ODataRequestError } from '../api/odata-error';
import { authKeys } from '../api/query-keys';
import { isOwnService } from '../lib/own-service';
import { getSettings } from '../lib/settings-store';

export function createQueryClient() {
  // A 401 from our own service means the session ended (signed out elsewhere, timed out):
  // asking who is signed in again brings the sign-in page.
  const onError = (error: unknown) => {
    if (error instanceof ODataRequestError && error.status === 401 && isOwnService(getSettings().baseUrl))
      queryClient.invalidateQueries({ queryKey: authKeys.session() });
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        // Client errors (bad token, missing record) will not heal by asking again.
        retry: (failures, error) =>
          failures < 2 && !(error instanceof ODataRequestError && error.status >= 400 && error.status < 500),
        refetchOnWindowFocus: true,
      },
    },
  });
  return queryClient;
}
