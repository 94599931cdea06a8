import { z } from 'zod';
import { LogLevelSchema, OptionalPortSchema, parseEnv, RedisKeyPrefixSchema, RedisUrlSchema } from '../common/env';
import { TargetPolicy } from './target-policy';

/** Every setting of a probe process, from the environment. */
export const ProbeConfigSchema = z.object({
  /** This probe's location: names its queue and tags its results. */
  LOCATION: z
    .string({ error: 'is required: the name of this probe location, such as eu-1' })
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'must be lowercase letters, digits and "-" (at most 63), such as eu-1' }),
  REDIS_URL: RedisUrlSchema,
  REDIS_KEY_PREFIX: RedisKeyPrefixSchema,
  /** Checks in flight at once, across all jobs. */
  PROBE_CONCURRENCY: z.coerce.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).min(1).max(20_000).default(200),
  /** Non-public ranges the probe may check anyway: comma-separated CIDRs, or `all`. */
  ALLOW_PRIVATE_TARGETS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      try {
        return TargetPolicy.parse(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    }),
  METRICS_PORT: OptionalPortSchema,
  METRICS_HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: LogLevelSchema,
});

export type ProbeConfig = z.output<typeof ProbeConfigSchema>;

export const loadProbeConfig = (env: NodeJS.ProcessEnv = process.env): ProbeConfig => parseEnv(ProbeConfigSchema, env);
