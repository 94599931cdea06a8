import * as dnsPacket from 'dns-packet';
import { RCODE } from './constants';
import { isQuery, parseQuery, type ParseError, type Query } from './parse';
import { query } from './testing/client';

const ok = (buf: Buffer): Query => {
  const p = parseQuery(buf);
  if (!isQuery(p)) throw new Error(`not a query: ${JSON.stringify(p)}`);
  return p;
};
const err = (buf: Buffer): ParseError => {
  const p = parseQuery(buf);
  if (p === null || isQuery(p)) throw new Error('expected a parse error');
  return p;
};

/** A header plus raw question bytes. */
function raw(opts: { flags?: number; qd?: number; an?: number; ar?: number }, body: number[]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0x1234, 0);
  h.writeUInt16BE(opts.flags ?? 0x0100, 2);
  h.writeUInt16BE(opts.qd ?? 1, 4);
  h.writeUInt16BE(opts.an ?? 0, 6);
  h.writeUInt16BE(opts.ar ?? 0, 10);
  return Buffer.concat([h, Buffer.from(body)]);
}
const name = (...labels: string[]) => [...labels.flatMap((l) => [l.length, ...Buffer.from(l)]), 0];

describe('parseQuery', () => {
  it('reads the header and question, lower-casing the name but remembering where the question ends', () => {
    const buf = query('WwW.Example.COM', 'AAAA', { id: 7 });
    const q = ok(buf);
    expect(q).toMatchObject({ id: 7, opcode: 0, rd: true, cd: false, qname: 'www.example.com', qtype: 28, qclass: 1, edns: null });
    expect(q.qnameWireLength).toBe(17);
    expect(buf.subarray(12, q.questionEnd).toString('latin1')).toContain('WwW');
  });

  it('reads EDNS0: payload size, version, DO bit and the client subnet', () => {
    const q = ok(query('a.example', 'A', { udpSize: 4096, dnssecOk: true, ecs: { ip: '192.0.2.0', prefix: 24 } }));
    expect(q.edns).toMatchObject({ udpSize: 4096, version: 0, dnssecOk: true });
    expect(q.edns!.ecs).toMatchObject({ family: 1, sourcePrefix: 24 });
    expect([...q.edns!.ecs!.address]).toEqual([192, 0, 2]);
    const v6 = ok(query('a.example', 'A', { ecs: { ip: '2001:db8::', prefix: 48 } }));
    expect(v6.edns!.ecs).toMatchObject({ family: 2, sourcePrefix: 48 });
    expect(v6.edns!.ecs!.address.length).toBe(6);
  });

  it('reports an EDNS version above 0 for the BADVERS answer', () => {
    expect(ok(query('a.example', 'A', { ednsVersion: 1 })).edns!.version).toBe(1);
  });

  it('reads the root name as the empty string', () => {
    expect(ok(query('.', 'NS')).qname).toBe('');
  });

  it('gives a dot inside a label a character that no zone name contains', () => {
    const q = ok(raw({}, [...name('a.b', 'example'), 0, 1, 0, 1]));
    expect(q.qname).toBe('a\u0000b.example');
  });

  it('drops messages too short for a header, and responses', () => {
    expect(parseQuery(Buffer.alloc(11))).toBeNull();
    expect(parseQuery(raw({ flags: 0x8000 }, [...name('a'), 0, 1, 0, 1]))).toBeNull();
  });

  it('reads messages of other opcodes (for a NOTIMP that echoes them), and answers NOTIMP when they do not parse', () => {
    expect(ok(raw({ flags: (4 << 11) | 0x0100 }, [...name('a'), 0, 6, 0, 1]))).toMatchObject({ opcode: 4, qname: 'a', qtype: 6 });
    const e = err(raw({ flags: (5 << 11) | 0x0100, qd: 0 }, []));
    expect(e).toMatchObject({ rcode: RCODE.NOTIMP, id: 0x1234, opcode: 5, rd: true, questionEnd: 0, edns: null });
  });

  it('keeps the question of a FORMERR when it could be read, and no question when it could not', () => {
    const q = [...name('a'), 0, 1, 0, 1];
    // A record past the question that runs past the end: the question (12..19) is echoed.
    expect(err(raw({ ar: 1 }, [...q, 0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 9])).questionEnd).toBe(12 + q.length);
    // Bytes past the last record: a message we do not understand, but its question is read.
    expect(err(raw({}, [...q, 0xde, 0xad])).questionEnd).toBe(12 + q.length);
    expect(err(raw({}, [...name('a'), 0, 1])).questionEnd).toBe(0);
    expect(err(raw({ qd: 2 }, [...q, ...q])).questionEnd).toBe(0);
  });

  it.each<[string, Buffer]>([
    ['no question', raw({ qd: 0 }, [])],
    ['two questions', raw({ qd: 2 }, [...name('a'), 0, 1, 0, 1, ...name('b'), 0, 1, 0, 1])],
    ['a name that runs past the end', raw({}, [5, 97, 98])],
    ['a missing type and class', raw({}, [...name('a'), 0, 1])],
    ['a label longer than 63 bytes', raw({}, [64, ...Buffer.alloc(64, 97), 0, 0, 1, 0, 1])],
    ['a compression pointer in the question', raw({}, [0xc0, 12, 0, 1, 0, 1])],
    ['a name longer than 255 bytes', raw({}, [...name(...Array.from({ length: 5 }, () => 'x'.repeat(60))), 0, 1, 0, 1])],
    ['QTYPE OPT', raw({}, [...name('a'), 0, 41, 0, 1])],
    ['an additional record that runs past the end', raw({ ar: 1 }, [...name('a'), 0, 1, 0, 1, 0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 9])],
    ['bytes past the last record', raw({}, [...name('a'), 0, 1, 0, 1, 0])],
  ])('answers FORMERR to %s', (_what, buf) => {
    expect(err(buf).rcode).toBe(RCODE.FORMERR);
  });

  const opt = (rdata: number[], owner = [0]) => [...owner, 0, 41, 4, 0, 0, 0, 0, 0, rdata.length >> 8, rdata.length & 255, ...rdata];
  const ecs = (family: number, source: number, scope: number, addr: number[]) => [
    0,
    8,
    0,
    4 + addr.length,
    0,
    family,
    source,
    scope,
    ...addr,
  ];

  it('answers FORMERR to two OPT records, an OPT not owned by the root, or an OPT outside the additional section', () => {
    const q = [...name('a'), 0, 1, 0, 1];
    expect(err(raw({ ar: 2 }, [...q, ...opt([]), ...opt([])])).rcode).toBe(RCODE.FORMERR);
    expect(err(raw({ ar: 1 }, [...q, ...opt([], name('x'))])).rcode).toBe(RCODE.FORMERR);
    expect(err(raw({ an: 1 }, [...q, ...opt([])])).rcode).toBe(RCODE.FORMERR);
    expect(ok(raw({ ar: 1 }, [...q, ...opt([])])).edns).toMatchObject({ udpSize: 1024, ecs: null });
  });

  it('keeps the OPT of a FORMERR when the OPT itself could be read: its options were wrong, or there was no question', () => {
    const q = [...name('a'), 0, 1, 0, 1];
    // RFC 6891 7: a malformed option is a FORMERR that carries an OPT.
    const badEcs = err(raw({ ar: 1 }, [...q, ...opt(ecs(3, 8, 0, [1]))]));
    expect(badEcs).toMatchObject({ rcode: RCODE.FORMERR, questionEnd: 12 + q.length, edns: { udpSize: 1024, version: 0, ecs: null } });
    expect(err(raw({ ar: 1 }, [...q, ...opt([0, 10, 0])])).edns).toMatchObject({ udpSize: 1024 });
    // A DNS cookie probe (RFC 7873 5.4): no question, an OPT with a client cookie.
    const cookie = [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8];
    expect(err(raw({ qd: 0, ar: 1 }, opt(cookie)))).toMatchObject({ rcode: RCODE.FORMERR, questionEnd: 0, edns: { udpSize: 1024 } });
    expect(err(raw({ qd: 0, ar: 1 }, opt(ecs(3, 8, 0, [1])))).edns).toMatchObject({ udpSize: 1024 });
    // Not the OPT's fault, or no one OPT to answer with: no OPT.
    expect(err(raw({ ar: 2 }, [...q, ...opt([]), ...opt([])])).edns).toBeNull();
    expect(err(raw({ an: 1 }, [...q, ...opt([])])).edns).toBeNull();
    expect(err(raw({ ar: 1 }, [...q, ...opt([]), 0xde, 0xad])).edns).toBeNull();
    expect(err(raw({ qd: 0 }, [])).edns).toBeNull();
  });

  it.each<[string, number[]]>([
    ['an unknown family', ecs(3, 8, 0, [1])],
    ['a source prefix longer than the address', ecs(1, 33, 0, [1, 2, 3, 4, 5])],
    ['a non-zero scope in a query', ecs(1, 24, 8, [192, 0, 2])],
    ['more address bytes than the prefix needs', ecs(1, 16, 0, [192, 0, 2])],
    ['address bits set past the prefix', ecs(1, 23, 0, [192, 0, 3])],
    ['a truncated option', [0, 8, 0, 2, 0, 1]],
  ])('answers FORMERR to a client subnet with %s (RFC 7871 7.1.1)', (_what, option) => {
    const q = [...name('a'), 0, 1, 0, 1];
    expect(err(raw({ ar: 1 }, [...q, ...opt(option)])).rcode).toBe(RCODE.FORMERR);
  });

  it('skips options it does not know, and answer records sent with the query', () => {
    const q = [...name('a'), 0, 1, 0, 1];
    const cookie = [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8];
    const parsed = ok(raw({ ar: 1 }, [...q, ...opt([...cookie, ...ecs(1, 0, 0, [])])]));
    expect(parsed.edns!.ecs).toMatchObject({ family: 1, sourcePrefix: 0 });
    const withAnswer = dnsPacket.encode({
      type: 'query',
      id: 1,
      questions: [{ name: 'a', type: 'A' }],
      answers: [{ name: 'a', type: 'A', data: '192.0.2.1' }],
    });
    expect(ok(withAnswer).qname).toBe('a');
  });
});
