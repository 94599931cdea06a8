import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type ApiError, call } from './client';
import { keys } from './keys';
import type { After, OverrideBody, RrsetOverride } from './types';

/*
 * Overrides of a record set's addresses (drain, force up, maintenance windows). The health
 * read-out (useHealth, polled every 2 s) lists them with what holds now, so these are only the
 * changes; each refreshes the read-out and the zone's summary, whose answers they change.
 */

function useRefresh(zone: string, name: string, type: string) {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: keys.health(zone, name, type) });
    void qc.invalidateQueries({ queryKey: keys.zoneHealth(zone) });
  };
}

export function useCreateOverride(zone: string, name: string, type: string, after: After<RrsetOverride, OverrideBody> = {}) {
  const refresh = useRefresh(zone, name, type);
  return useMutation<RrsetOverride, ApiError, OverrideBody>({
    mutationFn: (body) => call(api.POST('/v2/zones/{zone}/{name}/{type}/overrides', { params: { path: { zone, name, type } }, body })),
    onSuccess: (o, body) => {
      refresh();
      return after.onSuccess?.(o, body);
    },
    onError: after.onError,
  });
}

export interface OverrideRemoval {
  id: string;
  force: boolean;
}

export function useDeleteOverride(zone: string, name: string, type: string, after: After<unknown, OverrideRemoval> = {}) {
  const refresh = useRefresh(zone, name, type);
  return useMutation<unknown, ApiError, OverrideRemoval>({
    mutationFn: ({ id, force }) =>
      call(
        api.DELETE('/v2/zones/{zone}/{name}/{type}/overrides/{id}', {
          params: { path: { zone, name, type, id }, query: force ? { force: 'true' } : {} },
        }),
      ),
    onSuccess: (d, v) => {
      refresh();
      return after.onSuccess?.(d, v);
    },
    onError: after.onError,
  });
}
