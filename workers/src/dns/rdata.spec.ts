import * as dnsPacket from 'dns-packet';
import { parseContent, parseSvcParamText } from '@vigil/contract';
import { QTYPE } from './constants';
import { encodeRdata, ipv4Bytes, ipv6Bytes, mailboxToWire, nameToWire, rrTail, soaRdata, wireToName } from './rdata';

/** Decodes one RR (owner + tail) with dns-packet, an independent implementation. */
function decodeRR(owner: string, tail: Buffer): dnsPacket.Answer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0x8400, 2);
  header.writeUInt16BE(1, 6);
  const msg = dnsPacket.decode(Buffer.concat([header, nameToWire(owner), tail]));
  return msg.answers![0]!;
}

const rr = (type: Parameters<typeof encodeRdata>[0], content: (string | number)[], ttl = 60) =>
  decodeRR('x.example', rrTail((QTYPE as Record<string, number>)[type]!, ttl, encodeRdata(type, content)));

describe('record data', () => {
  it('encodes names, the root and escaped dots', () => {
    expect([...nameToWire('a.bc')]).toEqual([1, 97, 2, 98, 99, 0]);
    expect([...nameToWire('a.bc.')]).toEqual([1, 97, 2, 98, 99, 0]);
    expect([...nameToWire('')]).toEqual([0]);
    expect([...nameToWire('.')]).toEqual([0]);
    expect([...nameToWire('a\\.b.c')]).toEqual([3, 97, 46, 98, 1, 99, 0]);
    expect(() => nameToWire(`${'x'.repeat(64)}.com`)).toThrow('bad label');
    expect(() => nameToWire('a..b')).toThrow('bad label');
  });

  it('reads back the names it encodes, escapes included', () => {
    for (const name of ['a.bc', 'ns1.sub.example.com', 'a\\.b.c', '*.wild.example', '']) {
      const at = Buffer.concat([Buffer.from([7, 7]), nameToWire(name)]);
      expect(wireToName(at, 2)).toBe(name);
    }
  });

  it('encodes an SOA RNAME given as a mailbox name or an e-mail address (RFC 1035 8)', () => {
    const expected = [...[9, ...Buffer.from('john.will')], ...[7, ...Buffer.from('example')], 3, ...Buffer.from('com'), 0];
    expect([...mailboxToWire('john\\.will.example.com')]).toEqual(expected);
    expect([...mailboxToWire('john.will@example.com')]).toEqual(expected);
    expect([...mailboxToWire('hostmaster.example.com')]).toEqual([...nameToWire('hostmaster.example.com')]);
  });

  it('parses IPv4 and IPv6 literals', () => {
    expect([...ipv4Bytes('192.0.2.255')!]).toEqual([192, 0, 2, 255]);
    expect(ipv4Bytes('256.0.0.1')).toBeNull();
    expect(ipv4Bytes('1.2.3')).toBeNull();
    expect(ipv6Bytes('2001:db8::1')!.toString('hex')).toBe('20010db8000000000000000000000001');
    expect(ipv6Bytes('::')!.toString('hex')).toBe('0'.repeat(32));
    expect(ipv6Bytes('::ffff:192.0.2.1')!.toString('hex')).toBe('00000000000000000000ffffc0000201');
    expect(ipv6Bytes('1:2:3:4:5:6:7:8')!.toString('hex')).toBe('00010002000300040005000600070008');
    expect(ipv6Bytes('1::2::3')).toBeNull();
    expect(ipv6Bytes('1:2:3:4:5:6:7')).toBeNull();
    expect(ipv6Bytes('1:2:3:4:5:6:7:8::')).toBeNull();
    expect(ipv6Bytes('g::1')).toBeNull();
  });

  it('encodes every supported type so that another implementation reads the same record', () => {
    expect(rr('A', ['192.0.2.1'])).toMatchObject({ type: 'A', ttl: 60, data: '192.0.2.1' });
    expect(rr('AAAA', ['2001:db8::1'])).toMatchObject({ type: 'AAAA', data: '2001:db8::1' });
    expect(rr('CNAME', ['target.example.net'])).toMatchObject({ type: 'CNAME', data: 'target.example.net' });
    expect(rr('NS', ['ns1.example.net'])).toMatchObject({ type: 'NS', data: 'ns1.example.net' });
    expect(rr('PTR', ['host.example.com'])).toMatchObject({ type: 'PTR', data: 'host.example.com' });
    expect(rr('MX', [10, 'mail.example.com'])).toMatchObject({ type: 'MX', data: { preference: 10, exchange: 'mail.example.com' } });
    expect(rr('MX', [0, '.'])).toMatchObject({ data: { preference: 0, exchange: '.' } });
    expect(rr('SRV', [1, 2, 5060, 'sip.example.com'])).toMatchObject({
      type: 'SRV',
      data: { priority: 1, weight: 2, port: 5060, target: 'sip.example.com' },
    });
    expect(rr('SRV', [0, 0, 0, '.'])).toMatchObject({ data: { target: '.' } });
    expect(rr('CAA', [0, 'issue', 'letsencrypt.org'])).toMatchObject({
      type: 'CAA',
      data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' },
    });
    expect(rr('TXT', ['hello', 'world'])).toMatchObject({ type: 'TXT', data: [Buffer.from('hello'), Buffer.from('world')] });
  });

  it('splits TXT strings longer than 255 bytes into 255-byte character-strings', () => {
    const long = 'a'.repeat(600);
    const decoded = (rr('TXT', [long, '']) as { data: Buffer[] }).data;
    expect(decoded.map((b) => b.length)).toEqual([255, 255, 90, 0]);
    expect(Buffer.concat(decoded).toString()).toBe(long);
    // Multi-byte UTF-8 is split by bytes, as the wire counts them.
    const utf = (rr('TXT', ['é'.repeat(200)]) as { data: Buffer[] }).data;
    expect(utf.map((b) => b.length)).toEqual([255, 145]);
  });

  it('refuses content that does not fit its type', () => {
    expect(() => encodeRdata('A', ['2001:db8::1'])).toThrow('IPv4');
    expect(() => encodeRdata('MX', [70000, 'mail.example.com'])).toThrow('bad number');
    expect(() => encodeRdata('CNAME', [5])).toThrow('expected a string');
  });

  it('encodes the SOA with serial modulo 2^32', () => {
    const tail = rrTail(
      QTYPE.SOA,
      3600,
      soaRdata({
        mname: 'ns1.example.com',
        rname: 'hostmaster.example.com',
        serial: 2 ** 32 + 5,
        refresh: 1,
        retry: 2,
        expire: 3,
        minimum: 4,
        ttl: 3600,
      }),
    );
    expect(decodeRR('example.com', tail)).toMatchObject({
      type: 'SOA',
      ttl: 3600,
      data: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 5, refresh: 1, retry: 2, expire: 3, minimum: 4 },
    });
  });
});

describe('SVCB and HTTPS record data', () => {
  /** Presentation text → content by the contract's rules (as the api stores it) → RDATA. */
  const wire = (type: 'SVCB' | 'HTTPS', text: string) => {
    const [priority, target, ...params] = text.split(' ');
    const parsed = parseContent(type, [priority, target, ...params.map((p) => (parseSvcParamText(p) as { param: unknown }).param)]);
    if (!parsed.ok) throw new Error(parsed.reason);
    return encodeRdata(type, parsed.content).toString('hex');
  };
  const hex = (...parts: (string | number[])[]) =>
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)).toString('hex')).join('');
  const fooCom = [3, ...Buffer.from('foo'), 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0];
  const fooOrg = [3, ...Buffer.from('foo'), 7, ...Buffer.from('example'), 3, ...Buffer.from('org'), 0];

  // The test vectors of RFC 9460 appendix D, byte for byte.
  it('encodes AliasMode and ServiceMode as RFC 9460 appendix D does', () => {
    expect(wire('HTTPS', '0 foo.example.com.')).toBe(hex([0, 0], fooCom));
    expect(wire('SVCB', '1 .')).toBe(hex([0, 1, 0]));
    expect(wire('SVCB', '16 foo.example.com. port=53')).toBe(hex([0, 16], fooCom, [0, 3, 0, 2, 0, 53]));
    expect(wire('SVCB', '1 foo.example.com. key667=hello')).toBe(hex([0, 1], fooCom, [2, 0x9b, 0, 5], 'hello'));
    expect(wire('SVCB', '1 foo.example.com. key667="hello\\210qoo"')).toBe(hex([0, 1], fooCom, [2, 0x9b, 0, 9], 'hello\xd2qoo'));
    expect(wire('SVCB', '1 foo.example.com. ipv6hint="2001:db8::1,2001:db8::53:1"')).toBe(
      hex(
        [0, 1],
        fooCom,
        [0, 6, 0, 32],
        [0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), 1],
        [0x20, 1, 0x0d, 0xb8, ...Array(8).fill(0), 0, 0x53, 0, 1],
      ),
    );
    expect(wire('SVCB', '1 example.com. ipv6hint="2001:db8:122:344::192.0.2.33"')).toBe(
      hex([0, 1, 7], 'example', [3], 'com', [0, 0, 6, 0, 16], [0x20, 1, 0x0d, 0xb8, 1, 0x22, 3, 0x44, 0, 0, 0, 0, 0xc0, 0, 2, 0x21]),
    );
    // Keys in increasing order whatever the order written, mandatory as a list of key numbers.
    expect(wire('SVCB', '16 foo.example.org. alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1')).toBe(
      hex([0, 16], fooOrg, [0, 0, 0, 4, 0, 1, 0, 4], [0, 1, 0, 9, 2], 'h2', [5], 'h3-19', [0, 4, 0, 4, 192, 0, 2, 1]),
    );
    // A comma and a backslash inside an alpn id (appendix A.1's two levels of escapes).
    expect(wire('SVCB', '16 foo.example.org. alpn="f\\\\\\\\oo\\\\,bar,h2"')).toBe(
      hex([0, 16], fooOrg, [0, 1, 0, 12, 8], 'f\\oo,bar', [2], 'h2'),
    );
  });

  it('writes ech as its bytes and no-default-alpn as an empty value', () => {
    expect(wire('HTTPS', '1 . alpn=h2 no-default-alpn ech=AAEC')).toBe(
      hex([0, 1, 0], [0, 1, 0, 3, 2], 'h2', [0, 2, 0, 0], [0, 5, 0, 3, 0, 1, 2]),
    );
  });

  it('refuses SvcParams it cannot write', () => {
    expect(() => encodeRdata('HTTPS', [1, '.', 'alpn=h2'])).toThrow('expected a SvcParam');
    expect(() => encodeRdata('HTTPS', [1, '.', ['nope', 'x']])).toThrow('unknown SvcParam key');
    expect(() => encodeRdata('HTTPS', [1, '.', ['port', 1], ['port', 2]])).toThrow('twice');
  });
});
