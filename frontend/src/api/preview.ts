import { useQuery } from '@tanstack/react-query';
import { api, call } from './client';
import { keys } from './keys';

/**
 * What the DNS server answers the record set now for a client at a place (an id of the
 * contract's PREVIEW_PLACES) or address: a real query, asked when `client` is set and again on refetch.
 */
export const usePreview = (zone: string, name: string, type: string, client: string) =>
  useQuery({
    queryKey: keys.preview(zone, name, type, client),
    queryFn: () => call(api.GET('/v2/zones/{zone}/{name}/{type}/preview', { params: { path: { zone, name, type }, query: { client } } })),
    enabled: client !== '',
    retry: false,
    staleTime: 0,
  });
