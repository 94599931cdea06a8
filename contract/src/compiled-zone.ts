import { z } from 'zod';
import { FailoverSchema } from './failover';
import { PublishedOverrideSchema } from './overrides';
import { ContentSchema, PickerSchema, RecordMetaSchema } from './rrset';
import { RECORD_TYPES } from './records';

/**
 * A zone as the control plane publishes it to Redis and the DNS server loads it.
 * Contents are already canonical; the DNS server trusts them but still parses the envelope.
 */
export const CompiledRecordSchema = z.object({
  content: ContentSchema,
  enabled: z.boolean(),
  meta: RecordMetaSchema,
});

export const CompiledRrsetSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(RECORD_TYPES),
  ttl: z.int(),
  records: z.array(CompiledRecordSchema),
  pickers: z.array(PickerSchema),
  /** Present only when failover is set and the account has the feature: health then applies. */
  failover: z
    .object({
      checkId: z.string(),
      check: FailoverSchema.in,
      /** The owner's drains and forced-ups that have not ended (absent: none). */
      overrides: z.array(PublishedOverrideSchema).optional(),
    })
    .nullable(),
});

export const SoaSchema = z.object({
  mname: z.string(),
  rname: z.string(),
  serial: z.int(),
  refresh: z.int(),
  retry: z.int(),
  expire: z.int(),
  minimum: z.int(),
  ttl: z.int(),
});

export const CompiledZoneSchema = z.object({
  format: z.literal(1),
  name: z.string(),
  /** Grows with every published change; a server ignores a zone older than the one it holds. */
  version: z.int(),
  soa: SoaSchema,
  rrsets: z.array(CompiledRrsetSchema),
});

/** A stored zone's head: everything but its record sets, which are stored one by one. */
export const ZoneHeadSchema = CompiledZoneSchema.omit({ rrsets: true });

export type CompiledRecord = z.infer<typeof CompiledRecordSchema>;
export type CompiledRrset = z.infer<typeof CompiledRrsetSchema>;
export type CompiledZone = z.infer<typeof CompiledZoneSchema>;
export type Soa = z.infer<typeof SoaSchema>;
export type ZoneHead = z.infer<typeof ZoneHeadSchema>;
