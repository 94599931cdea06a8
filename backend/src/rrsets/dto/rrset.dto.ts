import { ContentSchema, RECORD_TYPES, RrsetBodySchema, RrsetInputFields, withRrsetAliases } from '@vigil/contract';
import { z } from 'zod';
import { PageQuerySchema } from '../../common/pagination';
import { QueryBoolean, queryList } from '../../common/query';

export { RrsetBodySchema };

const PickerOutSchema = z.object({
  type: z.string(),
  limit: z.number().optional(),
  strict: z.boolean().optional(),
  rtt: z
    .boolean()
    .optional()
    .describe("Vigil's own, on geodistance: rank by the RTT the probes nearest the client measure; returned only when sent"),
});

export const RrsetSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  ttl: z.number(),
  resource_records: z.array(
    z.object({
      id: z.number().int().describe('Stable per record: derived from the record set and the record content'),
      content: ContentSchema,
      enabled: z.boolean(),
      meta: z.record(z.string(), z.unknown()),
    }),
  ),
  pickers: z.array(PickerOutSchema),
  filters: z
    .array(PickerOutSchema)
    .optional()
    .describe(
      'The pickers again, under the name older Gcore clients read; left out when there are none (octoDNS then reads a plain record set)',
    ),
  meta: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
});
export const RrsetListSchema = z.object({ rrsets: z.array(RrsetSchema), total_amount: z.number() });

const RecordTypeQuery = z
  .string()
  .transform((t) => t.toUpperCase())
  .pipe(z.enum(RECORD_TYPES, { error: `must be one of ${RECORD_TYPES.join(', ')}` }));

/** GET /v2/zones/{zone}/rrsets: a page, or `all=true` for every record set; `type` filters by type. */
export const RrsetListQuerySchema = PageQuerySchema.extend({
  all: QueryBoolean.optional().describe('true: every record set, limit and offset ignored'),
  type: queryList(RecordTypeQuery).optional().describe('Only these types: repeat it (type=A&type=AAAA) or list them (type=A,AAAA)'),
});
export type RrsetListQuery = z.output<typeof RrsetListQuerySchema>;

/** At most this many changes in one batch: enough to move a zone in a few requests. */
export const MAX_BATCH = 10_000;
const RrsetKeySchema = z.strictObject({ name: z.string({ error: 'must be a string' }), type: z.string({ error: 'must be a string' }) });

/** PATCH /v2/zones/{zone}/rrsets: record sets to create or replace, and to delete, all or nothing. */
export const RrsetBatchSchema = z
  .strictObject({
    upserts: z
      .array(withRrsetAliases(z.strictObject({ ...RrsetInputFields, ...RrsetKeySchema.shape })), { error: 'must be a list of record sets' })
      .default([]),
    deletes: z.array(RrsetKeySchema, { error: 'must be a list of {name, type}' }).default([]),
  })
  .refine((b) => b.upserts.length + b.deletes.length > 0, { error: 'must change at least one record set', path: ['upserts'] })
  .refine((b) => b.upserts.length + b.deletes.length <= MAX_BATCH, { error: `must hold at most ${MAX_BATCH} changes`, path: ['upserts'] });
export type RrsetBatch = z.output<typeof RrsetBatchSchema>;

export const RrsetBatchResultSchema = z.object({
  upserted: z.array(RrsetSchema),
  deleted: z.array(z.object({ name: z.string(), type: z.string() })),
});
