import { hostname } from 'node:os';
import { z } from 'zod';
import { FreshnessSlackSecondsSchema } from '@vigil/contract';
import { LogLevelSchema, OptionalPortSchema, parseEnv, RedisEnvShape, RedisKeyPrefixSchema } from '../common/env';
import { DEFAULT_THRESHOLDS } from './quorum';

const share = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a number in (0, 1], such as 0.85' })
    .gt(0, { error: 'must be more than 0 and at most 1' })
    .max(1, { error: 'must be more than 0 and at most 1' })
    .default(fallback);

/** Every setting of an aggregator process, from the environment. */
export const AggregatorConfigSchema = z
  .object({
    ...RedisEnvShape,
    REDIS_KEY_PREFIX: RedisKeyPrefixSchema,
    AVAILABLE_THRESHOLD: share(DEFAULT_THRESHOLDS.available),
    UNAVAILABLE_THRESHOLD: share(DEFAULT_THRESHOLDS.unavailable),
    /** Name in the consumer group; must differ between aggregators running at once. */
    CONSUMER: z
      .string()
      .min(1)
      .max(200)
      .default(() => `${hostname()}-${process.pid}`),
    /** Added to the two check periods during which a location's latest result counts. */
    FRESHNESS_SLACK_SECONDS: FreshnessSlackSecondsSchema,
    METRICS_PORT: OptionalPortSchema,
    METRICS_HOST: z.string().default('127.0.0.1'),
    LOG_LEVEL: LogLevelSchema,
  })
  .superRefine((c, ctx) => {
    // With A + U <= 1 some mix (say 50% ok with A = U = 0.5) would be both available and
    // unavailable; above 1 there is a band in between where the state holds (hysteresis).
    const inRange = (v: number) => v > 0 && v <= 1;
    if (inRange(c.AVAILABLE_THRESHOLD) && inRange(c.UNAVAILABLE_THRESHOLD) && c.AVAILABLE_THRESHOLD + c.UNAVAILABLE_THRESHOLD <= 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['AVAILABLE_THRESHOLD'],
        message: `plus UNAVAILABLE_THRESHOLD must be more than 1 (now ${c.AVAILABLE_THRESHOLD} + ${c.UNAVAILABLE_THRESHOLD}), or a result could count as both available and unavailable`,
      });
    }
  });

export type AggregatorConfig = z.output<typeof AggregatorConfigSchema>;

export const loadAggregatorConfig = (env: NodeJS.ProcessEnv = process.env): AggregatorConfig => parseEnv(AggregatorConfigSchema, env);
