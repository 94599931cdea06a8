import { z } from 'zod';
import { normalizeName } from './names';
import { compileRegexp } from './regexp';

/** Gcore's four, plus HTTPS: Vigil's own spelling of Gcore's HTTP with `tls: true`. */
export const CHECK_PROTOCOLS = ['ICMP', 'TCP', 'UDP', 'HTTP', 'HTTPS'] as const;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export const FAILOVER_LIMITS = {
  frequency: { min: 10, max: 3600 },
  timeout: { min: 1, max: 10 },
  regexpLength: 256,
  urlLength: 2048,
  /** Gcore's limit on `command` (its Terraform provider's validator). */
  commandLength: 255,
} as const;

type Protocol = (typeof CHECK_PROTOCOLS)[number];

/** Fields only HTTP checks use; `path` is octoDNS's name for `url`. */
const HTTP_ONLY = ['method', 'url', 'path', 'host', 'http_status_code'] as const;

export const isHttpCheck = (c: { protocol: Protocol }) => c.protocol === 'HTTP' || c.protocol === 'HTTPS';

/** HTTPS is asked for either as protocol HTTPS or, as Gcore's clients write it, HTTP with `tls: true`. */
export const isHttpsCheck = (c: { protocol: Protocol; tls?: boolean }) =>
  c.protocol === 'HTTPS' || (c.protocol === 'HTTP' && c.tls === true);

/** Checks that do a TLS handshake, and so have a certificate to verify. */
const overTls = (c: { protocol: Protocol; tls?: boolean }) => isHttpsCheck(c) || (c.protocol === 'TCP' && c.tls === true);

/** Gcore's clients send empty fields as null or "" (its Go SDK always sends `command`): both mean unset. */
const isSet = (v: unknown) => v !== undefined && v !== null && v !== '';

const urlPath = z
  .string({ error: 'must be a string' })
  .max(FAILOVER_LIMITS.urlLength, { error: `must be at most ${FAILOVER_LIMITS.urlLength} characters` })
  .regex(/^\/[^\s]*$/, { error: 'must be a path that starts with "/" and has no spaces, such as /health' });

const PORT_RANGE = 'must be from 1 to 65535';

/**
 * The health check of a failover record set (`meta.failover`), as the API takes it.
 * Parsing fills the defaults, so what is stored and published is complete; a check written the
 * Gcore way gets back only fields Gcore has, so its clients read what they sent.
 */
export const FailoverSchema = z
  .strictObject({
    protocol: z.enum(CHECK_PROTOCOLS, { error: `must be one of ${CHECK_PROTOCOLS.join(', ')}` }),
    port: z
      .int({ error: 'must be an integer' })
      .min(0, { error: PORT_RANGE })
      .max(65535, { error: PORT_RANGE })
      .optional()
      .describe('1-65535; required for TCP and UDP; HTTP defaults to 80, or 443 over TLS; not used by ICMP (0 counts as left out)'),
    frequency: z
      .int({ error: 'must be an integer number of seconds' })
      .min(FAILOVER_LIMITS.frequency.min, { error: `must be at least ${FAILOVER_LIMITS.frequency.min} seconds` })
      .max(FAILOVER_LIMITS.frequency.max, { error: `must be at most ${FAILOVER_LIMITS.frequency.max} seconds` }),
    timeout: z
      .int({ error: 'must be an integer number of seconds' })
      .min(FAILOVER_LIMITS.timeout.min, { error: `must be at least ${FAILOVER_LIMITS.timeout.min} second` })
      .max(FAILOVER_LIMITS.timeout.max, { error: `must be at most ${FAILOVER_LIMITS.timeout.max} seconds` })
      .describe('Seconds, less than frequency: a check not answered in time fails'),
    method: z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` }).optional(),
    url: urlPath.optional().describe('HTTP: the path requested, default /'),
    path: urlPath.optional().describe("HTTP: another name for url (octoDNS's); when both are given they must be equal"),
    host: z.string({ error: 'must be a string' }).nullable().optional().describe('HTTP: Host header and TLS server name'),
    http_status_code: z
      .int({ error: 'must be an integer' })
      .min(100, { error: 'must be from 100 to 599' })
      .max(599, { error: 'must be from 100 to 599' })
      .nullable()
      .optional()
      .describe('HTTP: the status the answer must have; null or absent: any HTTP answer passes, as in Gcore (redirects are not followed)'),
    regexp: z
      .string({ error: 'must be a string' })
      .max(FAILOVER_LIMITS.regexpLength, { error: `must be at most ${FAILOVER_LIMITS.regexpLength} characters` })
      .nullable()
      .optional()
      .describe(
        'HTTP, TCP, UDP: RE2 syntax (no back-references or lookaround), matched against the first 64 KiB of the body (HTTP) or the reply (TCP, UDP)',
      ),
    command: z
      .string({ error: 'must be a string' })
      .max(FAILOVER_LIMITS.commandLength, { error: `must be at most ${FAILOVER_LIMITS.commandLength} characters` })
      .nullable()
      .optional()
      .describe('TCP, UDP: sent (as UTF-8) once connected; UDP sends an empty datagram without it. null elsewhere'),
    tls: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe('HTTP: true means HTTPS (Gcore\'s way; protocol "HTTPS" says the same). TCP: a TLS handshake after connecting'),
    verify: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe('Over TLS: verify the certificate against host (or the address); default true'),
  })
  .superRefine((f, ctx) => {
    const issue = (key: keyof typeof f, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
    if (f.timeout >= f.frequency) issue('timeout', 'must be less than frequency');
    const isHttp = isHttpCheck(f);
    if (f.protocol === 'ICMP') {
      // Gcore's Go SDK sends port 0 on ICMP checks: it means none. (Out of range, the range says it.)
      if (f.port !== undefined && f.port > 0 && f.port <= 65535) issue('port', 'is not used by ICMP checks; leave it out');
    } else if (f.port === 0) {
      issue('port', PORT_RANGE);
    } else if (f.port === undefined && !isHttp) {
      issue('port', `is required for ${f.protocol} checks`);
    }
    if (!isHttp) {
      for (const key of HTTP_ONLY) if (isSet(f[key])) issue(key, 'is only for HTTP and HTTPS checks');
    }
    if (f.protocol === 'ICMP' && isSet(f.regexp)) issue('regexp', 'is not used by ICMP checks: an echo reply has nothing to match');
    if (isSet(f.command) && f.protocol !== 'TCP' && f.protocol !== 'UDP') issue('command', 'is only for TCP and UDP checks');
    if (f.protocol === 'HTTPS' && f.tls === false) {
      issue('tls', 'is false but protocol is HTTPS; leave tls out, or use protocol HTTP with tls: false');
    }
    if (f.tls === true && (f.protocol === 'UDP' || f.protocol === 'ICMP')) issue('tls', 'is only for HTTP and TCP checks');
    if (f.verify !== undefined && !overTls(f)) {
      issue('verify', 'is only for checks over TLS: HTTPS (or HTTP with tls), TCP with tls');
    }
    if (isSet(f.host) && !normalizeName(f.host!).ok) issue('host', 'must be a host name');
    if (f.url !== undefined && f.path !== undefined && f.url !== f.path) {
      issue('path', 'must equal url when both are given (path is another name for url)');
    }
    if (isSet(f.regexp) && f.protocol !== 'ICMP') {
      const compiled = compileRegexp(f.regexp!);
      if (!compiled.ok) issue('regexp', `is not a valid regular expression for RE2 (no back-references or lookaround): ${compiled.error}`);
    }
  })
  .transform((f) => {
    // ICMP's port 0 (Gcore's Go SDK always sends one) is kept as sent: probes ignore it, and a
    // client that reads back what it wrote sees no change (Terraform would plan one otherwise).
    if (!isHttpCheck(f)) return f;
    const https = isHttpsCheck(f);
    return {
      ...f,
      port: f.port ?? (https ? 443 : 80),
      method: f.method ?? 'GET',
      url: f.url ?? f.path ?? '/',
      tls: https,
      http_status_code: f.http_status_code ?? null,
      // Filled for Vigil's HTTPS only: a check written Gcore's way gets no field Gcore lacks.
      verify: f.protocol === 'HTTPS' ? (f.verify ?? true) : f.verify,
    };
  });

export type FailoverInput = z.input<typeof FailoverSchema>;
export type Failover = z.output<typeof FailoverSchema>;
