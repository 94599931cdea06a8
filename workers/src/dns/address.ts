// The client's address as the ip and asn pickers compare it: 128 bits in four 32-bit words, an
// IPv4 address as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so one comparison serves both
// families. Networks (a record's meta.ip) are parsed once, when the zone is indexed.
import ipaddr from 'ipaddr.js';
import type { Ecs } from './parse';

/** Four big-endian 32-bit words. */
export type Words = Uint32Array;

const V4_MAPPED = 0xffff;

export function isV4(w: Words): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === V4_MAPPED;
}

/** Writes an address text (dotted quad, IPv6, IPv4-mapped IPv6) into `out`; false when it is none. */
export function addressInto(text: string, out: Words): boolean {
  const v4 = dottedQuad(text);
  if (v4 >= 0) {
    setV4(out, v4);
    return true;
  }
  // A zone id (fe80::1%eth0) names no address the pickers could match.
  if (text.indexOf(':') < 0 || text.indexOf('%') >= 0 || !ipaddr.IPv6.isValid(text)) return false;
  const b = ipaddr.IPv6.parse(text).toByteArray();
  for (let i = 0; i < 4; i++) out[i] = ((b[i * 4]! << 24) | (b[i * 4 + 1]! << 16) | (b[i * 4 + 2]! << 8) | b[i * 4 + 3]!) >>> 0;
  return true;
}

/** The ECS address (its bytes beyond the source prefix are zero, RFC 7871 6) into `out`. */
export function ecsInto(ecs: Ecs, out: Words): boolean {
  const a = ecs.address;
  if (ecs.family === 1) {
    setV4(out, (((a[0] ?? 0) << 24) | ((a[1] ?? 0) << 16) | ((a[2] ?? 0) << 8) | (a[3] ?? 0)) >>> 0);
    return true;
  }
  if (ecs.family !== 2) return false;
  for (let i = 0; i < 4; i++) {
    const j = i * 4;
    out[i] = (((a[j] ?? 0) << 24) | ((a[j + 1] ?? 0) << 16) | ((a[j + 2] ?? 0) << 8) | (a[j + 3] ?? 0)) >>> 0;
  }
  return true;
}

function setV4(out: Words, v4: number): void {
  out[0] = 0;
  out[1] = 0;
  out[2] = V4_MAPPED;
  out[3] = v4;
}

/** A dotted quad as a 32-bit number, or -1. */
function dottedQuad(s: string): number {
  let value = 0;
  let part = -1;
  let parts = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (part < 0 || ++parts > 4) return -1;
      value = value * 256 + part;
      part = -1;
    } else if (c >= 48 && c <= 57) {
      part = part < 0 ? c - 48 : part * 10 + c - 48;
      if (part > 255) return -1;
    } else return -1;
  }
  return parts === 4 ? value : -1;
}

/** The text of an address for a database that takes text (maxmind). */
export function addressText(w: Words): string {
  if (isV4(w)) {
    const v = w[3]!;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const parts: string[] = [];
  for (let i = 0; i < 4; i++) parts.push((w[i]! >>> 16).toString(16), (w[i]! & 0xffff).toString(16));
  return parts.join(':');
}

/**
 * Networks as pairs of 4-word base and 4-word mask, 8 words each; the base is masked, so an
 * address is in the network when (address & mask) == base, word by word.
 */
export type Networks = Uint32Array;

/** meta.ip (addresses or CIDRs, validated by the contract) as networks; what does not parse is left out. */
export function parseNetworks(list: readonly string[]): Networks {
  const out = new Uint32Array(list.length * 8);
  let n = 0;
  const w = new Uint32Array(4);
  for (const text of list) {
    const slash = text.indexOf('/');
    const addr = slash < 0 ? text : text.slice(0, slash);
    if (!addressInto(addr, w)) continue;
    const v4 = addr.indexOf(':') < 0;
    let len = slash < 0 ? (v4 ? 32 : 128) : Number(text.slice(slash + 1));
    if (!Number.isInteger(len) || len < 0 || len > (v4 ? 32 : 128)) continue;
    if (v4) len += 96;
    for (let i = 0; i < 4; i++) {
      const bits = Math.max(0, Math.min(32, len - i * 32));
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      out[n * 8 + i] = (w[i]! & mask) >>> 0;
      out[n * 8 + 4 + i] = mask;
    }
    n++;
  }
  return n * 8 === out.length ? out : out.slice(0, n * 8);
}

export function inNetworks(nets: Networks, w: Words): boolean {
  for (let o = 0; o < nets.length; o += 8) {
    if (
      (w[0]! & nets[o + 4]!) >>> 0 === nets[o]! &&
      (w[1]! & nets[o + 5]!) >>> 0 === nets[o + 1]! &&
      (w[2]! & nets[o + 6]!) >>> 0 === nets[o + 2]! &&
      (w[3]! & nets[o + 7]!) >>> 0 === nets[o + 3]!
    ) {
      return true;
    }
  }
  return false;
}
