import { z } from 'zod';
import { normalizeName } from './names';

export const CHECK_PROTOCOLS = ['ICMP', 'TCP', 'HTTP', 'HTTPS'] as const;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export const FAILOVER_LIMITS = {
  frequency: { min: 10, max: 3600 },
  timeout: { min: 1, max: 10 },
  regexpLength: 256,
  urlLength: 2048,
} as const;

const HTTP_ONLY = ['method', 'url', 'host', 'http_status_code', 'regexp'] as const;

/**
 * The health check of a failover record set (`meta.failover`), as the API takes it.
 * Parsing fills the defaults, so what is stored and published is complete.
 */
export const FailoverSchema = z
  .strictObject({
    protocol: z.enum(CHECK_PROTOCOLS, { error: 'must be one of ICMP, TCP, HTTP, HTTPS' }),
    port: z
      .int({ error: 'must be an integer' })
      .min(1, { error: 'must be from 1 to 65535' })
      .max(65535, { error: 'must be from 1 to 65535' })
      .optional(),
    frequency: z
      .int({ error: 'must be an integer number of seconds' })
      .min(FAILOVER_LIMITS.frequency.min, { error: `must be at least ${FAILOVER_LIMITS.frequency.min} seconds` })
      .max(FAILOVER_LIMITS.frequency.max, { error: `must be at most ${FAILOVER_LIMITS.frequency.max} seconds` }),
    timeout: z
      .int({ error: 'must be an integer number of seconds' })
      .min(FAILOVER_LIMITS.timeout.min, { error: `must be at least ${FAILOVER_LIMITS.timeout.min} second` })
      .max(FAILOVER_LIMITS.timeout.max, { error: `must be at most ${FAILOVER_LIMITS.timeout.max} seconds` }),
    method: z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` }).optional(),
    url: z
      .string({ error: 'must be a string' })
      .max(FAILOVER_LIMITS.urlLength, { error: `must be at most ${FAILOVER_LIMITS.urlLength} characters` })
      .regex(/^\/[^\s]*$/, { error: 'must be a path that starts with "/" and has no spaces, such as /health' })
      .optional(),
    host: z.string({ error: 'must be a string' }).optional(),
    http_status_code: z
      .int({ error: 'must be an integer' })
      .min(100, { error: 'must be from 100 to 599' })
      .max(599, { error: 'must be from 100 to 599' })
      .optional(),
    regexp: z
      .string({ error: 'must be a string' })
      .max(FAILOVER_LIMITS.regexpLength, { error: `must be at most ${FAILOVER_LIMITS.regexpLength} characters` })
      .optional(),
    tls: z.boolean({ error: 'must be true or false' }).optional(),
    verify: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.timeout >= f.frequency) {
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'must be less than frequency' });
    }
    const isHttp = f.protocol === 'HTTP' || f.protocol === 'HTTPS';
    if (f.protocol === 'ICMP' && f.port !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['port'], message: 'is not used by ICMP checks; leave it out' });
    }
    if (f.protocol === 'TCP' && f.port === undefined) {
      ctx.addIssue({ code: 'custom', path: ['port'], message: 'is required for TCP checks' });
    }
    if (!isHttp) {
      for (const key of HTTP_ONLY) {
        if (f[key] !== undefined && f[key] !== '') {
          ctx.addIssue({ code: 'custom', path: [key], message: 'is only for HTTP and HTTPS checks' });
        }
      }
    }
    if (f.tls !== undefined && f.protocol !== 'TCP' && !(f.protocol === 'HTTPS' && f.tls)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: f.protocol === 'HTTP' ? 'HTTP over TLS is protocol HTTPS; use that instead' : 'is only for TCP checks',
      });
    }
    if (f.verify !== undefined && f.protocol !== 'HTTPS' && !(f.protocol === 'TCP' && f.tls)) {
      ctx.addIssue({ code: 'custom', path: ['verify'], message: 'is only for HTTPS checks and TCP checks with tls' });
    }
    if (f.host !== undefined && f.host !== '' && !normalizeName(f.host).ok) {
      ctx.addIssue({ code: 'custom', path: ['host'], message: 'must be a host name' });
    }
    if (f.regexp) {
      try {
        new RegExp(f.regexp);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['regexp'], message: `is not a valid regular expression: ${(e as Error).message}` });
      }
    }
  })
  .transform((f) => {
    const isHttp = f.protocol === 'HTTP' || f.protocol === 'HTTPS';
    if (!isHttp) return f;
    return {
      ...f,
      port: f.port ?? (f.protocol === 'HTTPS' ? 443 : 80),
      method: f.method ?? 'GET',
      url: f.url ?? '/',
      http_status_code: f.http_status_code ?? 200,
      verify: f.protocol === 'HTTPS' ? (f.verify ?? true) : f.verify,
    };
  });

export type FailoverInput = z.input<typeof FailoverSchema>;
export type Failover = z.output<typeof FailoverSchema>;
