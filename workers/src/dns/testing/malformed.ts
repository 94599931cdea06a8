// Malformed DNS messages for the fuzz test, each with what the server may answer to it, built
// from a seeded generator so a failing run can be replayed from its seed.
// Buffer as an import, not the global: under jest every global lookup goes through the sandbox.
import { Buffer } from 'node:buffer';
import * as dnsPacket from 'dns-packet';
import { messageHeader } from '@vigil/stack';
import { EDNS_OPTION_ECS, QTYPE, RCODE } from '../constants';

/** 'drop': no answer at all (shorter than a header, or a response); else the rcodes allowed. */
export type Expect = 'drop' | readonly number[];

export interface Case {
  kind: string;
  bytes: Buffer;
  expect: Expect;
  /** A well-formed query for a hosted name: answered, and correctly (checked by the caller). */
  valid?: { name: string; type: 'A' | 'AAAA' | 'TXT' };
}

/** Any error a malformed or unanswerable message may get; never NOERROR, NXDOMAIN or SERVFAIL. */
export const ANY_ERROR = [RCODE.FORMERR, RCODE.NOTIMP, RCODE.NOTAUTH, RCODE.REFUSED, RCODE.BADVERS] as const;
const FORMERR = [RCODE.FORMERR] as const;

/** The zone the fuzzed server hosts, and a name it does not. */
export const HOSTED = 'fuzz.example';
const UNHOSTED = 'nothere.test';

export class Gen {
  constructor(readonly rand: () => number) {}
  int(n: number): number {
    return (this.rand() * n) | 0;
  }
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    // Four bytes per draw.
    for (let i = 0; i < n; i += 4) {
      const w = (this.rand() * 4294967296) >>> 0;
      for (let k = 0; k < 4 && i + k < n; k++) b[i + k] = (w >>> (8 * k)) & 0xff;
    }
    return b;
  }
  label(max = 12): string {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789-';
    let s = '';
    for (let i = 0, n = this.between(1, max); i < n; i++) s += this.pick([...chars]);
    return s;
  }
}

/** A header: id 0 (the sender sets it), flags, then the four counts (shared with the differential corpus). */
export const header = messageHeader;

export function nameWire(name: string): Buffer {
  const parts = name === '' ? [] : name.split('.');
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])), Buffer.from([0])]);
}

export function question(name: Buffer, qtype: number, qclass = 1): Buffer {
  const t = Buffer.alloc(4);
  t.writeUInt16BE(qtype, 0);
  t.writeUInt16BE(qclass, 2);
  return Buffer.concat([name, t]);
}

/** An RR after its owner name: type, class, TTL and rdata. */
function rrTail(type: number, klass: number, ttl: number, rdata: Buffer, rdlen = rdata.length): Buffer {
  const b = Buffer.alloc(10);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(klass, 2);
  b.writeUInt32BE(ttl >>> 0, 4);
  b.writeUInt16BE(rdlen, 8);
  return Buffer.concat([b, rdata]);
}

/** An OPT record (RFC 6891): root owner, `udpSize` in the class, version and DO in the TTL. */
export function opt(
  options: Buffer = Buffer.alloc(0),
  o: { udpSize?: number; version?: number; owner?: Buffer; rdlen?: number } = {},
): Buffer {
  const ttl = ((o.version ?? 0) << 16) >>> 0;
  return Buffer.concat([o.owner ?? Buffer.from([0]), rrTail(QTYPE.OPT, o.udpSize ?? 1232, ttl, options, o.rdlen)]);
}

export function option(code: number, data: Buffer, len = data.length): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(code, 0);
  b.writeUInt16BE(len, 2);
  return Buffer.concat([b, data]);
}

export function ecs(family: number, source: number, scope: number, address: Buffer): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(family, 0);
  b[2] = source;
  b[3] = scope;
  return option(EDNS_OPTION_ECS, Buffer.concat([b, address]));
}

const RD = 0x0100;
const QR = 0x8000;
const opcodeFlags = (opcode: number) => (opcode & 0xf) << 11;

const hostedName = (g: Gen) => g.pick([`www.${HOSTED}`, HOSTED, `${g.label()}.${HOSTED}`, `a.b.${HOSTED}`]);
const unhostedName = (g: Gen) => `${g.label()}.${UNHOSTED}`;

/** A well-formed query, optionally with OPT (and ECS). */
function wellFormed(g: Gen, name: string, qtype: number = QTYPE.A, flags = RD): Buffer {
  const withOpt = g.rand() < 0.5;
  const parts = [header(flags, 1, 0, 0, withOpt ? 1 : 0), question(nameWire(name), qtype)];
  if (withOpt) parts.push(opt(g.rand() < 0.5 ? ecs(1, 24, 0, Buffer.from([198, 51, 100])) : Buffer.alloc(0)));
  return Buffer.concat(parts);
}

type Maker = (g: Gen) => Omit<Case, 'kind'>;

/** The server's first rule for anything: shorter than a header or a response gets nothing. */
const dropOr = (b: Buffer, e: Expect): Expect => (b.length < 12 || (b[2]! & 0x80) !== 0 ? 'drop' : e);

/** What each kind of malformed message is, and what it may be answered. */
export const UDP_KINDS: Record<string, Maker> = {
  random: (g) => {
    const bytes = g.bytes(g.between(0, 600));
    return { bytes, expect: dropOr(bytes, ANY_ERROR) };
  },
  short: (g) => ({ bytes: g.bytes(g.between(0, 11)), expect: 'drop' }),
  empty: () => ({ bytes: Buffer.alloc(0), expect: 'drop' }),
  'truncated-header': (g) => ({ bytes: wellFormed(g, hostedName(g)).subarray(0, g.between(1, 11)), expect: 'drop' }),
  // A query cut anywhere after its header: the question or OPT its counts promise is not there.
  truncated: (g) => {
    const q = wellFormed(g, hostedName(g));
    return { bytes: Buffer.from(q.subarray(0, g.between(12, q.length - 1))), expect: FORMERR };
  },
  'header-then-garbage': (g) => {
    const bytes = Buffer.concat([header(RD, 1, g.int(3), g.int(3), g.int(3)), g.bytes(g.between(0, 300))]);
    return { bytes, expect: ANY_ERROR };
  },
  qdcount: (g) => {
    const q = wellFormed(g, hostedName(g));
    q.writeUInt16BE(g.pick([0, 2, 3, 255, 65535]), 4);
    return { bytes: q, expect: FORMERR };
  },
  // Label lengths 64..255: the reserved 0x40/0x80 kinds, and compression, which a question cannot use.
  'label-length': (g) => {
    const bad = Buffer.from([g.between(64, 255)]);
    const name = Buffer.concat([nameWire(`www.${HOSTED}`).subarray(0, 4), bad, g.bytes(g.int(80)), Buffer.from([0])]);
    return { bytes: Buffer.concat([header(RD), question(name, QTYPE.A)]), expect: FORMERR };
  },
  'label-overrun': (g) => {
    const body = g.bytes(g.int(40)).map((b) => 0x61 + (b % 26));
    return { bytes: Buffer.concat([header(RD), Buffer.from([body.length + g.between(1, 63)]), body]), expect: FORMERR };
  },
  'name-too-long': (g) => {
    // 4 × 63-byte labels and one more: 256 bytes or more on the wire, where 255 is the limit.
    const labels = Array.from({ length: 4 }, () => 'x'.repeat(63));
    const name = `${labels.join('.')}.${'y'.repeat(g.between(1, 63))}`;
    return { bytes: Buffer.concat([header(RD), question(nameWire(name), QTYPE.A)]), expect: FORMERR };
  },
  // 255 bytes on the wire is the longest legal name: refused, since it is hosted nowhere.
  'name-longest': () => {
    const name = `${Array.from({ length: 3 }, () => 'x'.repeat(63)).join('.')}.${'y'.repeat(61)}`;
    return { bytes: Buffer.concat([header(RD), question(nameWire(name), QTYPE.A)]), expect: [RCODE.REFUSED] };
  },
  // A pointer in the question: to itself, to the header, back into the name, or past the end.
  'question-pointer': (g) => {
    const prefix = nameWire(`www.${HOSTED}`).subarray(0, g.pick([0, 4, 9]));
    const target = g.pick([12, 12 + prefix.length, 0, 4, 0x3fff, 12 + prefix.length + 2]);
    const name = Buffer.concat([prefix, Buffer.from([0xc0 | (target >> 8), target & 0xff])]);
    return { bytes: Buffer.concat([header(RD), question(name, QTYPE.A)]), expect: FORMERR };
  },
  // Compression loops and forward pointers in the names of the other sections, after an unhosted
  // question: the server never needs to follow them (FORMERR or REFUSED, never more).
  'record-pointer': (g) => {
    const section = g.int(3);
    const counts = [0, 0, 0];
    counts[section] = 1;
    const q = question(nameWire(unhostedName(g)), QTYPE.A);
    const at = 12 + q.length;
    const target = g.pick([at, at + 2, at + 20, 0x3fff, at - 2]);
    const owner = Buffer.concat([
      g.rand() < 0.5 ? Buffer.from([3, 0x61, 0x62, 0x63]) : Buffer.alloc(0),
      Buffer.from([0xc0 | (target >> 8), target & 0xff]),
    ]);
    const rec = Buffer.concat([owner, rrTail(QTYPE.A, 1, 60, Buffer.from([192, 0, 2, 1]))]);
    return { bytes: Buffer.concat([header(RD, 1, counts[0], counts[1], counts[2]), q, rec]), expect: [RCODE.FORMERR, RCODE.REFUSED] };
  },
  // An OPT whose owner is not the root (a pointer, possibly to itself): FORMERR (RFC 6891 6.1.2).
  'opt-owner': (g) => {
    const q = question(nameWire(hostedName(g)), QTYPE.A);
    const at = 12 + q.length;
    const owner = g.pick([Buffer.from([0xc0, 0x0c]), Buffer.from([0xc0 | (at >> 8), at & 0xff]), nameWire('x')]);
    return { bytes: Buffer.concat([header(RD, 1, 0, 0, 1), q, opt(Buffer.alloc(0), { owner })]), expect: FORMERR };
  },
  // Counts promising far more records than the message holds.
  'huge-counts': (g) => {
    const q = wellFormed(g, hostedName(g));
    const which = 6 + 2 * g.int(3);
    q.writeUInt16BE(Math.min(65535, g.pick([2, 100, 4096, 65535]) + q.readUInt16BE(which)), which);
    return { bytes: q, expect: FORMERR };
  },
  'opt-twice': (g) => {
    const bytes = Buffer.concat([header(RD, 1, 0, 0, 2), question(nameWire(hostedName(g)), QTYPE.A), opt(), opt()]);
    return { bytes, expect: FORMERR };
  },
  'opt-outside-additional': (g) => {
    const inAnswer = g.rand() < 0.5;
    const bytes = Buffer.concat([header(RD, 1, inAnswer ? 1 : 0, inAnswer ? 0 : 1, 0), question(nameWire(hostedName(g)), QTYPE.A), opt()]);
    return { bytes, expect: FORMERR };
  },
  'opt-rdlength': (g) => {
    const options = g.bytes(g.int(20));
    const bytes = Buffer.concat([
      header(RD, 1, 0, 0, 1),
      question(nameWire(hostedName(g)), QTYPE.A),
      opt(options, { rdlen: options.length + g.between(1, 1000) }),
    ]);
    return { bytes, expect: FORMERR };
  },
  // An option running past the end of the OPT data, or 1 to 3 stray bytes after the last option.
  'opt-options': (g) => {
    const data = g.bytes(g.int(12));
    const options =
      g.rand() < 0.5
        ? option(g.int(65536), data, data.length + g.between(1, 300))
        : Buffer.concat([option(10, g.bytes(8)), g.bytes(g.between(1, 3))]);
    return { bytes: Buffer.concat([header(RD, 1, 0, 0, 1), question(nameWire(hostedName(g)), QTYPE.A), opt(options)]), expect: FORMERR };
  },
  // Client subnets RFC 7871 calls malformed: unknown family, prefix too long, scope set, wrong length, bits set past the prefix, twice.
  'ecs-malformed': (g) => {
    const v4 = Buffer.from([198, 51, 100, 7]);
    const options = g.pick([
      () => ecs(g.pick([0, 3, 255, 65535]), 24, 0, v4.subarray(0, 3)),
      () => ecs(1, g.between(33, 255), 0, v4),
      () => ecs(2, g.between(129, 255), 0, g.bytes(16)),
      () => ecs(1, 24, g.between(1, 32), v4.subarray(0, 3)),
      () => ecs(1, 24, 0, v4),
      () => ecs(1, 24, 0, v4.subarray(0, 2)),
      () => ecs(1, 23, 0, Buffer.from([198, 51, 101])),
      () => option(EDNS_OPTION_ECS, g.bytes(g.int(4))),
      () => Buffer.concat([ecs(1, 24, 0, v4.subarray(0, 3)), ecs(1, 16, 0, v4.subarray(0, 2))]),
    ])();
    return { bytes: Buffer.concat([header(RD, 1, 0, 0, 1), question(nameWire(hostedName(g)), QTYPE.A), opt(options)]), expect: FORMERR };
  },
  'edns-version': (g) => {
    const bytes = Buffer.concat([
      header(RD, 1, 0, 0, 1),
      question(nameWire(hostedName(g)), QTYPE.A),
      opt(Buffer.alloc(0), { version: g.between(1, 255) }),
    ]);
    return { bytes, expect: [RCODE.BADVERS] };
  },
  'qtype-opt': (g) => ({ bytes: wellFormed(g, hostedName(g), QTYPE.OPT), expect: FORMERR }),
  opcode: (g) => {
    const malformed = g.rand() < 0.3;
    const opcode = g.between(1, 15);
    const q = wellFormed(g, hostedName(g), QTYPE.A, RD | opcodeFlags(opcode));
    const bytes = malformed ? Buffer.from(q.subarray(0, g.between(12, q.length - 1))) : q;
    // NOTIFY and UPDATE: NOTAUTH (Vigil takes neither); other opcodes, and any malformed: NOTIMP.
    return { bytes, expect: [!malformed && (opcode === 4 || opcode === 5) ? RCODE.NOTAUTH : RCODE.NOTIMP] };
  },
  'not-in-class': (g) => {
    const bytes = Buffer.concat([header(RD), question(nameWire(hostedName(g)), QTYPE.A, g.pick([0, 2, 3, 4, 254, 65535]))]);
    return { bytes, expect: [RCODE.REFUSED] };
  },
  // IXFR, and AXFR over TCP, are NOTAUTH (no transfers); AXFR over UDP and TYPE0 NOTIMP. (MAILA and
  // MAILB are answered like any type, so they are no error to fuzz with.)
  transfer: (g) => {
    const qtype = g.pick([QTYPE.AXFR, QTYPE.IXFR, 0]);
    const expect = qtype === QTYPE.IXFR ? [RCODE.NOTAUTH] : qtype === QTYPE.AXFR ? [RCODE.NOTIMP, RCODE.NOTAUTH] : [RCODE.NOTIMP];
    return { bytes: wellFormed(g, HOSTED, qtype), expect };
  },
  // Responses (QR set) sent as queries, from real-looking answers to a query with just the bit flipped.
  response: (g) => {
    if (g.rand() < 0.5) {
      const q = wellFormed(g, hostedName(g));
      q.writeUInt16BE(q.readUInt16BE(2) | QR | (g.int(16) & 0xf), 2);
      return { bytes: q, expect: 'drop' };
    }
    const bytes = dnsPacket.encode({
      type: 'response',
      id: 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: [{ name: `www.${HOSTED}`, type: 'A', class: 'IN' }],
      answers: Array.from({ length: g.between(1, 20) }, (_, i) => ({
        type: 'A' as const,
        name: `www.${HOSTED}`,
        ttl: 60,
        data: `192.0.2.${i + 1}`,
      })),
    });
    return { bytes, expect: 'drop' };
  },
  // A query for a name hosted nowhere with a few bits flipped anywhere.
  'bit-flip': (g) => {
    const bytes = wellFormed(g, unhostedName(g));
    for (let i = 0, n = g.between(1, 8); i < n; i++) bytes[g.int(bytes.length)]! ^= 1 << g.int(8);
    return { bytes, expect: dropOr(bytes, ANY_ERROR) };
  },
  'trailing-garbage': (g) => ({
    bytes: Buffer.concat([wellFormed(g, unhostedName(g)), g.bytes(g.between(1, 400))]),
    expect: [RCODE.FORMERR, RCODE.REFUSED],
  }),
  // The largest UDP payload over IPv4: a header, an unhosted question (random records could parse
  // as well-formed), then tens of kilobytes of garbage.
  'max-size': (g) => {
    const head = Buffer.concat([header(RD, 1, g.int(2), g.int(2), g.int(2) + 1), question(nameWire(unhostedName(g)), QTYPE.A)]);
    const bytes = Buffer.concat([head, g.bytes(65507 - head.length)]);
    return { bytes, expect: ANY_ERROR };
  },
};

/** The kinds that fill most of a run, by weight; `max-size` is sent on its own (large). */
const WEIGHTS: Record<string, number> = {
  random: 14,
  short: 4,
  empty: 1,
  'truncated-header': 3,
  truncated: 8,
  'header-then-garbage': 8,
  qdcount: 4,
  'label-length': 4,
  'label-overrun': 3,
  'name-too-long': 2,
  'name-longest': 1,
  'question-pointer': 4,
  'record-pointer': 5,
  'opt-owner': 3,
  'huge-counts': 4,
  'opt-twice': 2,
  'opt-outside-additional': 2,
  'opt-rdlength': 3,
  'opt-options': 3,
  'ecs-malformed': 5,
  'edns-version': 2,
  'qtype-opt': 2,
  opcode: 3,
  'not-in-class': 2,
  transfer: 2,
  response: 4,
  'bit-flip': 8,
  'trailing-garbage': 3,
};
const TABLE = Object.entries(WEIGHTS).flatMap(([k, w]) => Array<string>(w).fill(k));

export function malformed(g: Gen, kind = g.pick(TABLE)): Case {
  return { kind, ...UDP_KINDS[kind]!(g) };
}

/** A well-formed query for a hosted name, mixed in to show the server still answers in between. */
export function validCase(g: Gen): Case {
  const [name, type] = g.pick([
    [`www.${HOSTED}`, 'A'],
    [`www.${HOSTED}`, 'AAAA'],
    [`txt.${HOSTED}`, 'TXT'],
  ] as const);
  return {
    kind: 'valid',
    bytes: wellFormed(g, name, type === 'A' ? QTYPE.A : type === 'AAAA' ? QTYPE.AAAA : QTYPE.TXT),
    expect: [RCODE.NOERROR],
    valid: { name, type },
  };
}

/** The full (12-bit) rcode of an answer: the header's 4 bits and OPT's upper 8. */
export function fullRcode(answer: dnsPacket.Packet & { rcode?: string }, raw: Buffer): number {
  const ext = (answer.additionals ?? []).find((a) => a.type === 'OPT') as { extendedRcode?: number } | undefined;
  return ((ext?.extendedRcode ?? 0) << 4) | (raw[3]! & 0xf);
}
