import { z } from 'zod';

const email = z
  .email({ error: 'must be an e-mail address' })
  .max(254, { error: 'must be at most 254 characters' })
  .transform((e) => e.toLowerCase());

export const SignUpSchema = z.strictObject({
  email,
  password: z
    .string({ error: 'must be a string' })
    .min(10, { error: 'must be at least 10 characters' })
    .max(200, { error: 'must be at most 200 characters' }),
  account_name: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(100, { error: 'must be at most 100 characters' })
    .optional(),
});
export type SignUp = z.infer<typeof SignUpSchema>;

export const SignInSchema = z.strictObject({
  email,
  password: z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .max(200, { error: 'must be at most 200 characters' }),
});
export type SignIn = z.infer<typeof SignInSchema>;

export const MeSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), is_support: z.boolean() }),
  accounts: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(['owner', 'member']) })),
  current_account_id: z.string().nullable(),
});
