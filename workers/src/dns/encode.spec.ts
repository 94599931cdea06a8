import { RCODE } from './constants';
import { emptyReply, encodeReply, encodeReplyInto } from './encode';
import type { RecordRun } from './zone-index';
import { parseQuery, type Query } from './parse';
import { decode, query } from './testing/client';
import { index, rr, zone } from './testing/zones';

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

  it('sets TC and keeps only the question and OPT when the answer does not fit', () => {
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
