// Wire encodings of names and record data, computed once per zone load (never per query).
import { type ContentValue, type RecordType, type Soa, svcKeyNumber, unescapeText } from '@vigil/contract';
import { CLASS_IN } from './constants';

const ROOT = Buffer.from([0]);

function labelsToWire(labels: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  let total = 1;
  for (const bytes of labels) {
    if (bytes.length === 0 || bytes.length > 63) throw new Error(`bad label "${bytes.toString('latin1')}"`);
    parts.push(Buffer.from([bytes.length]), bytes);
    total += 1 + bytes.length;
  }
  if (total > 255) throw new Error('name longer than 255 octets');
  parts.push(ROOT);
  return Buffer.concat(parts, total);
}

/** Splits presentation text into label bytes, honouring RFC 1035 5.1 escapes (\. and \DDD). */
function splitLabels(text: string): Buffer[] {
  const labels: Buffer[] = [];
  let current: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const ddd = /^\d{3}/.exec(text.slice(i + 1, i + 4));
      if (ddd && Number(ddd[0]) < 256) {
        current.push(Number(ddd[0]));
        i += 3;
      } else {
        current.push(...Buffer.from(text[++i]!, 'utf8'));
      }
    } else if (c === '.') {
      labels.push(Buffer.from(current));
      current = [];
    } else {
      current.push(...Buffer.from(c, 'utf8'));
    }
  }
  labels.push(Buffer.from(current));
  return labels;
}

/** Uncompressed wire form of a name in the contract's text form ('' or '.' is the root). */
export function nameToWire(name: string): Buffer {
  const text = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  if (text === '') return ROOT;
  return labelsToWire(splitLabels(text));
}

/**
 * SOA RNAME: a name in mailbox form (the api sends `first\.last.example.com`) or an e-mail address,
 * whose local part becomes one label, dots and all (RFC 1035 8).
 */
export function mailboxToWire(rname: string): Buffer {
  const at = rname.lastIndexOf('@');
  if (at < 0) return nameToWire(rname);
  const domain = rname.slice(at + 1).replace(/\.$/, '');
  return labelsToWire([Buffer.from(rname.slice(0, at), 'utf8'), ...(domain === '' ? [] : splitLabels(domain))]);
}

/** Dotted-quad text (four decimal octets of one to three digits) → its 4 bytes; null when it is not one. */
export function ipv4Bytes(text: string): Buffer | null {
  // By character codes: a zone load parses a million of these.
  const out = Buffer.allocUnsafe(4);
  let octet = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 0x2e : text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || value > 255 || octet > 3) return null;
      out[octet++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
      value = value * 10 + (c - 0x30);
      digits++;
    } else {
      return null;
    }
  }
  return octet === 4 ? out : null;
}

export function ipv6Bytes(text: string): Buffer | null {
  const double = text.indexOf('::');
  if (double >= 0 && text.indexOf('::', double + 1) >= 0) return null;
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  const head = double >= 0 ? split(text.slice(0, double)) : split(text);
  const tail = double >= 0 ? split(text.slice(double + 2)) : [];
  const words = (groups: string[], last: boolean): number[] | null => {
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (last && i === groups.length - 1 && g.includes('.')) {
        const v4 = ipv4Bytes(g);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
        out.push(parseInt(g, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const h = words(head, double < 0);
  const t = words(tail, true);
  if (!h || !t) return null;
  const fill = 8 - h.length - t.length;
  if (double >= 0 ? fill < 1 : fill !== 0) return null;
  const all = [...h, ...new Array<number>(fill).fill(0), ...t];
  const out = Buffer.allocUnsafe(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

function u16(n: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(n);
  return b;
}

type Field = ContentValue | undefined;

function int(value: Field, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`bad number ${String(value)}`);
  return n;
}

function str(value: Field): string {
  if (typeof value !== 'string') throw new Error(`expected a string, got ${String(value)}`);
  return value;
}

/** A target that may be "." (null MX of RFC 7505, "no service" SRV of RFC 2782). */
function target(value: Field): Buffer {
  const t = str(value);
  return t === '.' ? ROOT : nameToWire(t);
}

/** TXT content: every string split into 255-byte character-strings (RFC 1035 3.3.14). */
function txt(content: readonly Field[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of content) {
    const bytes = Buffer.from(String(value), 'utf8');
    if (bytes.length === 0) parts.push(Buffer.from([0]));
    for (let i = 0; i < bytes.length; i += 255) {
      const chunk = bytes.subarray(i, i + 255);
      parts.push(Buffer.from([chunk.length]), chunk);
    }
  }
  return Buffer.concat(parts);
}

function address(text: Field, v6: boolean): Buffer {
  const b = v6 ? ipv6Bytes(str(text)) : ipv4Bytes(str(text));
  if (!b) throw new Error(`bad IPv${v6 ? 6 : 4} address ${String(text)}`);
  return b;
}

function svcKey(name: Field): number {
  const key = svcKeyNumber(str(name));
  if (key === null) throw new Error(`unknown SvcParam key ${String(name)}`);
  return key;
}

/** One SvcParam's value on the wire (RFC 9460 §7), from canonical content (contract/src/svcb.ts). */
function svcValue(key: number, values: readonly (string | number)[]): Buffer {
  switch (key) {
    case 0:
      return Buffer.concat(values.map((k) => u16(svcKey(k))));
    case 1:
      return Buffer.concat(
        values.map((id) => {
          const b = Buffer.from(str(id), 'utf8');
          if (b.length < 1 || b.length > 255) throw new Error('bad alpn id');
          return Buffer.concat([Buffer.from([b.length]), b]);
        }),
      );
    case 2:
      return Buffer.alloc(0);
    case 3:
      return u16(int(values[0], 65535));
    case 4:
    case 6:
      return Buffer.concat(values.map((a) => address(a, key === 6)));
    case 5:
      return Buffer.from(str(values[0]), 'base64');
    default: {
      const raw = values.length === 0 ? new Uint8Array() : unescapeText(str(values[0]));
      if (raw === null) throw new Error(`bad escape in key${key} value`);
      return Buffer.from(raw);
    }
  }
}

/** SVCB and HTTPS (RFC 9460 §2.2): priority, the target uncompressed, SvcParams in increasing key order. */
function svcb(content: readonly Field[]): Buffer {
  const params = content.slice(2).map((p) => {
    if (!Array.isArray(p)) throw new Error(`expected a SvcParam, got ${String(p)}`);
    const key = svcKey(p[0]);
    return { key, value: svcValue(key, p.slice(1)) };
  });
  params.sort((a, b) => a.key - b.key);
  const parts = [u16(int(content[0], 65535)), target(content[1])];
  for (let i = 0; i < params.length; i++) {
    const { key, value } = params[i]!;
    if (i > 0 && params[i - 1]!.key === key) throw new Error(`SvcParam key${key} twice`);
    if (value.length > 65535) throw new Error('SvcParam value longer than 65535 bytes');
    parts.push(u16(key), u16(value.length), value);
  }
  return Buffer.concat(parts);
}

/** RDATA of one record in the contract's content shape (records.ts). Throws on bad content. */
export function encodeRdata(type: RecordType, content: readonly Field[]): Buffer {
  switch (type) {
    case 'A':
    case 'AAAA':
      return address(content[0], type === 'AAAA');
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return nameToWire(str(content[0]));
    case 'MX':
      return Buffer.concat([u16(int(content[0], 65535)), target(content[1])]);
    case 'SRV':
      return Buffer.concat([u16(int(content[0], 65535)), u16(int(content[1], 65535)), u16(int(content[2], 65535)), target(content[3])]);
    case 'CAA': {
      const tag = Buffer.from(str(content[1]), 'ascii');
      if (tag.length < 1 || tag.length > 255) throw new Error('bad CAA tag');
      return Buffer.concat([Buffer.from([int(content[0], 255), tag.length]), tag, Buffer.from(str(content[2]), 'utf8')]);
    }
    case 'TXT':
      return txt(content);
    case 'SVCB':
    case 'HTTPS':
      return svcb(content);
  }
}

export function soaRdata(soa: Soa): Buffer {
  const nums = Buffer.allocUnsafe(20);
  // Serial arithmetic is modulo 2^32 (RFC 1982); other fields are 32-bit seconds.
  nums.writeUInt32BE(((soa.serial % 2 ** 32) + 2 ** 32) % 2 ** 32, 0);
  nums.writeUInt32BE(clampU32(soa.refresh), 4);
  nums.writeUInt32BE(clampU32(soa.retry), 8);
  nums.writeUInt32BE(clampU32(soa.expire), 12);
  nums.writeUInt32BE(clampU32(soa.minimum), 16);
  return Buffer.concat([nameToWire(soa.mname), mailboxToWire(soa.rname), nums]);
}

function clampU32(n: number): number {
  return Math.min(Math.max(Math.trunc(n), 0), 0x7fffffff);
}

/**
 * Everything of a resource record after its owner name: TYPE, CLASS, TTL, RDLENGTH, RDATA.
 * The owner is written per answer (usually a 2-byte pointer to the question).
 */
export function rrTail(type: number, ttl: number, rdata: Buffer): Buffer {
  const b = Buffer.allocUnsafe(10 + rdata.length);
  writeRrTail(b, 0, type, ttl, rdata);
  return b;
}

/** rrTail written into `b` at `off` (which must have 10 + rdata.length bytes of room). */
export function writeRrTail(b: Buffer, off: number, type: number, ttl: number, rdata: Buffer): void {
  if (rdata.length > 65535) throw new Error('record data longer than 65535 bytes');
  b.writeUInt16BE(type, off);
  b.writeUInt16BE(CLASS_IN, off + 2);
  b.writeUInt32BE(clampU32(ttl), off + 4);
  b.writeUInt16BE(rdata.length, off + 8);
  rdata.copy(b, off + 10);
}

/**
 * The presentation form (no trailing dot) of an uncompressed wire name at `off`, as written by
 * nameToWire: dots and backslashes inside labels and bytes outside printable ASCII are escaped.
 */
export function wireToName(b: Buffer, off: number): string {
  let out = '';
  for (let len = b[off]!; len !== 0; len = b[off]!) {
    if (out !== '') out += '.';
    for (let i = off + 1; i <= off + len; i++) {
      const c = b[i]!;
      if (c === 0x2e || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
      else if (c <= 0x20 || c >= 0x7f) out += `\\${String(c).padStart(3, '0')}`;
      else out += String.fromCharCode(c);
    }
    off += len + 1;
  }
  return out;
}
