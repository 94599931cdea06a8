import { canonicalIPv4, canonicalIPv6 } from './ip';
import { normalizeName } from './names';
import { parseSvcParams } from './svcb';

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA', 'PTR', 'SVCB', 'HTTPS'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** One field of a record's content; a list only as a SvcParam of SVCB and HTTPS (`["alpn", "h2"]`). */
export type ContentValue = string | number | (string | number)[];
/** One record's content as the API takes it: the fields of the type in presentation order. */
export type Content = ContentValue[];

/**
 * The types a failover check can watch, as in Gcore: an address record's addresses, or a CNAME's
 * targets (each target name resolved by the probe and its address checked).
 */
export const FAILOVER_TYPES = ['A', 'AAAA', 'CNAME'] as const;
export type FailoverType = (typeof FAILOVER_TYPES)[number];
export const isFailoverType = (type: string): type is FailoverType => (FAILOVER_TYPES as readonly string[]).includes(type);

/** The types whose content ends in SvcParams (RFC 9460). */
export const isSvcbType = (type: string): type is 'SVCB' | 'HTTPS' => type === 'SVCB' || type === 'HTTPS';

export type ContentResult = { ok: true; content: Content } | { ok: false; index: number | null; reason: string };

const fail = (index: number | null, reason: string): ContentResult => ({ ok: false, index, reason });

function int(value: unknown, min: number, max: number): number | null {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : null;
}

function host(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const r = normalizeName(value);
  return r.ok ? r.name : null;
}

const ARITY: Record<RecordType, string> = {
  A: '[address]',
  AAAA: '[address]',
  CNAME: '[target]',
  NS: '[nameserver]',
  PTR: '[domain name]',
  MX: '[preference, exchange]',
  TXT: '[text, ...]',
  SRV: '[priority, weight, port, target]',
  CAA: '[flags, tag, value]',
  SVCB: '[priority, target, [key, value, …], …]',
  HTTPS: '[priority, target, [key, value, …], …]',
};

const MAX_TXT = 4096;

/** Validates and canonicalises one record's content for its type. */
export function parseContent(type: RecordType, content: unknown[]): ContentResult {
  const want = { A: 1, AAAA: 1, CNAME: 1, NS: 1, PTR: 1, MX: 2, SRV: 4, CAA: 3, TXT: -1, SVCB: -2, HTTPS: -2 }[type];
  if (want > 0 && content.length !== want) {
    return fail(null, `${type} content takes ${want} value${want > 1 ? 's' : ''}: ${ARITY[type]}`);
  }
  if (want === -2 && content.length < 2) return fail(null, `${type} content takes at least 2 values: ${ARITY[type]}`);
  // Lists are SvcParams, which only SVCB and HTTPS have, after their first two fields.
  const list = content.findIndex((v, i) => Array.isArray(v) && !(want === -2 && i >= 2));
  if (list >= 0) return fail(list, 'must be a string or a number');
  switch (type) {
    case 'A': {
      const ip = typeof content[0] === 'string' ? canonicalIPv4(content[0]) : null;
      return ip ? { ok: true, content: [ip] } : fail(0, 'must be an IPv4 address such as 192.0.2.1');
    }
    case 'AAAA': {
      const ip = typeof content[0] === 'string' ? canonicalIPv6(content[0]) : null;
      return ip ? { ok: true, content: [ip] } : fail(0, 'must be an IPv6 address such as 2001:db8::1');
    }
    case 'CNAME':
    case 'NS':
    case 'PTR': {
      const h = host(content[0]);
      return h ? { ok: true, content: [h] } : fail(0, 'must be a domain name');
    }
    case 'MX': {
      const pref = int(content[0], 0, 65535);
      if (pref === null) return fail(0, 'preference must be an integer from 0 to 65535');
      // "." is the null MX of RFC 7505.
      const ex = content[1] === '.' ? '.' : host(content[1]);
      return ex ? { ok: true, content: [pref, ex] } : fail(1, 'exchange must be a domain name');
    }
    case 'SRV': {
      const names = ['priority', 'weight', 'port'];
      const nums: number[] = [];
      for (let i = 0; i < 3; i++) {
        const n = int(content[i], 0, 65535);
        if (n === null) return fail(i, `${names[i]} must be an integer from 0 to 65535`);
        nums.push(n);
      }
      const target = content[3] === '.' ? '.' : host(content[3]);
      return target ? { ok: true, content: [...nums, target] } : fail(3, 'target must be a domain name');
    }
    case 'CAA': {
      const flags = int(content[0], 0, 255);
      if (flags === null) return fail(0, 'flags must be an integer from 0 to 255');
      const tag = content[1];
      if (typeof tag !== 'string' || !/^[a-zA-Z0-9]{1,15}$/.test(tag)) {
        return fail(1, 'tag must be 1 to 15 letters or digits, such as issue, issuewild or iodef');
      }
      const value = content[2];
      if (typeof value !== 'string' || value.length > 1024) return fail(2, 'value must be a string of at most 1024 characters');
      return { ok: true, content: [flags, tag.toLowerCase(), value] };
    }
    case 'TXT': {
      if (content.length === 0) return fail(null, 'TXT content takes at least one string');
      let total = 0;
      for (let i = 0; i < content.length; i++) {
        const s = content[i];
        if (typeof s !== 'string') return fail(i, 'must be a string');
        total += new TextEncoder().encode(s).length;
      }
      if (total > MAX_TXT) return fail(null, `TXT content is longer than ${MAX_TXT} bytes`);
      return { ok: true, content: content as string[] };
    }
    case 'SVCB':
    case 'HTTPS': {
      // RFC 9460 §2.2: priority 0 is AliasMode; "." as target is the owner itself in ServiceMode.
      const priority = int(content[0], 0, 65535);
      if (priority === null) return fail(0, 'priority must be an integer from 0 to 65535 (0 is AliasMode)');
      const target = content[1] === '.' ? '.' : host(content[1]);
      if (!target) return fail(1, 'target must be a domain name, or "."');
      const params = parseSvcParams(content.slice(2), priority === 0, 2);
      return params.ok ? { ok: true, content: [priority, target, ...params.params] } : fail(params.index, params.reason);
    }
  }
}

/** A stable key for duplicate detection and health state: the canonical content joined. */
export function contentKey(content: Content): string {
  return content.map((v) => (Array.isArray(v) ? JSON.stringify(v) : String(v))).join(' ');
}
