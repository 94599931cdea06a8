import { RrsetBodySchema, RrsetInputFields, withRrsetAliases } from '@vigil/contract';
import { z } from 'zod';

export { RrsetBodySchema };

export const RrsetSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  ttl: z.number(),
  resource_records: z.array(
    z.object({ content: z.array(z.union([z.string(), z.number()])), enabled: z.boolean(), meta: z.record(z.string(), z.unknown()) }),
  ),
  pickers: z.array(z.record(z.string(), z.unknown())),
  meta: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
});
export const RrsetListSchema = z.object({ rrsets: z.array(RrsetSchema), total_amount: z.number() });

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
