import { z } from 'zod';

/** A boolean query parameter as clients write it: `true`/`false` (or `1`/`0`). */
export const QueryBoolean = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

/** `?force=true`: do it even though the guard of overrides would refuse it (409). */
export const ForceQuerySchema = z.strictObject({
  force: QueryBoolean.optional()
    .transform((v) => v === true)
    .meta({ description: 'true: do it even if it leaves no served address (what the 409 says)' }),
});
export type ForceQuery = z.output<typeof ForceQuerySchema>;

/**
 * A query parameter that may repeat (`type=A&type=AAAA`) or hold a comma list (`type=A,AAAA`),
 * as a list of its non-empty values.
 */
export function queryList<T extends z.ZodType<string, string>>(item: T, max = 100) {
  return z
    .union([z.string(), z.array(z.string())], { error: 'must be a value or a list of values' })
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter((s) => s !== ''))
    .pipe(z.array(item).max(max, { error: `must hold at most ${max} values` }));
}
