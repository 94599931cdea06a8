import { z } from 'zod';
import { FEATURES, REQUEST_STATUSES } from '../feature-request.entity';

export const CreateFeatureRequestSchema = z.strictObject({
  feature: z.enum(FEATURES, { error: `must be one of ${FEATURES.join(', ')}` }),
  message: z.string({ error: 'must be a string' }).max(2000, { error: 'must be at most 2000 characters' }).default(''),
});
export type CreateFeatureRequest = z.infer<typeof CreateFeatureRequestSchema>;

export const FeatureRequestSchema = z.object({
  id: z.string(),
  account_id: z.string(),
  feature: z.enum(FEATURES),
  status: z.enum(REQUEST_STATUSES),
  message: z.string(),
  requested_by: z.string(),
  created_at: z.string(),
  decided_at: z.string().nullable(),
  decided_by: z.string().nullable(),
});
export const FeatureRequestListSchema = z.object({ requests: z.array(FeatureRequestSchema), total_amount: z.number() });

export const FeatureRequestQuerySchema = z.object({
  status: z.enum(REQUEST_STATUSES, { error: `must be one of ${REQUEST_STATUSES.join(', ')}` }).optional(),
});

/** Support's decision on a request: granting it turns the feature on. */
export const DecideFeatureRequestSchema = z.strictObject({
  status: z.enum(['granted', 'rejected'], { error: 'must be granted or rejected' }),
});
export type DecideFeatureRequest = z.infer<typeof DecideFeatureRequestSchema>;

/** Support sets an account's features directly (grant or revoke). */
export const UpdateFeaturesSchema = z.strictObject({
  features: z.strictObject(
    { failover: z.boolean({ error: 'must be true or false' }) },
    { error: 'must be an object such as {"failover": true}' },
  ),
});
export type UpdateFeatures = z.infer<typeof UpdateFeaturesSchema>;
