// The ip, asn and geodistance pickers on the real server over UDP, with the packaged databases it
// loads at start, and ECS from addresses of five continents. What the databases say of each
// address is read here, from the files themselves (maxmind on the city files, the ASN package's
// text CSVs), not assumed: the expected answers follow from where the databases put the clients.
import { readFileSync } from 'node:fs';
import { formatRtt, healthField, redisKeys } from '@vigil/contract';
import ipaddr from 'ipaddr.js';
import { Reader, type Response } from 'maxmind';
import { aData, query, udp, until } from '../testing/client';
import { rr, zone } from '../testing/zones';
import { cityFiles } from '../geo-data';
import { startHarness, type Harness } from './harness';

interface Client {
  readonly name: string;
  /** The ECS address (a /24, or a /48 for IPv6). */
  readonly ip: string;
  /** Where the city database must place it for the expected answers to hold: [lat, lon] boxes. */
  readonly box: readonly [[number, number], [number, number]];
  /** The server nearest to that place, and the one after it. */
  readonly nearest: string;
  readonly next: string;
}

// Frankfurt, Ashburn (Virginia), São Paulo, Singapore, Sydney.
const FRA = '192.0.2.1';
const IAD = '192.0.2.2';
const GRU = '192.0.2.3';
const SIN = '192.0.2.4';
const SYD = '192.0.2.5';
const servers = [
  { content: [FRA], meta: { latlong: [50.11, 8.68] as [number, number] } },
  { content: [IAD], meta: { latlong: [39.04, -77.49] as [number, number] } },
  { content: [GRU], meta: { latlong: [-23.55, -46.63] as [number, number] } },
  { content: [SIN], meta: { latlong: [1.35, 103.82] as [number, number] } },
  { content: [SYD], meta: { latlong: [-33.87, 151.21] as [number, number] } },
];

const clients: Client[] = [
  // Western Europe: Frankfurt, then Ashburn (about 6,000 km against São Paulo's 9,000+).
  {
    name: 'Paris',
    ip: '212.27.48.0',
    box: [
      [42, 52],
      [-5, 9],
    ],
    nearest: FRA,
    next: IAD,
  },
  {
    name: 'Amsterdam (IPv6)',
    ip: '2001:67c:2e8::',
    box: [
      [50, 54],
      [3, 8],
    ],
    nearest: FRA,
    next: IAD,
  },
  // Japan: Singapore (about 5,300 km), then Sydney (about 7,800 km).
  {
    name: 'Tokyo',
    ip: '203.178.141.0',
    box: [
      [33, 37],
      [138, 141],
    ],
    nearest: SIN,
    next: SYD,
  },
  // Southeast Brazil: São Paulo, then Ashburn.
  {
    name: 'São Paulo',
    ip: '200.160.0.0',
    box: [
      [-25, -22],
      [-48, -45],
    ],
    nearest: GRU,
    next: IAD,
  },
  // New South Wales: Sydney, then Singapore.
  {
    name: 'Sydney',
    ip: '139.130.4.0',
    box: [
      [-35, -33],
      [150, 152],
    ],
    nearest: SYD,
    next: SIN,
  },
  // California: Ashburn (about 3,900 km), then Frankfurt (about 9,100 km; São Paulo about 10,400).
  {
    name: 'Mountain View',
    ip: '8.8.8.0',
    box: [
      [36, 39],
      [-123, -121],
    ],
    nearest: IAD,
    next: FRA,
  },
];

const prefix = (ip: string) => (ip.includes(':') ? 48 : 24);
const ask = async (port: number, name: string, ip: string) => aData(await udp(port, query(name, 'A', { ecs: { ip, prefix: prefix(ip) } })));

/**
 * The AS numbers the ASN package gives the addresses, found by a scan of its own (split and
 * BigInt per line, one pass per file) rather than by the server's table.
 */
function asnsOf(ips: readonly string[]): Map<string, number | null> {
  const out = new Map<string, number | null>(ips.map((ip) => [ip, null]));
  for (const family of ['4', '6']) {
    const wanted = ips
      .filter((ip) => (ipaddr.parse(ip).kind() === 'ipv6') === (family === '6'))
      .map((ip) => [ip, BigInt(`0x${Buffer.from(ipaddr.parse(ip).toByteArray()).toString('hex')}`)] as const);
    const file = require.resolve(`@ip-location-db/asn/asn-ipv${family}-num.csv`);
    for (const line of readFileSync(file, 'latin1').split('\n')) {
      const [start, end, asn] = line.split(',', 3);
      if (!start || !end || !asn) continue;
      for (const [ip, a] of wanted) if (BigInt(start) <= a && a <= BigInt(end)) out.set(ip, Number(asn));
    }
  }
  return out;
}

describe('ip, asn and geodistance pickers over UDP with ECS', () => {
  let h: Harness;
  const asns = new Map<string, number | null>();

  beforeAll(async () => {
    const found = asnsOf(clients.map((c) => c.ip));
    for (const c of clients) asns.set(c.name, found.get(c.ip)!);
    h = await startHarness(async (r) => {
      await r.putZone(
        zone('example.com', [
          rr('near.example.com', 'A', servers, {
            failover: 'chk-near',
            pickers: [{ type: 'geodistance' }, { type: 'first_n', limit: 1 }],
          }),
          rr('order.example.com', 'A', servers, { pickers: [{ type: 'geodistance' }] }),
          rr('rtt.example.com', 'A', servers, { failover: 'chk-rtt', pickers: [{ type: 'geodistance', rtt: true }] }),
          rr(
            'net.example.com',
            'A',
            [
              { content: ['198.51.100.1'], meta: { ip: ['212.27.48.0/24', '2001:67c:2e8::/48'] } },
              { content: ['198.51.100.2'], meta: { ip: ['203.178.141.0/24'] } },
              { content: ['198.51.100.3'], meta: { default: true } },
            ],
            { pickers: [{ type: 'ip' }] },
          ),
          rr(
            'as.example.com',
            'A',
            [
              { content: ['198.51.100.11'], meta: { asn: [asns.get('Paris')!] } },
              { content: ['198.51.100.12'], meta: { asn: [asns.get('Tokyo')!, asns.get('Sydney')!] } },
              { content: ['198.51.100.13'], meta: { default: true } },
            ],
            { pickers: [{ type: 'asn' }] },
          ),
        ]),
      );
    });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('the databases place the clients where the expectations say, and give them distinct AS numbers', () => {
    const files = cityFiles();
    const v4 = new Reader<Response>(readFileSync(files.v4));
    const v6 = new Reader<Response>(readFileSync(files.v6));
    for (const c of clients) {
      const rec = (c.ip.includes(':') ? v6 : v4).get(c.ip) as { latitude?: number; longitude?: number } | null;
      const [[latMin, latMax], [lonMin, lonMax]] = c.box;
      const lat = rec?.latitude ?? NaN;
      const lon = rec?.longitude ?? NaN;
      expect([c.name, lat, lon, lat >= latMin && lat <= latMax && lon >= lonMin && lon <= lonMax]).toEqual([c.name, lat, lon, true]);
    }
    const paris = asns.get('Paris');
    const tokyo = asns.get('Tokyo');
    const saoPaulo = asns.get('São Paulo');
    for (const a of [paris, tokyo, saoPaulo, asns.get('Sydney')]) expect(typeof a).toBe('number');
    expect(new Set([paris, tokyo, saoPaulo]).size).toBe(3);
    expect([paris, tokyo, asns.get('Sydney')]).not.toContain(saoPaulo);
  });

  it('geodistance answers each client with the nearest server', async () => {
    for (const c of clients) expect([c.name, await ask(h.port, 'near.example.com', c.ip)]).toEqual([c.name, [c.nearest]]);
  });

  it('geodistance without a limit answers every server, nearest first, in the same order each time', async () => {
    const paris = await ask(h.port, 'order.example.com', '212.27.48.0');
    expect(paris).toEqual([FRA, IAD, GRU, SIN, SYD]);
    expect(await ask(h.port, 'order.example.com', '212.27.48.0')).toEqual(paris);
    // From Sydney: Singapore 6,300 km, São Paulo 13,400, Ashburn 15,700, Frankfurt 16,500.
    expect(await ask(h.port, 'order.example.com', '139.130.4.0')).toEqual([SYD, SIN, GRU, IAD, FRA]);
  });

  it('with the nearest unavailable in the health table, the next nearest answers; back when it recovers', async () => {
    await h.redis.setHealth('chk-near', FRA, 'unavailable');
    await until('Paris gets the next nearest', async () => (await ask(h.port, 'near.example.com', '212.27.48.0'))[0] === IAD);
    for (const c of clients) {
      const want = c.nearest === FRA ? c.next : c.nearest;
      expect([c.name, await ask(h.port, 'near.example.com', c.ip)]).toEqual([c.name, [want]]);
    }
    await h.redis.setHealth('chk-near', SIN, 'unavailable');
    await until('Tokyo on Sydney, Singapore down too', async () => (await ask(h.port, 'near.example.com', '203.178.141.0'))[0] === SYD);
    expect(await ask(h.port, 'near.example.com', '212.27.48.0')).toEqual([IAD]);
    await h.redis.setHealth('chk-near', FRA, 'available');
    await until('Paris back on Frankfurt', async () => (await ask(h.port, 'near.example.com', '212.27.48.0'))[0] === FRA);
    await h.redis.setHealth('chk-near', SIN, 'available');
    await until('Tokyo back on Singapore', async () => (await ask(h.port, 'near.example.com', '203.178.141.0'))[0] === SIN);
  });

  it('geodistance with rtt ranks by what the probe location nearest the client measured, reloaded from Redis', async () => {
    const r = h.redis.redis;
    const paris = '212.27.48.0';
    const tokyo = '203.178.141.0';
    // Nothing measured yet: plain geodistance.
    expect(await ask(h.port, 'rtt.example.com', paris)).toEqual([FRA, IAD, GRU, SIN, SYD]);
    const now = Date.now();
    const put = (location: string, rtts: Record<string, number>) =>
      r.hset(
        h.redis.key(redisKeys.rtt(location)),
        Object.fromEntries(
          Object.entries(rtts).map(([a, ms]) => [healthField('chk-rtt', a), formatRtt({ ms, at: now, frequency: 10, ok: true })]),
        ),
      );
    await put('eu-1', { [SYD]: 5, [GRU]: 9 });
    await put('ap-1', { [IAD]: 3 });
    await r.hset(h.redis.key(redisKeys.locationPoints), { 'eu-1': '48.86,2.35', 'ap-1': '35.68,139.69' });
    // Paris is nearest eu-1: its measured first by RTT, the rest by distance; Tokyo is nearest ap-1.
    await until('the RTTs reloaded', async () => (await ask(h.port, 'rtt.example.com', paris))[0] === SYD);
    expect(await ask(h.port, 'rtt.example.com', paris)).toEqual([SYD, GRU, FRA, IAD, SIN]);
    expect(await ask(h.port, 'rtt.example.com', tokyo)).toEqual([IAD, SIN, SYD, FRA, GRU]);
    // The same table leaves plain geodistance alone.
    expect(await ask(h.port, 'order.example.com', paris)).toEqual([FRA, IAD, GRU, SIN, SYD]);
    // The fastest down: the next fastest first, from the health table at once.
    await h.redis.setHealth('chk-rtt', SYD, 'unavailable');
    await until('Paris on the next fastest', async () => (await ask(h.port, 'rtt.example.com', paris))[0] === GRU);
    expect(await ask(h.port, 'rtt.example.com', paris)).toEqual([GRU, FRA, IAD, SIN]);
    await h.redis.setHealth('chk-rtt', SYD, 'available');
    // eu-1's latest result for Sydney failed: it ranks as unmeasured, by distance.
    await r.hset(
      h.redis.key(redisKeys.rtt('eu-1')),
      healthField('chk-rtt', SYD),
      formatRtt({ ms: 5, at: now + 1, frequency: 10, ok: false }),
    );
    await until('Sydney no longer fast from eu-1', async () => (await ask(h.port, 'rtt.example.com', paris))[0] === GRU);
    expect(await ask(h.port, 'rtt.example.com', paris)).toEqual([GRU, FRA, IAD, SIN, SYD]);
    // No location placed any more: plain geodistance again.
    await r.del(h.redis.key(redisKeys.locationPoints));
    await until('back to geodistance', async () => (await ask(h.port, 'rtt.example.com', tokyo))[0] === SIN);
    expect(await ask(h.port, 'rtt.example.com', tokyo)).toEqual([SIN, SYD, FRA, IAD, GRU]);
  });

  it('ip answers by the network holding the ECS address, IPv4 and IPv6; others get the default', async () => {
    expect(await ask(h.port, 'net.example.com', '212.27.48.0')).toEqual(['198.51.100.1']);
    expect(await ask(h.port, 'net.example.com', '2001:67c:2e8::')).toEqual(['198.51.100.1']);
    expect(await ask(h.port, 'net.example.com', '203.178.141.0')).toEqual(['198.51.100.2']);
    expect(await ask(h.port, 'net.example.com', '200.160.0.0')).toEqual(['198.51.100.3']);
    // No ECS: the source address (127.0.0.1) is in no network.
    expect(aData(await udp(h.port, query('net.example.com', 'A')))).toEqual(['198.51.100.3']);
  });

  it("asn answers by the ECS address's autonomous system; others get the default", async () => {
    expect(await ask(h.port, 'as.example.com', '212.27.48.0')).toEqual(['198.51.100.11']);
    expect(await ask(h.port, 'as.example.com', '203.178.141.0')).toEqual(['198.51.100.12']);
    expect(await ask(h.port, 'as.example.com', '139.130.4.0')).toEqual(['198.51.100.12']);
    expect(await ask(h.port, 'as.example.com', '200.160.0.0')).toEqual(['198.51.100.13']);
  });
});
