import { z } from 'zod';
import { FailoverSchema } from './failover';
import { CONTINENTS } from './geo';
import { contentKey, parseContent, RECORD_TYPES, type RecordType } from './records';

export const TTL_LIMITS = { min: 0, max: 604800, default: 300 } as const;
export const MAX_RECORDS = 100;

const country = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z]{2}$/, { error: 'must be an ISO 3166-1 alpha-2 country code such as FR' })
  .transform((c) => c.toUpperCase());

export const RecordMetaSchema = z.strictObject({
  countries: z.array(country, { error: 'must be a list of country codes' }).max(250).optional(),
  continents: z
    .array(
      z
        .string()
        .transform((c) => c.toLowerCase())
        .pipe(z.enum(CONTINENTS, { error: `must be one of ${CONTINENTS.join(', ')}` })),
      {
        error: 'must be a list of continent codes',
      },
    )
    .optional(),
  weight: z
    .int({ error: 'must be an integer' })
    .min(0, { error: 'must be from 0 to 65535' })
    .max(65535, { error: 'must be from 0 to 65535' })
    .optional(),
  default: z.boolean({ error: 'must be true or false' }).optional(),
});

export const ResourceRecordSchema = z.strictObject({
  content: z.array(z.union([z.string(), z.number()], { error: 'must be a string or a number' }), { error: 'must be a list of values' }),
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  meta: RecordMetaSchema.default({}),
});

export const PICKER_TYPES = ['geodns', 'weighted_shuffle', 'first_n', 'default'] as const;

export const PickerSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('geodns'), strict: z.boolean({ error: 'must be true or false' }).default(false) }),
    z.strictObject({ type: z.literal('weighted_shuffle') }),
    z.strictObject({
      type: z.literal('first_n'),
      limit: z
        .int({ error: 'must be an integer' })
        .min(1, { error: 'must be from 1 to 100' })
        .max(MAX_RECORDS, { error: 'must be from 1 to 100' }),
    }),
    z.strictObject({ type: z.literal('default') }),
  ],
  { error: `must be one of ${PICKER_TYPES.join(', ')}` },
);
export type Picker = z.output<typeof PickerSchema>;

export const RrsetMetaSchema = z.strictObject({
  failover: FailoverSchema.nullable().optional(),
});

/** The body of POST/PUT /v2/zones/{zone}/{name}/{type}. The type and name come from the path. */
export const RrsetBodySchema = z.strictObject({
  ttl: z
    .int({ error: 'must be an integer number of seconds' })
    .min(TTL_LIMITS.min, { error: `must be from ${TTL_LIMITS.min} to ${TTL_LIMITS.max}` })
    .max(TTL_LIMITS.max, { error: `must be from ${TTL_LIMITS.min} to ${TTL_LIMITS.max}` })
    .default(TTL_LIMITS.default),
  resource_records: z
    .array(ResourceRecordSchema, { error: 'must be a list of records' })
    .min(1, { error: 'must hold at least one record' })
    .max(MAX_RECORDS, { error: `must hold at most ${MAX_RECORDS} records` }),
  pickers: z
    .array(PickerSchema, { error: 'must be a list of pickers' })
    .max(PICKER_TYPES.length)
    .default([])
    .superRefine((pickers, ctx) => {
      const seen = new Set<string>();
      pickers.forEach((p, i) => {
        if (seen.has(p.type)) ctx.addIssue({ code: 'custom', path: [i, 'type'], message: `picker ${p.type} is listed twice` });
        seen.add(p.type);
      });
    }),
  meta: RrsetMetaSchema.default({}),
});
export type RrsetBodyInput = z.input<typeof RrsetBodySchema>;
export type RrsetBody = z.output<typeof RrsetBodySchema>;

export interface RrsetIssue {
  path: (string | number)[];
  message: string;
}

/**
 * The rules that depend on the record type: each record's content, duplicates, CNAME's single
 * record, failover only on address records. Returns the body with canonical contents.
 */
export function checkRrsetForType(type: RecordType, body: RrsetBody): { body: RrsetBody; issues: RrsetIssue[] } {
  const issues: RrsetIssue[] = [];
  const seen = new Map<string, number>();
  const records = body.resource_records.map((rec, i) => {
    const r = parseContent(type, rec.content);
    if (!r.ok) {
      issues.push({ path: ['resource_records', i, 'content', ...(r.index === null ? [] : [r.index])], message: r.reason });
      return rec;
    }
    const key = contentKey(r.content);
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ path: ['resource_records', i, 'content'], message: `duplicates resource_records[${first}]` });
    }
    seen.set(key, i);
    return { ...rec, content: r.content };
  });
  if (type === 'CNAME' && records.length > 1) {
    issues.push({ path: ['resource_records'], message: 'a CNAME record set holds exactly one record' });
  }
  if (body.meta.failover && type !== 'A' && type !== 'AAAA') {
    issues.push({ path: ['meta', 'failover'], message: 'failover is only for A and AAAA record sets' });
  }
  return { body: { ...body, resource_records: records }, issues };
}

export function isRecordType(t: string): t is RecordType {
  return (RECORD_TYPES as readonly string[]).includes(t);
}
