import { LOCATION_NAME, LOCATION_NAME_RULE, parseLatLong, TargetPolicy } from '@vigil/contract';
import { z } from 'zod';
import { LogLevelSchema, OptionalPortSchema, parseEnv, RedisEnvShape, RedisKeyPrefixSchema } from '../common/env';
import { parseResolvers } from './checks/resolve';

/** A setting (empty by default) read by `parse`, whose error becomes the variable's issue. */
const parsedBy = <T>(parse: (spec: string) => T) =>
  z
    .string()
    .default('')
    .transform((v, ctx) => {
      try {
        return parse(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    });

/** Every setting of a probe process, from the environment. */
export const ProbeConfigSchema = z.object({
  /** This probe's location: names its queue and tags its results. */
  LOCATION: z
    .string({ error: 'is required: the name of this probe location, such as eu-1' })
    .regex(LOCATION_NAME, { error: LOCATION_NAME_RULE }),
  ...RedisEnvShape,
  REDIS_KEY_PREFIX: RedisKeyPrefixSchema,
  /** Checks in flight at once, across all jobs. */
  PROBE_CONCURRENCY: z.coerce.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).min(1).max(20_000).default(200),
  /** Non-public ranges the probe may check anyway: comma-separated CIDRs, or `all`. */
  ALLOW_PRIVATE_TARGETS: parsedBy(TargetPolicy.parse),
  /**
   * Recursive resolvers for CNAME targets: comma-separated `host` or `host:port` (IPv6 as
   * `[addr]:port`), IP addresses only. Empty: the servers of /etc/resolv.conf.
   */
  PROBE_RESOLVERS: parsedBy(parseResolvers),
  /**
   * Where this location is, `<latitude>,<longitude>` in degrees (`48.86,2.35`), announced with the
   * heartbeat for the geodistance picker's `rtt` option; empty: not announced (and withdrawn).
   */
  PROBE_LATLONG: parsedBy((v) => (v.trim() === '' ? null : parseLatLong(v.trim()))),
  METRICS_PORT: OptionalPortSchema,
  METRICS_HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: LogLevelSchema,
});

export type ProbeConfig = z.output<typeof ProbeConfigSchema>;

export const loadProbeConfig = (env: NodeJS.ProcessEnv = process.env): ProbeConfig => parseEnv(ProbeConfigSchema, env);
