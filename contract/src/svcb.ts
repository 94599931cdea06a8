// SVCB and HTTPS (RFC 9460): the SvcParams of a record's content, as Gcore's API carries them
// (one array per param, key name then values), checked and canonicalised; and their
// presentation form (appendix A) for zone files and the panel. No Buffer: the panel runs this too.
import { canonicalIPv4, canonicalIPv6 } from './ip';

/** The SvcParamKeys Vigil knows by name, indexed by their number (RFC 9460 §14.3.2). */
export const SVC_KEYS = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint'] as const;

/** One SvcParam as content holds it: `["alpn", "h3", "h2"]`, `["port", 1443]`, `["no-default-alpn"]`. */
export type SvcParam = [string, ...(string | number)[]];

/** Bytes the SvcParams of one record may take on the wire (keys and lengths included). */
export const MAX_SVC_PARAMS_BYTES = 4096;

const KNOWN = `${SVC_KEYS.join(', ')} or keyNNNN (a number from ${SVC_KEYS.length} to 65534)`;
const utf8 = new TextEncoder();

/** The number of a key written by name or as keyNNNN (no leading zeros); null when it is neither. */
export function svcKeyNumber(key: string): number | null {
  const i = (SVC_KEYS as readonly string[]).indexOf(key);
  if (i >= 0) return i;
  const m = /^key(0|[1-9]\d{0,4})$/.exec(key);
  return m && Number(m[1]) <= 65535 ? Number(m[1]) : null;
}

export const svcKeyName = (n: number): string => SVC_KEYS[n] ?? `key${n}`;

/**
 * Presentation text with RFC 1035 escapes (`\DDD`, `\X`) resolved into bytes, other characters
 * as UTF-8; null when a `\DDD` is above 255 or the text ends in a lone backslash.
 */
export function unescapeText(text: string): Uint8Array | null {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') {
      const ch = String.fromCodePoint(text.codePointAt(i)!);
      out.push(...utf8.encode(ch));
      i += ch.length - 1;
      continue;
    }
    if (i + 1 >= text.length) return null;
    const ddd = /^\d{3}/.exec(text.slice(i + 1, i + 4));
    if (ddd) {
      if (Number(ddd[0]) > 255) return null;
      out.push(Number(ddd[0]));
      i += 3;
    } else {
      out.push(...utf8.encode(text[++i]!));
    }
  }
  return Uint8Array.from(out);
}

/** Bytes as presentation text: printable ASCII as it is but `"` and `\` escaped, others as \DDD. */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${String(b).padStart(3, '0')}`;
  }
  return out;
}

type ParamsResult = { ok: true; params: SvcParam[] } | { ok: false; index: number; reason: string };

/** Strict standard base64 with its padding. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Values that may come as one comma-separated string or one per element: ["ipv4hint", "192.0.2.1,192.0.2.2"]. */
const listed = (values: (string | number)[]) => values.flatMap((v) => String(v).split(','));

/**
 * Checks and canonicalises the SvcParams of one record (content from index `offset` on):
 * known keys or keyNNNN, each once, values per key, `mandatory` naming keys present, none in
 * AliasMode. Canonical: keys by name in increasing number, values as the wire form reads back.
 */
export function parseSvcParams(params: readonly unknown[], aliasMode: boolean, offset: number): ParamsResult {
  const fail = (i: number, reason: string): ParamsResult => ({ ok: false, index: offset + i, reason });
  if (aliasMode && params.length > 0) return fail(0, 'AliasMode (priority 0) takes no SvcParams: give a priority from 1 for ServiceMode');
  const seen = new Map<number, number>();
  const out: { n: number; param: SvcParam }[] = [];
  let bytes = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (!Array.isArray(p) || typeof p[0] !== 'string') return fail(i, 'must be a SvcParam: [key, value, …] such as ["alpn", "h2"]');
    const values = p.slice(1) as unknown[];
    if (values.some((v) => typeof v !== 'string' && typeof v !== 'number')) return fail(i, `${p[0]}: values must be strings or numbers`);
    const key = p[0].toLowerCase();
    const n = svcKeyNumber(key);
    if (n === null) return fail(i, `unknown SvcParam key "${p[0]}": use ${KNOWN}`);
    if (n < SVC_KEYS.length && key !== SVC_KEYS[n]) return fail(i, `${key} is ${SVC_KEYS[n]}: write it by its name`);
    if (n === 65535) return fail(i, 'key65535 is reserved ("invalid key", RFC 9460 §14.3.2)');
    const first = seen.get(n);
    if (first !== undefined) return fail(i, `duplicate SvcParam key ${svcKeyName(n)}: content[${offset + first}] has it`);
    seen.set(n, i);
    const r = paramValues(n, values as (string | number)[]);
    if (typeof r === 'string') return fail(i, `${svcKeyName(n)}: ${r}`);
    bytes += 4 + r.bytes;
    out.push({ n, param: [svcKeyName(n), ...r.values] });
  }
  if (bytes > MAX_SVC_PARAMS_BYTES) return fail(0, `the SvcParams take more than ${MAX_SVC_PARAMS_BYTES} bytes`);
  const mandatory = seen.get(0);
  if (mandatory !== undefined) {
    for (const k of out.find((o) => o.n === 0)!.param.slice(1)) {
      if (!seen.has(svcKeyNumber(String(k))!)) return fail(mandatory, `mandatory lists ${k}, which this record does not have`);
    }
  }
  const noDefault = seen.get(2);
  if (noDefault !== undefined && !seen.has(1)) return fail(noDefault, 'no-default-alpn needs alpn in the same record (RFC 9460 §7.1.1)');
  out.sort((a, b) => a.n - b.n);
  return { ok: true, params: out.map((o) => o.param) };
}

/** The canonical values of key `n` and their wire length, or what is wrong with them. */
function paramValues(n: number, values: (string | number)[]): { values: (string | number)[]; bytes: number } | string {
  switch (n) {
    case 0: {
      const keys = listed(values);
      if (keys.length === 0 || keys.includes('')) return 'lists one or more keys, such as ["mandatory", "alpn", "port"]';
      const nums: number[] = [];
      for (const k of keys) {
        const m = svcKeyNumber(k.toLowerCase());
        if (m === null || m === 65535) return `"${k}" is not a SvcParam key`;
        if (m === 0) return 'must not list mandatory itself';
        if (nums.includes(m)) return `lists ${svcKeyName(m)} twice`;
        nums.push(m);
      }
      nums.sort((a, b) => a - b);
      return { values: nums.map(svcKeyName), bytes: 2 * nums.length };
    }
    case 1: {
      if (values.length === 0) return 'takes one or more protocol ids, such as ["alpn", "h3", "h2"]';
      let bytes = 0;
      for (const v of values) {
        const len = utf8.encode(String(v)).length;
        if (len < 1 || len > 255) return 'each protocol id is 1 to 255 bytes';
        bytes += 1 + len;
      }
      return { values: values.map(String), bytes };
    }
    case 2:
      return values.length === 0 ? { values: [], bytes: 0 } : 'takes no value: ["no-default-alpn"]';
    case 3: {
      const v = values[0];
      const port = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
      if (values.length !== 1 || typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
        return 'takes one port, an integer from 0 to 65535';
      }
      return { values: [port], bytes: 2 };
    }
    case 4:
    case 6: {
      const family = n === 4 ? 'IPv4' : 'IPv6';
      const addresses = listed(values);
      if (addresses.length === 0) return `takes one or more ${family} addresses`;
      const out: string[] = [];
      for (const a of addresses) {
        const ip = n === 4 ? canonicalIPv4(a.trim()) : canonicalIPv6(a.trim());
        if (ip === null) return `"${a}" is not an ${family} address`;
        out.push(ip);
      }
      return { values: out, bytes: out.length * (n === 4 ? 4 : 16) };
    }
    case 5: {
      const v = values[0];
      if (values.length !== 1 || typeof v !== 'string' || v === '' || !BASE64.test(v)) {
        return 'takes one ECHConfigList in base64 (with its = padding)';
      }
      return { values: [v], bytes: (v.length / 4) * 3 - (v.endsWith('==') ? 2 : v.endsWith('=') ? 1 : 0) };
    }
    default: {
      // A key Vigil does not know: its value is the wire bytes, written as presentation text.
      if (values.length > 1) return `takes one value (its bytes, with \\DDD escapes), not ${values.length}`;
      const raw = values.length === 0 ? new Uint8Array() : unescapeText(String(values[0]));
      if (raw === null) return 'has a bad escape: \\DDD from \\000 to \\255, or \\ and one character';
      return { values: raw.length === 0 ? [] : [escapeBytes(raw)], bytes: raw.length };
    }
  }
}

/** A value list (appendix A.1): items split at commas, `\,` and `\\` inside them. */
function splitValueList(bytes: Uint8Array): Uint8Array[] {
  const items: Uint8Array[] = [];
  let current: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x5c && i + 1 < bytes.length) {
      current.push(bytes[++i]!);
    } else if (b === 0x2c) {
      items.push(Uint8Array.from(current));
      current = [];
    } else {
      current.push(b);
    }
  }
  items.push(Uint8Array.from(current));
  return items;
}

const LISTS = new Set([0, 1, 4, 6]);

/**
 * A SvcParam in presentation form, as one zone-file token (`alpn="h3,h2"`, `port=1443`,
 * `key667="hello\210qoo"`, `no-default-alpn`) → content; the value's quotes and escapes resolved.
 * Only the form is read here: parseSvcParams checks the values.
 */
export function parseSvcParamText(text: string): { ok: true; param: SvcParam } | { ok: false; reason: string } {
  const eq = text.indexOf('=');
  const key = (eq < 0 ? text : text.slice(0, eq)).toLowerCase();
  if (!/^[a-z0-9-]+$/.test(key))
    return { ok: false, reason: `${JSON.stringify(text)} is not a SvcParam: write key=value, such as alpn=h2` };
  let value = eq < 0 ? '' : text.slice(eq + 1);
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  if (value === '') return { ok: true, param: [key] };
  const bytes = unescapeText(value);
  if (bytes === null) return { ok: false, reason: `${key}: bad escape in "${value}"` };
  const n = svcKeyNumber(key);
  if (n !== null && n >= SVC_KEYS.length) return { ok: true, param: [key, escapeBytes(bytes)] };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    const items = n !== null && LISTS.has(n) ? splitValueList(bytes) : [bytes];
    return { ok: true, param: [key, ...items.map((b) => decoder.decode(b))] };
  } catch {
    return { ok: false, reason: `${key}: the value is not UTF-8 text` };
  }
}

/** A value in a token: quoted when it holds what would end one. */
const token = (text: string) => (text === '' || /[\s;()]/.test(text) ? `"${text}"` : text);

/** A SvcParam of canonical content in presentation form (RFC 9460 appendix A), as BIND and Knot read it. */
export function svcParamText(param: readonly (string | number)[]): string {
  const [key, ...values] = param.map(String);
  if (values.length === 0) return key!;
  const n = svcKeyNumber(key!);
  // A generic key's value is already presentation text.
  if (n === null || n >= SVC_KEYS.length) return `${key}=${token(values[0]!)}`;
  // alpn ids: commas and backslashes escaped for the list, then the whole as a character-string.
  const items = n === 1 ? values.map((v) => v.replace(/[\\,]/g, '\\$&')) : values;
  return `${key}=${token(escapeBytes(utf8.encode(items.join(','))))}`;
}
