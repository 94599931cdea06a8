// Stage 7: write the response. Records are pre-encoded once per zone version (TYPE..RDATA, names
// uncompressed, owner excluded), so this mostly copies bytes into the send buffer (or a reused
// scratch buffer). Every name is compressed against every name written before it in the message
// (RFC 1035 4.1.4): owners, glue owners and the names inside NS, CNAME, PTR, MX and SOA data (the
// types whose data names may be compressed, RFC 3597 4; SRV targets are written whole, RFC 2782,
// but later names may point into them). A small table of the labels written so far, reset per
// message, finds each name's longest suffix already in the message; pointers have 14 bits, so
// labels past 16 KiB are never pointed at. Then the OPT record (RFC 6891, with the ECS answer of
// RFC 7871). An answer that does not fit keeps the whole record sets that do, in section order
// (answer, authority, glue), and sets TC (RFC 2181 9), so the resolver retries over TCP; other
// additional addresses that do not fit are left out without TC.
import { EDNS_OPTION_ECS, EDNS_UDP_SIZE, QTYPE } from './constants';
import type { Ecs } from './parse';
import { nameToWire } from './rdata';
import type { Glue, RecordRun, ServedRecord } from './zone-index';

export interface EdnsReply {
  dnssecOk: boolean;
  /** The client's option, echoed with `scope`. */
  ecs: Ecs | null;
  scope: number;
}

export interface Reply {
  id: number;
  opcode: number;
  rd: boolean;
  cd: boolean;
  aa: boolean;
  /** Up to 12 bits: the upper 8 travel in OPT (BADVERS). */
  rcode: number;
  /** When > 12, bytes 12..questionEnd of the query are echoed as the question. */
  questionEnd: number;
  qname: string;
  answer: RecordRun[];
  authority: RecordRun[];
  /** Glue of a referral: required, so what does not fit sets TC (RFC 9471). */
  additional: readonly Glue[];
  /** Other additional records (addresses of MX, SRV and NS targets): left out when they do not fit, without TC (RFC 2181 9). */
  extra: readonly Glue[];
  edns: EdnsReply | null;
  /** Largest message allowed (UDP: negotiated size; TCP: 65535). */
  maxSize: number;
}

export function emptyReply(): Reply {
  return {
    id: 0,
    opcode: 0,
    rd: false,
    cd: false,
    aa: false,
    rcode: 0,
    questionEnd: 0,
    qname: '',
    answer: [],
    authority: [],
    additional: [],
    extra: [],
    edns: null,
    maxSize: 512,
  };
}

// The query path is synchronous, so one buffer serves every response that has no place of its
// own to go (TCP, dgram); the result is copied out.
const scratch = Buffer.allocUnsafe(2 + 65535);

/**
 * Buffer#copy costs a native call; for the few dozen bytes of a typical record a plain loop is
 * several times faster. Returns the number of bytes copied.
 */
function put(src: Buffer, dst: Buffer, at: number): number {
  return putRange(src, 0, src.length, dst, at);
}

function putRange(src: Buffer, from: number, n: number, dst: Buffer, at: number): number {
  if (n > 48) return src.copy(dst, at, from, from + n);
  for (let i = 0; i < n; i++) dst[at + i] = src[from + i]!;
  return n;
}

/** Encodes a reply; with `tcp` the result starts with the 2-byte length of RFC 1035 4.2.2. */
export function encodeReply(query: Buffer, r: Reply, tcp: boolean): Buffer {
  const len = encodeReplyInto(query, r, tcp, scratch, 0);
  const out = Buffer.allocUnsafe(len);
  if (len > 256) scratch.copy(out, 0, 0, len);
  else for (let i = 0; i < len; i++) out[i] = scratch[i]!;
  return out;
}

/**
 * Encodes a reply straight into `dst` at `at` (the batched UDP path's send slot, so the answer is
 * written once) and returns its length. `dst` must have room for the length prefix plus
 * `r.maxSize` bytes from `at`.
 */
export function encodeReplyInto(query: Buffer, r: Reply, tcp: boolean, dst: Buffer, at: number): number {
  const base = at + (tcp ? 2 : 0);
  const ecs = r.edns?.ecs ?? null;
  const optLength = r.edns === null ? 0 : 11 + (ecs === null ? 0 : 8 + ecs.address.length);
  const limit = base + r.maxSize - optLength;

  let off = base + 12;
  let qd = 0;
  if (r.questionEnd > 12) {
    for (let i = 12; i < r.questionEnd; i++) dst[off++] = query[i]!;
    qd = 1;
  }
  names.start(dst, base, qd === 1);
  let an = 0;
  let ns = 0;
  let ar = 0;
  let tc = false;

  for (let s = 0; s < 2 && !tc; s++) {
    const runs = s === 0 ? r.answer : r.authority;
    for (let i = 0; i < runs.length; i++) {
      const next = writeRun(runs[i]!, qd === 1 ? r.qname : null, dst, off, limit);
      if (next < 0) {
        tc = true;
        break;
      }
      off = next;
      if (s === 0) an += runs[i]!.records.length;
      else ns += runs[i]!.records.length;
    }
  }
  // The additional section, one record set (the addresses of one name and type) at a time.
  for (let x = 0; x < 2 && !tc; x++) {
    const glue = x === 0 ? r.additional : r.extra;
    for (let i = 0; i < glue.length;) {
      const first = glue[i]!;
      const type = typeOf(first.record);
      let end = i + 1;
      while (end < glue.length && glue[end]!.ownerWire === first.ownerWire && typeOf(glue[end]!.record) === type) end++;
      const next = writeGlue(glue, i, end, dst, off, limit);
      if (next < 0) {
        // Glue for an in-zone name server is required (RFC 9471); other addresses are not.
        tc = x === 0;
        break;
      }
      off = next;
      ar += end - i;
      i = end;
    }
  }

  if (r.edns !== null) {
    dst[off] = 0; // root owner
    dst.writeUInt16BE(QTYPE.OPT, off + 1);
    dst.writeUInt16BE(EDNS_UDP_SIZE, off + 3);
    dst[off + 5] = r.rcode >> 4;
    dst[off + 6] = 0; // version 0
    // RFC 3225 3: the DO bit is copied into the response.
    dst.writeUInt16BE(r.edns.dnssecOk ? 0x8000 : 0, off + 7);
    dst.writeUInt16BE(optLength - 11, off + 9);
    off += 11;
    if (ecs !== null) {
      dst.writeUInt16BE(EDNS_OPTION_ECS, off);
      dst.writeUInt16BE(4 + ecs.address.length, off + 2);
      dst.writeUInt16BE(ecs.family, off + 4);
      dst[off + 6] = ecs.sourcePrefix;
      dst[off + 7] = r.edns.scope;
      off += 8 + put(ecs.address, dst, off + 8);
    }
    ar++;
  }

  dst.writeUInt16BE(r.id, base);
  dst.writeUInt16BE(
    0x8000 |
      ((r.opcode & 0xf) << 11) |
      (r.aa ? 0x0400 : 0) |
      (tc ? 0x0200 : 0) |
      (r.rd ? 0x0100 : 0) |
      (r.cd ? 0x0010 : 0) |
      (r.rcode & 0xf),
    base + 2,
  );
  dst.writeUInt16BE(qd, base + 4);
  dst.writeUInt16BE(an, base + 6);
  dst.writeUInt16BE(ns, base + 8);
  dst.writeUInt16BE(ar, base + 10);
  if (tcp) dst.writeUInt16BE(off - base, at);
  return off - at;
}

const typeOf = (rec: ServedRecord) => (rec.data[rec.off]! << 8) | rec.data[rec.off + 1]!;

/**
 * Writes one record set: each record behind its owner (written once, then pointed at). Returns
 * the new offset, or -1 when it does not fit whole. What it wrote then lies past the offset the
 * message ends at, and the table may hold its names: nothing is written after it but the OPT.
 */
function writeRun(run: RecordRun, qname: string | null, dst: Buffer, off: number, limit: number): number {
  const records = run.records;
  const n = records.length;
  let ownerAt = -1;
  const owner = run.owner;
  if (qname !== null) {
    if (owner === qname) ownerAt = 12;
    else if (qname.length > owner.length && qname.endsWith(owner) && qname.charCodeAt(qname.length - owner.length - 1) === 0x2e) {
      // Text and wire lengths differ by a constant (labels' length bytes replace the dots; parse
      // reads a dot inside a label as one other byte), so the suffix starts this far into the question.
      ownerAt = 12 + qname.length - owner.length;
    }
  }
  if (ownerAt >= 0 && n > 0 && nameKind(typeOf(records[0]!)) === PLAIN) {
    // The usual answer: its records behind pointers to the question, copied as they are.
    const hi = 0xc0 | (ownerAt >> 8);
    const lo = ownerAt & 0xff;
    for (let k = 0; k < n; k++) {
      const rec = records[(run.start + k) % n]!;
      const len = rec.len;
      if (off + 2 + len > limit) return -1;
      dst[off] = hi;
      dst[off + 1] = lo;
      off += 2 + putRange(rec.data, rec.off, len, dst, off + 2);
    }
    return off;
  }
  const wire = ownerAt >= 0 ? null : (run.ownerWire ?? ownerText(run));
  for (let k = 0; k < n; k++) {
    off = writeOwned(records[(run.start + k) % n]!, ownerAt, wire, dst, off, limit);
    if (off < 0) return -1;
    if (ownerAt < 0) ownerAt = names.nameAt;
  }
  return off;
}

/** Glue records [from, to) of one owner and type, as writeRun. */
function writeGlue(glue: readonly Glue[], from: number, to: number, dst: Buffer, off: number, limit: number): number {
  let ownerAt = -1;
  for (let k = from; k < to; k++) {
    off = writeOwned(glue[k]!.record, ownerAt, glue[k]!.ownerWire, dst, off, limit);
    if (off < 0) return -1;
    if (ownerAt < 0) ownerAt = names.nameAt;
  }
  return off;
}

/**
 * One record behind a pointer to `ownerAt` or, when that is -1, behind the name `wire` (where
 * the set's later records then point: names.nameAt); -1 when past limit.
 */
function writeOwned(rec: ServedRecord, ownerAt: number, wire: Buffer | null, dst: Buffer, off: number, limit: number): number {
  if (ownerAt >= 0) {
    if (off + 2 > limit) return -1;
    dst[off] = 0xc0 | (ownerAt >> 8);
    dst[off + 1] = ownerAt & 0xff;
    off += 2;
  } else {
    off = names.write(wire!, 0, dst, off, limit);
    if (off < 0) return -1;
  }
  return writeRecord(rec, dst, off, limit);
}

/** TYPE..RDATA of one record at `off`, its data's names compressed where allowed; -1 when past limit. */
function writeRecord(rec: ServedRecord, dst: Buffer, off: number, limit: number): number {
  const data = rec.data;
  const o = rec.off;
  const type = (data[o]! << 8) | data[o + 1]!;
  const kind = nameKind(type);
  if (kind !== COMPRESS) {
    const len = rec.len;
    if (off + len > limit) return -1;
    putRange(data, o, len, dst, off);
    // RFC 2782: the target is not compressed, but names after it may point into it.
    if (kind === LEARN) names.learnWritten(off + 10 + 6);
    return off + len;
  }
  // TYPE CLASS TTL, then RDLENGTH once the data is written.
  if (off + 10 > limit) return -1;
  for (let i = 0; i < 8; i++) dst[off + i] = data[o + i]!;
  const rdata = off + 10;
  let p = rdata;
  let src = o + 10;
  if (type === TYPE_MX) {
    if (p + 2 > limit) return -1;
    dst[p] = data[src]!;
    dst[p + 1] = data[src + 1]!;
    p += 2;
    src += 2;
  }
  p = names.write(data, src, dst, p, limit);
  if (p < 0) return -1;
  if (type === TYPE_SOA) {
    p = names.write(data, names.nameEnd, dst, p, limit);
    const serial = names.nameEnd;
    if (p < 0 || p + 20 > limit) return -1;
    for (let i = 0; i < 20; i++) dst[p + i] = data[serial + i]!;
    p += 20;
  }
  dst[off + 8] = (p - rdata) >> 8;
  dst[off + 9] = (p - rdata) & 0xff;
  return p;
}

// What a record's data holds for the encoder, by type code, read once per record from a typed
// array (a compare chain of QTYPE's properties costs more on every record of every answer).
const PLAIN = 0;
/** Types of RFC 1035 whose data's names may be compressed (RFC 3597 4), of those Vigil serves. */
const COMPRESS = 1;
/** SRV: its target is written whole (RFC 2782), later names may point into it. */
const LEARN = 2;
const NAME_KIND = new Uint8Array(256);
for (const t of [QTYPE.CNAME, QTYPE.NS, QTYPE.MX, QTYPE.SOA, QTYPE.PTR]) NAME_KIND[t] = COMPRESS;
NAME_KIND[QTYPE.SRV] = LEARN;
const nameKind = (type: number): number => (type < 256 ? NAME_KIND[type]! : PLAIN);
const TYPE_MX = QTYPE.MX;
const TYPE_SOA = QTYPE.SOA;

// ---- Name compression -------------------------------------------------------------------------
//
// The table holds labels written in full in this message, each at its offset from the message's
// start (below 0x4000, what a 14-bit pointer reaches) and with its parent: the entry of the name
// that follows it (-1: the root). A name and each of its suffixes is thus an entry, once: a name
// is looked up from its last label to its first, each step among the children of the step
// before, so the longest suffix already written is found without following pointers.

const CAPACITY = 512;
const POINTER_REACH = 0x4000;

class NameTable {
  private readonly entryAt = new Int32Array(CAPACITY);
  private readonly entryChild = new Int32Array(CAPACITY);
  private readonly entrySibling = new Int32Array(CAPACITY);
  private entries = 0;
  private rootChild = -1;
  /** The message being written and where it starts; entries count from there. */
  private msg: Buffer = scratch;
  private base = 0;
  /** The question's labels go into the table the first time a name needs it. */
  private questionPending = false;
  /** Label offsets (in the source) of the name looked up last; a name has at most 127 labels. */
  private readonly labelAt = new Int32Array(128);
  /** The entry of the longest suffix of that name in the table (-1: none). */
  private matched = -1;
  /** After write: the offset a pointer to the name just written would take (-1: none). */
  nameAt = -1;
  /** After write: where the name ended in its source (past its root byte). */
  nameEnd = 0;

  start(msg: Buffer, base: number, question: boolean): void {
    this.msg = msg;
    this.base = base;
    this.entries = 0;
    this.rootChild = -1;
    this.questionPending = question;
  }

  /**
   * Writes the uncompressed name at src[s] at `off`: its labels not yet in the message, then a
   * pointer to the rest (or the root byte). Returns the new offset or -1 when it would pass limit.
   */
  write(src: Buffer, s: number, dst: Buffer, off: number, limit: number): number {
    const literal = this.lookUp(src, s);
    const matched = this.matched;
    const bytes = (matched < 0 ? this.nameEnd : this.labelAt[literal]!) - s;
    const total = matched < 0 ? bytes : bytes + 2;
    if (off + total > limit) return -1;
    putRange(src, s, bytes, dst, off);
    if (matched >= 0) {
      const to = this.entryAt[matched]!;
      dst[off + bytes] = 0xc0 | (to >> 8);
      dst[off + bytes + 1] = to & 0xff;
    }
    const at = off - this.base;
    this.nameAt = literal === 0 ? (matched < 0 ? -1 : this.entryAt[matched]!) : at < POINTER_REACH ? at : -1;
    this.learn(literal, s, at);
    return off + total;
  }

  /** Enters a name the message holds in full at `abs` (an SRV target, copied), so later names can point at it. */
  learnWritten(abs: number): void {
    this.learn(this.lookUp(this.msg, abs), abs, abs - this.base);
  }

  /**
   * Splits the uncompressed name at src[s] into labelAt and finds its longest suffix in the
   * table (left in `matched`). Returns how many labels precede that suffix (all of them when none
   * is there); sets nameEnd.
   */
  private lookUp(src: Buffer, s: number): number {
    if (this.questionPending) {
      this.questionPending = false;
      const q = this.base + 12;
      this.learn(this.lookUp(this.msg, q), q, 12);
    }
    const labelAt = this.labelAt;
    let k = 0;
    let p = s;
    for (let len = src[p]!; len !== 0; len = src[p]!) {
      labelAt[k++] = p;
      p += len + 1;
    }
    this.nameEnd = p + 1;
    let cur = -1;
    let literal = k;
    while (literal > 0) {
      const e = this.childOf(cur, src, labelAt[literal - 1]!);
      if (e < 0) break;
      cur = e;
      literal--;
    }
    this.matched = cur;
    return literal;
  }

  /** The child of entry `parent` (-1: the root) whose label equals src's label at `s`, ASCII case folded; -1 if none. */
  private childOf(parent: number, src: Buffer, s: number): number {
    const msg = this.msg;
    const base = this.base;
    const len = src[s]!;
    for (let e = parent < 0 ? this.rootChild : this.entryChild[parent]!; e >= 0; e = this.entrySibling[e]!) {
      const m = base + this.entryAt[e]!;
      if (msg[m] !== len) continue;
      let i = 1;
      for (; i <= len; i++) {
        let a = src[s + i]!;
        let b = msg[m + i]!;
        if (a === b) continue;
        if (a >= 0x41 && a <= 0x5a) a += 0x20;
        if (b >= 0x41 && b <= 0x5a) b += 0x20;
        if (a !== b) break;
      }
      if (i > len) return e;
    }
    return -1;
  }

  /**
   * Enters labels [0, literal) of the name just looked up, written in full at message offset `at`
   * (labelAt still relative to `s`), last label first so each has its parent. Past the pointer's
   * reach or the table's capacity the rest is left out (still correct, less compact).
   */
  private learn(literal: number, s: number, at: number): void {
    let parent = this.matched;
    for (let l = literal - 1; l >= 0; l--) {
      const pos = at + this.labelAt[l]! - s;
      if (pos >= POINTER_REACH || this.entries === CAPACITY) return;
      const e = this.entries++;
      this.entryAt[e] = pos;
      this.entryChild[e] = -1;
      if (parent < 0) {
        this.entrySibling[e] = this.rootChild;
        this.rootChild = e;
      } else {
        this.entrySibling[e] = this.entryChild[parent]!;
        this.entryChild[parent] = e;
      }
      parent = e;
    }
  }
}

const names = new NameTable();

// An owner that is neither the question nor one of its suffixes (a CNAME's target) is turned to
// wire form here, not in a new Buffer per answer.
const ownerScratch = Buffer.allocUnsafe(256);

function ownerText(run: RecordRun): Buffer {
  const name = run.owner;
  if (name.length > 253) return (run.ownerWire = nameToWire(name));
  let lenAt = 0;
  let n = 1;
  for (let i = 0; i <= name.length; i++) {
    const c = i === name.length ? 0x2e : name.charCodeAt(i);
    if (c === 0x2e) {
      const len = n - lenAt - 1;
      // The root, an empty or over-long label: the full encoder (which throws on what is wrong).
      if (len === 0 || len > 63) return (run.ownerWire = nameToWire(name));
      ownerScratch[lenAt] = len;
      lenAt = n++;
    } else if (c === 0x5c || c > 0x7e) {
      // Escapes and other than ASCII: the full encoder too, once per run.
      return (run.ownerWire = nameToWire(name));
    } else {
      ownerScratch[n++] = c;
    }
  }
  ownerScratch[lenAt] = 0;
  return ownerScratch;
}
