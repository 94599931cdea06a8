import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * Places a record set's answer can be previewed from: each a public IPv4 address that the DNS
 * server's bundled databases place there (the city database within PREVIEW_PLACE_RADIUS_KM of
 * `latlong`, the country database in `country`; workers/src/dns/preview-places.spec.ts checks
 * both). The api sends it as the EDNS Client Subnet of a real query; the panel lists them.
 */
export const PREVIEW_PLACES = [
  { id: 'paris', name: 'Paris', country: 'FR', latlong: [48.8566, 2.3522], address: '212.27.48.10' },
  { id: 'london', name: 'London', country: 'GB', latlong: [51.5072, -0.1276], address: '81.2.69.160' },
  { id: 'frankfurt', name: 'Frankfurt', country: 'DE', latlong: [50.1109, 8.6821], address: '3.120.0.1' },
  { id: 'new-york', name: 'New York', country: 'US', latlong: [40.7128, -74.006], address: '128.122.0.1' },
  { id: 'sao-paulo', name: 'São Paulo', country: 'BR', latlong: [-23.5558, -46.6396], address: '201.6.0.1' },
  { id: 'tokyo', name: 'Tokyo', country: 'JP', latlong: [35.6764, 139.65], address: '133.242.0.1' },
  { id: 'singapore', name: 'Singapore', country: 'SG', latlong: [1.3521, 103.8198], address: '165.21.83.88' },
  { id: 'mumbai', name: 'Mumbai', country: 'IN', latlong: [19.076, 72.8777], address: '202.54.1.30' },
  { id: 'sydney', name: 'Sydney', country: 'AU', latlong: [-33.8688, 151.2093], address: '203.2.218.1' },
  { id: 'johannesburg', name: 'Johannesburg', country: 'ZA', latlong: [-26.2041, 28.0473], address: '196.4.160.1' },
] as const satisfies readonly { id: string; name: string; country: string; latlong: readonly [number, number]; address: string }[];

export type PreviewPlace = (typeof PREVIEW_PLACES)[number];
export type PreviewPlaceId = PreviewPlace['id'];

/** How far from a place's point the city database may put its address and still be "there". */
export const PREVIEW_PLACE_RADIUS_KM = 50;

export function previewPlace(id: string): PreviewPlace | undefined {
  return PREVIEW_PLACES.find((p) => p.id === id);
}

/** The unicast ranges a client can be in: not private, loopback, link-local, multicast or reserved. */
function isPublicUnicast(text: string): boolean {
  const a = ipaddr.process(text);
  return a.range() === 'unicast';
}

/** `client` of the preview: a place's id, or a public IPv4 or IPv6 address. */
export const PreviewQuerySchema = z.strictObject({
  client: z
    .string({ error: `must be a place (${PREVIEW_PLACES.map((p) => p.id).join(', ')}) or an IP address` })
    .trim()
    .min(1, { error: `must be a place (${PREVIEW_PLACES.map((p) => p.id).join(', ')}) or an IP address` })
    .max(64, { error: 'must be at most 64 characters' })
    .superRefine((v, ctx) => {
      if (previewPlace(v)) return;
      if (!ipaddr.isValid(v)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a place (${PREVIEW_PLACES.map((p) => p.id).join(', ')}) or an IP address such as 192.0.2.1`,
        });
      } else if (!isPublicUnicast(v)) {
        ctx.addIssue({ code: 'custom', message: 'must be a public address: the databases place no private, loopback or reserved one' });
      }
    }),
});
export type PreviewQuery = z.output<typeof PreviewQuerySchema>;
