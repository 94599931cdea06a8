import { FreshnessSlackSecondsSchema, RedisKeyPrefixSchema } from '@vigil/contract';
import { RedisEnvShape, redisSettings, type RedisSettings } from '@vigil/contract/redis';
import { isIP } from 'node:net';
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

/** A host name or an IP address: no scheme, no port, no path. */
const hostName = z.string().refine((v) => isIP(v) !== 0 || /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9])?\.?$/i.test(v), {
  error: 'must be a host name or IP address (without scheme or port: the port is SMTP_PORT)',
});

/** Every setting of the api process, from the environment, with defaults for local use. */
export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(3000),
  /** Prometheus metrics (GET /metrics) on this port of API_HOST; unset: none. */
  API_METRICS_PORT: unsetIfEmpty(port.optional()),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .default('postgres://postgres@127.0.0.1:5432/vigil'),
  /**
   * REDIS_URL, or REDIS_SENTINELS (+ REDIS_SENTINEL_MASTER, REDIS_SENTINEL_PASSWORD): the primary,
   * which the api reads and writes; it ignores REDIS_READ_URL (its reads decide what it writes).
   */
  ...RedisEnvShape,
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
  /**
   * "Check now": at most one one-off run of a record set's check per this many seconds (from its
   * start), so the route cannot be used to flood a target; 0 leaves only one run in flight at a time.
   */
  CHECK_NOW_INTERVAL_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int().min(0).max(3600).default(10),
  /** Store health transitions from the change feed in PostgreSQL (history, uptime). */
  HEALTH_HISTORY: bool.default(true),
  SUPPORT_EMAIL: unsetIfEmpty(z.email({ error: 'must be an e-mail address' }).optional()),
  SUPPORT_PASSWORD: unsetIfEmpty(z.string().min(12, { error: 'must be at least 12 characters' }).optional()),
  /** The SMTP server e-mail notifications go through; unset: e-mail channels cannot be made. */
  SMTP_HOST: unsetIfEmpty(hostName.optional()),
  /** Default 587, or 465 with SMTP_TLS=true. */
  SMTP_PORT: unsetIfEmpty(port.optional()),
  /** Implicit TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when the server offers it. */
  SMTP_TLS: unsetIfEmpty(bool.optional()),
  /** Login to the SMTP server, both or neither. */
  SMTP_USER: unsetIfEmpty(z.string().optional()),
  SMTP_PASSWORD: unsetIfEmpty(z.string().optional()),
  /** The sender address of notification e-mails; required with SMTP_HOST. */
  SMTP_FROM: unsetIfEmpty(z.email({ error: 'must be an e-mail address' }).optional()),
  /** Accept a self-signed, expired or mismatched certificate from the SMTP server (tests, private relays). */
  SMTP_ALLOW_INVALID_CERT: unsetIfEmpty(bool.optional()),
  /** Name servers put in the apex NS record set of every new zone, and the first one in SOA MNAME. */
  ZONE_NAMESERVERS: commaList('ns1.vigil.localhost,ns2.vigil.localhost').pipe(
    z.array(z.string()).min(1, { error: 'must list at least one name server' }),
  ),
  /** SOA RNAME default, as an e-mail address. */
  ZONE_CONTACT: z.email({ error: 'must be an e-mail address' }).default('hostmaster@vigil.localhost'),
  /**
   * Key that seals the secrets the api must use again (webhook signing secrets, Slack URLs,
   * PagerDuty keys): base64 of 32 bytes. Unset: read from SECRETS_KEY_FILE, made there if missing.
   */
  SECRETS_KEY: unsetIfEmpty(
    z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, { error: 'must be the base64 of 32 bytes (openssl rand -base64 32)' })
      .optional(),
  ),
  SECRETS_KEY_FILE: z.string().default('.vigil/secrets.key'),
  /** Run notifications in this api process: take transitions from the feed, coalesce, deliver. */
  NOTIFICATIONS: bool.default(true),
  /** Transitions of one account within this many seconds of the first go out as one message. */
  NOTIFY_COALESCE_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int().min(0).max(300).default(5),
  /** Tries per delivery, the first included, and the first retry's delay (doubling after each). */
  NOTIFY_ATTEMPTS: z.coerce.number({ error: 'must be a number' }).int().min(1).max(30).default(14),
  NOTIFY_RETRY_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(10).max(600_000).default(2000),
  /** Timeout of one webhook, Slack, Discord or PagerDuty request. */
  NOTIFY_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(100).max(30_000).default(5000),
  /** Where the panel is, for the links in messages (default: the first PANEL_ORIGIN). */
  PANEL_URL: unsetIfEmpty(z.url({ protocol: /^https?$/, error: 'must be a URL such as https://vigil.example.com' }).optional()),
  /**
   * Private, loopback and link-local ranges webhooks may still be sent to, as the probes'
   * setting of the same name: a comma list of CIDRs, or `all`.
   */
  ALLOW_PRIVATE_TARGETS: z.string().default(''),
  /**
   * A Vigil DNS server (`host:port`, `[::1]:53` for IPv6) that the record-set preview queries with
   * the client's address as EDNS Client Subnet; unset: the preview answers 503.
   */
  DNS_PREVIEW_SERVER: unsetIfEmpty(
    z
      .string()
      .transform((v, ctx) => {
        const m = /^(?:\[([0-9a-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/i.exec(v.trim());
        const port = m ? Number(m[3]) : 0;
        if (!m || port < 1 || port > 65535) {
          ctx.addIssue({ code: 'custom', message: 'must be host:port, such as 127.0.0.1:53 or [::1]:53' });
          return z.NEVER;
        }
        return { host: m[1] ?? m[2]!, port };
      })
      .optional(),
  ),
  /** PagerDuty's Events API v2 (events.eu.pagerduty.com for the EU service region). */
  PAGERDUTY_EVENTS_URL: z.url({ protocol: /^https?$/, error: 'must be a URL' }).default('https://events.pagerduty.com/v2/enqueue'),
});

type ParsedConfig = z.infer<typeof ConfigSchema>;

/** The parsed settings, with the defaults that depend on other settings applied. */
export type AppConfig = Omit<ParsedConfig, 'COOKIE_SECURE' | 'SMTP_PORT' | 'SMTP_TLS' | 'SMTP_ALLOW_INVALID_CERT'> & {
  COOKIE_SECURE: boolean;
  SMTP_PORT: number;
  SMTP_TLS: boolean;
  SMTP_ALLOW_INVALID_CERT: boolean;
  /** Where every connection of the api goes: the primary (see RedisEnvShape). */
  redis: RedisSettings;
};

export class ConfigError extends Error {}

/** Parses the environment; throws one error that lists every bad variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const c = parsed.data;
  const problems = smtpProblems(c);
  if ((c.SUPPORT_EMAIL === undefined) !== (c.SUPPORT_PASSWORD === undefined)) {
    problems.unshift('SUPPORT_EMAIL and SUPPORT_PASSWORD must be set together');
  }
  if (problems.length > 0) throw invalid(problems);
  const smtpTls = c.SMTP_TLS ?? false;
  return {
    ...c,
    COOKIE_SECURE: c.COOKIE_SECURE ?? c.NODE_ENV === 'production',
    SMTP_TLS: smtpTls,
    SMTP_PORT: c.SMTP_PORT ?? (smtpTls ? 465 : 587),
    SMTP_ALLOW_INVALID_CERT: c.SMTP_ALLOW_INVALID_CERT ?? false,
    redis: redisSettings(c),
  };
}

const invalid = (lines: string[]) => new ConfigError(`Invalid configuration:\n${lines.map((l) => `  ${l}`).join('\n')}`);

const SMTP_SETTINGS = ['SMTP_PORT', 'SMTP_TLS', 'SMTP_USER', 'SMTP_PASSWORD', 'SMTP_FROM', 'SMTP_ALLOW_INVALID_CERT'] as const;

/** The SMTP settings that do not go together, a line each. */
function smtpProblems(c: ParsedConfig): string[] {
  if (c.SMTP_HOST === undefined) {
    return SMTP_SETTINGS.filter((k) => c[k] !== undefined).map((k) => `${k}: is set but SMTP_HOST is not (set SMTP_HOST to send e-mail)`);
  }
  const problems: string[] = [];
  if (c.SMTP_FROM === undefined) problems.push('SMTP_FROM: required with SMTP_HOST (the sender address of notification e-mails)');
  if ((c.SMTP_USER === undefined) !== (c.SMTP_PASSWORD === undefined)) problems.push('SMTP_USER and SMTP_PASSWORD must be set together');
  if (c.SMTP_TLS === true && c.SMTP_PORT === 587) {
    problems.push('SMTP_TLS: port 587 takes STARTTLS, not implicit TLS: set SMTP_TLS=false, or SMTP_PORT to the TLS port (465)');
  }
  if (c.SMTP_TLS !== true && c.SMTP_PORT === 465) problems.push('SMTP_TLS: port 465 takes implicit TLS: set SMTP_TLS=true');
  return problems;
}

/** Nest injection token of the validated config. */
export const APP_CONFIG = Symbol('APP_CONFIG');
