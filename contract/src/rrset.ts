import { z } from 'zod';
import { FailoverSchema } from './failover';
import { CONTINENTS } from './geo';
import { isAddressOrCidr } from './ip';
import { contentKey, FAILOVER_TYPES, isFailoverType, parseContent, RECORD_TYPES, type RecordType } from './records';

export const TTL_LIMITS = { min: 0, max: 604800, default: 300 } as const;
export const MAX_RECORDS = 100;

// Codes are stored and returned as sent (a client that sent `fr` reads `fr` back, so Terraform
// sees no drift); the DNS server compares them without regard to case.
const country = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z]{2}$/, { error: 'must be an ISO 3166-1 alpha-2 country code such as FR' });

const continent = z
  .string({ error: 'must be a string' })
  .refine((c) => (CONTINENTS as readonly string[]).includes(c.toLowerCase()), { error: `must be one of ${CONTINENTS.join(', ')}` });

/** What a record's `meta` may hold beside the keys Vigil acts on: sizes that keep a zone's JSON sane. */
export const META_LIMITS = { notes: 1024, notesList: 10, ip: 100, asn: 100, cidrLabels: 100, label: 64 } as const;

/** weighted_shuffle's weight of a record without one, as Gcore's: only ratios matter, so 50 against 10 is 5 to 1. */
export const DEFAULT_WEIGHT = 50;

const note = z
  .string({ error: 'must be a string or a list of strings' })
  .max(META_LIMITS.notes, { error: `must be at most ${META_LIMITS.notes} characters` });

const coordinate = (max: number) =>
  z
    .number({ error: 'must be a number' })
    .min(-max, { error: `must be from -${max} to ${max}` })
    .max(max, { error: `must be from -${max} to ${max}` });

export const RecordMetaSchema = z.strictObject({
  countries: z.array(country, { error: 'must be a list of country codes' }).max(250).optional(),
  continents: z
    .array(continent, { error: 'must be a list of continent codes' })
    .max(CONTINENTS.length * 2)
    .optional(),
  weight: z
    .number({ error: 'must be a number' })
    .min(0, { error: 'must be from 0 to 65535' })
    .max(65535, { error: 'must be from 0 to 65535' })
    .optional(),
  default: z.boolean({ error: 'must be true or false' }).optional(),
  /** Gcore's failover backup: served only when every other record of the set is unavailable. */
  backup: z.boolean({ error: 'must be true or false' }).optional(),
  // Kept for the clients that send them (Gcore's SDK, Terraform, DNSControl); no picker reads them.
  notes: z
    .union([note, z.array(note).max(META_LIMITS.notesList, { error: `must hold at most ${META_LIMITS.notesList} notes` })], {
      error: 'must be a string or a list of strings',
    })
    .optional(),
  ip: z
    .array(
      z
        .string({ error: 'must be an address or network such as 192.0.2.0/24' })
        .refine(isAddressOrCidr, { error: 'must be an address or network such as 192.0.2.0/24' }),
      { error: 'must be a list of addresses or networks' },
    )
    .max(META_LIMITS.ip, { error: `must hold at most ${META_LIMITS.ip} networks` })
    .optional(),
  asn: z
    .array(
      z
        .int({ error: 'must be an AS number' })
        .min(0, { error: 'must be from 0 to 4294967295' })
        .max(4294967295, { error: 'must be from 0 to 4294967295' }),
      { error: 'must be a list of AS numbers' },
    )
    .max(META_LIMITS.asn, { error: `must hold at most ${META_LIMITS.asn} AS numbers` })
    .optional(),
  latlong: z.tuple([coordinate(90), coordinate(180)], { error: 'must be [latitude, longitude]' }).optional(),
  fallback: z.boolean({ error: 'must be true or false' }).optional(),
  cidr_labels: z
    .record(
      z
        .string()
        .min(1, { error: 'labels must not be empty' })
        .max(META_LIMITS.label, { error: `labels must be at most ${META_LIMITS.label} characters` }),
      z.int({ error: 'must be an integer' }).min(0, { error: 'must be 0 or more' }),
      { error: 'must be an object of label: integer' },
    )
    .refine((m) => Object.keys(m).length <= META_LIMITS.cidrLabels, { error: `must hold at most ${META_LIMITS.cidrLabels} labels` })
    .optional(),
});
export type RecordMeta = z.output<typeof RecordMetaSchema>;

const scalar = z.union([z.string(), z.number()], { error: 'must be a string or a number' });
/**
 * A record's content: strings and numbers, and lists of them for the SvcParams of SVCB and HTTPS
 * (`[1, ".", ["alpn", "h3", "h2"], ["port", 1443]]`); which fields a type takes is the type's rule.
 */
export const ContentSchema = z.array(
  z.union([z.string(), z.number(), z.array(scalar, { error: 'must be a list of strings and numbers' })], {
    error: 'must be a string, a number, or (a SvcParam of SVCB and HTTPS) a list of them',
  }),
  { error: 'must be a list of values' },
);

export const ResourceRecordSchema = z.strictObject({
  content: ContentSchema,
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  // Gcore's SDK sends `"meta": null` for a record without any.
  meta: RecordMetaSchema.nullish().transform((m) => m ?? {}),
});

/** The health filter's names: `healthcheck` (octoDNS, DNSControl) and `is_healthy` (Terraform). */
export const HEALTH_PICKERS = ['healthcheck', 'is_healthy'] as const;
export const PICKER_TYPES = [...HEALTH_PICKERS, 'geodns', 'ip', 'asn', 'geodistance', 'weighted_shuffle', 'first_n', 'default'] as const;

const strict = z.boolean({ error: 'must be true or false' });
/** Every picker may cap what it passes on; 0 (or none) is no cap, as in Gcore's API. */
const limit = z
  .int({ error: 'must be an integer' })
  .min(0, { error: `must be from 0 (no limit) to ${MAX_RECORDS}` })
  .max(MAX_RECORDS, { error: `must be from 0 (no limit) to ${MAX_RECORDS}` });
const pickerFields = { limit: limit.optional(), strict: strict.optional() };

export const PickerSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('geodns'), strict: strict.default(false), limit: limit.optional() }),
    /** Records whose meta.ip holds the client's address (ECS, else the resolver's). */
    z.strictObject({ type: z.literal('ip'), ...pickerFields }),
    /** Records whose meta.asn holds the client's autonomous system. */
    z.strictObject({ type: z.literal('asn'), ...pickerFields }),
    /** Every record, nearest meta.latlong to the client first; records without one last. */
    z.strictObject({
      type: z.literal('geodistance'),
      ...pickerFields,
      /**
       * Vigil's own: rank by the RTT that the probes of the location nearest the client measure
       * (fastest first), geodistance for what they have not measured. Absent unless sent.
       */
      rtt: strict.optional(),
    }),
    z.strictObject({ type: z.literal('weighted_shuffle'), ...pickerFields }),
    z.strictObject({ type: z.literal('first_n'), ...pickerFields }),
    z.strictObject({ type: z.literal('default'), ...pickerFields }),
    z.strictObject({ type: z.literal('healthcheck'), ...pickerFields }),
    z.strictObject({ type: z.literal('is_healthy'), ...pickerFields }),
  ],
  { error: `must be one of ${PICKER_TYPES.join(', ')}` },
);
export type Picker = z.output<typeof PickerSchema>;

export function isHealthPicker(p: Pick<Picker, 'type'>): boolean {
  return p.type === 'healthcheck' || p.type === 'is_healthy';
}

/** One step per kind: the two health filter names are the same step. */
const PickerListSchema = z
  .array(PickerSchema, { error: 'must be a list of pickers' })
  .max(PICKER_TYPES.length - 1)
  .superRefine((pickers, ctx) => {
    const seen = new Set<string>();
    pickers.forEach((p, i) => {
      const step = isHealthPicker(p) ? 'healthcheck' : p.type;
      if (seen.has(step)) ctx.addIssue({ code: 'custom', path: [i, 'type'], message: `picker ${p.type} is listed twice` });
      seen.add(step);
    });
  });

export const RrsetMetaSchema = z
  .strictObject({
    failover: FailoverSchema.nullable().optional(),
    /** Gcore's older name for `failover` (Terraform's v0 provider sends both). */
    healthchecks: FailoverSchema.nullable().optional(),
  })
  .superRefine((m, ctx) => {
    if (m.failover != null && m.healthchecks != null && JSON.stringify(m.failover) !== JSON.stringify(m.healthchecks)) {
      ctx.addIssue({
        code: 'custom',
        path: ['healthchecks'],
        message: 'differs from failover; send one of them (healthchecks is another name for failover)',
      });
    }
  })
  .transform(({ healthchecks, ...m }) => (m.failover === undefined && healthchecks !== undefined ? { ...m, failover: healthchecks } : m));

/** A record set's fields as Gcore's clients send them, before the aliases are resolved. */
export const RrsetInputFields = {
  /** Gcore's SDK sends the type it has (`""` when it has none); it must agree with the path. */
  type: z.string({ error: 'must be a string' }).max(16).optional(),
  ttl: z
    .int({ error: 'must be an integer number of seconds' })
    .min(TTL_LIMITS.min, { error: `must be from ${TTL_LIMITS.min} to ${TTL_LIMITS.max}` })
    .max(TTL_LIMITS.max, { error: `must be from ${TTL_LIMITS.min} to ${TTL_LIMITS.max}` })
    .default(TTL_LIMITS.default),
  resource_records: z
    .array(ResourceRecordSchema, { error: 'must be a list of records' })
    .min(1, { error: 'must hold at least one record' })
    .max(MAX_RECORDS, { error: `must hold at most ${MAX_RECORDS} records` }),
  pickers: PickerListSchema.nullish(),
  /** Gcore's older name for `pickers` (its Go SDK, Terraform v0, DNSControl, octoDNS). */
  filters: PickerListSchema.nullish(),
  meta: RrsetMetaSchema.nullish(),
};

interface RrsetAliasFields {
  pickers?: Picker[] | null;
  filters?: Picker[] | null;
  meta?: z.output<typeof RrsetMetaSchema> | null;
}

/**
 * Resolves the aliases of a record set body: `filters` is `pickers` (both may come if they agree),
 * null pickers or meta are none.
 */
export function withRrsetAliases<T extends z.ZodType<RrsetAliasFields>>(schema: T) {
  return schema
    .superRefine((b, ctx) => {
      if (b.pickers != null && b.filters != null && JSON.stringify(b.pickers) !== JSON.stringify(b.filters)) {
        ctx.addIssue({
          code: 'custom',
          path: ['filters'],
          message: 'differs from pickers; send one of them (filters is another name for pickers)',
        });
      }
    })
    .transform((b: z.output<T>) => {
      const { pickers, filters, meta, ...rest } = b;
      return { ...rest, pickers: pickers ?? filters ?? [], meta: meta ?? {} };
    });
}

/** The body of POST/PUT /v2/zones/{zone}/{name}/{type}. The name comes from the path, and so does the type. */
export const RrsetBodySchema = withRrsetAliases(z.strictObject(RrsetInputFields));
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
  // A name has one CNAME (RFC 1034 3.6.2). With failover or pickers the record set holds the
  // candidates, and DNS answers with the first that the health filter and pickers leave.
  if (type === 'CNAME' && records.length > 1 && !body.meta.failover && body.pickers.length === 0) {
    issues.push({
      path: ['resource_records'],
      message: 'a CNAME record set holds exactly one record, unless it has failover or pickers (DNS then answers with one of them)',
    });
  }
  if (body.type !== undefined && body.type !== '' && body.type.toUpperCase() !== type) {
    issues.push({ path: ['type'], message: `must be ${type}, the type in the path (or be left out)` });
  }
  if (body.meta.failover && !isFailoverType(type)) {
    issues.push({ path: ['meta', 'failover'], message: `failover is only for ${FAILOVER_TYPES.join(', ')} record sets` });
  }
  // A minimum no more addresses than these can meet would serve the backups (or everything) for ever.
  const minHealthy = body.meta.failover?.min_healthy;
  if (minHealthy !== undefined) {
    const primaries = records.filter((r) => r.enabled && r.meta.backup !== true).length;
    if (minHealthy > primaries) {
      issues.push({
        path: ['meta', 'failover', 'min_healthy'],
        message: `must be at most ${primaries}, the number of enabled records that are not backups`,
      });
    }
  }
  // The probes measure RTT as they run the record set's check: without one there is nothing to rank by.
  body.pickers.forEach((p, i) => {
    if (p.type === 'geodistance' && p.rtt === true && !body.meta.failover) {
      issues.push({ path: ['pickers', i, 'rtt'], message: 'needs a failover check (meta.failover): its probes measure the RTT' });
    }
  });
  return { body: { ...body, resource_records: records }, issues };
}

export function isRecordType(t: string): t is RecordType {
  return (RECORD_TYPES as readonly string[]).includes(t);
}
