// Environment of the dns process, validated once at start so a typo fails loudly and clearly.
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { LogLevelSchema, parseEnv, RedisEnvShape, RedisKeyPrefixSchema, redisSettings } from '../common/env';

// Unset or empty means the default; 0 lets the system pick a port (tests).
const port = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(fallback) : v.trim()))
    .pipe(z.string().regex(/^\d+$/, { error: 'must be a port number from 0 to 65535' }))
    .transform(Number)
    .pipe(
      z.int().min(0, { error: 'must be a port number from 0 to 65535' }).max(65535, { error: 'must be a port number from 0 to 65535' }),
    );

// Unset or empty means the default.
const bindAddress = (fallback?: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .trim()
      .refine((v) => isIP(v) !== 0, { error: 'must be an IP address to bind, such as 127.0.0.1, 0.0.0.0 or ::' })
      .optional()
      .transform((v) => v ?? fallback),
  );

const positiveInt = (fallback: number, what: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(fallback) : v.trim()))
    .pipe(z.string().regex(/^\d+$/, { error: `must be a positive integer (${what})` }))
    .transform(Number)
    .pipe(z.int().min(1, { error: `must be a positive integer (${what})` }));

const DnsConfigSchema = z
  .object({
    DNS_PORT: port(5300),
    DNS_HOST: bindAddress('127.0.0.1'),
    ...RedisEnvShape,
    REDIS_KEY_PREFIX: RedisKeyPrefixSchema,
    METRICS_PORT: port(9153),
    /** Defaults to DNS_HOST. */
    METRICS_HOST: bindAddress(),
    DNS_TCP_IDLE_TIMEOUT_MS: positiveInt(10_000, 'milliseconds a TCP connection may stay idle'),
    DNS_TCP_MAX_CONNECTIONS: positiveInt(1000, 'concurrent TCP connections'),
    /** Per client address (per /64 for IPv6). */
    DNS_TCP_MAX_PER_SOURCE: positiveInt(64, 'concurrent TCP connections of one client'),
    DNS_TCP_MESSAGE_TIMEOUT_MS: positiveInt(3_000, 'milliseconds from the first byte of a TCP message to its last'),
    DNS_TCP_MAX_LIFETIME_MS: positiveInt(120_000, 'milliseconds a TCP connection may last'),
    /** auto: the batched addon (recvmmsg/sendmmsg) when it was built, else Node's dgram. */
    DNS_UDP_IO: z.preprocess(
      (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim().toLowerCase()) : v),
      z.enum(['auto', 'dgram', 'batch'], { error: 'must be auto, dgram or batch' }).default('auto'),
    ),
    LOG_LEVEL: LogLevelSchema,
    /** on: the asn and geodistance pickers' databases in memory (about 180 MB of RSS); off: no client has an AS number or a place. */
    DNS_GEO_DATA: z.preprocess(
      (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim().toLowerCase()) : v),
      z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
    ),
    /** DNS processes answering on the one port; 1: a single process, no cluster. */
    DNS_PROCESSES: positiveInt(availableParallelism(), 'DNS processes on the port'),
    /** The local snapshot of zones and health (a path); unset or empty: none. */
    DNS_SNAPSHOT_FILE: z
      .string()
      .optional()
      .transform((v) => v?.trim() || undefined),
    DNS_SNAPSHOT_INTERVAL_SECONDS: positiveInt(30, 'least seconds between two snapshot writes'),
    /** How often the probes' measured RTTs (geodistance's `rtt` option) are read again from Redis. */
    DNS_RTT_RELOAD_SECONDS: positiveInt(30, 'seconds between two reloads of the measured RTTs'),
    /** 0: load the snapshot at once; a load from Redis replaces it when Redis answers. */
    DNS_SNAPSHOT_WAIT_SECONDS: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v.trim() === '' ? '5' : v.trim()))
      .pipe(z.string().regex(/^\d+$/, { error: 'must be a whole number of seconds to wait for Redis before using the snapshot' }))
      .transform(Number),
  })
  .transform((e) => ({
    dnsPort: e.DNS_PORT,
    dnsHost: e.DNS_HOST!,
    /** Read through REDIS_READ_URL when set: the DNS server only reads. */
    redis: redisSettings(e),
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST ?? e.DNS_HOST,
    tcp: {
      idleTimeoutMs: e.DNS_TCP_IDLE_TIMEOUT_MS,
      maxConnections: e.DNS_TCP_MAX_CONNECTIONS,
      maxPerSource: e.DNS_TCP_MAX_PER_SOURCE,
      messageTimeoutMs: e.DNS_TCP_MESSAGE_TIMEOUT_MS,
      maxLifetimeMs: e.DNS_TCP_MAX_LIFETIME_MS,
    },
    udpIo: e.DNS_UDP_IO,
    logLevel: e.LOG_LEVEL,
    geoData: e.DNS_GEO_DATA === 'on',
    processes: e.DNS_PROCESSES,
    rttReloadSeconds: e.DNS_RTT_RELOAD_SECONDS,
    ...(e.DNS_SNAPSHOT_FILE
      ? {
          snapshot: {
            path: e.DNS_SNAPSHOT_FILE,
            intervalSeconds: e.DNS_SNAPSHOT_INTERVAL_SECONDS,
            waitSeconds: e.DNS_SNAPSHOT_WAIT_SECONDS,
          },
        }
      : {}),
  }));

export type DnsConfig = z.output<typeof DnsConfigSchema>;

/** Throws a ConfigError naming every bad variable. */
export const loadDnsConfig = (env: NodeJS.ProcessEnv = process.env): DnsConfig => parseEnv(DnsConfigSchema, env, 'the dns server');
