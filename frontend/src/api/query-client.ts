import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './client';
import { keys } from './keys';

/** The panel's one query client. */
export function createQueryClient(): QueryClient {
  // A 401 anywhere means the session ended: forget the user, and the router sends them to sign in.
  const onError = (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) queryClient.setQueryData(keys.me, null);
  };
  const queryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        retry: (count, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && count < 2,
        refetchOnWindowFocus: true,
      },
    },
  });
  return queryClient;
}
