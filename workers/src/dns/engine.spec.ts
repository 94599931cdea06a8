import * as dnsPacket from 'dns-packet';
import { TCP, UDP } from './constants';
import { addressText } from './address';
import { DnsEngine } from './engine';
import type { GeoLocation } from './geo';
import { AsnTable, geoPoint, type GeoPoint } from './geo-data';
import { HealthTable } from './health';
import { aData, decode, query, type Decoded } from './testing/client';
import { index, rr, zone } from './testing/zones';
import { ZoneStore } from './zone-store';

// The whole pipeline on plain objects: no sockets, no Redis.
const places: Record<string, GeoLocation> = {
  [0x08080800]: { country: 'US', continent: 'na' },
  [0xd41b3000]: { country: 'FR', continent: 'eu' },
  '203.0.113.9': { country: 'JP', continent: 'as' },
};
const geo = (ip: string | number) => places[String(ip)] ?? null;

function setup() {
  const zones = new ZoneStore();
  const health = new HealthTable();
  const counted: [string, number, number][] = [];
  zones.set(
    index(
      zone(
        'example.com',
        [
          rr('www.example.com', 'A', ['192.0.2.1', '192.0.2.2', '192.0.2.3']),
          rr('www.example.com', 'AAAA', ['2001:db8::1']),
          rr('alias.example.com', 'CNAME', ['www.example.com']),
          rr('*.wild.example.com', 'A', ['192.0.2.50']),
          rr(
            'big.example.com',
            'TXT',
            Array.from({ length: 6 }, (_, i) => [`${i}`.repeat(200)]),
          ),
          rr('child.example.com', 'NS', ['ns1.child.example.com']),
          rr('ns1.child.example.com', 'A', ['192.0.2.53']),
          // Targets for the additional section: in the zone (one with failover), outside it, below a cut.
          rr('example.com', 'MX', [
            [10, 'mail.example.com'],
            [20, 'mx.example.net'],
            [30, 'mail.example.com'],
            [40, 'ns1.child.example.com'],
          ]),
          rr('mail.example.com', 'A', ['192.0.2.25', '192.0.2.26'], { failover: 'mail' }),
          rr('mail.example.com', 'AAAA', ['2001:db8::25']),
          rr('_sip._tcp.example.com', 'SRV', [
            [0, 5, 5060, 'www.example.com'],
            [0, 5, 5060, '.'],
          ]),
          rr('bigmx.example.com', 'MX', [[10, 'many.example.com']]),
          rr(
            'many.example.com',
            'A',
            Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 1}`),
          ),
          rr('mixed.example.com', 'A', [
            { content: ['192.0.2.10'] },
            { content: ['192.0.2.11'], enabled: false },
            { content: ['192.0.2.12'] },
          ]),
          rr(
            'geo.example.com',
            'A',
            [
              { content: ['192.0.2.21'], meta: { countries: ['US'] } },
              { content: ['192.0.2.22'], meta: { countries: ['US'] } },
              { content: ['192.0.2.31'], meta: { continents: ['eu'] } },
              { content: ['192.0.2.99'], meta: { default: true } },
            ],
            {
              failover: 'chk',
              pickers: [
                { type: 'geodns', strict: false },
                { type: 'first_n', limit: 1 },
              ],
            },
          ),
          rr('strict.example.com', 'A', [{ content: ['192.0.2.21'], meta: { countries: ['US'] } }], {
            pickers: [{ type: 'geodns', strict: true }],
          }),
          rr('fo.example.com', 'A', ['192.0.2.41', '192.0.2.42'], { failover: 'fo' }),
          // CNAME failover: candidates in priority order, one of them a backup; one target in the zone.
          rr(
            'cdn.example.com',
            'CNAME',
            [
              { content: ['www.example.com'] },
              { content: ['edge.example.net'] },
              { content: ['standby.example.org'], meta: { backup: true } },
            ],
            { failover: 'cn' },
          ),
          rr(
            'geoalias.example.com',
            'CNAME',
            [
              { content: ['us.example.net'], meta: { countries: ['US'] } },
              { content: ['eu.example.net'], meta: { continents: ['eu'] } },
            ],
            { pickers: [{ type: 'geodns', strict: true }] },
          ),
          rr(
            'weighted.example.com',
            'A',
            [
              { content: ['192.0.2.61'], meta: { weight: 1 } },
              { content: ['192.0.2.62'], meta: { weight: 0 } },
            ],
            {
              pickers: [{ type: 'weighted_shuffle' }],
            },
          ),
        ],
        { soaTtl: 3600, minimum: 120 },
      ),
    ),
  );
  const engine = new DnsEngine({ zones, health, geo, random: () => 0.5, observer: { count: (z, rc, p) => void counted.push([z, rc, p]) } });
  const ask = (buf: Buffer, remote = '127.0.0.1', protocol = UDP): Decoded => {
    const out = engine.answer(buf, protocol, remote)!;
    return decode(protocol === TCP ? out.subarray(2) : out);
  };
  return { zones, health, engine, ask, counted };
}

describe('DnsEngine', () => {
  it('answers authoritatively, echoing the question case', () => {
    const { ask } = setup();
    const m = ask(query('WWW.EXAMPLE.com', 'A'));
    expect(m).toMatchObject({ rcode: 'NOERROR', flag_aa: true, flag_ra: false });
    expect(m.questions![0]!.name).toBe('WWW.EXAMPLE.com');
    expect(m.answers![0]!.name).toBe('WWW.EXAMPLE.com');
    expect(aData(m).sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });

  it('rotates round-robin from one answer to the next', () => {
    const { ask } = setup();
    const firsts = [0, 1, 2, 3].map(() => aData(ask(query('www.example.com', 'A')))[0]);
    expect(firsts).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.1']);
  });

  it('keeps the weighted order: no rotation after weighted_shuffle', () => {
    const { ask } = setup();
    for (let i = 0; i < 3; i++) expect(aData(ask(query('weighted.example.com', 'A')))).toEqual(['192.0.2.61', '192.0.2.62']);
  });

  it('REFUSES names in no hosted zone, without AA', () => {
    const { ask, counted } = setup();
    expect(ask(query('www.example.net', 'A'))).toMatchObject({ rcode: 'REFUSED', flag_aa: false, answers: [] });
    expect(counted).toEqual([['', 5, UDP]]);
  });

  it('answers NXDOMAIN and NODATA with the SOA at the negative TTL', () => {
    const { ask, counted } = setup();
    const nx = ask(query('nope.example.com', 'A'));
    expect(nx).toMatchObject({ rcode: 'NXDOMAIN', flag_aa: true, answers: [] });
    expect(nx.authorities![0]).toMatchObject({ name: 'example.com', type: 'SOA', ttl: 120 });
    const nodata = ask(query('www.example.com', 'MX'));
    expect(nodata).toMatchObject({ rcode: 'NOERROR', flag_aa: true, answers: [] });
    expect(nodata.authorities![0]).toMatchObject({ type: 'SOA', ttl: 120 });
    expect(counted).toEqual([
      ['example.com', 3, UDP],
      ['example.com', 0, UDP],
    ]);
  });

  it('answers SOA queries at the apex with the SOA TTL', () => {
    const { ask } = setup();
    expect(ask(query('example.com', 'SOA')).answers![0]).toMatchObject({ type: 'SOA', ttl: 3600, data: { mname: 'ns1.example.com' } });
    expect(
      ask(query('example.com', 'NS'))
        .answers!.map((a) => (a as { data: string }).data)
        .sort(),
    ).toEqual(['ns1.example.com', 'ns2.example.com']);
  });

  it('follows a CNAME inside the zone', () => {
    const { ask } = setup();
    const m = ask(query('alias.example.com', 'AAAA'));
    expect(m.answers!.map((a) => [a.name, a.type])).toEqual([
      ['alias.example.com', 'CNAME'],
      ['www.example.com', 'AAAA'],
    ]);
  });

  it('answers one CNAME of a failover record set: the first healthy candidate, then backups, then fail open', () => {
    const { ask, health } = setup();
    const chain = (qtype: 'A' | 'CNAME' = 'A') =>
      ask(query('cdn.example.com', qtype)).answers!.map((a) => [a.name, a.type, (a as { data: unknown }).data]);
    // The first candidate is in the zone: the chain follows it to its addresses (round-robin aside).
    expect(chain().slice(0, 1)).toEqual([['cdn.example.com', 'CNAME', 'www.example.com']]);
    expect(
      chain()
        .slice(1)
        .every(([name, type]) => name === 'www.example.com' && type === 'A'),
    ).toBe(true);
    expect(chain('CNAME')).toEqual([['cdn.example.com', 'CNAME', 'www.example.com']]);
    health.apply({ checkId: 'cn', address: 'www.example.com', state: 'unavailable' });
    // The next one, outside the zone: the chain stops there, for the resolver to follow.
    for (let i = 0; i < 3; i++) expect(chain()).toEqual([['cdn.example.com', 'CNAME', 'edge.example.net']]);
    expect(chain('CNAME')).toEqual([['cdn.example.com', 'CNAME', 'edge.example.net']]);
    health.apply({ checkId: 'cn', address: 'edge.example.net', state: 'unavailable' });
    expect(chain()).toEqual([['cdn.example.com', 'CNAME', 'standby.example.org']]);
    health.apply({ checkId: 'cn', address: 'standby.example.org', state: 'unavailable' });
    // All down: fail open with every candidate, and so the first again.
    expect(chain('CNAME')).toEqual([['cdn.example.com', 'CNAME', 'www.example.com']]);
    health.apply({ checkId: 'cn', address: 'edge.example.net', state: 'available' });
    expect(chain('CNAME')).toEqual([['cdn.example.com', 'CNAME', 'edge.example.net']]);
  });

  it('answers a geodns CNAME by the client, and NODATA when a strict geodns matches nothing', () => {
    const { ask } = setup();
    const target = (ip: string) =>
      ask(query('geoalias.example.com', 'A', { ecs: { ip, prefix: 24 } })).answers!.map((a) => (a as { data: unknown }).data);
    expect(target('8.8.8.0')).toEqual(['us.example.net']);
    expect(target('212.27.48.0')).toEqual(['eu.example.net']);
    const none = ask(query('geoalias.example.com', 'A'), '203.0.113.9');
    expect(none).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(none.authorities![0]).toMatchObject({ type: 'SOA' });
  });

  it('answers wildcards with the queried name', () => {
    const { ask } = setup();
    expect(ask(query('Foo.wild.example.com', 'A')).answers![0]).toMatchObject({ name: 'Foo.wild.example.com', data: '192.0.2.50' });
  });

  it('refers delegated names with glue and without AA', () => {
    const { ask } = setup();
    const m = ask(query('host.child.example.com', 'A'));
    expect(m).toMatchObject({ rcode: 'NOERROR', flag_aa: false, answers: [] });
    expect(m.authorities).toMatchObject([{ name: 'child.example.com', type: 'NS', data: 'ns1.child.example.com' }]);
    expect(m.additionals).toMatchObject([{ name: 'ns1.child.example.com', type: 'A', data: '192.0.2.53' }]);
  });

  it('answers ANY with one HINFO "RFC8482"', () => {
    const { ask } = setup();
    const m = ask(query('www.example.com', 'ANY'));
    expect(m.answers).toHaveLength(1);
    expect(m.answers![0]).toMatchObject({ type: 'HINFO', data: { cpu: 'RFC8482', os: '' } });
  });

  it('never serves disabled records', () => {
    const { ask } = setup();
    for (let i = 0; i < 3; i++) expect(aData(ask(query('mixed.example.com', 'A'))).sort()).toEqual(['192.0.2.10', '192.0.2.12']);
  });

  it('leaves out unavailable addresses, and serves all when none is available', () => {
    const { ask, health } = setup();
    health.apply({ checkId: 'fo', address: '192.0.2.41', state: 'unavailable' });
    expect(aData(ask(query('fo.example.com', 'A')))).toEqual(['192.0.2.42']);
    health.apply({ checkId: 'fo', address: '192.0.2.42', state: 'unavailable' });
    expect(aData(ask(query('fo.example.com', 'A'))).sort()).toEqual(['192.0.2.41', '192.0.2.42']);
  });

  it('picks by the ECS country, then continent, then default, and echoes the scope', () => {
    const { ask } = setup();
    const us = ask(query('geo.example.com', 'A', { ecs: { ip: '8.8.8.0', prefix: 24 } }));
    expect(aData(us)).toEqual(['192.0.2.21']);
    const opt = us.additionals![0] as unknown as { options: { sourcePrefixLength: number; scopePrefixLength: number; ip: string }[] };
    expect(opt.options[0]).toMatchObject({ sourcePrefixLength: 24, scopePrefixLength: 24, ip: '8.8.8.0' });
    expect(aData(ask(query('geo.example.com', 'A', { ecs: { ip: '212.27.48.0', prefix: 24 } })))).toEqual(['192.0.2.31']);
    // No ECS: the source address decides; unknown there: the default record.
    expect(aData(ask(query('geo.example.com', 'A', { edns: true }), '203.0.113.9'))).toEqual(['192.0.2.99']);
    expect(aData(ask(query('geo.example.com', 'A')))).toEqual(['192.0.2.99']);
  });

  it('gives scope 0 when the answer did not depend on the subnet, or the client sent prefix 0', () => {
    const { ask } = setup();
    const scope = (m: Decoded) =>
      (m.additionals![0] as unknown as { options: { scopePrefixLength: number }[] }).options[0]!.scopePrefixLength;
    expect(scope(ask(query('www.example.com', 'A', { ecs: { ip: '8.8.8.0', prefix: 24 } })))).toBe(0);
    const zero = ask(query('geo.example.com', 'A', { ecs: { ip: '0.0.0.0', prefix: 0 } }), '203.0.113.9');
    expect(scope(zero)).toBe(0);
    expect(aData(zero)).toEqual(['192.0.2.99']);
  });

  it('runs the pickers over the whole set when every address is unavailable (fail open, pickers still apply)', () => {
    const { ask, health } = setup();
    for (const a of ['192.0.2.21', '192.0.2.22', '192.0.2.31', '192.0.2.99'])
      health.apply({ checkId: 'chk', address: a, state: 'unavailable' });
    expect(aData(ask(query('geo.example.com', 'A', { ecs: { ip: '8.8.8.0', prefix: 24 } })))).toEqual(['192.0.2.21']);
    // Only the US pair down: the healthy set has no US record, so the continent/default rules decide.
    health.apply({ checkId: 'chk', address: '192.0.2.31', state: 'available' });
    health.apply({ checkId: 'chk', address: '192.0.2.99', state: 'available' });
    expect(aData(ask(query('geo.example.com', 'A', { ecs: { ip: '8.8.8.0', prefix: 24 } })))).toEqual(['192.0.2.99']);
  });

  it('answers an empty NOERROR with the SOA when a strict geodns matches nothing', () => {
    const { ask } = setup();
    const m = ask(query('strict.example.com', 'A', { ecs: { ip: '212.27.48.0', prefix: 24 } }));
    expect(m).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(m.authorities![0]!.type).toBe('SOA');
  });

  it('sets TC when a UDP answer does not fit, and answers in full over TCP', () => {
    const { ask } = setup();
    const plain = ask(query('big.example.com', 'TXT'));
    expect(plain.flag_tc).toBe(true);
    expect(plain.answers).toEqual([]);
    // About 1300 bytes: more than the 1232 we cap UDP at, whatever buffer the client offers.
    expect(ask(query('big.example.com', 'TXT', { udpSize: 4096 })).flag_tc).toBe(true);
    expect(ask(query('www.example.com', 'A', { udpSize: 512 })).flag_tc).toBe(false);
    const full = ask(query('big.example.com', 'TXT'), '127.0.0.1', TCP);
    expect(full.flag_tc).toBe(false);
    expect(full.answers).toHaveLength(6);
  });

  it('answers FORMERR as a bare header when no question could be read, NOTIMP to unknown opcodes, REFUSED to other classes', () => {
    const { ask, engine } = setup();
    const bad = query('www.example.com', 'A', { id: 4242 });
    bad.writeUInt16BE(2, 4);
    const bare = engine.answer(bad, UDP, '127.0.0.1')!;
    expect(bare.length).toBe(12);
    expect(decode(bare)).toMatchObject({ id: 4242, rcode: 'FORMERR', questions: [] });
    const status = dnsPacket.encode({ type: 'query', id: 5, flags: 2 << 11, questions: [{ name: 'example.com', type: 'SOA' }] });
    expect(ask(status)).toMatchObject({ id: 5, rcode: 'NOTIMP', opcode: 'STATUS', questions: [{ name: 'example.com', type: 'SOA' }] });
    const chaos = dnsPacket.encode({ type: 'query', id: 6, questions: [{ name: 'version.bind', type: 'TXT', class: 'CH' }] });
    expect(ask(chaos).rcode).toBe('REFUSED');
    expect(engine.answer(Buffer.alloc(5), UDP, '127.0.0.1')).toBeNull();
  });

  it('echoes the question of a FORMERR it could read, and the OPT when its options were wrong or there was no question', () => {
    const { engine } = setup();
    const raw = (msg: Buffer) => engine.answer(msg, UDP, '127.0.0.1')!;
    // RFC 6891 7: a malformed client subnet (family 3) is a FORMERR with an OPT, the question echoed.
    const badEcs = query('www.example.com', 'A', { id: 9, ecs: { ip: '192.0.2.0', prefix: 24 } });
    badEcs.writeUInt16BE(3, badEcs.length - 7);
    const m = decode(raw(badEcs));
    expect(m).toMatchObject({ rcode: 'FORMERR', flag_aa: false, questions: [{ name: 'www.example.com', type: 'A' }], answers: [] });
    expect(m.additionals).toEqual([expect.objectContaining({ type: 'OPT', udpPayloadSize: 1232, options: [] })]);
    // A DNS cookie probe: no question, an OPT with a client cookie (RFC 7873 5.4). FORMERR with an OPT.
    const probe = Buffer.from('abcd0000000000000000000100002904d000000000000c000a00080102030405060708', 'hex');
    const p = raw(probe);
    expect(decode(p)).toMatchObject({
      id: 0xabcd,
      rcode: 'FORMERR',
      questions: [],
      additionals: [expect.objectContaining({ type: 'OPT', options: [] })],
    });
    expect(p.length).toBe(12 + 11);
    // Bytes past the last record: FORMERR with the question, no OPT.
    const trailing = Buffer.concat([query('www.example.com', 'A', { udpSize: 1232 }), Buffer.from([0xde, 0xad])]);
    expect(decode(raw(trailing))).toMatchObject({ rcode: 'FORMERR', questions: [{ name: 'www.example.com' }], additionals: [] });
  });

  it('answers NOTAUTH to NOTIFY, UPDATE and zone transfers (Vigil transfers no zone), NOTIMP to AXFR over UDP and TYPE0', () => {
    const { ask } = setup();
    const opcode = (n: number) =>
      dnsPacket.encode({ type: 'query', id: 5, flags: n << 11, questions: [{ name: 'example.com', type: 'SOA' }] });
    expect(ask(opcode(4))).toMatchObject({
      rcode: 'NOTAUTH',
      opcode: 'NOTIFY',
      flag_aa: false,
      questions: [{ name: 'example.com', type: 'SOA' }],
    });
    expect(ask(opcode(5))).toMatchObject({ rcode: 'NOTAUTH', opcode: 'UPDATE' });
    expect(ask(query('example.com', 'AXFR'), '127.0.0.1', TCP).rcode).toBe('NOTAUTH');
    expect(ask(query('example.com', 'IXFR')).rcode).toBe('NOTAUTH');
    expect(ask(query('example.com', 'AXFR')).rcode).toBe('NOTIMP');
    const type0 = query('www.example.com', 'A');
    type0.writeUInt16BE(0, type0.length - 4);
    expect(ask(type0)).toMatchObject({ rcode: 'NOTIMP', questions: [{ name: 'www.example.com' }] });
  });

  it('answers MAILA and MAILB as any type the name lacks, and QCLASS * as IN', () => {
    const { ask } = setup();
    // dns-packet has no names for these types: the question's QTYPE is written in place.
    const typed = (name: string, qtype: number) => {
      const q = query(name, 'A');
      q.writeUInt16BE(qtype, q.length - 4);
      return q;
    };
    for (const qtype of [253, 254]) {
      expect(ask(typed('www.example.com', qtype))).toMatchObject({
        rcode: 'NOERROR',
        flag_aa: true,
        answers: [],
        authorities: [{ type: 'SOA' }],
      });
      expect(ask(typed('nope.example.com', qtype)).rcode).toBe('NXDOMAIN');
    }
    const star = dnsPacket.encode({ type: 'query', id: 7, questions: [{ name: 'www.example.com', type: 'A', class: 'ANY' }] });
    expect(aData(ask(star)).sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });

  it('says why it REFUSES a name in no hosted zone: Extended DNS Error 20, Not Authoritative (RFC 8914), when the query has EDNS', () => {
    const { engine } = setup();
    const ede = (m: Decoded) =>
      (m.additionals ?? []).flatMap((a) => (a.type === 'OPT' ? a.options : [])).map((o) => [o.code, o.data?.toString('hex')]);
    const q = query('www.example.net', 'A', { udpSize: 1232, ecs: { ip: '192.0.2.0', prefix: 24 } });
    const udpAnswer = decode(engine.answer(q, UDP, '127.0.0.1')!);
    expect(udpAnswer.rcode).toBe('REFUSED');
    expect(ede(udpAnswer)).toEqual([
      [8, '00011800c00002'],
      [15, '0014'],
    ]);
    const tcpOut = engine.answer(q, TCP, '127.0.0.1')!;
    expect(tcpOut.readUInt16BE(0)).toBe(tcpOut.length - 2);
    expect(ede(decode(tcpOut.subarray(2)))).toContainEqual([15, '0014']);
    const slot = Buffer.alloc(2000);
    const n = engine.answerUdpInto(q, '127.0.0.1', slot, 100);
    expect(slot.subarray(100, 100 + n)).toEqual(engine.answer(q, UDP, '127.0.0.1'));
    // Without EDNS there is nowhere to say it; inside a hosted zone nothing is refused that way.
    expect(decode(engine.answer(query('www.example.net', 'A'), UDP, '127.0.0.1')!).additionals).toEqual([]);
    expect(ede(decode(engine.answer(query('nope.example.com', 'A', { udpSize: 1232 }), UDP, '127.0.0.1')!))).toEqual([]);
  });

  it('adds the in-zone addresses of MX and SRV targets to the additional section (RFC 1034 4.3.2 step 6)', () => {
    const { ask, health } = setup();
    const additional = (m: Decoded) => (m.additionals ?? []).filter((a) => a.type !== 'OPT').map((a) => `${a.name} ${a.type} ${a.data}`);
    const mx = ask(query('example.com', 'MX'));
    expect(mx.answers).toHaveLength(4);
    // mail.example.com once for its two MX records; not mx.example.net (elsewhere) nor a name below the cut.
    expect(additional(mx).sort()).toEqual([
      'mail.example.com A 192.0.2.25',
      'mail.example.com A 192.0.2.26',
      'mail.example.com AAAA 2001:db8::25',
    ]);
    // The addresses an A query would get: health applies.
    health.apply({ checkId: 'mail', address: '192.0.2.25', state: 'unavailable' });
    expect(additional(ask(query('example.com', 'MX'))).sort()).toEqual([
      'mail.example.com A 192.0.2.26',
      'mail.example.com AAAA 2001:db8::25',
    ]);
    // SRV: the target's addresses; '.' (no service) has none.
    expect(additional(ask(query('_sip._tcp.example.com', 'SRV'))).sort()).toEqual([
      'www.example.com A 192.0.2.1',
      'www.example.com A 192.0.2.2',
      'www.example.com A 192.0.2.3',
      'www.example.com AAAA 2001:db8::1',
    ]);
    // Other types get none.
    expect(additional(ask(query('www.example.com', 'A')))).toEqual([]);
  });

  it('leaves out additional addresses that do not fit, without TC (RFC 2181 9), and sends them all over TCP', () => {
    const { ask } = setup();
    const udpAnswer = ask(query('bigmx.example.com', 'MX'));
    expect(udpAnswer.flag_tc).toBe(false);
    expect(udpAnswer.answers).toHaveLength(1);
    expect((udpAnswer.additionals ?? []).length).toBeLessThan(40);
    const tcpAnswer = ask(query('bigmx.example.com', 'MX'), '127.0.0.1', TCP);
    expect((tcpAnswer.additionals ?? []).filter((a) => a.type === 'A')).toHaveLength(40);
  });

  it('answers ANY at a CNAME owner with the CNAME, elsewhere with one HINFO', () => {
    const { ask } = setup();
    const m = ask(query('alias.example.com', 'ANY'));
    expect(m.answers).toEqual([expect.objectContaining({ name: 'alias.example.com', type: 'CNAME', data: 'www.example.com' })]);
  });

  it('answers BADVERS to EDNS versions above 0', () => {
    const { engine } = setup();
    const out = engine.answer(query('www.example.com', 'A', { ednsVersion: 1 }), UDP, '127.0.0.1')!;
    const m = decode(out);
    expect(out[3]! & 0xf).toBe(0);
    expect(m.answers).toEqual([]);
    expect(m.additionals![0]).toMatchObject({ type: 'OPT', extendedRcode: 1, ednsVersion: 0 });
  });

  it('answers SERVFAIL when the pipeline itself fails', () => {
    const onError = jest.fn();
    const zones = new ZoneStore();
    zones.find = () => {
      throw new Error('boom');
    };
    const engine = new DnsEngine({ zones, health: new HealthTable(), geo, onError });
    expect(decode(engine.answer(query('www.example.com', 'A', { id: 9 }), UDP, '127.0.0.1')!)).toMatchObject({ id: 9, rcode: 'SERVFAIL' });
    expect(onError).toHaveBeenCalled();
  });

  it('writes the same UDP answers straight into a send slot, and nothing for what deserves none', () => {
    const a = setup();
    const b = setup();
    const slot = Buffer.alloc(2 * 4096);
    const msgs = [
      query('www.example.com', 'A', { id: 1 }),
      query('nope.example.org', 'A'),
      query('www.example.com', 'A', { edns: true }),
      query('www.example.com', 'A'),
    ];
    for (const msg of msgs) {
      const len = b.engine.answerUdpInto(msg, '127.0.0.1', slot, 4096);
      expect(slot.subarray(4096, 4096 + len).equals(a.engine.answer(msg, UDP, '127.0.0.1')!)).toBe(true);
    }
    const response = Buffer.from(msgs[0]!);
    response[2]! |= 0x80;
    expect(b.engine.answerUdpInto(response, '127.0.0.1', slot, 0)).toBe(0);
    expect(b.counted).toEqual(a.counted);
  });

  it('writes a SERVFAIL into the send slot when the pipeline itself fails', () => {
    const zones = new ZoneStore();
    zones.find = () => {
      throw new Error('boom');
    };
    const engine = new DnsEngine({ zones, health: new HealthTable(), geo, onError: () => undefined });
    const slot = Buffer.alloc(4096);
    const len = engine.answerUdpInto(query('www.example.com', 'A', { id: 7 }), '127.0.0.1', slot, 0);
    expect(decode(slot.subarray(0, len))).toMatchObject({ id: 7, rcode: 'SERVFAIL' });
  });
});

describe('DnsEngine: ip, asn and geodistance', () => {
  // 198.51.100.0/24 is in AS 64500; the places stand in for the city database by address.
  const asn = AsnTable.parse(Buffer.from('3325256704,3325256959,64500,Example\n'), Buffer.alloc(0)).lookup;
  const spots: Record<string, GeoPoint> = {
    '198.51.100.0': geoPoint(48.86, 2.35), // Paris
    '203.0.113.0': geoPoint(35.68, 139.69), // Tokyo
    '127.0.0.1': geoPoint(-33.87, 151.21), // Sydney, as the source address
  };
  const points = (w: Uint32Array) => spots[addressText(w)] ?? null;
  function setup() {
    const zones = new ZoneStore();
    const health = new HealthTable();
    zones.set(
      index(
        zone('example.com', [
          rr(
            'net.example.com',
            'A',
            [
              { content: ['192.0.2.1'], meta: { ip: ['198.51.100.0/24'] } },
              { content: ['192.0.2.2'], meta: { ip: ['203.0.113.0/24', '127.0.0.0/8'] } },
              { content: ['192.0.2.3'], meta: { default: true } },
            ],
            { pickers: [{ type: 'ip' }] },
          ),
          rr(
            'as.example.com',
            'A',
            [
              { content: ['192.0.2.11'], meta: { asn: [64500] } },
              { content: ['192.0.2.12'], meta: { asn: [64501] } },
            ],
            { pickers: [{ type: 'asn', strict: true }] },
          ),
          rr(
            'near.example.com',
            'A',
            [
              { content: ['192.0.2.21'], meta: { latlong: [50.11, 8.68] } }, // Frankfurt
              { content: ['192.0.2.22'], meta: { latlong: [1.35, 103.82] } }, // Singapore
              { content: ['192.0.2.23'], meta: { latlong: [-33.87, 151.21] } }, // Sydney
            ],
            { failover: 'near', pickers: [{ type: 'geodistance' }] },
          ),
        ]),
      ),
    );
    const engine = new DnsEngine({ zones, health, geo: () => null, asn, points });
    const ask = (buf: Buffer, remote = '127.0.0.1') => decode(engine.answer(buf, UDP, remote)!);
    return { ask, health };
  }
  const ecs = (ip: string) => ({ ecs: { ip, prefix: 24 } });
  const scope = (m: Decoded) =>
    (m.additionals![0] as unknown as { options: { scopePrefixLength: number }[] }).options[0]!.scopePrefixLength;

  it('ip: the ECS network decides, else the source address; no match: the default; the scope echoed', () => {
    const { ask } = setup();
    const paris = ask(query('net.example.com', 'A', ecs('198.51.100.0')));
    expect(aData(paris)).toEqual(['192.0.2.1']);
    expect(scope(paris)).toBe(24);
    expect(aData(ask(query('net.example.com', 'A', ecs('203.0.113.0'))))).toEqual(['192.0.2.2']);
    expect(aData(ask(query('net.example.com', 'A', ecs('192.0.2.0'))))).toEqual(['192.0.2.3']);
    expect(aData(ask(query('net.example.com', 'A')))).toEqual(['192.0.2.2']);
    expect(aData(ask(query('net.example.com', 'A'), '10.0.0.1'))).toEqual(['192.0.2.3']);
  });

  it("asn: the client's AS number decides; strict, an unknown one gets NOERROR with nothing", () => {
    const { ask } = setup();
    expect(aData(ask(query('as.example.com', 'A', ecs('198.51.100.0'))))).toEqual(['192.0.2.11']);
    const none = ask(query('as.example.com', 'A', ecs('203.0.113.0')));
    expect(none).toMatchObject({ rcode: 'NOERROR' });
    expect(none.answers).toEqual([]);
    expect(none.authorities![0]!.type).toBe('SOA');
  });

  it('geodistance: nearest first, the same order every time (no rotation), the next nearest when it is down', () => {
    const { ask, health } = setup();
    for (let i = 0; i < 3; i++)
      expect(aData(ask(query('near.example.com', 'A', ecs('198.51.100.0'))))).toEqual(['192.0.2.21', '192.0.2.22', '192.0.2.23']);
    expect(aData(ask(query('near.example.com', 'A', ecs('203.0.113.0'))))).toEqual(['192.0.2.22', '192.0.2.23', '192.0.2.21']);
    expect(aData(ask(query('near.example.com', 'A')))).toEqual(['192.0.2.23', '192.0.2.22', '192.0.2.21']);
    health.apply({ checkId: 'near', address: '192.0.2.21', state: 'unavailable' });
    expect(aData(ask(query('near.example.com', 'A', ecs('198.51.100.0'))))).toEqual(['192.0.2.22', '192.0.2.23']);
  });
});
