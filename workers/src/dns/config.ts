// Environment of the dns process, validated once at start so a typo fails loudly and clearly.
import { isIP } from 'node:net';
import { z } from 'zod';

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

const host = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.trim()))
    .refine((v) => isIP(v) !== 0, { error: 'must be an IP address to bind, such as 127.0.0.1, 0.0.0.0 or ::' });

const positiveInt = (fallback: number, what: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(fallback) : v.trim()))
    .pipe(z.string().regex(/^\d+$/, { error: `must be a positive integer (${what})` }))
    .transform(Number)
    .pipe(z.int().min(1, { error: `must be a positive integer (${what})` }));

const EnvSchema = z.object({
  DNS_PORT: port(5300),
  DNS_HOST: host('127.0.0.1'),
  REDIS_URL: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? 'redis://127.0.0.1:6379' : v.trim()))
    .refine(
      (v) => {
        try {
          const u = new URL(v);
          return u.protocol === 'redis:' || u.protocol === 'rediss:';
        } catch {
          return false;
        }
      },
      { error: 'must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379' },
    ),
  /** Prepended to every Redis key, exactly as the api's REDIS_KEY_PREFIX, so installations can share a Redis. */
  REDIS_KEY_PREFIX: z
    .string()
    .optional()
    .transform((v) => v ?? '')
    .pipe(
      z
        .string()
        .max(64)
        .regex(/^[A-Za-z0-9:_-]*$/, { error: 'may hold only letters, digits, ":", "_" and "-"' }),
    ),
  METRICS_PORT: port(9153),
  METRICS_HOST: z.string().optional(),
  DNS_TCP_IDLE_TIMEOUT_MS: positiveInt(10_000, 'milliseconds a TCP connection may stay idle'),
  DNS_TCP_MAX_CONNECTIONS: positiveInt(1000, 'concurrent TCP connections'),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? 'info' : v.trim()))
    .pipe(
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      }),
    ),
});

export interface DnsConfig {
  dnsPort: number;
  dnsHost: string;
  redisUrl: string;
  redisKeyPrefix: string;
  metricsPort: number;
  metricsHost: string;
  tcpIdleTimeoutMs: number;
  tcpMaxConnections: number;
  logLevel: string;
}

export type ConfigResult = { ok: true; config: DnsConfig } | { ok: false; message: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConfigResult {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const got = env[key];
      return `  ${key}: ${i.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
    });
    return { ok: false, message: `Invalid configuration of the dns server:\n${lines.join('\n')}` };
  }
  const e = parsed.data;
  const metricsHost = e.METRICS_HOST?.trim() || e.DNS_HOST;
  if (isIP(metricsHost) === 0) {
    return {
      ok: false,
      message: `Invalid configuration of the dns server:\n  METRICS_HOST: must be an IP address to bind (got ${JSON.stringify(metricsHost)})`,
    };
  }
  return {
    ok: true,
    config: {
      dnsPort: e.DNS_PORT,
      dnsHost: e.DNS_HOST,
      redisUrl: e.REDIS_URL,
      redisKeyPrefix: e.REDIS_KEY_PREFIX,
      metricsPort: e.METRICS_PORT,
      metricsHost,
      tcpIdleTimeoutMs: e.DNS_TCP_IDLE_TIMEOUT_MS,
      tcpMaxConnections: e.DNS_TCP_MAX_CONNECTIONS,
      logLevel: e.LOG_LEVEL,
    },
  };
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
