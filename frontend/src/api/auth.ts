import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, call } from './client';
import { keys } from './keys';
import type { After, Me, SignIn, SignUp } from './types';

/** The signed-in user, or null when nobody is signed in. */
export const meQuery = queryOptions({
  queryKey: keys.me,
  queryFn: async (): Promise<Me | null> => {
    try {
      return await call(api.GET('/v2/auth/me'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null;
      throw e;
    }
  },
  staleTime: 60_000,
});

export const useMe = () => useQuery(meQuery);

/** A new session starts with an empty cache: nothing of the previous user's stays. */
function useStartSession<V>(after: After<Me, V>) {
  const qc = useQueryClient();
  return (me: Me, v: V) => {
    qc.clear();
    qc.setQueryData(keys.me, me);
    return after.onSuccess?.(me, v);
  };
}

export function useSignIn(after: After<Me, SignIn> = {}) {
  const onSuccess = useStartSession(after);
  return useMutation({ mutationFn: (body: SignIn) => call(api.POST('/v2/auth/signin', { body })), onSuccess, onError: after.onError });
}

export function useSignUp(after: After<Me, SignUp> = {}) {
  const onSuccess = useStartSession(after);
  return useMutation({ mutationFn: (body: SignUp) => call(api.POST('/v2/auth/signup', { body })), onSuccess, onError: after.onError });
}

/** Ends the session; resolves once the cache holds nobody, whether or not the server answered. */
export function useSignOut() {
  const qc = useQueryClient();
  return async () => {
    try {
      await call(api.POST('/v2/auth/signout'));
    } catch {
      // Signed out already, or the server is gone: the session is over for the panel either way.
    }
    qc.clear();
    qc.setQueryData(keys.me, null);
  };
}
