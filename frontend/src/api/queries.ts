import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, call } from './client';
import type { Me, RrsetBody } from './types';

/** Query keys, in one place so mutations invalidate the right things. */
export const keys = {
  me: ['me'] as const,
  account: ['account'] as const,
  featureRequests: ['feature-requests'] as const,
  zones: (search: string, page: number) => ['zones', { search, page }] as const,
  zone: (zone: string) => ['zone', zone] as const,
  rrsets: (zone: string, page: number) => ['rrsets', zone, page] as const,
  rrset: (zone: string, name: string, type: string) => ['rrset', zone, name, type] as const,
  health: (zone: string, name: string, type: string) => ['health', zone, name, type] as const,
  healthEvents: (zone: string, name: string, type: string, page: number) => ['health-events', zone, name, type, page] as const,
  tokens: ['tokens'] as const,
  audit: (page: number, action: string) => ['audit', page, action] as const,
  adminAccounts: (search: string, page: number) => ['admin', 'accounts', search, page] as const,
  adminAccount: (id: string) => ['admin', 'account', id] as const,
  adminRequests: (status: string) => ['admin', 'requests', status] as const,
};

export const PAGE_SIZE = 25;

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

export const useAccount = (enabled = true) =>
  useQuery({ queryKey: keys.account, queryFn: () => call(api.GET('/v2/account')), enabled, staleTime: 10_000 });

export const useFeatureRequests = (enabled = true) =>
  useQuery({ queryKey: keys.featureRequests, queryFn: () => call(api.GET('/v2/account/feature-requests')), enabled });

export function useRequestFeature() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (message: string) => call(api.POST('/v2/account/feature-requests', { body: { feature: 'failover', message } })),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.featureRequests });
      void qc.invalidateQueries({ queryKey: keys.account });
    },
  });
}

export const useZones = (search: string, page: number) =>
  useQuery({
    queryKey: keys.zones(search, page),
    queryFn: () =>
      call(api.GET('/v2/zones', { params: { query: { search: search || undefined, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
  });

export const useZone = (zone: string) =>
  useQuery({ queryKey: keys.zone(zone), queryFn: () => call(api.GET('/v2/zones/{zone}', { params: { path: { zone } } })) });

export const RRSET_PAGE_SIZE = 100;

export const useRrsets = (zone: string, page: number) =>
  useQuery({
    queryKey: keys.rrsets(zone, page),
    queryFn: () =>
      call(
        api.GET('/v2/zones/{zone}/rrsets', {
          params: { path: { zone }, query: { limit: RRSET_PAGE_SIZE, offset: (page - 1) * RRSET_PAGE_SIZE } },
        }),
      ),
    placeholderData: keepPreviousData,
  });

export const useRrset = (zone: string, name: string, type: string, enabled = true) =>
  useQuery({
    queryKey: keys.rrset(zone, name, type),
    queryFn: () => call(api.GET('/v2/zones/{zone}/{name}/{type}', { params: { path: { zone, name, type } } })),
    enabled,
  });

/** Live health: polled every 2 s while the page is open. */
export const useHealth = (zone: string, name: string, type: string, enabled = true) =>
  useQuery({
    queryKey: keys.health(zone, name, type),
    queryFn: () => call(api.GET('/v2/zones/{zone}/{name}/{type}/health', { params: { path: { zone, name, type } } })),
    enabled,
    // Polling stops on a 4xx (a record set that is gone, or another account's) and resumes on a refetch.
    refetchInterval: (q) => (q.state.error instanceof ApiError && q.state.error.status >= 400 && q.state.error.status < 500 ? false : 2000),
    refetchIntervalInBackground: false,
  });

export const useHealthEvents = (zone: string, name: string, type: string, page: number, pageSize = PAGE_SIZE) =>
  useQuery({
    queryKey: [...keys.healthEvents(zone, name, type, page), pageSize],
    queryFn: () =>
      call(
        api.GET('/v2/zones/{zone}/{name}/{type}/health/events', {
          params: { path: { zone, name, type }, query: { limit: pageSize, offset: (page - 1) * pageSize } },
        }),
      ),
    refetchInterval: 5000,
    placeholderData: keepPreviousData,
  });

export function useSaveRrset(zone: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { name: string; type: string; body: RrsetBody; create: boolean }) =>
      v.create
        ? call(api.POST('/v2/zones/{zone}/{name}/{type}', { params: { path: { zone, name: v.name, type: v.type } }, body: v.body }))
        : call(api.PUT('/v2/zones/{zone}/{name}/{type}', { params: { path: { zone, name: v.name, type: v.type } }, body: v.body })),
    onSuccess: (data, v) => {
      qc.setQueryData(keys.rrset(zone, data.name, data.type), data);
      void qc.invalidateQueries({ queryKey: ['rrsets', zone] });
      void qc.invalidateQueries({ queryKey: keys.zone(zone) });
      void qc.invalidateQueries({ queryKey: keys.health(zone, v.name, v.type) });
    },
  });
}

export function useDeleteRrset(zone: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { name: string; type: string }) =>
      call(api.DELETE('/v2/zones/{zone}/{name}/{type}', { params: { path: { zone, name: v.name, type: v.type } } })),
    onSuccess: (_d, v) => {
      qc.removeQueries({ queryKey: keys.rrset(zone, v.name, v.type) });
      void qc.invalidateQueries({ queryKey: ['rrsets', zone] });
      void qc.invalidateQueries({ queryKey: keys.zone(zone) });
    },
  });
}
