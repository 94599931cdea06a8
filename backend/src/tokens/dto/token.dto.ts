import { z } from 'zod';

export const CreateTokenSchema = z.strictObject({
  name: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(100, { error: 'must be at most 100 characters' }),
  expires_at: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2027-01-31T00:00:00Z' })
    .refine((d) => new Date(d).getTime() > Date.now(), { error: 'must be in the future' })
    .nullable()
    .optional(),
});
export type CreateToken = z.infer<typeof CreateTokenSchema>;

export const TokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export const CreatedTokenSchema = TokenSchema.extend({
  token: z.string().meta({ description: 'The secret. Shown only in this response; store it now.' }),
});
export const TokenListSchema = z.object({ tokens: z.array(TokenSchema) });
