import { z } from 'zod';

export const CHANNEL_TYPES = ['webhook', 'email', 'slack', 'discord', 'pagerduty'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/**
 * What a channel is told of: an address going down, one coming back, a record set whose every
 * address is down (DNS then fails open and serves dead addresses: the loudest alert), and a
 * certificate entering its check's cert_expiry_days window, reaching its last day, or renewed.
 */
export const NOTIFY_EVENTS = ['down', 'up', 'all_down', 'cert_expiry'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** What may be shown again of a channel's settings. */
export interface ChannelConfig {
  /** webhook: the URL (its signing secret is the secret). */
  url?: string;
  /** email: the recipients. */
  to?: string[];
  /** slack, discord, pagerduty: enough of the secret URL or key to tell channels apart. */
  hint?: string;
}

const name = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' });
const url = z.string({ error: 'must be a URL' }).max(2000, { error: 'must be at most 2000 characters' });
const events = z
  .array(z.enum(NOTIFY_EVENTS, { error: `must be one of ${NOTIFY_EVENTS.join(', ')}` }), { error: 'must be a list' })
  .min(1, { error: 'must name at least one event' })
  .transform((list) => [...new Set(list)]);
const zones = z
  .array(z.string({ error: 'must be a zone name' }), { error: 'must be a list of zone names' })
  .max(100, { error: 'must list at most 100 zones' });
const rrsetIds = z
  .array(z.uuid({ error: 'must be a record set id' }), { error: 'must be a list of record set ids' })
  .max(100, { error: 'must list at most 100 record sets' });
const to = z
  .array(z.email({ error: 'must be an e-mail address' }), { error: 'must be a list of e-mail addresses' })
  .min(1, { error: 'must list at least one address' })
  .max(10, { error: 'must list at most 10 addresses' });
const routingKey = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9]{32}$/, { error: 'must be the 32-character integration key of a PagerDuty Events API v2 integration' });

const common = {
  name,
  events: events.optional(),
  zones: zones.optional(),
  rrset_ids: rrsetIds.optional(),
  enabled: z.boolean({ error: 'must be true or false' }).optional(),
};

export const CreateChannelSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('webhook'), url, ...common }),
    z.strictObject({ type: z.literal('slack'), url, ...common }),
    z.strictObject({ type: z.literal('discord'), url, ...common }),
    z.strictObject({ type: z.literal('email'), to, ...common }),
    z.strictObject({ type: z.literal('pagerduty'), routing_key: routingKey, ...common }),
  ],
  { error: `must be one of ${CHANNEL_TYPES.join(', ')}` },
);
export type CreateChannel = z.infer<typeof CreateChannelSchema>;

/** Every field optional; the type-specific ones only for a channel of that type. */
export const UpdateChannelSchema = z.strictObject({
  name: name.optional(),
  events: events.optional(),
  zones: zones.optional(),
  rrset_ids: rrsetIds.optional(),
  enabled: z.boolean({ error: 'must be true or false' }).optional(),
  url: url.optional(),
  to: to.optional(),
  routing_key: routingKey.optional(),
  rotate_secret: z.boolean({ error: 'must be true or false' }).optional(),
});
export type UpdateChannel = z.infer<typeof UpdateChannelSchema>;

export const ChannelSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(CHANNEL_TYPES),
  events: z.array(z.enum(NOTIFY_EVENTS)),
  zones: z.array(z.string()),
  rrset_ids: z.array(z.string()),
  enabled: z.boolean(),
  url: z.string().optional(),
  to: z.array(z.string()).optional(),
  hint: z.string().optional().meta({ description: 'Part of a Slack or Discord URL or PagerDuty key, which are not shown again' }),
  status: z.enum(['ok', 'failing']),
  failing_since: z.string().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export const CreatedChannelSchema = ChannelSchema.extend({
  secret: z
    .string()
    .optional()
    .meta({ description: "A webhook's signing secret: shown in this response only (and when rotated); store it now." }),
});
export const ChannelListSchema = z.object({
  channels: z.array(ChannelSchema),
  email_available: z
    .boolean()
    .meta({ description: 'Whether this server sends e-mail (its operator set SMTP_HOST): without it, e-mail channels are refused' }),
});

export const DeliverySchema = z.object({
  id: z.number(),
  message_key: z.string(),
  kind: z.string(),
  summary: z.string(),
  attempt: z.number(),
  status: z.enum(['sent', 'retrying', 'failed']),
  error: z.string().nullable(),
  latency_ms: z.number().nullable(),
  next_retry_at: z.string().nullable(),
  at: z.string(),
});
export const DeliveryListSchema = z.object({ deliveries: z.array(DeliverySchema), total_amount: z.number() });
export const TestResultSchema = z.object({
  status: z.enum(['sent', 'failed']),
  error: z.string().nullable(),
  latency_ms: z.number(),
});
