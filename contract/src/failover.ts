import { z } from 'zod';
import { normalizeName } from './names';
import { DEFAULT_QUORUM, LOCATION_NAME, LOCATION_NAME_RULE, QUORUM_LIMITS } from './quorum';
import { compileRegexp } from './regexp';

/** Gcore's four, plus HTTPS (Vigil's own spelling of Gcore's HTTP with `tls: true`) and DNS (Vigil's own). */
export const CHECK_PROTOCOLS = ['ICMP', 'TCP', 'UDP', 'HTTP', 'HTTPS', 'DNS'] as const;
/** The query types a DNS check may ask. */
export const DNS_CHECK_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SOA', 'SRV', 'PTR', 'CAA'] as const;
/** The response codes a DNS check may expect. */
export const DNS_CHECK_RCODES = ['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'NOTIMP', 'FORMERR'] as const;
export const DNS_TRANSPORTS = ['udp', 'tcp'] as const;

/**
 * Request headers a check may not set: `Host` is `host`'s, the rest frame the request or the
 * connection, which the probe owns (one request, no body, the connection closed after it).
 */
export const RESERVED_HEADERS = [
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
] as const;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export const FAILOVER_LIMITS = {
  frequency: { min: 10, max: 3600 },
  timeout: { min: 1, max: 10 },
  regexpLength: 256,
  urlLength: 2048,
  /** Gcore's limit on `command` (its Terraform provider's validator). */
  commandLength: 255,
  headers: { count: 20, nameLength: 64, valueLength: 1024 },
  statusCodes: 20,
  /** max_response_ms: at least this, and below the timeout. */
  maxResponseMs: { min: 1 },
  certExpiryDays: { min: 1, max: 365 },
  dnsAnswerLength: 255,
  /** min_healthy and min_locations: at least this. */
  minCount: 1,
} as const;

type Protocol = (typeof CHECK_PROTOCOLS)[number];

/** Fields only HTTP checks use; `path` is octoDNS's name for `url`. */
const HTTP_ONLY = ['method', 'url', 'path', 'host', 'http_status_code', 'http_status_codes', 'headers', 'regexp_invert'] as const;

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
const SHARE_RANGE = 'must be a share more than 0 and at most 1, such as 0.85 for 85%';

/** A quorum share: of the fresh locations, the part that must succeed (available) or fail (unavailable). */
const share = z.number({ error: SHARE_RANGE }).gt(0, { error: SHARE_RANGE }).max(1, { error: SHARE_RANGE });

const QuorumSchema = z.strictObject(
  {
    available: share.describe('Share of the fresh locations that must succeed for available'),
    unavailable: share.describe('Share of the fresh locations that must fail for unavailable'),
  },
  {
    // Unknown keys keep their own issue, which the api names field by field.
    error: (iss) =>
      iss.code === 'invalid_type'
        ? `must be an object {available, unavailable} of shares, such as {"available": ${DEFAULT_QUORUM.available}, "unavailable": ${DEFAULT_QUORUM.unavailable}}`
        : undefined,
  },
);

const count = z
  .int({ error: 'must be an integer' })
  .min(FAILOVER_LIMITS.minCount, { error: `must be at least ${FAILOVER_LIMITS.minCount}` });
const STATUS_RANGE = 'must be from 100 to 599';

/** RFC 9110 token: a header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Field value characters: visible ASCII, spaces and tabs, and obs-text; no CR, LF, NUL or other controls. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** One entry of http_status_codes: a status (200 or "200") or a range ("200-299"), as [low, high]. */
export function statusRange(entry: number | string): [number, number] | null {
  const m = typeof entry === 'string' ? /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(entry) : null;
  const [low, high] = typeof entry === 'number' ? [entry, entry] : m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < 100 || high > 599 || low > high) return null;
  return [low, high];
}

/** Whether `status` is one of the check's expected statuses; null (none set): any status. */
export function statusExpected(c: { http_status_code?: number | null; http_status_codes?: (number | string)[] }, status: number) {
  if (c.http_status_codes !== undefined) {
    return c.http_status_codes.some((e) => {
      const r = statusRange(e);
      return r !== null && status >= r[0] && status <= r[1];
    });
  }
  return c.http_status_code === undefined || c.http_status_code === null || c.http_status_code === status;
}

const DnsCheckSchema = z
  .strictObject({
    name: z.string({ error: 'must be a domain name' }).describe('The name asked, e.g. www.example.com'),
    type: z
      .enum(DNS_CHECK_TYPES, { error: `must be one of ${DNS_CHECK_TYPES.join(', ')}` })
      .optional()
      .describe('Query type, default A'),
    transport: z.enum(DNS_TRANSPORTS, { error: 'must be udp or tcp' }).optional().describe('udp (default) or tcp'),
    rcode: z
      .enum(DNS_CHECK_RCODES, { error: `must be one of ${DNS_CHECK_RCODES.join(', ')}` })
      .optional()
      .describe('The response code the answer must have, default NOERROR'),
    answer: z
      .string({ error: 'must be a string' })
      .min(1, { error: 'must not be empty; leave it out for any answer' })
      .max(FAILOVER_LIMITS.dnsAnswerLength, { error: `must be at most ${FAILOVER_LIMITS.dnsAnswerLength} characters` })
      .optional()
      .describe(
        'A record in the answer section must have this data, in presentation form: 192.0.2.1, mail.example.com, "10 mail.example.com" (MX), the text of a TXT record',
      ),
  })
  .superRefine((d, ctx) => {
    const n = normalizeName(d.name);
    if (!n.ok) ctx.addIssue({ code: 'custom', path: ['name'], message: `must be a domain name: ${n.reason}` });
  });

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
      .describe(
        '1-65535; required for TCP and UDP; HTTP defaults to 80, or 443 over TLS; DNS to 53; not used by ICMP (0 counts as left out)',
      ),
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
    // Vigil's own fields (Gcore has none of them): left out, they are not filled in.
    http_status_codes: z
      .array(z.union([z.int(), z.string()], { error: 'must be a status such as 200 or a range such as "200-299"' }), {
        error: 'must be a list of statuses and ranges, such as [200, "300-399"]',
      })
      .min(1, { error: 'must not be empty; leave it out for any answer' })
      .max(FAILOVER_LIMITS.statusCodes, { error: `must have at most ${FAILOVER_LIMITS.statusCodes} entries` })
      .optional()
      .describe('HTTP: the answer\'s status must be one of these statuses (200) or ranges ("200-299"); instead of http_status_code'),
    headers: z
      .record(z.string(), z.string({ error: 'must be a string' }), { error: 'must be an object of header names and values' })
      .optional()
      .describe(
        `HTTP: request headers sent as given (at most ${FAILOVER_LIMITS.headers.count}; no Host, which is host's, nor ${RESERVED_HEADERS.slice(1).join(', ')})`,
      ),
    regexp_invert: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe('HTTP: true: the body must NOT match regexp (a check passes while an error page is absent)'),
    max_response_ms: z
      .int({ error: 'must be an integer number of milliseconds' })
      .min(FAILOVER_LIMITS.maxResponseMs.min, { error: `must be at least ${FAILOVER_LIMITS.maxResponseMs.min} ms` })
      .optional()
      .describe('A check answered slower than this (ms, below the timeout) fails; HTTP: time to the response head'),
    cert_expiry_days: z
      .int({ error: 'must be an integer number of days' })
      .min(FAILOVER_LIMITS.certExpiryDays.min, { error: `must be at least ${FAILOVER_LIMITS.certExpiryDays.min} day` })
      .max(FAILOVER_LIMITS.certExpiryDays.max, { error: `must be at most ${FAILOVER_LIMITS.certExpiryDays.max} days` })
      .optional()
      .describe('HTTPS: a certificate that expires within this many days gives the result a warning (the check still passes)'),
    dns: DnsCheckSchema.optional().describe('DNS: the query asked of each address and what its answer must be'),
    quorum: QuorumSchema.optional().describe(
      `This check's thresholds, as shares of the fresh locations: available when at least \`available\` succeeded, unavailable when at least \`unavailable\` failed, otherwise the state stays; the two must add up to more than 1. Default ${DEFAULT_QUORUM.available} and ${DEFAULT_QUORUM.unavailable} (the aggregator's settings)`,
    ),
    locations: z
      .array(z.string({ error: 'must be the name of a probe site' }), { error: 'must be a list of probe site names, such as ["eu-1", "us-1"]' })
      .min(1, { error: 'must name at least one probe site; leave it out for every site' })
      .max(QUORUM_LIMITS.locations, { error: `must name at most ${QUORUM_LIMITS.locations} sites` })
      .optional()
      .describe('The probe sites that check this record set (GET /v2/admin/sites names them); absent: every site'),
    min_locations: count
      .optional()
      .describe('With fewer fresh location results than this an address gets no verdict: its state stays. Default 1'),
    min_healthy: count
      .optional()
      .describe(
        'When fewer addresses than this are available, DNS serves the backup records (meta.backup) that are up, or, without any, every address (fail open). Default 1',
      ),
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
    } else if (f.port === undefined && !isHttp && f.protocol !== 'DNS') {
      issue('port', `is required for ${f.protocol} checks`);
    }
    if (!isHttp) {
      for (const key of HTTP_ONLY) if (isSet(f[key])) issue(key, 'is only for HTTP and HTTPS checks');
    }
    if ((f.protocol === 'ICMP' || f.protocol === 'DNS') && isSet(f.regexp)) {
      issue(
        'regexp',
        `is not used by ${f.protocol} checks${f.protocol === 'ICMP' ? ': an echo reply has nothing to match' : '; use dns.answer'}`,
      );
    }
    if (isSet(f.command) && f.protocol !== 'TCP' && f.protocol !== 'UDP') issue('command', 'is only for TCP and UDP checks');
    if (f.protocol === 'HTTPS' && f.tls === false) {
      issue('tls', 'is false but protocol is HTTPS; leave tls out, or use protocol HTTP with tls: false');
    }
    if (f.tls === true && (f.protocol === 'UDP' || f.protocol === 'ICMP' || f.protocol === 'DNS'))
      issue('tls', 'is only for HTTP and TCP checks');
    if (f.verify !== undefined && !overTls(f)) {
      issue('verify', 'is only for checks over TLS: HTTPS (or HTTP with tls), TCP with tls');
    }
    if (isSet(f.host) && !normalizeName(f.host!).ok) issue('host', 'must be a host name');
    if (f.url !== undefined && f.path !== undefined && f.url !== f.path) {
      issue('path', 'must equal url when both are given (path is another name for url)');
    }
    if (f.protocol === 'DNS' && f.dns === undefined) issue('dns', 'is required for DNS checks: the name (and type) to ask');
    if (f.protocol !== 'DNS' && f.dns !== undefined) issue('dns', 'is only for DNS checks');
    if (f.http_status_codes !== undefined) {
      if (isSet(f.http_status_code)) issue('http_status_codes', 'cannot be given with http_status_code; use one of them');
      f.http_status_codes.forEach((e, i) => {
        if (statusRange(e) === null) {
          ctx.addIssue({
            code: 'custom',
            path: ['http_status_codes', i],
            message: `${STATUS_RANGE}, a status such as 200 or a range such as "200-299" (low to high)`,
          });
        }
      });
    }
    if (f.headers !== undefined) {
      const names = Object.keys(f.headers);
      if (names.length > FAILOVER_LIMITS.headers.count) issue('headers', `must have at most ${FAILOVER_LIMITS.headers.count} headers`);
      const seen = new Set<string>();
      for (const name of names) {
        const at = (message: string) => ctx.addIssue({ code: 'custom', path: ['headers', name], message });
        const lower = name.toLowerCase();
        const value = f.headers[name]!;
        if (!HEADER_NAME.test(name) || name.length > FAILOVER_LIMITS.headers.nameLength) {
          at(`is not a valid header name (letters, digits and !#$%&'*+.^_\`|~-, at most ${FAILOVER_LIMITS.headers.nameLength})`);
        } else if (lower === 'host') {
          at('cannot be set as a header; host sets the Host header (and the TLS name)');
        } else if ((RESERVED_HEADERS as readonly string[]).includes(lower)) {
          at('cannot be set: the probe sends one request without a body and closes the connection');
        } else if (seen.has(lower)) {
          at('is given twice (header names are case-insensitive)');
        }
        seen.add(lower);
        if (value.length > FAILOVER_LIMITS.headers.valueLength) at(`must be at most ${FAILOVER_LIMITS.headers.valueLength} characters`);
        else if (!HEADER_VALUE.test(value))
          at('must not contain line breaks (CR, LF), other control characters or characters beyond Latin-1');
      }
    }
    if (f.regexp_invert !== undefined && isHttp && !isSet(f.regexp)) issue('regexp_invert', 'needs a regexp to invert');
    if (f.max_response_ms !== undefined && f.max_response_ms >= f.timeout * 1000) {
      issue('max_response_ms', `must be less than the timeout (${f.timeout * 1000} ms)`);
    }
    if (f.cert_expiry_days !== undefined && !isHttpsCheck(f)) issue('cert_expiry_days', 'is only for HTTPS checks (or HTTP with tls)');
    const inRange = (v: unknown) => typeof v === 'number' && v > 0 && v <= 1;
    const q = f.quorum;
    if (q !== undefined && inRange(q.available) && inRange(q.unavailable) && q.available + q.unavailable <= 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['quorum'],
        message: `available plus unavailable must be more than 1 (now ${q.available} + ${q.unavailable}), or a mix of results could count as both`,
      });
    }
    if (f.locations !== undefined) {
      const first = new Map<string, number>();
      f.locations.forEach((name, i) => {
        const at = (message: string) => ctx.addIssue({ code: 'custom', path: ['locations', i], message });
        if (!LOCATION_NAME.test(name)) at(LOCATION_NAME_RULE);
        else if (first.has(name)) at(`duplicates locations[${first.get(name)}]`);
        else first.set(name, i);
      });
      if (f.min_locations !== undefined && f.min_locations > f.locations.length) {
        issue('min_locations', `must be at most ${f.locations.length}, the number of locations chosen`);
      }
    }
    if (isSet(f.regexp) && f.protocol !== 'ICMP' && f.protocol !== 'DNS') {
      const compiled = compileRegexp(f.regexp!);
      if (!compiled.ok) issue('regexp', `is not a valid regular expression for RE2 (no back-references or lookaround): ${compiled.error}`);
    }
  })
  .transform((f) => {
    // ICMP's port 0 (Gcore's Go SDK always sends one) is kept as sent: probes ignore it, and a
    // client that reads back what it wrote sees no change (Terraform would plan one otherwise).
    if (f.protocol === 'DNS' && f.dns) {
      const dns = { ...f.dns, type: f.dns.type ?? 'A', transport: f.dns.transport ?? 'udp', rcode: f.dns.rcode ?? 'NOERROR' };
      return { ...f, port: f.port ?? 53, dns };
    }
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
