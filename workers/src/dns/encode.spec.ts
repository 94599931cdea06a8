import * as packet from 'dns-packet';
import { RCODE, TCP, UDP } from './constants';
import { emptyReply, encodeReply, encodeReplyInto, type Reply } from './encode';
import { DnsEngine } from './engine';
import { geoipCountryLookup } from './geo';
import { HealthTable } from './health';
import { parseQuery, type Query } from './parse';
import { nameToWire, rrTail } from './rdata';
import { decode, query } from './testing/client';
import { index, rr, zone } from './testing/zones';
import { ServedRecord, type Glue, type RecordRun } from './zone-index';
import { ZoneStore } from './zone-store';

const z = index(zone('example.com', [rr('www.example.com', 'A', ['192.0.2.1', '192.0.2.2', '192.0.2.3'])]));
const www = z.nodes.get('www.example.com')!.get(1)!;

function replyFor(buf: Buffer) {
  const q = parseQuery(buf) as Query;
  const r = emptyReply();
  Object.assign(r, { id: q.id, rd: q.rd, questionEnd: q.questionEnd, qname: q.qname, aa: true, maxSize: 512 });
  return r;
}

const run = (owner: string, start = 0, records = www.records): RecordRun => ({ owner, ownerWire: null, records, start });

describe('encodeReply', () => {
  it('echoes the question as sent and points answer owners at it', () => {
    const buf = query('WWW.Example.com', 'A', { id: 99 });
    const r = replyFor(buf);
    r.answer.push(run('www.example.com'));
    const out = encodeReply(buf, r, false);
    // 12 header + 21 question + 3 × (2 pointer + 14 tail).
    expect(out.length).toBe(12 + 21 + 3 * 16);
    const m = decode(out);
    expect(m).toMatchObject({ id: 99, type: 'response', flag_aa: true, flag_rd: true, flag_tc: false, rcode: 'NOERROR' });
    expect(m.questions).toEqual([{ name: 'WWW.Example.com', type: 'A', class: 'IN' }]);
    expect(m.answers!.map((a) => [a.name, (a as { data: string }).data])).toEqual([
      ['WWW.Example.com', '192.0.2.1'],
      ['WWW.Example.com', '192.0.2.2'],
      ['WWW.Example.com', '192.0.2.3'],
    ]);
  });

  it('writes records from the rotation start, wrapping', () => {
    const buf = query('www.example.com', 'A');
    const r = replyFor(buf);
    r.answer.push(run('www.example.com', 2));
    expect(decode(encodeReply(buf, r, false)).answers!.map((a) => (a as { data: string }).data)).toEqual([
      '192.0.2.3',
      '192.0.2.1',
      '192.0.2.2',
    ]);
  });

  it('compresses an owner that is a suffix of the question, and spells out others', () => {
    const buf = query('a.b.example.com', 'A');
    const r = replyFor(buf);
    r.authority.push(z.negativeSoaRun);
    r.answer.push(run('other.example.com'));
    const out = encodeReply(buf, r, false);
    const m = decode(out);
    expect(m.authorities![0]).toMatchObject({ name: 'example.com', type: 'SOA' });
    expect(m.answers![0]!.name).toBe('other.example.com');
  });

  it('adds OPT with our payload size, the DO bit and the ECS scope', () => {
    const buf = query('www.example.com', 'A', { ecs: { ip: '198.51.100.0', prefix: 24 }, dnssecOk: true });
    const q = parseQuery(buf) as Query;
    const r = replyFor(buf);
    r.edns = { dnssecOk: true, ecs: q.edns!.ecs, scope: 24 };
    const m = decode(encodeReply(buf, r, false));
    const opt = m.additionals![0] as unknown as {
      udpPayloadSize: number;
      flag_do: boolean;
      options: { code: number; sourcePrefixLength: number; scopePrefixLength: number; ip: string }[];
    };
    expect(opt.udpPayloadSize).toBe(1232);
    expect(opt.flag_do).toBe(true);
    expect(opt.options[0]).toMatchObject({ code: 8, sourcePrefixLength: 24, scopePrefixLength: 24, ip: '198.51.100.0' });
  });

  it('carries the upper rcode bits in OPT (BADVERS)', () => {
    const buf = query('www.example.com', 'A', { ednsVersion: 1 });
    const r = replyFor(buf);
    r.rcode = RCODE.BADVERS;
    r.edns = { dnssecOk: false, ecs: null, scope: 0 };
    const out = encodeReply(buf, r, false);
    expect(out[3]! & 0xf).toBe(0);
    const m = decode(out);
    expect((m.additionals![0] as unknown as { extendedRcode: number }).extendedRcode).toBe(1);
  });

  it('sets TC and leaves out a record set that does not fit whole, keeping the question and OPT', () => {
    const buf = query('www.example.com', 'A', { edns: true });
    const r = replyFor(buf);
    r.edns = { dnssecOk: false, ecs: null, scope: 0 };
    r.maxSize = 12 + 21 + 2 * 16 + 11; // room for two of three records
    r.answer.push(run('www.example.com'));
    const out = encodeReply(buf, r, false);
    const m = decode(out);
    expect(m.flag_tc).toBe(true);
    expect(m.answers).toEqual([]);
    expect(m.additionals).toHaveLength(1);
    r.maxSize += 16;
    expect(decode(encodeReply(buf, r, false)).answers).toHaveLength(3);
  });

  it('prefixes TCP answers with their length', () => {
    const buf = query('www.example.com', 'A');
    const r = replyFor(buf);
    r.answer.push(run('www.example.com'));
    const out = encodeReply(buf, r, true);
    expect(out.readUInt16BE(0)).toBe(out.length - 2);
    expect(decode(out.subarray(2)).answers).toHaveLength(3);
  });

  it('writes into a slot of a larger buffer the same bytes, touching nothing outside it', () => {
    const buf = query('a.b.example.com', 'A', { ecs: { ip: '198.51.100.0', prefix: 24 } });
    const q = parseQuery(buf) as Query;
    const r = replyFor(buf);
    r.edns = { dnssecOk: false, ecs: q.edns!.ecs, scope: 24 };
    r.answer.push(run('www.example.com', 1));
    r.authority.push(z.negativeSoaRun);
    for (const tcp of [false, true]) {
      const alone = encodeReply(buf, r, tcp);
      const slots = Buffer.alloc(3 * 4096, 0xee);
      const len = encodeReplyInto(buf, r, tcp, slots, 4096);
      expect(len).toBe(alone.length);
      expect(slots.subarray(4096, 4096 + len).equals(alone)).toBe(true);
      expect(slots.subarray(0, 4096).every((b) => b === 0xee)).toBe(true);
      expect(slots.subarray(4096 + len).every((b) => b === 0xee)).toBe(true);
    }
  });
});

// ---- Name compression ------------------------------------------------------------------------
//
// The oracle: each record decoded alone, owner and data uncompressed (as the zone index holds
// them), against what dns-packet reads from the compressed message. Names compare lower-case
// (a pointer into the question carries the question's case, which is the same name).

const lowerNames = (v: unknown): unknown =>
  typeof v === 'string'
    ? v.toLowerCase()
    : Array.isArray(v)
      ? v.map(lowerNames)
      : v !== null && typeof v === 'object' && !Buffer.isBuffer(v)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, lowerNames(x)]))
        : v;

/** What an answer record means: owner, type, class, TTL and data, names lower-case. */
const meaning = (a: packet.Answer) =>
  lowerNames({ name: a.name, type: a.type, ttl: (a as { ttl?: number }).ttl, data: (a as { data?: unknown }).data });

/** The record as it would read written in full: owner then its pre-encoded tail, alone in a message. */
function alone(ownerWire: Buffer, rec: ServedRecord) {
  const header = Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  return meaning(packet.decode(Buffer.concat([header, ownerWire, rec.tail])).answers![0]!);
}

const runMeaning = (runs: readonly RecordRun[]) =>
  runs.flatMap((run) => run.records.map((_, k) => alone(nameToWire(run.owner), run.records[(run.start + k) % run.records.length]!)));
const glueMeaning = (glue: readonly Glue[]) => glue.map((g) => alone(g.ownerWire, g.record));

/** The whole reply written with no compression at all: how long it would be. */
function uncompressedLength(r: Reply): number {
  const rrs = [...r.answer, ...r.authority].reduce(
    (n, run) => n + run.records.reduce((m, rec) => m + nameToWire(run.owner).length + rec.len, 0),
    0,
  );
  const glue = [...r.additional, ...r.extra].reduce((n, g) => n + g.ownerWire.length + g.record.len, 0);
  return r.questionEnd + rrs + glue + (r.edns ? 11 : 0);
}

/**
 * Walks every name of a message (question, owners, the names in NS, CNAME, PTR, MX, SOA and SRV
 * data) as the wire holds it: each pointer must point back, at a label written in full before
 * it, within 14 bits. Returns the pointers found, and the SRV data's raw bytes.
 */
function pointersOf(buf: Buffer): { pointers: { at: number; to: number }[]; srv: Buffer[] } {
  const pointers: { at: number; to: number }[] = [];
  const labels = new Set<number>();
  const srv: Buffer[] = [];
  // Plain throws, not expect(): the size sweeps below walk thousands of messages.
  const must = (ok: boolean, what: string, at: number) => {
    if (!ok) throw new Error(`${what} at offset ${at}`);
  };
  const name = (off: number): number => {
    for (;;) {
      const len = buf[off]!;
      if ((len & 0xc0) === 0xc0) {
        const to = ((len & 0x3f) << 8) | buf[off + 1]!;
        must(labels.has(to) && to < off, `a pointer to ${to}, not a label written before it,`, off);
        pointers.push({ at: off, to });
        return off + 2;
      }
      must((len & 0xc0) === 0, 'a label type other than 0', off);
      if (len === 0) return off + 1;
      labels.add(off);
      off += len + 1;
    }
  };
  let off = 12;
  for (let i = buf.readUInt16BE(4); i > 0; i--) off = name(off) + 4;
  const records = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10);
  for (let i = 0; i < records; i++) {
    off = name(off);
    const type = buf.readUInt16BE(off);
    const rdlength = buf.readUInt16BE(off + 8);
    const rdata = off + 10;
    const end = rdata + rdlength;
    if (type === 2 || type === 5 || type === 12) must(name(rdata) === end, 'data past its name', rdata);
    if (type === 15) must(name(rdata + 2) === end, 'data past its name', rdata);
    if (type === 6) must(name(name(rdata)) + 20 === end, 'SOA data of another length', rdata);
    if (type === 33) {
      // RFC 2782: the target is never compressed, but later names may point into it.
      const before = pointers.length;
      must(name(rdata + 6) === end && pointers.length === before, 'a compressed SRV target', rdata);
      srv.push(buf.subarray(rdata, end));
    }
    off = end;
  }
  must(off === buf.length, 'bytes after the last record', off);
  return { pointers, srv };
}

const ns = Array.from({ length: 8 }, (_, i) => `ns${i + 1}.sub.example.com`);
const big = index(
  zone('example.com', [
    rr('www.example.com', 'CNAME', ['lb.example.com']),
    rr(
      'lb.example.com',
      'A',
      Array.from({ length: 60 }, (_, i) => `198.51.100.${i + 1}`),
    ),
    rr('sub.example.com', 'NS', ns),
    ...ns.flatMap((n, i) => [rr(n, 'A', [`192.0.2.${i + 1}`]), rr(n, 'AAAA', [`2001:db8::${i + 1}`])]),
    rr('example.com', 'MX', [
      [10, 'mail.example.com'],
      [20, 'MAIL.Example.com'],
      [30, 'mx.other.net'],
    ]),
    rr('_sip._tcp.example.com', 'SRV', [
      [0, 5, 5060, 'sip.example.com'],
      [1, 5, 5060, 'sip.example.com'],
    ]),
    rr('sip.example.com', 'A', ['192.0.2.80']),
    rr('ptr.example.com', 'PTR', ['host.other.net']),
    rr(
      'ptr.example.com',
      'TXT',
      Array.from({ length: 80 }, (_, i) => [`${i % 10}`.repeat(240)]),
    ),
  ]),
);
const set = (name: string, type: number) => big.nodes.get(name)!.get(type)!;
const runOf = (owner: string, type: number, start = 0): RecordRun => ({ owner, ownerWire: null, records: set(owner, type).records, start });

/** The reply of `runs` to a query for `qname` with EDNS, at most `maxSize` bytes. */
function reply(
  qname: string,
  qtype: string,
  sections: { answer?: RecordRun[]; authority?: RecordRun[]; additional?: Glue[]; extra?: Glue[] },
  maxSize = 1232,
) {
  const buf = query(qname, qtype, { edns: true });
  const r = replyFor(buf);
  r.edns = { dnssecOk: false, ecs: null, scope: 0 };
  r.maxSize = maxSize;
  r.answer.push(...(sections.answer ?? []));
  r.authority.push(...(sections.authority ?? []));
  r.additional = sections.additional ?? [];
  r.extra = sections.extra ?? [];
  return { buf, r };
}

const glueOf = (names: string[]): Glue[] =>
  names.flatMap((n) => [1, 28].flatMap((t) => set(n, t).records.map((record) => ({ ownerWire: nameToWire(n), record }))));

/** Encodes and checks the message against the oracle: the record sets given, in order, whole. */
function check(buf: Buffer, r: Reply, tcp = false) {
  const out = encodeReply(buf, r, tcp);
  const msg = tcp ? out.subarray(2) : out;
  const m = decode(msg);
  expect(m.answers!.map(meaning)).toEqual(runMeaning(r.answer));
  expect(m.authorities!.map(meaning)).toEqual(runMeaning(r.authority));
  expect(m.additionals!.filter((a) => a.type !== 'OPT').map(meaning)).toEqual(glueMeaning([...r.additional, ...r.extra]));
  return { msg, m, ...pointersOf(msg) };
}

describe('encodeReply: names compressed against every earlier name', () => {
  it('points the records after a CNAME at its target, and the target at the question', () => {
    const { buf, r } = reply('WWW.example.com', 'A', { answer: [runOf('www.example.com', 5), runOf('lb.example.com', 1, 7)] });
    const { msg, m, pointers } = check(buf, r);
    expect(m.flag_tc).toBe(false);
    // The CNAME's data is "lb" and a pointer to the question's example.com; each A owner a pointer to it.
    const target = msg.indexOf(Buffer.from([2, 0x6c, 0x62, 0xc0, 12 + 4]));
    expect(target).toBeGreaterThan(12);
    expect(pointers.filter((p) => p.to === target)).toHaveLength(60);
    // 12 header, 21 question, CNAME 2 + 10 + 5, 60 × (2 + 14), OPT 11.
    expect(msg.length).toBe(12 + 21 + 17 + 60 * 16 + 11);
    expect(uncompressedLength(r)).toBeGreaterThan(1232);
  });

  it('compresses a referral: NS targets against the cut, glue owners against the NS targets', () => {
    const { buf, r } = reply('a.b.sub.example.com', 'A', { authority: [runOf('sub.example.com', 2)], additional: glueOf(ns) });
    const { msg, m, pointers } = check(buf, r);
    expect(m.flag_tc).toBe(false);
    // Each NS data: "nsN" then a pointer (6 bytes); each glue owner a bare pointer to it.
    expect(m.authorities!.length).toBe(8);
    for (const n of ns) {
      const at = msg.indexOf(Buffer.from([3, ...Buffer.from(n.slice(0, 3)), 0xc0]));
      expect(pointers.filter((p) => p.to === at)).toHaveLength(2);
    }
    expect(msg.length).toBe(12 + 25 + 8 * (2 + 10 + 6) + 8 * (2 + 14) + 8 * (2 + 26) + 11);
  });

  it('compresses MX and SOA data, matching names whatever their case', () => {
    const soa = big.negativeSoaRun;
    const { buf, r } = reply('example.com', 'MX', { answer: [runOf('example.com', 15)], authority: [soa] });
    const { msg, pointers } = check(buf, r);
    // mail.example.com twice (the second, in upper case, a bare pointer to the first); mx.other.net in full.
    const mail = msg.indexOf(Buffer.from([4, ...Buffer.from('mail'), 0xc0, 12]));
    expect(mail).toBeGreaterThan(0);
    expect(pointers.filter((p) => p.to === mail)).toHaveLength(1);
    expect(msg.indexOf(Buffer.from('\x02mx\x05other\x03net\x00', 'latin1'))).toBeGreaterThan(0);
    // SOA: ns1 + pointer, hostmaster + pointer.
    expect(msg.indexOf(Buffer.from([3, ...Buffer.from('ns1'), 0xc0, 12]))).toBeGreaterThan(0);
    expect(msg.indexOf(Buffer.from([10, ...Buffer.from('hostmaster'), 0xc0, 12]))).toBeGreaterThan(0);
  });

  it('writes SRV targets whole (RFC 2782), and points the additional addresses at them', () => {
    const srvRun = runOf('_sip._tcp.example.com', 33);
    const extra = set('sip.example.com', 1).records.map((record) => ({ ownerWire: nameToWire('sip.example.com'), record }));
    const { buf, r } = reply('_sip._tcp.example.com', 'SRV', { answer: [srvRun], extra });
    const { msg, srv, pointers } = check(buf, r);
    expect(srv).toHaveLength(2);
    for (const data of srv) expect(data.subarray(6).equals(nameToWire('sip.example.com'))).toBe(true);
    const first = msg.indexOf(srv[0]!) + 6;
    expect(pointers.some((p) => p.to === first)).toBe(true);
  });

  it('writes owners with escapes or other than ASCII by the full encoder, compressed the same', () => {
    const a = { owner: 'a\\.b.example.com', ownerWire: null, records: www.records, start: 0 };
    const b = { owner: 'café.example.com', ownerWire: null, records: www.records, start: 0 };
    const { buf, r } = reply('www.example.com', 'A', { answer: [a, b] });
    const { msg, pointers } = check(buf, r);
    // "a.b" as one label, "café" as its UTF-8 bytes, each then a pointer to the question's example.com.
    const dotted = msg.indexOf(Buffer.from([3, 0x61, 0x2e, 0x62, 0xc0, 16]));
    const accented = msg.indexOf(Buffer.concat([Buffer.from([5]), Buffer.from('café'), Buffer.from([0xc0, 16])]));
    expect(dotted).toBeGreaterThan(0);
    expect(accented).toBeGreaterThan(dotted);
    expect(pointers.filter((p) => p.to === dotted)).toHaveLength(2);
    expect(pointers.filter((p) => p.to === accented)).toHaveLength(2);
  });

  it('never points past 16 KiB: names first written there are written in full each time', () => {
    // 80 TXT records of 253 bytes push what follows past 0x4000 (a TCP answer).
    const txt = runOf('ptr.example.com', 16);
    const far = { owner: 'far.other.net', ownerWire: null, records: set('ptr.example.com', 12).records, start: 0 };
    const { buf, r } = reply('ptr.example.com', 'TXT', { answer: [txt, far, far] }, 65535);
    const { msg, pointers } = check(buf, r, true);
    expect(msg.length).toBeGreaterThan(0x4000 + 100);
    expect(pointers.every((p) => p.to < 0x4000)).toBe(true);
    // far.other.net and host.other.net, past 0x4000, each written in full both times.
    const count = (b: Buffer) => {
      let n = 0;
      for (let at = msg.indexOf(b); at >= 0; at = msg.indexOf(b, at + 1)) n++;
      return n;
    };
    expect(count(Buffer.from('\x03far\x05other\x03net\x00', 'latin1'))).toBe(2);
    expect(count(Buffer.from('\x04host\x05other\x03net\x00', 'latin1'))).toBe(2);
    // While a name that starts before 0x4000 is pointed at from beyond it.
    expect(pointers.some((p) => p.at >= 0x4000 && p.to === 12)).toBe(true);
  });

  it('straddling 0x4000: a name whose labels start on either side', () => {
    // One TXT record of just the length to put far.other.net at each offset around the boundary.
    const far = { owner: 'far.other.net', ownerWire: null, records: set('ptr.example.com', 12).records, start: 0 };
    const farWire = nameToWire('far.other.net');
    const qname = 'ptr.example.com';
    const question = 12 + 17 + 4;
    for (let first = 0x4000 - 12; first <= 0x4000 + 1; first++) {
      const rdata = Buffer.alloc(first - question - 2 - 10);
      for (let at = 0; at < rdata.length; at += 256) rdata[at] = Math.min(255, rdata.length - at - 1);
      const filler = { owner: qname, ownerWire: null, records: [new ServedRecord(rrTail(16, 300, rdata), 0, null)], start: 0 };
      const { buf, r } = reply(qname, 'TXT', { answer: [filler, far, far] }, 65535);
      const { msg, pointers } = check(buf, r, true);
      expect(msg.indexOf(farWire)).toBe(first);
      expect(pointers.every((p) => p.to < 0x4000)).toBe(true);
      // A name's labels are entered whole or not at all (each needs the one after it), so with
      // "net" (at + 10) below 0x4000 the second owner is a bare pointer and host.other.net points
      // at "other" (at + 4); else both are written in full and nothing points at them.
      const below = first + 10 < 0x4000;
      expect(msg.indexOf(farWire, first + 1) < 0).toBe(below);
      expect(pointers.some((p) => p.to === first)).toBe(below);
      expect(pointers.some((p) => p.to === first + 4)).toBe(below);
      expect(pointers.some((p) => p.to === first + 10)).toBe(false);
    }
  });
});

describe('encodeReply: answers near the size limit', () => {
  const cases: [string, () => ReturnType<typeof reply>][] = [
    [
      'a CNAME and 60 addresses',
      () => reply('www.example.com', 'A', { answer: [runOf('www.example.com', 5), runOf('lb.example.com', 1)] }),
    ],
    ['a referral with glue', () => reply('x.sub.example.com', 'A', { authority: [runOf('sub.example.com', 2)], additional: glueOf(ns) })],
    [
      'MX with the SOA and additional addresses',
      () =>
        reply('example.com', 'MX', {
          answer: [runOf('example.com', 15)],
          authority: [big.negativeSoaRun],
          extra: glueOf(ns.slice(0, 3)),
        }),
    ],
  ];

  it.each(cases)('%s: every size up to the whole keeps the record sets that fit, whole, in order', (_, make) => {
    const whole = encodeReply(make().buf, make().r, false).length;
    const least = make().r.questionEnd + 11;
    for (let size = least; size <= whole + 2; size++) {
      const { buf, r } = make();
      r.maxSize = size;
      const out = encodeReply(buf, r, false);
      expect(out.length).toBeLessThanOrEqual(size);
      const m = decode(out);
      pointersOf(out);
      const sets = (runs: readonly RecordRun[]) => runs.map((run) => runMeaning([run]));
      const glueSets = (glue: readonly Glue[]) => {
        const groups: Glue[][] = [];
        for (const g of glue) {
          const last = groups[groups.length - 1];
          if (last && last[0]!.ownerWire === g.ownerWire && last[0]!.record.tail.readUInt16BE(0) === g.record.tail.readUInt16BE(0))
            last.push(g);
          else groups.push([g]);
        }
        return groups.map(glueMeaning);
      };
      // The sections, as record sets in order, and what came back: a prefix of them, whole.
      const expected = [...sets(r.answer), ...sets(r.authority), ...glueSets(r.additional), ...glueSets(r.extra)];
      const got = [...m.answers!, ...m.authorities!, ...m.additionals!.filter((a) => a.type !== 'OPT')].map(meaning);
      let n = 0;
      let taken = 0;
      while (n < expected.length && taken + expected[n]!.length <= got.length) taken += expected[n++]!.length;
      expect(got).toEqual(expected.slice(0, n).flat());
      expect(m.additionals!.filter((a) => a.type === 'OPT')).toHaveLength(1);
      // Complete, or TC: unless only optional additional addresses were left out.
      const required = sets(r.answer).length + sets(r.authority).length + glueSets(r.additional).length;
      expect(m.flag_tc).toBe(n < required);
      if (size >= whole) expect(n).toBe(expected.length);
    }
  });
});

describe('issue 15: what Knot fits in one UDP packet at EDNS 1232, Vigil does too', () => {
  const zones = new ZoneStore();
  zones.set(big);
  const engine = new DnsEngine({ zones, health: new HealthTable(), geo: geoipCountryLookup });

  it.each([
    ['a CNAME and the 60 addresses of its target', 'www.example.com', 1 + 60, 0],
    ['an 8-server referral with in-zone glue', 'host.sub.example.com', 0, 8],
  ])('%s', (_, name, answers, authorities) => {
    const udp = engine.answer(query(name, 'A', { edns: true, udpSize: 1232 }), UDP, '127.0.0.1')!;
    const m = decode(udp);
    expect(udp.length).toBeLessThanOrEqual(1232);
    expect(m.flag_tc).toBe(false);
    expect(m.answers).toHaveLength(answers);
    expect(m.authorities).toHaveLength(authorities);
    pointersOf(udp);
    // The same records as over TCP, where size is no limit (in another rotation: sorted).
    const tcp = decode(engine.answer(query(name, 'A', { edns: true }), TCP, '127.0.0.1')!.subarray(2));
    const all = (d: typeof m) => [...d.answers!, ...d.authorities!, ...d.additionals!].map((a) => JSON.stringify(meaning(a))).sort();
    expect(all(m)).toEqual(all(tcp));
    if (authorities > 0) expect(m.additionals!.filter((a) => a.type === 'A' || a.type === 'AAAA')).toHaveLength(16);
  });
});
