import { z } from 'zod';
import { issuesToValidationFailed } from '../../common/errors';

/** Gcore's answer shape, plus what a dry run would do. */
export const ImportResultSchema = z.object({
  imported: z.object({
    /** How many record types the file's imported records have. */
    qtype: z.number(),
    resource_records: z.number(),
    rrsets: z.number(),
    skipped_resource_records: z.number(),
  }),
  success: z.boolean(),
  /** Owner name → record type → what the import did otherwise than the file says (Gcore's shape). */
  warnings: z.record(z.string(), z.record(z.string(), z.string())),
  dry_run: z.boolean(),
  diff: z.object({
    created: z.array(z.object({ name: z.string(), type: z.string() })),
    updated: z.array(z.object({ name: z.string(), type: z.string() })),
    unchanged: z.number(),
  }),
});
export type ImportResult = z.output<typeof ImportResultSchema>;

/** Gcore's export answer: the zone file as one string. */
export const ExportResultSchema = z.object({ raw_zone: z.string() });

/** Gcore's SDK sends the zone file as `{"content": "..."}`; the raw text body is the other form. */
export const ImportJsonSchema = z.strictObject({ content: z.string({ error: 'must be the zone file as a string' }) });

/** The zone file of either form, or the API's 400 naming what is wrong with the JSON one. */
export function zoneFileText(body: unknown): string {
  if (typeof body === 'string') return body;
  const parsed = ImportJsonSchema.safeParse(body ?? {});
  if (!parsed.success) throw issuesToValidationFailed(parsed.error.issues);
  return parsed.data.content;
}

export const ImportQuerySchema = z.object({
  dry_run: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .optional()
    .transform((v) => v === 'true' || v === '1'),
});
