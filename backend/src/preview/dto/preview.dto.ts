import { PREVIEW_PLACES, PreviewQuerySchema } from '@vigil/contract';
import { z } from 'zod';

export { PreviewQuerySchema };

export const PreviewPlaceSchema = z.object({
  id: z.string(),
  name: z.string(),
  country: z.string().meta({ description: 'ISO 3166-1 alpha-2' }),
  latlong: z.tuple([z.number(), z.number()]),
  address: z.string().meta({ description: 'A public IPv4 address that the DNS server places there' }),
});

export const PreviewPlaceListSchema = z.object({
  places: z.array(PreviewPlaceSchema).meta({ description: `The preview's places: ${PREVIEW_PLACES.map((p) => p.id).join(', ')}` }),
});

export const PreviewSchema = z.object({
  name: z.string(),
  type: z.string(),
  client: z.object({
    address: z.string().meta({ description: 'The address sent as EDNS Client Subnet (a /32 or /128)' }),
    place: PreviewPlaceSchema.nullable().meta({ description: 'The place asked for, or null for an address given as such' }),
  }),
  server: z.string().meta({ description: 'The DNS server asked (DNS_PREVIEW_SERVER)' }),
  rcode: z.string().meta({ description: 'The response code, e.g. NOERROR, REFUSED (a disabled zone)' }),
  answers: z
    .array(z.object({ name: z.string(), type: z.string(), ttl: z.int(), data: z.string() }))
    .meta({ description: 'The answer section in order: addresses, or a CNAME and what it leads to inside the zone' }),
  scope_prefix: z
    .int()
    .nullable()
    .meta({ description: 'The ECS scope the server echoed: above 0 when the answer depended on where the client is' }),
});
