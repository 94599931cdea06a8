import { RrsetBodySchema } from '@vigil/contract';
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
