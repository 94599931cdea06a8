import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call, pageQuery } from './client';
import { keys } from './keys';
import type { AdminAccount, After, FeatureRequest, ForgottenSite } from './types';

/** Feature requests that wait for a decision, refreshed every 10 s. */
export const usePendingRequests = () =>
  useQuery({
    queryKey: keys.adminRequests('pending'),
    queryFn: () => call(api.GET('/v2/admin/feature-requests', { params: { query: { status: 'pending', limit: 100 } } })),
    refetchInterval: 10_000,
  });

/** The accounts of these ids, by id, as far as they have loaded. */
export function useAdminAccountsById(ids: string[]): Map<string, AdminAccount> {
  const accounts = useQueries({
    queries: ids.map((id) => ({
      queryKey: keys.adminAccount(id),
      queryFn: () => call(api.GET('/v2/admin/accounts/{id}', { params: { path: { id } } })),
    })),
  });
  return new Map(accounts.flatMap((q) => (q.data ? [[q.data.id, q.data] as const] : [])));
}

export const useAdminAccounts = (search: string, page: number) =>
  useQuery({
    queryKey: keys.adminAccounts(search, page),
    queryFn: () => call(api.GET('/v2/admin/accounts', { params: { query: { search: search || undefined, ...pageQuery(page) } } })),
    placeholderData: keepPreviousData,
  });

/** Grants or rejects a feature request; the support console's lists are refetched either way. */
type Decision = { id: string; status: 'granted' | 'rejected' };

export function useDecideRequest(after: After<FeatureRequest, Decision> = {}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: Decision) =>
      call(api.PATCH('/v2/admin/feature-requests/{id}', { params: { path: { id: v.id } }, body: { status: v.status } })),
    onSuccess: after.onSuccess,
    onError: after.onError,
    onSettled: () => void qc.invalidateQueries({ queryKey: keys.admin }),
  });
}

type FailoverChange = { account: AdminAccount; failover: boolean };

export function useSetFailover(after: After<AdminAccount, FailoverChange> = {}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: FailoverChange) =>
      call(api.PATCH('/v2/admin/accounts/{id}', { params: { path: { id: v.account.id } }, body: { features: { failover: v.failover } } })),
    onSuccess: (a, v) => {
      after.onSuccess?.(a, v);
      void qc.invalidateQueries({ queryKey: keys.admin });
    },
    onError: after.onError,
  });
}

/** Probe sites with their heartbeats and checks, refreshed every 10 s (a site turns stale within a minute). */
export const useSites = () =>
  useQuery({
    queryKey: keys.adminSites,
    queryFn: () => call(api.GET('/v2/admin/sites')),
    refetchInterval: 10_000,
  });

/** Forgets a stale site; the site list is refetched either way (a refusal means it reports again). */
export function useForgetSite(after: After<ForgottenSite, string> = {}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => call(api.DELETE('/v2/admin/sites/{name}', { params: { path: { name } } })),
    onSuccess: after.onSuccess,
    onError: after.onError,
    onSettled: () => void qc.invalidateQueries({ queryKey: keys.adminSites }),
  });
}
