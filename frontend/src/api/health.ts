import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, ApiError, call, pageQuery } from './client';
import { keys } from './keys';

/** The failover state of every failover record set of a zone, in one request, refreshed every 10 s. */
export const useZoneHealth = (zone: string, enabled = true) =>
  useQuery({
    queryKey: keys.zoneHealth(zone),
    queryFn: () => call(api.GET('/v2/zones/{zone}/health', { params: { path: { zone } } })),
    enabled,
    refetchInterval: 10_000,
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

const healthEvents = (zone: string, name: string, type: string, query: { limit: number; offset?: number; from?: string }) =>
  call(api.GET('/v2/zones/{zone}/{name}/{type}/health/events', { params: { path: { zone, name, type }, query } }));

/** One page of a record set's transitions, newest first; refreshed every 5 s. */
export const useHealthEvents = (zone: string, name: string, type: string, page: number) =>
  useQuery({
    queryKey: keys.healthEvents(zone, name, type, page),
    queryFn: () => healthEvents(zone, name, type, pageQuery(page)),
    refetchInterval: 5000,
    placeholderData: keepPreviousData,
  });

/** The transitions of the last `windowMs` (at most 1000), for the timeline; refreshed every 5 s. */
export const useRecentHealthEvents = (zone: string, name: string, type: string, windowMs: number) =>
  useQuery({
    queryKey: keys.recentHealthEvents(zone, name, type, windowMs),
    queryFn: () => healthEvents(zone, name, type, { from: new Date(Date.now() - windowMs).toISOString(), limit: 1000 }),
    refetchInterval: 5000,
    placeholderData: keepPreviousData,
  });
