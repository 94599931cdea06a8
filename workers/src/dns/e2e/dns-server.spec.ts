// The real server on a loopback port against real Redis: zones and health written exactly as the
// contract says, queried with dns-packet over UDP and TCP and with dig and kdig.
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { aData, decode, dig, kdig, query, tcp, tcpRaw, udp, udpRaw, until } from '../testing/client';
import { redisKeys, type ZoneHead } from '@vigil/contract';
import { rr, zone } from '../testing/zones';
import { loadBatchAddon } from '../udp-batch';
import { sample, scrape, startHarness, type Harness } from './harness';

const exampleV1 = () =>
  zone(
    'example.com',
    [
      rr('example.com', 'CAA', [[0, 'issue', 'letsencrypt.org']]),
      rr('example.com', 'MX', [
        [10, 'mx1.example.com'],
        [20, 'mx2.example.com'],
      ]),
      rr('www.example.com', 'A', ['192.0.2.1', '192.0.2.2', '192.0.2.3']),
      rr('www.example.com', 'AAAA', ['2001:db8::1']),
      rr('txt.example.com', 'TXT', [['hello world'], ['x'.repeat(300)]]),
      rr('_sip._tcp.example.com', 'SRV', [[10, 5, 5060, 'sip.example.com']]),
      rr('10.ptr.example.com', 'PTR', ['host.example.com']),
      rr('svc.example.com', 'HTTPS', [
        [1, '.', ['alpn', 'h3', 'h2'], ['port', 1443], ['ipv4hint', '10.0.0.1', '10.0.0.2'], ['ipv6hint', '2001:db8::1']],
        [2, 'pool.example.net', ['mandatory', 'alpn'], ['alpn', 'f\\oo,bar', 'h2'], ['no-default-alpn'], ['ech', 'AAEC']],
      ]),
      rr('alias.svc.example.com', 'HTTPS', [[0, 'svc.example.com']]),
      rr('_443._tcp.svc.example.com', 'SVCB', [[16, 'foo.example.org', ['key667', 'hello\\210qoo'], ['key65000']]]),
      rr('alias.example.com', 'CNAME', ['www.example.com']),
      rr('ext.example.com', 'CNAME', ['www.example.net']),
      rr('*.wild.example.com', 'A', ['192.0.2.50']),
      rr('x.y.wild.example.com', 'A', ['192.0.2.51']),
      rr('child.example.com', 'NS', ['ns1.child.example.com']),
      rr('ns1.child.example.com', 'A', ['192.0.2.53']),
      rr(
        'big.example.com',
        'TXT',
        Array.from({ length: 8 }, (_, i) => [`${i}`.repeat(200)]),
      ),
      rr('mixed.example.com', 'A', [{ content: ['192.0.2.10'] }, { content: ['192.0.2.11'], enabled: false }, { content: ['192.0.2.12'] }]),
      rr(
        'geo.example.com',
        'A',
        [
          { content: ['192.0.2.21'], meta: { countries: ['US'] } },
          { content: ['192.0.2.22'], meta: { countries: ['FR'] } },
          { content: ['192.0.2.23'], meta: { continents: ['eu'] } },
          { content: ['192.0.2.24'], meta: { countries: ['JP'] } },
          { content: ['192.0.2.29'], meta: { default: true } },
        ],
        { pickers: [{ type: 'geodns', strict: false }] },
      ),
      rr('fo.example.com', 'A', ['192.0.2.41', '192.0.2.42', '192.0.2.43'], { failover: 'chk-fo' }),
      rr(
        'bk.example.com',
        'A',
        [{ content: ['192.0.2.71'] }, { content: ['192.0.2.72'] }, { content: ['198.51.100.71'], meta: { backup: true } }],
        {
          failover: 'chk-bk',
          pickers: [
            { type: 'healthcheck', strict: false },
            { type: 'first_n', limit: 1 },
          ],
        },
      ),
      rr(
        'fogeo.example.com',
        'A',
        [
          { content: ['192.0.2.61'], meta: { countries: ['US'] } },
          { content: ['192.0.2.62'], meta: { countries: ['US'] } },
          { content: ['192.0.2.63'], meta: { default: true } },
        ],
        {
          failover: 'chk-fogeo',
          pickers: [
            { type: 'geodns', strict: false },
            { type: 'first_n', limit: 1 },
          ],
        },
      ),
    ],
    { version: 1, soaTtl: 3600, minimum: 120 },
  );

// Every test runs once per UDP path: Node's dgram, and the batched addon when it is built (a
// missing build fails in CI: see udp-batch.spec.ts).
const udpPaths = loadBatchAddon() === null ? (['dgram'] as const) : (['dgram', 'batch'] as const);

describe.each(udpPaths)('UDP through %s', (udpIo) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(
      async (r) => {
        await r.putZone(exampleV1());
        await r.putZone(zone('sub.example.com', [rr('www.sub.example.com', 'A', ['198.51.100.1'])]));
        // One address already down before the server starts: the initial load must see it.
        await r.setHealth('chk-fo', '192.0.2.43', 'unavailable', false);
      },
      { udpIo },
    );
    expect(h.server.udpIo).toBe(udpIo);
  });

  afterAll(async () => {
    await h?.stop();
  });

  describe('queries over UDP and TCP (dns-packet)', () => {
    it('answers authoritatively over both, echoing the question case', async () => {
      for (const send of [udp, tcp]) {
        const m = await send(h.port, query('WwW.Example.COM', 'A'));
        expect(m).toMatchObject({ rcode: 'NOERROR', flag_aa: true });
        expect(m.questions![0]!.name).toBe('WwW.Example.COM');
        expect(aData(m).sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
      }
    });

    it('rotates the answer on each query', async () => {
      const firsts = new Set<string>();
      for (let i = 0; i < 3; i++) firsts.add(aData(await udp(h.port, query('www.example.com', 'A')))[0]!);
      expect(firsts.size).toBe(3);
    });

    it('answers from the longest matching zone', async () => {
      expect(aData(await udp(h.port, query('www.sub.example.com', 'A')))).toEqual(['198.51.100.1']);
      expect((await udp(h.port, query('nope.sub.example.com', 'A'))).authorities![0]!.name).toBe('sub.example.com');
    });

    it('answers several pipelined queries on one TCP connection, in any framing', async () => {
      const names = ['www.example.com', 'alias.example.com', 'nope.example.com', 'www.example.net'];
      const msgs = names.map((n, i) => query(n, 'A', { id: 100 + i }));
      const all = await tcpRaw(h.port, msgs);
      expect(all.map((a) => decode(a)).map((m) => [m.id, m.rcode])).toEqual([
        [100, 'NOERROR'],
        [101, 'NOERROR'],
        [102, 'NXDOMAIN'],
        [103, 'REFUSED'],
      ]);
      // The same bytes dribbled out: a length prefix split in two, a message split across reads.
      const split = await tcpRaw(h.port, msgs, { chunks: [1, 1, 10, 30, 3] });
      expect(split.map((a) => decode(a).id)).toEqual([100, 101, 102, 103]);
    });

    it('closes idle TCP connections', async () => {
      const closed = await new Promise<boolean>((resolve, reject) => {
        const sock = connect(h.port, '127.0.0.1');
        sock.on('close', () => resolve(true));
        sock.on('error', reject);
        setTimeout(() => resolve(false), 10_000).unref();
      });
      expect(closed).toBe(true);
    });

    it('answers FORMERR, NOTIMP and BADVERS', async () => {
      const two = query('www.example.com', 'A', { id: 77 });
      two.writeUInt16BE(0, 4);
      expect(decode(await udpRaw(h.port, two))).toMatchObject({ id: 77, rcode: 'FORMERR' });
      const bad = await udp(h.port, query('www.example.com', 'A', { ednsVersion: 1 }));
      expect(bad.additionals![0]).toMatchObject({ type: 'OPT', extendedRcode: 1 });
    });

    it('sets TC over UDP for a large answer and answers it in full over TCP', async () => {
      const viaUdp = await udp(h.port, query('big.example.com', 'TXT', { udpSize: 4096 }));
      expect(viaUdp.flag_tc).toBe(true);
      const viaTcp = await tcp(h.port, query('big.example.com', 'TXT'));
      expect(viaTcp.flag_tc).toBe(false);
      expect(viaTcp.answers).toHaveLength(8);
    });

    it('echoes the client subnet with the scope the answer depends on', async () => {
      const m = await udp(h.port, query('geo.example.com', 'A', { ecs: { ip: '212.27.48.0', prefix: 24 } }));
      expect(aData(m)).toEqual(['192.0.2.22']);
      const opt = m.additionals![0] as unknown as { options: { ip: string; sourcePrefixLength: number; scopePrefixLength: number }[] };
      expect(opt.options[0]).toMatchObject({ ip: '212.27.48.0', sourcePrefixLength: 24, scopePrefixLength: 24 });
    });

    it('drops responses sent to it instead of answering them', async () => {
      const response = dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'www.example.com', type: 'A' }] });
      await expect(udpRaw(h.port, response, 300)).rejects.toThrow('timed out');
    });
  });

  describe('the same rules seen by dig and kdig', () => {
    // Each tool's own presentation of the records above: BIND quotes alpn, Knot does not.
    const expectedSvc = {
      dig: [
        '1 . alpn="h3,h2" port=1443 ipv4hint=10.0.0.1,10.0.0.2 ipv6hint=2001:db8::1',
        '2 pool.example.net. mandatory=alpn alpn="f\\\\\\\\oo\\\\,bar,h2" no-default-alpn ech=AAEC',
        '16 foo.example.org. key667="hello\\210qoo" key65000',
      ],
      kdig: [
        '1 . alpn=h3,h2 port=1443 ipv4hint=10.0.0.1,10.0.0.2 ipv6hint=2001:db8::1',
        '2 pool.example.net. mandatory=alpn alpn=f\\\\\\\\oo\\\\,bar,h2 no-default-alpn ech=AAEC',
        '16 foo.example.org. key667="hello\\210qoo" key65000',
      ],
    };

    for (const [toolName, tool] of [
      ['dig', dig],
      ['kdig', kdig],
    ] as const) {
      describe(toolName, () => {
        it('answers with AA and no RA', async () => {
          const a = await tool(h.port, ['www.example.com', 'A']);
          expect(a.status).toBe('NOERROR');
          expect(a.flags).toEqual(expect.arrayContaining(['qr', 'aa']));
          expect(a.flags).not.toContain('ra');
          expect(a.sections.ANSWER!.map((r) => r[3]).sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
        });

        it('refuses names outside the hosted zones', async () => {
          const a = await tool(h.port, ['www.example.net', 'A']);
          expect(a.status).toBe('REFUSED');
          expect(a.flags).not.toContain('aa');
        });

        it('answers NXDOMAIN and NODATA with the SOA at the negative TTL', async () => {
          const nx = await tool(h.port, ['nope.example.com', 'A']);
          expect(nx.status).toBe('NXDOMAIN');
          expect(nx.sections.AUTHORITY).toEqual([
            ['example.com.', 120, 'SOA', 'ns1.example.com. hostmaster.example.com. 1 3600 600 604800 120'],
          ]);
          const nodata = await tool(h.port, ['www.example.com', 'TXT']);
          expect(nodata.status).toBe('NOERROR');
          expect(nodata.sections.ANSWER).toBeUndefined();
          expect(nodata.sections.AUTHORITY![0]![2]).toBe('SOA');
        });

        it('answers SOA and NS at the apex', async () => {
          const soa = await tool(h.port, ['example.com', 'SOA']);
          expect(soa.sections.ANSWER).toEqual([
            ['example.com.', 3600, 'SOA', 'ns1.example.com. hostmaster.example.com. 1 3600 600 604800 120'],
          ]);
          const ns = await tool(h.port, ['example.com', 'NS']);
          expect(ns.sections.ANSWER!.map((r) => r[3]).sort()).toEqual(['ns1.example.com.', 'ns2.example.com.']);
        });

        it('serves every record type', async () => {
          const one = async (name: string, type: string) => (await tool(h.port, [name, type])).sections.ANSWER!.map((r) => r[3]);
          expect(await one('www.example.com', 'AAAA')).toEqual(['2001:db8::1']);
          expect((await one('example.com', 'MX')).sort()).toEqual(['10 mx1.example.com.', '20 mx2.example.com.']);
          expect(await one('_sip._tcp.example.com', 'SRV')).toEqual(['10 5 5060 sip.example.com.']);
          expect(await one('example.com', 'CAA')).toEqual(['0 issue "letsencrypt.org"']);
          expect(await one('10.ptr.example.com', 'PTR')).toEqual(['host.example.com.']);
          expect(await one('alias.example.com', 'CNAME')).toEqual(['www.example.com.']);
          const txt = await one('txt.example.com', 'TXT');
          // 300 bytes travel as two character-strings of 255 and 45.
          expect(txt).toEqual(expect.arrayContaining(['"hello world"', `"${'x'.repeat(255)}" "${'x'.repeat(45)}"`]));
        });

        it('answers SVCB and HTTPS (types 64 and 65) that it reads as RFC 9460 writes them', async () => {
          const one = async (name: string, type: string) => (await tool(h.port, [name, type])).sections.ANSWER!.map((r) => r[3]);
          const https = await one('svc.example.com', 'HTTPS');
          expect(https).toHaveLength(2);
          expect(https).toContainEqual(expectedSvc[toolName][0]);
          expect(https).toContainEqual(expectedSvc[toolName][1]);
          expect(await one('alias.svc.example.com', 'HTTPS')).toEqual(['0 svc.example.com.']);
          expect(await one('_443._tcp.svc.example.com', 'SVCB')).toEqual([expectedSvc[toolName][2]]);
          // The type numbers as such, and no HTTPS where only SVCB is.
          expect(await one('_443._tcp.svc.example.com', 'TYPE64')).toEqual([expectedSvc[toolName][2]]);
          expect((await tool(h.port, ['_443._tcp.svc.example.com', 'TYPE65'])).sections.ANSWER).toBeUndefined();
        });

        it('follows a CNAME inside the zone and stops at one outside', async () => {
          const a = await tool(h.port, ['alias.example.com', 'A']);
          expect(a.sections.ANSWER!.map((r) => [r[0], r[2]])).toEqual([
            ['alias.example.com.', 'CNAME'],
            ['www.example.com.', 'A'],
            ['www.example.com.', 'A'],
            ['www.example.com.', 'A'],
          ]);
          const ext = await tool(h.port, ['ext.example.com', 'A']);
          expect(ext.sections.ANSWER!.map((r) => r[3])).toEqual(['www.example.net.']);
        });

        it('matches wildcards, except across an empty non-terminal', async () => {
          const w = await tool(h.port, ['Deep.Name.wild.example.com', 'A']);
          expect(w.sections.ANSWER).toEqual([[expect.stringMatching(/^deep\.name\.wild\.example\.com\.$/i), 300, 'A', '192.0.2.50']]);
          const ent = await tool(h.port, ['y.wild.example.com', 'A']);
          expect(ent.status).toBe('NOERROR');
          expect(ent.sections.ANSWER).toBeUndefined();
        });

        it('refers a delegated name with glue and without AA', async () => {
          const a = await tool(h.port, ['+norec', 'www.child.example.com', 'A']);
          expect(a.status).toBe('NOERROR');
          expect(a.flags).not.toContain('aa');
          expect(a.sections.AUTHORITY).toEqual([['child.example.com.', 300, 'NS', 'ns1.child.example.com.']]);
          expect(a.sections.ADDITIONAL).toEqual([['ns1.child.example.com.', 300, 'A', '192.0.2.53']]);
        });

        it('answers ANY minimally (RFC 8482)', async () => {
          const a = await tool(h.port, ['www.example.com', 'ANY']);
          expect(a.sections.ANSWER).toEqual([['www.example.com.', 3600, 'HINFO', '"RFC8482" ""']]);
        });

        it('retries a truncated answer over TCP and gets it all', async () => {
          const a = await tool(h.port, ['big.example.com', 'TXT']);
          expect(a.sections.ANSWER).toHaveLength(8);
          expect(a.text).toMatch(/\(TCP\)/);
        });

        it('picks records by the client subnet: country, continent, default', async () => {
          const pick = async (subnet: string) => {
            const a = await tool(h.port, [`+subnet=${subnet}`, 'geo.example.com', 'A']);
            expect(a.text).toContain(`CLIENT-SUBNET: ${subnet}/${subnet.split('/')[1]}`);
            return a.sections.ANSWER!.map((r) => r[3]);
          };
          expect(await pick('8.8.8.0/24')).toEqual(['192.0.2.21']); // US
          expect(await pick('212.27.48.0/24')).toEqual(['192.0.2.22']); // FR
          expect(await pick('193.0.6.0/24')).toEqual(['192.0.2.23']); // NL → Europe
          expect(await pick('202.12.27.0/24')).toEqual(['192.0.2.24']); // JP
          expect(await pick('2a00:1450:4001::/48')).toEqual(['192.0.2.23']); // DE → Europe
          expect(await pick('200.160.0.0/24')).toEqual(['192.0.2.29']); // BR: the default
        });

        it('never serves disabled records', async () => {
          const a = await tool(h.port, ['mixed.example.com', 'A']);
          expect(a.sections.ANSWER!.map((r) => r[3]).sort()).toEqual(['192.0.2.10', '192.0.2.12']);
        });
      });
    }

    it('dig sees BADVERS, NOTAUTH to a NOTIFY and NOTIMP to another opcode, with the question and OPT echoed', async () => {
      const badvers = await dig(h.port, ['+edns=1', '+noednsnegotiation', 'www.example.com']);
      expect(badvers.status).toBe('BADVERS');
      const notify = await dig(h.port, ['+opcode=notify', 'example.com', 'SOA']);
      expect(notify.status).toBe('NOTAUTH');
      expect(notify.text).toContain('QUERY: 1');
      expect(notify.text).toContain('EDNS: version: 0');
      const status = await dig(h.port, ['+opcode=status', 'example.com', 'SOA']);
      expect(status.status).toBe('NOTIMP');
      expect(status.text).toContain('QUERY: 1');
    });

    it('dig sees the Extended DNS Error of a REFUSED (RFC 8914: 20, Not Authoritative)', async () => {
      const refused = await dig(h.port, ['www.example.net', 'A']);
      expect(refused.status).toBe('REFUSED');
      expect(refused.text).toMatch(/EDE: 20 \(Not Authoritative\)/);
    });
  });

  describe('failover and changes through the feed', () => {
    const fo = async () => aData(await udp(h.port, query('fo.example.com', 'A'))).sort();

    it('leaves out addresses that were unavailable at load', async () => {
      expect(await fo()).toEqual(['192.0.2.41', '192.0.2.42']);
    });

    it('applies health changes from the feed, and fails open when every address is down', async () => {
      await h.redis.setHealth('chk-fo', '192.0.2.41', 'unavailable');
      await until('192.0.2.41 to leave the answer', async () => JSON.stringify(await fo()) === JSON.stringify(['192.0.2.42']));
      await h.redis.setHealth('chk-fo', '192.0.2.42', 'unavailable');
      await until('all addresses to come back (fail open)', async () => (await fo()).length === 3);
      await h.redis.setHealth('chk-fo', '192.0.2.43', 'available');
      await until('only 192.0.2.43', async () => JSON.stringify(await fo()) === JSON.stringify(['192.0.2.43']));
    });

    it('serves a backup record only once every other record is down, then fails open with all (pickers still apply)', async () => {
      const ask = async () => aData(await udp(h.port, query('bk.example.com', 'A')));
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) for (const a of await ask()) seen.add(a);
      // first_n 1: the first primary, never the backup.
      expect([...seen]).toEqual(['192.0.2.71']);
      await h.redis.setHealth('chk-bk', '192.0.2.71', 'unavailable');
      await until('only 192.0.2.72', async () => (await ask())[0] === '192.0.2.72' && (await ask())[0] === '192.0.2.72');
      await h.redis.setHealth('chk-bk', '192.0.2.72', 'unavailable');
      await until('the backup', async () => JSON.stringify(await ask()) === JSON.stringify(['198.51.100.71']));
      await h.redis.setHealth('chk-bk', '198.51.100.71', 'unavailable');
      await until('fail open over all three, first_n still one', async () => {
        const a = await ask();
        return a.length === 1 && a[0] !== '198.51.100.71';
      });
      await h.redis.setHealth('chk-bk', '192.0.2.72', 'available');
      await until('the primary back', async () => JSON.stringify(await ask()) === JSON.stringify(['192.0.2.72']));
    });

    it('runs the pickers over all addresses when all are down (geodns then first_n)', async () => {
      const ask = async () => aData(await udp(h.port, query('fogeo.example.com', 'A', { ecs: { ip: '8.8.8.0', prefix: 24 } })));
      expect(await ask()).toEqual(['192.0.2.61']);
      await h.redis.setHealth('chk-fogeo', '192.0.2.61', 'unavailable');
      await until('the other US address', async () => (await ask())[0] === '192.0.2.62');
      await h.redis.setHealth('chk-fogeo', '192.0.2.62', 'unavailable');
      // No healthy US address: geodns over the healthy set falls back to the default record.
      await until('the default record', async () => (await ask())[0] === '192.0.2.63');
      await h.redis.setHealth('chk-fogeo', '192.0.2.63', 'unavailable');
      // None healthy: the pickers run over every address, so a US client gets one US record again.
      await until('a US record, one only', async () => {
        const a = await ask();
        return a.length === 1 && a[0] === '192.0.2.61';
      });
    });

    it('applies a zone change from the feed, and ignores an older version', async () => {
      const v2 = exampleV1();
      v2.version = 2;
      v2.rrsets.push(rr('new.example.com', 'A', ['192.0.2.200']));
      await h.redis.putZone(v2);
      await until('new.example.com', async () => aData(await udp(h.port, query('new.example.com', 'A')))[0] === '192.0.2.200');
      expect(h.server.zones.get('example.com')!.version).toBe(2);
      // A late publish of version 1 must not undo version 2.
      const upserts = async () =>
        Number(sample(await scrape(h.server.metricsPort), 'vigil_dns_feed_events_total', { kind: 'zone.upsert' }));
      const before = await upserts();
      await h.redis.putZone(exampleV1());
      await until('the stale upsert to be read', async () => (await upserts()) > before);
      expect(h.server.zones.get('example.com')!.version).toBe(2);
      expect(aData(await udp(h.port, query('new.example.com', 'A')))).toEqual(['192.0.2.200']);
      await h.redis.putZone(v2, false);
    });

    it('patches a zone from record-set deltas, and ignores one that comes late or again', async () => {
      const head = (version: number): ZoneHead => {
        const { rrsets: _, ...rest } = zone('delta.example', [], { version });
        return rest;
      };
      await h.redis.putZone(zone('delta.example', [rr('www.delta.example', 'A', ['203.0.113.1'])], { version: 10 }));
      await until('delta.example', async () => aData(await udp(h.port, query('www.delta.example', 'A')))[0] === '203.0.113.1');
      const serial = async () =>
        ((await udp(h.port, query('delta.example', 'SOA'))).answers![0] as { data: { serial: number } }).data.serial;
      expect(await serial()).toBe(10);

      const added = rr('new.delta.example', 'A', ['203.0.113.7']);
      expect(await h.redis.publishDelta(head(11), [added])).toBe('applied');
      await until('the added record set', async () => aData(await udp(h.port, query('new.delta.example', 'A')))[0] === '203.0.113.7');
      expect(await serial()).toBe(11);
      expect(aData(await udp(h.port, query('www.delta.example', 'A')))).toEqual(['203.0.113.1']);

      expect(await h.redis.publishDelta(head(12), [], [{ name: 'new.delta.example', type: 'A' }])).toBe('applied');
      await until('the deletion', async () => (await udp(h.port, query('new.delta.example', 'A'))).rcode === 'NXDOMAIN');
      // Redis itself refuses the older change: the deletion at 12 is newer.
      expect(await h.redis.publishDelta(head(11), [added])).toBe('unchanged');
      // And the server ignores the same change when it reaches the feed anyway (a replay).
      const events = async () => Number(sample(await scrape(h.server.metricsPort), 'vigil_dns_feed_events_total', { kind: 'zone.delta' }));
      const before = await events();
      await h.redis.feed({ kind: 'zone.delta', zone: 'delta.example', version: 11, head: head(11), upserts: [added], deletes: [] });
      await until('the replayed delta to be read', async () => (await events()) > before);
      expect((await udp(h.port, query('new.delta.example', 'A'))).rcode).toBe('NXDOMAIN');
      expect(await serial()).toBe(12);
      expect(h.server.zones.get('delta.example')!.version).toBe(12);
      await h.redis.deleteZone('delta.example', 13);
      await until('delta.example to be refused', async () => (await udp(h.port, query('www.delta.example', 'A'))).rcode === 'REFUSED');
    });

    it('counts a load whose fields disagree with the zone digest, serving what it read, small (HGETALL) or large (HSCAN)', async () => {
      const mismatches = async () => Number(sample(await scrape(h.server.metricsPort), 'vigil_dns_zone_digest_mismatches_total'));
      let expected = await mismatches();
      for (const [name, n] of [
        ['small-digest.example', 3],
        ['large-digest.example', 2500],
      ] as const) {
        const rrsets = Array.from({ length: n }, (_, i) => rr(`h${i}.${name}`, 'A', [`198.51.100.${(i % 250) + 1}`]));
        await h.redis.putZone(zone(name, rrsets, { version: 20 }));
        await until(name, async () => aData(await udp(h.port, query(`h2.${name}`, 'A')))[0] === '198.51.100.3');
        expect(await mismatches()).toBe(expected);
        // A field lost behind the api's back, then the zone announced again.
        await h.redis.putZone(zone(name, rrsets, { version: 21 }), false);
        await h.redis.redis.hdel(h.redis.key(redisKeys.zone(name)), `h1.${name} A`);
        await h.redis.feed({ kind: 'zone.upsert', zone: name, version: 21 });
        await until(`${name} at 21`, async () => h.server.zones.get(name)?.version === 21);
        expect(await mismatches()).toBe(++expected);
        expect((await udp(h.port, query(`h1.${name}`, 'A'))).rcode).toBe('NXDOMAIN');
        expect(aData(await udp(h.port, query(`h2.${name}`, 'A')))).toEqual(['198.51.100.3']);
        await h.redis.deleteZone(name, 22);
        await until(`${name} to go`, async () => !h.server.zones.get(name));
      }
    });

    it('serves a new zone and stops serving a deleted one', async () => {
      await h.redis.putZone(zone('example.org', [rr('www.example.org', 'A', ['203.0.113.5'])], { version: 3 }));
      await until('example.org', async () => aData(await udp(h.port, query('www.example.org', 'A')))[0] === '203.0.113.5');
      // A delete older than what is held is ignored…
      await h.redis.feed({ kind: 'zone.delete', zone: 'example.org', version: 2 });
      // …one at or above it removes the zone.
      await h.redis.deleteZone('example.org', 3);
      await until('example.org to be refused', async () => (await udp(h.port, query('www.example.org', 'A'))).rcode === 'REFUSED');
    });
  });

  describe('metrics', () => {
    it('exposes queries by zone, rcode and protocol, latency, sync state and zones loaded', async () => {
      await udp(h.port, query('www.example.com', 'A'));
      await tcp(h.port, query('nope.example.com', 'A'));
      await udp(h.port, query('www.example.net', 'A'));
      const text = await scrape(h.server.metricsPort);
      expect(sample(text, 'vigil_dns_queries_total', { zone: 'example.com', rcode: 'NOERROR', protocol: 'udp' })).toBeGreaterThan(0);
      expect(sample(text, 'vigil_dns_queries_total', { zone: 'example.com', rcode: 'NXDOMAIN', protocol: 'tcp' })).toBeGreaterThan(0);
      expect(sample(text, 'vigil_dns_queries_total', { zone: '', rcode: 'REFUSED', protocol: 'udp' })).toBeGreaterThan(0);
      expect(sample(text, 'vigil_dns_answer_duration_seconds_count')).toBeGreaterThan(0);
      expect(sample(text, 'vigil_dns_redis_connected')).toBe(1);
      expect(sample(text, 'vigil_dns_zones_loaded')).toBe(2);
      // Connected: the feed poll (500 ms here) keeps confirming the sync.
      expect(sample(text, 'vigil_dns_redis_sync_age_seconds')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'vigil_dns_redis_sync_age_seconds')).toBeLessThan(2);
      expect(sample(text, 'vigil_dns_full_reloads_total', { reason: 'start' })).toBe(1);
      const health = await fetch(`http://127.0.0.1:${h.server.metricsPort}/healthz`);
      expect(health.status).toBe(200);
    });
  });
});
