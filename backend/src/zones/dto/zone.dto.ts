import { normalizeName } from '@vigil/contract';
import { z } from 'zod';
import { PageQuerySchema } from '../../common/pagination';
import { QueryBoolean, queryList } from '../../common/query';

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

/** Kept as sent and returned; `webhook` and `webhook_method` are checked because they are Gcore's documented keys. */
export const ZONE_META_LIMITS = { bytes: 16 * 1024, url: 2048 } as const;
export const WEBHOOK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const ZoneMetaSchema = z
  .record(z.string().max(64, { error: 'keys must be at most 64 characters' }), z.unknown(), { error: 'must be an object' })
  .superRefine((meta, ctx) => {
    if (JSON.stringify(meta).length > ZONE_META_LIMITS.bytes) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${ZONE_META_LIMITS.bytes} bytes of JSON` });
    }
    const hook = meta.webhook;
    if (hook !== undefined && (typeof hook !== 'string' || hook.length > ZONE_META_LIMITS.url || !/^https?:\/\/[^\s/]+/.test(hook))) {
      ctx.addIssue({ code: 'custom', path: ['webhook'], message: 'must be an http:// or https:// URL of at most 2048 characters' });
    }
    const method = meta.webhook_method;
    if (method !== undefined && !(typeof method === 'string' && (WEBHOOK_METHODS as readonly string[]).includes(method.toUpperCase()))) {
      ctx.addIssue({ code: 'custom', path: ['webhook_method'], message: `must be one of ${WEBHOOK_METHODS.join(', ')}` });
    }
  });

const gcoreFields = {
  /** SOA serial: the zone's at creation; on an update the serial becomes at least this (serials never go down). */
  serial: z
    .int({ error: 'must be an integer from 0 to 4294967295' })
    .min(0, { error: 'must be an integer from 0 to 4294967295' })
    .max(4294967295, { error: 'must be an integer from 0 to 4294967295' })
    .optional(),
  meta: ZoneMetaSchema.nullish().describe('Free JSON kept with the zone, e.g. {"webhook": "https://..."}; null is {}'),
};

const zoneNameField = z
  .string({ error: 'must be a domain name such as example.com' })
  .min(1, { error: 'must not be empty' })
  .max(254, { error: 'is longer than 253 characters' });

export const CreateZoneSchema = z.strictObject({ name: zoneNameField, ...soaFields, ...gcoreFields });
export type CreateZone = z.infer<typeof CreateZoneSchema>;

export const UpdateZoneSchema = z.strictObject({ ...soaFields, ...gcoreFields });
export type UpdateZone = z.infer<typeof UpdateZoneSchema>;

/** PUT /v2/zones/{zone}: Gcore's InputZone, which repeats the name; it must be the zone's. */
export const PutZoneSchema = UpdateZoneSchema.extend({ name: zoneNameField.optional() });
export type PutZone = z.infer<typeof PutZoneSchema>;

export const RrsetsAmountSchema = z.object({
  total: z.number(),
  static: z.number().describe('Record sets without pickers or failover'),
  dynamic: z.object({
    total: z.number().describe('Record sets with pickers or a failover check'),
    healthcheck: z.number().describe('Record sets whose failover check runs (set, and the account has the feature)'),
  }),
});
export type RrsetsAmount = z.infer<typeof RrsetsAmountSchema>;

export const ZoneSchema = z.object({
  id: z.number().int().describe('Numeric, as Gcore numbers zones; routes take the zone name'),
  name: z.string(),
  enabled: z.boolean(),
  serial: z.number(),
  contact: z.string(),
  primary_server: z.string(),
  refresh: z.number(),
  retry: z.number(),
  expiry: z.number(),
  nx_ttl: z.number(),
  meta: z.record(z.string(), z.unknown()),
  rrsets_amount: RrsetsAmountSchema,
  created_at: z.string(),
  updated_at: z.string(),
});
export const ZoneListSchema = z.object({ zones: z.array(ZoneSchema), total_amount: z.number() });

export const ZONE_ORDER = ['name', 'id', 'serial', 'enabled', 'created_at', 'updated_at'] as const;

const exactZoneName = z.string().transform((n, ctx) => {
  const r = normalizeName(n);
  if (r.ok) return r.name;
  ctx.addIssue({ code: 'custom', message: r.reason });
  return z.NEVER;
});

export const ZoneListQuerySchema = PageQuerySchema.extend({
  search: z.string().max(254).optional().describe('Part of the name'),
  name: queryList(exactZoneName).optional().describe('Exact names: repeat it (name=a.example&name=b.example)'),
  enabled: QueryBoolean.optional(),
  id: queryList(z.string().regex(/^\d{1,15}$/, { error: 'must be a zone id (a number)' }))
    .optional()
    .describe('Numeric zone ids: repeat it (id=1&id=3) or list them (id=1,3)'),
  dynamic: QueryBoolean.optional().describe('true: zones with a record set that has pickers or a failover check; false: zones without'),
  healthcheck: QueryBoolean.optional().describe(
    'true: zones with a failover check that runs (rrsets_amount.dynamic.healthcheck); false: zones without',
  ),
  order_by: z.enum(ZONE_ORDER, { error: `must be one of ${ZONE_ORDER.join(', ')}` }).default('name'),
  order_direction: z
    .string()
    .transform((d) => d.toLowerCase())
    .pipe(z.enum(['asc', 'desc'], { error: 'must be asc or desc' }))
    .default('asc'),
});
export type ZoneListQuery = z.output<typeof ZoneListQuerySchema>;
