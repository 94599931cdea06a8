// How every process (api, dns, probes, aggregator) and their tests reach Redis: one set of
// environment variables, one rule turning them into ioredis options. No process builds its own.
import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { z } from 'zod';

export interface RedisAddress {
  host: string;
  port: number;
}

/** The parsed Redis settings of a process. */
export interface RedisSettings {
  /** REDIS_URL: the primary without Sentinel; with Sentinel only its credentials, db and TLS (`rediss:`) count. */
  url: string;
  /** REDIS_SENTINELS: when set, the primary is the one these Sentinels name, followed across failovers. */
  sentinels: RedisAddress[] | null;
  /** REDIS_SENTINEL_MASTER: the master group the Sentinels monitor. */
  sentinelMaster: string;
  /** REDIS_SENTINEL_PASSWORD: the Sentinels' own password, when they have one. */
  sentinelPassword: string | null;
  /** REDIS_READ_URL: a direct Redis (a site's replica) that readers use; null: they read from the primary. */
  readUrl: string | null;
}

/**
 * Which Redis a connection is for. `primary`: writes, BullMQ, and reads that feed writes;
 * `read`: a reader that only reads (the DNS server's zones, health and change feed), which goes to
 * REDIS_READ_URL when set.
 */
export type RedisSide = 'primary' | 'read';

export const DEFAULT_SENTINEL_PORT = 26379;

const SENTINELS_EXAMPLE = 'such as 10.0.0.1:26379,10.0.0.2:26379,[2001:db8::1]:26379';
const HOST_NAME = /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9])?\.?$/i;

/** An empty variable is an unset one (compose passes `${X:-}` as ""). */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);

export const RedisUrlSchema = z
  .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379' })
  .default('redis://127.0.0.1:6379');

/** Parses REDIS_SENTINELS: `host[:port]` items, comma-separated, IPv6 in brackets; throws saying what is wrong. */
export function parseSentinels(spec: string): RedisAddress[] {
  const items = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new Error(`must list at least one Sentinel as host:port, ${SENTINELS_EXAMPLE}`);
  return items.map((item) => {
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(item) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(item);
    if (!m) {
      const hint = item.split(':').length > 2 ? ' (an IPv6 address goes in brackets: [::1]:26379)' : '';
      throw new Error(`"${item}" is not host:port${hint}; list Sentinels ${SENTINELS_EXAMPLE}`);
    }
    const [, host, portText] = m;
    const bracketed = item.startsWith('[');
    if (bracketed ? isIP(host) !== 6 : isIP(host) !== 4 && !HOST_NAME.test(host)) {
      throw new Error(`"${item}": ${host} is not ${bracketed ? 'an IPv6 address' : 'a host name or IPv4 address'}`);
    }
    const port = portText === undefined ? DEFAULT_SENTINEL_PORT : Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`"${item}": the port must be from 1 to 65535`);
    return { host, port };
  });
}

/**
 * The Redis variables, the same in every process: spread into a process's environment schema,
 * then turned into settings with `redisSettings()`.
 */
export const RedisEnvShape = {
  REDIS_URL: RedisUrlSchema,
  REDIS_SENTINELS: unsetIfEmpty(
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return null;
        try {
          return parseSentinels(v);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
          return z.NEVER;
        }
      }),
  ),
  REDIS_SENTINEL_MASTER: unsetIfEmpty(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,128}$/, { error: 'must be the master group name of the Sentinels (letters, digits, ".", "_", "-")' })
      .default('vigil'),
  ),
  REDIS_SENTINEL_PASSWORD: unsetIfEmpty(z.string().optional()),
  REDIS_READ_URL: unsetIfEmpty(
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL of a Redis to read from (a replica)' }).optional(),
  ),
};

export const RedisEnvSchema = z.object(RedisEnvShape);
export type RedisEnv = z.output<typeof RedisEnvSchema>;

export function redisSettings(env: RedisEnv): RedisSettings {
  return {
    url: env.REDIS_URL,
    sentinels: env.REDIS_SENTINELS ?? null,
    sentinelMaster: env.REDIS_SENTINEL_MASTER,
    sentinelPassword: env.REDIS_SENTINEL_PASSWORD ?? null,
    readUrl: env.REDIS_READ_URL ?? null,
  };
}

/** Settings of a plain Redis at `url`, without Sentinel or a read replica (tests, tools). */
export const directRedis = (url: string, readUrl: string | null = null): RedisSettings => ({
  url,
  sentinels: null,
  sentinelMaster: 'vigil',
  sentinelPassword: null,
  readUrl,
});

/** What a redis:// or rediss:// URL says: address, login, db and TLS. */
export function redisUrlOptions(url: string): RedisOptions {
  const u = new URL(url);
  const options: RedisOptions = { host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(u.port || 6379) };
  if (u.username) options.username = decodeURIComponent(u.username);
  if (u.password) options.password = decodeURIComponent(u.password);
  const db = u.pathname.replace(/^\//, '');
  if (db) options.db = Number(db);
  // Node checks the certificate against the host name by itself.
  if (u.protocol === 'rediss:') options.tls = {};
  return options;
}

/**
 * ioredis constructor options for one connection: the read replica (REDIS_READ_URL) for the
 * `read` side when set; otherwise the primary, through the Sentinels when REDIS_SENTINELS is set
 * (ioredis asks them for the master, checks its role, and asks again on every reconnect), else
 * REDIS_URL. `options` (keyPrefix, retries, timeouts) apply to every case.
 */
export function redisOptions(settings: RedisSettings, side: RedisSide, options: RedisOptions = {}): RedisOptions {
  if (side === 'read' && settings.readUrl) return { ...redisUrlOptions(settings.readUrl), ...options };
  if (!settings.sentinels) return { ...redisUrlOptions(settings.url), ...options };
  // With Sentinel the address comes from the Sentinels; REDIS_URL gives the rest.
  const { host: _host, port: _port, tls, ...login } = redisUrlOptions(settings.url);
  return {
    ...login,
    sentinels: settings.sentinels.map((s) => ({ ...s })),
    name: settings.sentinelMaster,
    ...(settings.sentinelPassword !== null ? { sentinelPassword: settings.sentinelPassword } : {}),
    // ioredis uses `tls` on the master's connection only with this set (not for the Sentinels).
    ...(tls ? { tls, enableTLSForSentinelMode: true } : {}),
    // Subscribes to the Sentinels' +switch-master: a client leaves a demoted primary at once,
    // instead of when its connection breaks (which a partition may delay by minutes).
    failoverDetector: true,
    ...options,
  };
}

/** Redis URL without its password, for log lines. */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://?';
  }
}

/** Where a connection of `side` goes, without passwords, for log lines. */
export function describeRedis(settings: RedisSettings, side: RedisSide = 'primary'): string {
  if (side === 'read' && settings.readUrl) return `${safeRedisUrl(settings.readUrl)} (read replica)`;
  if (!settings.sentinels) return safeRedisUrl(settings.url);
  const sentinels = settings.sentinels.map((s) => (isIP(s.host) === 6 ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`)).join(',');
  return `master "${settings.sentinelMaster}" of Sentinels ${sentinels}`;
}
