import { QueryClient } from '@tanstack/react-query';
import { ODataRequestError } from '../api/odata-error';

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Client errors (bad token, missing record) will not heal by asking again.
        retry: (failures, error) =>
          failures < 2 && !(error instanceof ODataRequestError && error.status >= 400 && error.status < 500),
        refetchOnWindowFocus: true,
      },
    },
  });
}
