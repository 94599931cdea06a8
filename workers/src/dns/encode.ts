// Stage 7: write the response. Records are pre-encoded (owner excluded), so this copies bytes into
// the send buffer (or a reused scratch buffer), points owners at the question name where it can (RFC 1035 4.1.4), adds
// the OPT record (RFC 6891, with the ECS answer of RFC 7871) and sets TC when the answer does not
// fit, keeping only the question and OPT so the resolver retries over TCP.
import { EDNS_OPTION_ECS, EDNS_UDP_SIZE, QTYPE } from './constants';
import type { Ecs } from './parse';
import { nameToWire } from './rdata';
import type { Glue, RecordRun } from './zone-index';

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
  additional: readonly Glue[];
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
  const afterQuestion = off;
  let an = 0;
  let ns = 0;
  let ar = 0;
  let tc = false;

  for (let s = 0; s < 2 && !tc; s++) {
    const runs = s === 0 ? r.answer : r.authority;
    for (let i = 0; i < runs.length && !tc; i++) {
      const run = runs[i]!;
      const records = run.records;
      const n = records.length;
      for (let k = 0; k < n; k++) {
        const rec = records[(run.start + k) % n]!;
        const next = writeOwner(run, r.qname, dst, off, limit - rec.len);
        if (next < 0) {
          tc = true;
          break;
        }
        off = next + putRange(rec.data, rec.off, rec.len, dst, next);
        if (s === 0) an++;
        else ns++;
      }
    }
  }
  for (let i = 0; i < r.additional.length && !tc; i++) {
    const g = r.additional[i]!;
    if (off + g.ownerWire.length + g.record.len > limit) {
      // Glue for an in-zone name server is required (RFC 9471): send nothing rather than a
      // referral the resolver cannot follow.
      tc = true;
      break;
    }
    off += put(g.ownerWire, dst, off);
    off += putRange(g.record.data, g.record.off, g.record.len, dst, off);
    ar++;
  }
  if (tc) {
    off = afterQuestion;
    an = ns = ar = 0;
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

/**
 * Writes a run's owner at `off`: a pointer when it is the question name or a suffix of it, else
 * the full name. Returns the new offset, or -1 when the owner plus `room` bytes would pass limit.
 */
function writeOwner(run: RecordRun, qname: string, dst: Buffer, off: number, limit: number): number {
  const owner = run.owner;
  let pointer = -1;
  if (owner === qname) pointer = 12;
  else if (qname.length > owner.length && qname.endsWith(owner) && qname.charCodeAt(qname.length - owner.length - 1) === 0x2e) {
    // Text and wire lengths differ by a constant (labels' length bytes replace the dots), so the
    // suffix starts this far into the question name.
    pointer = 12 + qname.length - owner.length;
  }
  if (pointer >= 0) {
    if (off + 2 > limit) return -1;
    dst[off] = 0xc0 | (pointer >> 8);
    dst[off + 1] = pointer & 0xff;
    return off + 2;
  }
  const wire = run.ownerWire ?? (run.ownerWire = nameToWire(owner));
  if (off + wire.length > limit) return -1;
  return off + put(wire, dst, off);
}
