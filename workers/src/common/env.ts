import { z } from 'zod';

export { RedisKeyPrefixSchema } from '@vigil/contract';
/** REDIS_URL, REDIS_SENTINELS, REDIS_SENTINEL_MASTER, REDIS_SENTINEL_PASSWORD, REDIS_READ_URL: one rule for every process. */
export { RedisEnvShape, redisSettings } from '@vigil/contract/redis';

/** Settings every worker process shares. */
export const LogLevelSchema = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'must be one of fatal, error, warn, info, debug, trace, silent',
  })
  .default('info');
/** An optional port: unset or empty means "off". */
export const OptionalPortSchema = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      ctx.addIssue({ code: 'custom', message: 'must be a port number (1-65535)' });
      return z.NEVER;
    }
    return n;
  });

export class ConfigError extends Error {}

function withoutPassword(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) {
      u.password = '***';
      return u.toString();
    }
  } catch {
    // not a URL
  }
  return value;
}

/**
 * Parses the environment with `schema`; throws one error that names every bad variable, why, and
 * what it held (URLs without their password, secrets not at all).
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, of = ''): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const key = i.path.join('.');
    const got = env[key];
    const shown = got === undefined || /PASSWORD|SECRET|TOKEN/.test(key) ? '' : ` (got ${JSON.stringify(withoutPassword(got))})`;
    return `  ${key || '(environment)'}: ${i.message}${shown}`;
  });
  throw new ConfigError(`Invalid configuration${of ? ` of ${of}` : ''}:\n${lines.join('\n')}`);
}
