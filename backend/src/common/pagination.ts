import { z } from 'zod';

/** `limit` and `offset` query parameters, as Gcore's API takes them. */
export const PageQuerySchema = z.object({
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(1, { error: 'must be from 1 to 1000' })
    .max(1000, { error: 'must be from 1 to 1000' })
    .default(100),
  offset: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(0, { error: 'must be 0 or more' })
    .default(0),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;
