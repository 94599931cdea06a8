import { z } from 'zod';

export const AccountSchema = z.object({
  id: z.string(),
  name: z.string(),
  features: z.object({ failover: z.boolean() }),
  role: z.enum(['owner', 'member', 'token']).nullable(),
  created_at: z.string(),
});

export const UpdateAccountSchema = z.strictObject({
  name: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(100, { error: 'must be at most 100 characters' }),
});
export type UpdateAccount = z.infer<typeof UpdateAccountSchema>;

export const AddMemberSchema = z.strictObject({
  email: z.email({ error: 'must be an e-mail address' }).transform((e) => e.toLowerCase()),
  role: z.enum(['owner', 'member'], { error: 'must be owner or member' }).default('member'),
});
export type AddMember = z.infer<typeof AddMemberSchema>;

export const MemberSchema = z.object({ user_id: z.string(), email: z.string(), role: z.enum(['owner', 'member']), created_at: z.string() });
export const MemberListSchema = z.object({ members: z.array(MemberSchema) });

export const AuditListSchema = z.object({
  events: z.array(
    z.object({
      id: z.number(),
      actor: z.string(),
      action: z.string(),
      target: z.string(),
      details: z.record(z.string(), z.unknown()),
      created_at: z.string(),
    }),
  ),
  total_amount: z.number(),
});
export const AuditQuerySchema = z.object({ action: z.string().max(100).optional() });
