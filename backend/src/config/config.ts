import { FreshnessSlackSecondsSchema, RedisKeyPrefixSchema } from '@vigil/contract';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** An empty variable is an unset one (compose passes `${X:-}` as ""). */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);

/** A comma-separated list, its items trimmed, empty ones left out. */
const commaList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );

const port = z.coerce.number({ error: 'must be a port number' }).int().min(1).max(65535);
const positive = z.coerce.number({ error: 'must be a number' }).int().positive();

/** Every setting of the api process, from the environment, with defaults for local use. */
export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(3000),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .default('postgres://postgres@127.0.0.1:5432/vigil'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).default('redis://127.0.0.1:6379'),
  /** Prepended to every Redis key, so several Vigil installations (or test runs) can share one Redis. */
  REDIS_KEY_PREFIX: RedisKeyPrefixSchema,
  /**
   * Origins of the panel, comma-separated: the only ones CORS lets call the API with credentials,
   * and (with the api's own) the ones a session's writes are accepted from.
   */
  PANEL_ORIGIN: commaList('http://localhost:5173').pipe(
    z
      .array(z.url({ protocol: /^https?$/, error: 'must be a URL such as http://localhost:5173' }).transform((u) => new URL(u).origin))
      .min(1, { error: 'must list at least one origin' }),
  ),
  /** Express "trust proxy": set it (e.g. to 1 or loopback) when a reverse proxy sits in front. */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MIGRATE_ON_START: bool.default(true),
  SESSION_TTL_HOURS: positive.default(12),
  /** Secure session cookies (HTTPS only); defaults to true when NODE_ENV=production. */
  COOKIE_SECURE: bool.optional(),
  RATE_LIMIT_PER_MINUTE: positive.default(600),
  /**
   * How long an api process reuses an API token's lookup: a token revoked through another api
   * process (or expired) stops working within this bound; through this one, at once. 0: every call asks.
   */
  API_TOKEN_CACHE_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(0).max(60_000).default(1000),
  SIGNIN_RATE_LIMIT_PER_MINUTE: positive.default(10),
  /**
   * Failed sign-ins of one e-mail address, from any addresses, before it is locked for
   * SIGNIN_LOCK_SECONDS (doubling with each further failure, at most 15 minutes).
   */
  SIGNIN_FAILURES_PER_ACCOUNT: positive.default(10),
  SIGNIN_LOCK_SECONDS: positive.max(900, { error: 'must be at most 900 (15 minutes)' }).default(60),
  /** How often the api republishes zones that Redis lacks or holds at another version; 0 turns it off. */
  RECONCILE_INTERVAL_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int().min(0).default(60),
  /** As the aggregator's: how long past two check periods a location's last result still counts. */
  FRESHNESS_SLACK_SECONDS: FreshnessSlackSecondsSchema,
  /** Store health transitions from the change feed in PostgreSQL (history, uptime). */
  HEALTH_HISTORY: bool.default(true),
  SUPPORT_EMAIL: unsetIfEmpty(z.email({ error: 'must be an e-mail address' }).optional()),
  SUPPORT_PASSWORD: unsetIfEmpty(z.string().min(12, { error: 'must be at least 12 characters' }).optional()),
  /** Name servers put in the apex NS record set of every new zone, and the first one in SOA MNAME. */
  ZONE_NAMESERVERS: commaList('ns1.vigil.localhost,ns2.vigil.localhost').pipe(
    z.array(z.string()).min(1, { error: 'must list at least one name server' }),
  ),
  /** SOA RNAME default, as an e-mail address. */
  ZONE_CONTACT: z.email({ error: 'must be an e-mail address' }).default('hostmaster@vigil.localhost'),
});

export type AppConfig = Omit<z.infer<typeof ConfigSchema>, 'COOKIE_SECURE'> & { COOKIE_SECURE: boolean };

export class ConfigError extends Error {}

/** Parses the environment; throws one error that lists every bad variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) {
    const c = parsed.data;
    if ((c.SUPPORT_EMAIL === undefined) !== (c.SUPPORT_PASSWORD === undefined)) {
      throw new ConfigError('Invalid configuration:\n  SUPPORT_EMAIL and SUPPORT_PASSWORD must be set together');
    }
    return { ...c, COOKIE_SECURE: c.COOKIE_SECURE ?? c.NODE_ENV === 'production' };
  }
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** Nest injection token of the validated config. */
export const APP_CONFIG = Symbol('APP_CONFIG');
