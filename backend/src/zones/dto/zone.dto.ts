import { z } from 'zod';

const int = (min: number, max: number) =>
  z
    .int({ error: 'must be an integer number of seconds' })
    .min(min, { error: `must be from ${min} to ${max}` })
    .max(max, { error: `must be from ${min} to ${max}` });

/** SOA timers, as in Gcore's zone object. */
export const SOA_LIMITS = {
  refresh: { min: 60, max: 604800, default: 3600 },
  retry: { min: 60, max: 604800, default: 600 },
  expiry: { min: 3600, max: 2419200, default: 1209600 },
  nx_ttl: { min: 0, max: 86400, default: 300 },
} as const;

const soaFields = {
  contact: z.email({ error: 'must be an e-mail address, e.g. hostmaster@example.com' }).max(254).optional(),
  primary_server: z.string({ error: 'must be a host name' }).max(253).optional(),
  refresh: int(SOA_LIMITS.refresh.min, SOA_LIMITS.refresh.max).optional(),
  retry: int(SOA_LIMITS.retry.min, SOA_LIMITS.retry.max).optional(),
  expiry: int(SOA_LIMITS.expiry.min, SOA_LIMITS.expiry.max).optional(),
  nx_ttl: int(SOA_LIMITS.nx_ttl.min, SOA_LIMITS.nx_ttl.max).optional(),
  enabled: z.boolean({ error: 'must be true or false' }).optional(),
};

export const CreateZoneSchema = z.strictObject({
  name: z
    .string({ error: 'must be a domain name such as example.com' })
    .min(1, { error: 'must not be empty' })
    .max(254, { error: 'is longer than 253 characters' }),
  ...soaFields,
});
export type CreateZone = z.infer<typeof CreateZoneSchema>;

export const UpdateZoneSchema = z.strictObject(soaFields);
export type UpdateZone = z.infer<typeof UpdateZoneSchema>;

export const ZoneSchema = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  serial: z.number(),
  contact: z.string(),
  primary_server: z.string(),
  refresh: z.number(),
  retry: z.number(),
  expiry: z.number(),
  nx_ttl: z.number(),
  rrsets_amount: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
});
export const ZoneListSchema = z.object({ zones: z.array(ZoneSchema), total_amount: z.number() });
export const ZoneListQuerySchema = z.object({ search: z.string().max(254).optional() });
