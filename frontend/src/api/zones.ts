import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call, pageQuery } from './client';
import { keys } from './keys';
import type { After, RrsetBody, Zone } from './types';

export const useZones = (search: string, page: number) =>
  useQuery({
    queryKey: keys.zones(search, page),
    queryFn: () => call(api.GET('/v2/zones', { params: { query: { search: search || undefined, ...pageQuery(page) } } })),
    placeholderData: keepPreviousData,
  });

export const useZone = (zone: string) =>
  useQuery({ queryKey: keys.zone(zone), queryFn: () => call(api.GET('/v2/zones/{zone}', { params: { path: { zone } } })) });

export function useCreateZone(after: After<Zone, string> = {}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => call(api.POST('/v2/zones', { body: { name } })),
    onSuccess: (zone, name) => {
      void qc.invalidateQueries({ queryKey: keys.allZones });
      return after.onSuccess?.(zone, name);
    },
    onError: after.onError,
  });
}

export function useDeleteZone(after: After<unknown, string> = {}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (zone: string) => call(api.DELETE('/v2/zones/{zone}', { params: { path: { zone } } })),
    onSuccess: (d, zone) => {
      void qc.invalidateQueries({ queryKey: keys.allZones });
      // Only when no page shows it: the zone page itself leaves by navigating, without refetching a zone that is gone.
      qc.removeQueries({ queryKey: keys.zone(zone), type: 'inactive' });
      return after.onSuccess?.(d, zone);
    },
    onError: after.onError,
  });
}

export const RRSET_PAGE_SIZE = 100;

export const useRrsets = (zone: string, page: number) =>
  useQuery({
    queryKey: keys.rrsets(zone, page),
    queryFn: () => call(api.GET('/v2/zones/{zone}/rrsets', { params: { path: { zone }, query: pageQuery(page, RRSET_PAGE_SIZE) } })),
    placeholderData: keepPreviousData,
  });

export const useRrset = (zone: string, name: string, type: string, enabled = true) =>
  useQuery({
    queryKey: keys.rrset(zone, name, type),
    queryFn: () => call(api.GET('/v2/zones/{zone}/{name}/{type}', { params: { path: { zone, name, type } } })),
    enabled,
  });

export function useSaveRrset(zone: string) {
  const qc = useQueryClient();
  return useMutation({
    // `force`: past the overrides' guard (its 409 when every enabled record would be drained).
    mutationFn: (v: { name: string; type: string; body: RrsetBody; create: boolean; force?: boolean }) =>
      v.create
        ? call(api.POST('/v2/zones/{zone}/{name}/{type}', { params: { path: { zone, name: v.name, type: v.type } }, body: v.body }))
        : call(
            api.PUT('/v2/zones/{zone}/{name}/{type}', {
              params: { path: { zone, name: v.name, type: v.type }, ...(v.force && { query: { force: 'true' as const } }) },
              body: v.body,
            }),
          ),
    onSuccess: (data, v) => {
      qc.setQueryData(keys.rrset(zone, data.name, data.type), data);
      void qc.invalidateQueries({ queryKey: keys.allRrsets(zone) });
      void qc.invalidateQueries({ queryKey: keys.zone(zone) });
      void qc.invalidateQueries({ queryKey: keys.zoneHealth(zone) });
      void qc.invalidateQueries({ queryKey: keys.health(zone, v.name, v.type) });
      void qc.invalidateQueries({ queryKey: keys.allPreviews(zone, v.name, v.type) });
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
      void qc.invalidateQueries({ queryKey: keys.allRrsets(zone) });
      void qc.invalidateQueries({ queryKey: keys.zone(zone) });
      void qc.invalidateQueries({ queryKey: keys.zoneHealth(zone) });
    },
  });
}
