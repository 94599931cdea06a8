// Stage 1: parse a query message (RFC 1035 4.1, RFC 6891 OPT, RFC 7871 ECS) without dns-packet:
// a hand-rolled reader touches only what the answer needs and allocates one string per query.
import { EDNS_OPTION_ECS, QTYPE, RCODE } from './constants';

export interface Ecs {
  family: 1 | 2;
  sourcePrefix: number;
  /** The address bytes as sent: ceil(sourcePrefix / 8) of them, a view into the query. */
  address: Buffer;
}

export interface Edns {
  udpSize: number;
  version: number;
  dnssecOk: boolean;
  ecs: Ecs | null;
}

export interface Query {
  id: number;
  /** Anything but 0 (QUERY) is answered NOTIMP, with the question and OPT echoed. */
  opcode: number;
  rd: boolean;
  cd: boolean;
  /** Lower-case text without trailing dot ('' for the root); a '.' inside a label reads as NUL so it never matches. */
  qname: string;
  /** Bytes of the qname on the wire (labels + final zero); the question starts at offset 12. */
  qnameWireLength: number;
  qtype: number;
  qclass: number;
  /** Offset just past the question: bytes 12..questionEnd are echoed verbatim (case included). */
  questionEnd: number;
  edns: Edns | null;
}

export interface ParseError {
  /** FORMERR (NOTIMP for opcodes other than QUERY); the answer carries these header fields. */
  rcode: number;
  id: number;
  opcode: number;
  rd: boolean;
  cd: boolean;
  /** Past the question when it could be read (bytes 12..questionEnd are echoed), else 0: a bare header. */
  questionEnd: number;
  /**
   * The query's one OPT record when it could be read (its options may be what was wrong:
   * RFC 6891 7 wants the FORMERR to carry an OPT then), else null. Its ECS is not echoed.
   */
  edns: Edns | null;
}

/** null: not worth an answer (shorter than a header, or a response rather than a query). */
export type ParseOutcome = Query | ParseError | null;

export function isQuery(p: ParseOutcome): p is Query {
  return p !== null && (p as Query).qname !== undefined;
}

// Reused for building the lower-cased qname: the query path is synchronous, so one buffer suffices.
const nameScratch = Buffer.allocUnsafe(256);

/** Skips a (possibly compressed) name in an RR section; returns the offset after it or -1. */
function skipName(buf: Buffer, off: number): number {
  const end = buf.length;
  for (;;) {
    if (off >= end) return -1;
    const len = buf[off]!;
    if (len === 0) return off + 1;
    const kind = len & 0xc0;
    if (kind === 0xc0) return off + 2 <= end ? off + 2 : -1;
    if (kind !== 0) return -1;
    off += 1 + len;
  }
}

export function parseQuery(buf: Buffer): ParseOutcome {
  if (buf.length < 12) return null;
  const flags = buf.readUInt16BE(2);
  // Never answer a response: that is how reflection loops start.
  if (flags & 0x8000) return null;
  const id = buf.readUInt16BE(0);
  const opcode = (flags >> 11) & 0xf;
  const rd = (flags & 0x0100) !== 0;
  const cd = (flags & 0x0010) !== 0;
  // Other opcodes get NOTIMP; the message is still read so the answer can echo question and OPT.
  const fail = (rcode: number, questionEnd = 0, edns: Edns | null = null): ParseError => ({
    rcode: opcode === 0 ? rcode : RCODE.NOTIMP,
    id,
    opcode,
    rd,
    cd,
    questionEnd,
    edns,
  });
  const qd = buf.readUInt16BE(4);
  if (qd === 0) {
    // No question, as in a DNS cookie probe (RFC 7873 5.4): FORMERR, with an OPT when the query
    // had one, so the client does not conclude there is no EDNS here (RFC 6891 6.1.1).
    const rrs = readRecords(buf, 12);
    return fail(RCODE.FORMERR, 0, rrs.error && !rrs.optError ? null : rrs.edns);
  }
  if (qd !== 1) return fail(RCODE.FORMERR);

  // Question name: no compression possible (nothing precedes it to point at).
  let off = 12;
  let n = 0;
  const end = buf.length;
  for (;;) {
    if (off >= end) return fail(RCODE.FORMERR);
    const len = buf[off]!;
    if (len === 0) {
      off++;
      break;
    }
    if (len > 63) return fail(RCODE.FORMERR);
    if (off + 1 + len > end) return fail(RCODE.FORMERR);
    if (n !== 0) nameScratch[n++] = 0x2e;
    if (n + len > 253) return fail(RCODE.FORMERR);
    for (let i = off + 1, stop = off + 1 + len; i < stop; i++) {
      const c = buf[i]!;
      nameScratch[n++] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c === 0x2e ? 0 : c;
    }
    off += 1 + len;
  }
  const qnameWireLength = off - 12;
  if (off + 4 > end) return fail(RCODE.FORMERR);
  const qtype = buf.readUInt16BE(off);
  const qclass = buf.readUInt16BE(off + 2);
  off += 4;
  const questionEnd = off;

  const rrs = readRecords(buf, off);
  // From here on the question is echoed; the OPT too when it was its options that were wrong.
  if (rrs.error) return fail(RCODE.FORMERR, questionEnd, rrs.optError ? rrs.edns : null);
  if (qtype === QTYPE.OPT) return fail(RCODE.FORMERR, questionEnd, rrs.edns);

  return {
    id,
    opcode,
    rd,
    cd,
    qname: n === 0 ? '' : nameScratch.toString('latin1', 0, n),
    qnameWireLength,
    qtype,
    qclass,
    questionEnd,
    edns: rrs.edns,
  };
}

interface Records {
  /** The one OPT record (its ECS only when the options were sound). */
  edns: Edns | null;
  /** The message is malformed from `off` on (including bytes past its last record). */
  error: boolean;
  /** The error is in the OPT record's options: `edns` holds the OPT's fixed fields. */
  optError: boolean;
}

// Reused: the query path is synchronous and the result is read before the next parse.
const records: Records = { edns: null, error: false, optError: false };

/**
 * Reads the answer, authority and additional records from `off` (a query should have none but
 * OPT, but they are legal to send) and finds the OPT among the additional ones.
 */
function readRecords(buf: Buffer, off: number): Records {
  const r = records;
  r.edns = null;
  r.error = false;
  r.optError = false;
  const end = buf.length;
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  for (let i = 0, total = an + ns + ar; i < total; i++) {
    const nameStart = off;
    off = skipName(buf, off);
    if (off < 0 || off + 10 > end) return failed(r);
    const type = buf.readUInt16BE(off);
    const rdlen = buf.readUInt16BE(off + 8);
    const rdata = off + 10;
    if (rdata + rdlen > end) return failed(r);
    if (type === QTYPE.OPT) {
      // RFC 6891 6.1.1: only one OPT, only in the additional section, owned by the root.
      if (i < an + ns || r.edns !== null || off - nameStart !== 1 || buf[nameStart] !== 0) return failed(r);
      const edns: Edns = {
        udpSize: buf.readUInt16BE(off + 2),
        version: buf[off + 5]!,
        dnssecOk: (buf[off + 6]! & 0x80) !== 0,
        ecs: null,
      };
      r.edns = edns;
      const ecs = parseOptions(buf, rdata, rdata + rdlen);
      if (ecs === false) {
        r.error = true;
        r.optError = true;
        return r;
      }
      edns.ecs = ecs;
    }
    off = rdata + rdlen;
  }
  // Bytes past the last record: not a message we understand.
  if (off !== end) return failed(r);
  return r;
}

function failed(r: Records): Records {
  r.edns = null;
  r.error = true;
  r.optError = false;
  return r;
}

/** Reads EDNS options; returns the ECS option, null when absent, false when malformed. */
function parseOptions(buf: Buffer, off: number, end: number): Ecs | null | false {
  let ecs: Ecs | null = null;
  while (off < end) {
    if (off + 4 > end) return false;
    const code = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    const data = off + 4;
    if (data + len > end) return false;
    if (code === EDNS_OPTION_ECS) {
      if (ecs !== null) return false;
      const parsed = parseEcs(buf, data, len);
      if (parsed === null) return false;
      ecs = parsed;
    }
    off = data + len;
  }
  return ecs;
}

/** RFC 7871 6 and 7.1.1: a malformed ECS option is a FORMERR. */
function parseEcs(buf: Buffer, off: number, len: number): Ecs | null {
  if (len < 4) return null;
  const family = buf.readUInt16BE(off);
  const source = buf[off + 2]!;
  const scope = buf[off + 3]!;
  if (family !== 1 && family !== 2) return null;
  if (source > (family === 1 ? 32 : 128) || scope !== 0) return null;
  const bytes = Math.ceil(source / 8);
  if (len - 4 !== bytes) return null;
  // Bits past the source prefix must be zero.
  if (bytes > 0 && source % 8 !== 0) {
    const mask = 0xff >> (source % 8);
    if (buf[off + 4 + bytes - 1]! & mask) return null;
  }
  return { family, sourcePrefix: source, address: buf.subarray(off + 4, off + 4 + bytes) };
}
