import {
  CHECK_PROTOCOLS,
  checkRrsetForType,
  DNS_CHECK_RCODES,
  DNS_CHECK_TYPES,
  FAILOVER_LIMITS,
  HTTP_METHODS,
  isFailoverType,
  isRecordType,
  isSvcbType,
  MAX_RECORDS,
  normalizeName,
  parseSvcParamText,
  RECORD_TYPES,
  RrsetBodySchema,
  type RrsetBody as RrsetBodyOut,
  svcParamText,
  TTL_LIMITS,
  type RecordType,
} from '@vigil/contract';
import type { Rrset, RrsetBody } from '../api/types';
import { formatPath } from './errors';
import { buildPickerList, type PickerDraft, pickerDrafts, pickerIssues } from './pickers';

export {
  CHECK_PROTOCOLS,
  DNS_CHECK_RCODES,
  DNS_CHECK_TYPES,
  FAILOVER_LIMITS,
  HTTP_METHODS,
  MAX_RECORDS,
  RECORD_TYPES,
  TTL_LIMITS,
  type RecordType,
};

export type Protocol = (typeof CHECK_PROTOCOLS)[number];
export type Method = (typeof HTTP_METHODS)[number];

/** The content fields of each type, in presentation order, as docs/api.md lists them. */
export interface ContentField {
  label: string;
  numeric?: boolean;
  placeholder?: string;
  width?: number;
}

export const CONTENT_FIELDS: Record<RecordType, ContentField[]> = {
  A: [{ label: 'IPv4 address', placeholder: '192.0.2.10' }],
  AAAA: [{ label: 'IPv6 address', placeholder: '2001:db8::10' }],
  CNAME: [{ label: 'Target', placeholder: 'shop.example.net' }],
  NS: [{ label: 'Name server', placeholder: 'ns1.example.net' }],
  MX: [
    { label: 'Preference', numeric: true, placeholder: '10', width: 110 },
    { label: 'Mail exchange', placeholder: 'mail.example.com' },
  ],
  TXT: [{ label: 'Text', placeholder: 'v=spf1 -all' }],
  SRV: [
    { label: 'Priority', numeric: true, placeholder: '10', width: 90 },
    { label: 'Weight', numeric: true, placeholder: '5', width: 90 },
    { label: 'Port', numeric: true, placeholder: '443', width: 90 },
    { label: 'Target', placeholder: 'sip.example.com' },
  ],
  CAA: [
    { label: 'Flags', numeric: true, placeholder: '0', width: 80 },
    { label: 'Tag', placeholder: 'issue', width: 130 },
    { label: 'Value', placeholder: 'letsencrypt.org' },
  ],
  PTR: [{ label: 'Domain name', placeholder: 'host.example.com' }],
  // Then one field per SvcParam, key=value (see RecordContent).
  SVCB: [
    { label: 'Priority', numeric: true, placeholder: '1', width: 90 },
    { label: 'Target', placeholder: '. (this name) or svc.example.net' },
  ],
  HTTPS: [
    { label: 'Priority', numeric: true, placeholder: '1', width: 90 },
    { label: 'Target', placeholder: '. (this name) or svc.example.net' },
  ],
};

export const TYPE_HINTS: Record<RecordType, string> = {
  A: 'IPv4 addresses. Failover can check them and leave out the ones that are down.',
  AAAA: 'IPv6 addresses. Failover can check them and leave out the ones that are down.',
  CNAME:
    'An alias to another name, alone at its name, never at the apex. One record; with failover or a balancing other than round robin (pickers), several candidate targets, of which DNS answers with the first healthy one.',
  NS: 'Name servers of a delegated subzone (or the apex NS of this zone).',
  MX: 'Mail exchanges with their preference (lower is preferred).',
  TXT: 'Text: one or more strings per record.',
  SRV: 'Services: priority, weight, port and target.',
  CAA: 'Certificate authorities allowed to issue for this name.',
  PTR: 'A pointer to a domain name: reverse DNS (in an in-addr.arpa or ip6.arpa zone).',
  SVCB: 'A service binding (RFC 9460): priority 0 is an alias to the target; from 1, the target serves with the parameters given.',
  HTTPS: 'How browsers reach this name over HTTPS (RFC 9460): protocols (alpn), port, address hints. Priority 0 is an alias to the target.',
};

export interface RecordDraft {
  key: string;
  fields: string[];
  enabled: boolean;
  countries: string[];
  continents: string[];
  weight: string;
  isDefault: boolean;
  /** meta.backup: served only when every other record is down (failover). */
  backup: boolean;
  /** meta.ip (the ip picker): addresses and networks, separated by commas or spaces. */
  ip: string;
  /** meta.asn (the asn picker): AS numbers, separated by commas or spaces. */
  asn: string;
  /** meta.latlong (the geodistance picker): '' and '' = none. */
  lat: string;
  lon: string;
  /** Meta the editor does not show (notes, fallback, cidr_labels, … from Gcore's clients), saved back as it was. */
  kept: Record<string, unknown>;
}

export interface FailoverDraft {
  enabled: boolean;
  protocol: Protocol;
  port: string;
  frequency: string;
  timeout: string;
  method: Method;
  url: string;
  host: string;
  /** '' = any answer (null in the API); one status (http_status_code) or a list with ranges, "200-299, 301" (http_status_codes). */
  http_status_code: string;
  regexp: string;
  /** The body must NOT match regexp. */
  regexp_invert: boolean;
  /** HTTP request headers, one "Name: value" a line. */
  headers: string;
  /** '' = none. */
  max_response_ms: string;
  /** HTTPS: '' = no warning. */
  cert_expiry_days: string;
  /** What a TCP or UDP check sends. */
  command: string;
  tls: boolean;
  verify: boolean;
  /** The DNS check's query and expectation. */
  dns_name: string;
  dns_type: string;
  dns_transport: 'udp' | 'tcp';
  dns_rcode: string;
  dns_answer: string;
  /** The check's own quorum shares ('' and '': the defaults, 0.85 and 0.2). */
  quorum_available: string;
  quorum_unavailable: string;
  /** The probe sites that check it, comma-separated; '' = every site. */
  locations: string;
  /** '' = 1. */
  min_locations: string;
  /** '' = 1. */
  min_healthy: string;
}

export interface RrsetDraft {
  name: string;
  type: RecordType;
  ttl: string;
  records: RecordDraft[];
  /** The pickers in order; none is round robin. */
  pickers: PickerDraft[];
  failover: FailoverDraft;
}

let seq = 0;
const newKey = () => `r${++seq}`;

export function emptyRecord(type: RecordType): RecordDraft {
  return {
    key: newKey(),
    fields: CONTENT_FIELDS[type].map(() => ''),
    enabled: true,
    countries: [],
    continents: [],
    weight: '',
    isDefault: false,
    backup: false,
    ip: '',
    asn: '',
    lat: '',
    lon: '',
    kept: {},
  };
}

export const DEFAULT_FAILOVER: FailoverDraft = {
  enabled: false,
  protocol: 'HTTP',
  port: '',
  frequency: '60',
  timeout: '10',
  method: 'GET',
  url: '/',
  host: '',
  http_status_code: '200',
  regexp: '',
  regexp_invert: false,
  headers: '',
  max_response_ms: '',
  cert_expiry_days: '',
  command: '',
  tls: false,
  verify: true,
  dns_name: '',
  dns_type: 'A',
  dns_transport: 'udp',
  dns_rcode: 'NOERROR',
  dns_answer: '',
  quorum_available: '',
  quorum_unavailable: '',
  locations: '',
  min_locations: '',
  min_healthy: '',
};

export function newDraft(type: RecordType = 'A'): RrsetDraft {
  return {
    name: '',
    type,
    ttl: String(TTL_LIMITS.default),
    records: [emptyRecord(type)],
    pickers: [],
    failover: { ...DEFAULT_FAILOVER },
  };
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** A record set as the API returns it → the editor's draft. */
export function draftFromRrset(r: Rrset, zone: string): RrsetDraft {
  const type = (isRecordType(r.type) ? r.type : 'A') as RecordType;
  const f = (r.meta as { failover?: Record<string, unknown> | null }).failover;
  const records = r.resource_records.map((rec) => {
    const {
      countries,
      continents,
      weight,
      default: isDefault,
      backup,
      ip,
      asn,
      latlong,
      ...kept
    } = rec.meta as {
      countries?: string[];
      continents?: string[];
      weight?: number;
      default?: boolean;
      backup?: boolean;
      ip?: string[];
      asn?: number[];
      latlong?: [number, number];
    };
    const fields =
      type === 'TXT'
        ? rec.content.map(str)
        : [
            ...CONTENT_FIELDS[type].map((_, i) => str(rec.content[i])),
            ...(isSvcbType(type) ? rec.content.slice(2).map((p) => (Array.isArray(p) ? svcParamText(p) : str(p))) : []),
          ];
    return {
      key: newKey(),
      fields,
      enabled: rec.enabled,
      countries: countries ?? [],
      continents: continents ?? [],
      weight: str(weight),
      isDefault: isDefault ?? false,
      backup: backup ?? false,
      ip: (ip ?? []).join(', '),
      asn: (asn ?? []).join(', '),
      lat: str(latlong?.[0]),
      lon: str(latlong?.[1]),
      kept,
    };
  });
  return {
    name: relativeName(r.name, zone),
    type,
    ttl: String(r.ttl),
    records,
    pickers: pickerDrafts((r.pickers ?? []) as Record<string, unknown>[]),
    failover: f
      ? {
          enabled: true,
          // Gcore's way of writing HTTPS: HTTP with tls.
          protocol: f.protocol === 'HTTP' && f.tls === true ? 'HTTPS' : ((f.protocol as Protocol) ?? 'HTTP'),
          port: str(f.port),
          frequency: str(f.frequency),
          timeout: str(f.timeout),
          method: (f.method as Method) ?? 'GET',
          url: str(f.url ?? '/'),
          host: str(f.host),
          http_status_code: Array.isArray(f.http_status_codes) ? f.http_status_codes.join(', ') : str(f.http_status_code),
          regexp: str(f.regexp),
          regexp_invert: f.regexp_invert === true,
          headers: Object.entries((f.headers as Record<string, string> | undefined) ?? {})
            .map(([k, v]) => `${k}: ${v}`)
            .join('\n'),
          max_response_ms: str(f.max_response_ms),
          cert_expiry_days: str(f.cert_expiry_days),
          command: str(f.command),
          tls: Boolean(f.tls),
          verify: f.verify === undefined ? true : Boolean(f.verify),
          ...dnsDraft(f.dns as Record<string, unknown> | undefined),
          quorum_available: str((f.quorum as { available?: unknown } | undefined)?.available),
          quorum_unavailable: str((f.quorum as { unavailable?: unknown } | undefined)?.unavailable),
          locations: Array.isArray(f.locations) ? f.locations.join(', ') : '',
          min_locations: str(f.min_locations),
          min_healthy: str(f.min_healthy),
        }
      : { ...DEFAULT_FAILOVER },
  };
}

/** `www.example.com` in zone `example.com` → `www`; the apex → `@`. */
export function relativeName(name: string, zone: string): string {
  if (name === zone) return '@';
  return name.endsWith(`.${zone}`) ? name.slice(0, -zone.length - 1) : name;
}

/** What the user typed in the name field → the full name the API takes. */
export function fullName(input: string, zone: string): string {
  const v = input.trim().replace(/\.$/, '').toLowerCase();
  if (v === '' || v === '@') return zone;
  if (v === zone || v.endsWith(`.${zone}`)) return v;
  return `${v}.${zone}`;
}

/** A SvcParam field (`alpn=h3,h2`) as content; left as text when it is not key=value, for validation to name. */
function svcParam(text: string): string | (string | number)[] {
  const r = parseSvcParamText(text.trim());
  return r.ok ? r.param : text;
}

/** A number field: digits become a number, anything else stays text so validation can name it. */
function num(v: string): number | string {
  const t = v.trim();
  return /^-?\d+$/.test(t) ? Number(t) : t;
}

/** A decimal field (latitude, longitude): a number when it reads as one, else text for validation to name. */
function decimal(v: string): number | string {
  const t = v.trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/** A list field (networks, AS numbers): its entries, split at commas and white space. */
function entries(v: string): string[] {
  return v.split(/[\s,]+/).filter((e) => e !== '');
}

/** The record meta the editor shows, from a record's draft: each field when it has a value, whichever pickers there are. */
function editedMeta(r: RecordDraft): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  if (r.countries.length) meta.countries = r.countries;
  if (r.continents.length) meta.continents = r.continents;
  if (r.isDefault) meta.default = true;
  if (r.weight.trim() !== '') meta.weight = decimal(r.weight);
  if (r.backup) meta.backup = true;
  if (entries(r.ip).length) meta.ip = entries(r.ip);
  if (entries(r.asn).length) meta.asn = entries(r.asn).map(num);
  if (r.lat.trim() !== '' || r.lon.trim() !== '') meta.latlong = [decimal(r.lat), decimal(r.lon)];
  return meta;
}

/** Whether a failover check can watch this type's records: the contract's rule (A, AAAA, CNAME), as the API applies it. */
export function failoverApplies(type: RecordType): boolean {
  return isFailoverType(type);
}

/** What a failover check probes in a record set of this type, in the panel's words: a CNAME's targets, other types' addresses. */
export function failoverSubject(type: string): { one: string; many: string } {
  return type === 'CNAME' ? { one: 'target', many: 'targets' } : { one: 'address', many: 'addresses' };
}

function dnsDraft(
  d: Record<string, unknown> | undefined,
): Pick<FailoverDraft, 'dns_name' | 'dns_type' | 'dns_transport' | 'dns_rcode' | 'dns_answer'> {
  return {
    dns_name: str(d?.name),
    dns_type: str(d?.type ?? 'A'),
    dns_transport: d?.transport === 'tcp' ? 'tcp' : 'udp',
    dns_rcode: str(d?.rcode ?? 'NOERROR'),
    dns_answer: str(d?.answer),
  };
}

/** "Name: value" lines → the headers object ("" → none). */
export function parseHeaderLines(text: string): Record<string, string> | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    if (at < 0) out[line.trim()] = '';
    else out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** The expected-status field: one status → http_status_code; a list or a range → http_status_codes. */
function statusFields(text: string): Record<string, unknown> {
  const t = text.trim();
  if (t === '') return { http_status_code: null };
  if (!/[,-]/.test(t)) return { http_status_code: num(t) };
  const list = t
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  return { http_status_codes: list.map((e) => (/^\d+$/.test(e) ? Number(e) : e)) };
}

/** The failover check as the API takes it: only the fields its protocol uses. */
export function buildFailover(f: FailoverDraft): Record<string, unknown> {
  const out: Record<string, unknown> = { protocol: f.protocol, frequency: num(f.frequency), timeout: num(f.timeout) };
  if (f.protocol !== 'ICMP' && f.port.trim() !== '') out.port = num(f.port);
  if (f.protocol === 'HTTP' || f.protocol === 'HTTPS') {
    out.method = f.method;
    out.url = f.url.trim() || '/';
    if (f.host.trim()) out.host = f.host.trim();
    Object.assign(out, statusFields(f.http_status_code));
    const headers = parseHeaderLines(f.headers);
    if (headers) out.headers = headers;
    if (f.regexp && f.regexp_invert) out.regexp_invert = true;
  }
  if (f.protocol === 'HTTPS' && f.cert_expiry_days.trim() !== '') out.cert_expiry_days = num(f.cert_expiry_days);
  if (f.max_response_ms.trim() !== '') out.max_response_ms = num(f.max_response_ms);
  if (f.protocol === 'DNS') {
    const dns: Record<string, unknown> = { name: f.dns_name.trim(), type: f.dns_type, transport: f.dns_transport, rcode: f.dns_rcode };
    if (f.dns_answer.trim() !== '') dns.answer = f.dns_answer.trim();
    out.dns = dns;
  }
  if (f.regexp && f.protocol !== 'ICMP' && f.protocol !== 'DNS') out.regexp = f.regexp;
  if ((f.protocol === 'TCP' || f.protocol === 'UDP') && f.command !== '') out.command = f.command;
  if (f.protocol === 'TCP') out.tls = f.tls;
  if (f.protocol === 'HTTPS' || (f.protocol === 'TCP' && f.tls)) out.verify = f.verify;
  // Vigil's own quorum fields, only when set (a check without them reads back as Gcore wrote it).
  if (f.quorum_available.trim() !== '' || f.quorum_unavailable.trim() !== '') {
    const share = (v: string) => (v.trim() === '' ? undefined : decimal(v));
    out.quorum = { available: share(f.quorum_available), unavailable: share(f.quorum_unavailable) };
  }
  const locations = f.locations
    .split(/[\s,]+/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (locations.length) out.locations = locations;
  if (f.min_locations.trim() !== '') out.min_locations = num(f.min_locations);
  if (f.min_healthy.trim() !== '') out.min_healthy = num(f.min_healthy);
  return out;
}

/**
 * The draft → the body of PUT /v2/zones/{zone}/{name}/{type}. `withFailover` is false when the
 * account lacks the beta feature (the API refuses meta.failover then).
 */
export function buildBody(d: RrsetDraft, withFailover: boolean): RrsetBody {
  const fields = CONTENT_FIELDS[d.type];
  const resource_records = d.records.map((r) => {
    const content =
      d.type === 'TXT' ? r.fields : r.fields.map((v, i) => (i >= fields.length ? svcParam(v) : fields[i]!.numeric ? num(v) : v.trim()));
    return { content, enabled: r.enabled, meta: { ...r.kept, ...editedMeta(r) } };
  });
  const failover = withFailover && failoverApplies(d.type) && d.failover.enabled ? buildFailover(d.failover) : null;
  return {
    ttl: (d.ttl.trim() === '' ? TTL_LIMITS.default : num(d.ttl)) as number,
    resource_records: resource_records as RrsetBody['resource_records'],
    pickers: buildPickerList(d.pickers) as RrsetBody['pickers'],
    meta: { failover: failover as NonNullable<RrsetBody['meta']>['failover'] },
  };
}

/**
 * The draft's body checked with the contract's own schemas and type rules (the API runs the same
 * ones), as field path → reason pairs in the order found.
 */
function bodyIssues(d: RrsetDraft, withFailover: boolean): [path: string, reason: string][] {
  const out: [string, string][] = [];
  const body = buildBody(d, withFailover);
  const parsed = RrsetBodySchema.safeParse(body);
  if (!parsed.success) {
    // An unknown-key issue cannot happen here: the panel builds the body itself.
    for (const issue of parsed.error.issues) out.push([formatPath(issue.path as PropertyKey[]), issue.message]);
  }
  // The type's rules (content of each record, duplicates, CNAME) read only the records, the
  // pickers and meta.failover, so they run on the body as built even when another field is wrong.
  const forType = parsed.success ? parsed.data : (body as unknown as RrsetBodyOut);
  for (const issue of checkRrsetForType(d.type, forType).issues) out.push([formatPath(issue.path), issue.message]);
  out.push(...pickerIssues(d.pickers));
  return out;
}

/**
 * Why the editor cannot add another record to the draft, or null when it can: the reason the API
 * would give for the draft with one more record (at most 100; a CNAME record set holds one record
 * unless it has failover or pickers), so the panel allows what the API allows, in its words.
 */
export function addRecordRefusal(d: RrsetDraft, withFailover: boolean): string | null {
  const more = { ...d, records: [...d.records, emptyRecord(d.type)] };
  return bodyIssues(more, withFailover).find(([path]) => path === 'resource_records')?.[1] ?? null;
}

/**
 * Client-side validation with the contract's own schemas (the API runs the same ones), so the
 * messages match what the API would answer. Field path → reason.
 */
export function validateDraft(d: RrsetDraft, zone: string, withFailover: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  const add = (path: string, reason: string) => {
    errors[path] ??= reason;
  };
  const name = normalizeName(fullName(d.name, zone), { allowWildcard: true });
  if (!name.ok) add('name', name.reason);
  // A SvcParam field that is not key=value: the reason in the panel's terms, not the API's.
  if (isSvcbType(d.type)) {
    d.records.forEach((r, i) =>
      r.fields.slice(2).forEach((v, j) => {
        const p = parseSvcParamText(v.trim());
        if (!p.ok) add(`resource_records[${i}].content[${j + 2}]`, p.reason);
      }),
    );
  }
  for (const [path, reason] of bodyIssues(d, withFailover)) add(path, reason);
  return errors;
}
