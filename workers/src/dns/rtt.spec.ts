import { formatRtt, type Picker } from '@vigil/contract';
import { geoPoint } from './geo-data';
import { HealthTable } from './health';
import { applyPickers, fastestFirst, nearestFirst, pickRecords } from './pickers';
import { buildRttSites, RttTable, type RttSite } from './rtt';
import { contents, servedA } from './testing/zones';

const PARIS = geoPoint(48.86, 2.35);
const TOKYO = geoPoint(35.68, 139.69);
const NOW = 1_764_000_000_000;

// Three addresses of check "chk": Frankfurt, New York, Sydney.
const rrset = servedA(
  [
    { content: ['192.0.2.1'], meta: { latlong: [50.11, 8.68] } },
    { content: ['192.0.2.2'], meta: { latlong: [40.71, -74.0] } },
    { content: ['192.0.2.3'], meta: { latlong: [-33.87, 151.21] } },
    { content: ['192.0.2.4'] },
  ],
  { failover: 'chk', pickers: [{ type: 'geodistance', rtt: true }] },
);
const records = rrset.records;
const site = (location: string, point: ReturnType<typeof geoPoint>, rtt: Record<string, number>): RttSite => ({
  location,
  point,
  rtt: new Map(Object.entries(rtt).map(([a, ms]) => [`chk/${a}`, ms])),
});
const at = (p: ReturnType<typeof geoPoint> | null, s: RttSite | null) => ({
  address: () => null,
  asn: () => null,
  location: () => null,
  point: () => p,
  rttSite: () => s,
  random: Math.random,
});

describe('the rtt ranking rule (geodistance with rtt)', () => {
  it('ranks what the location measured by RTT ascending, then the rest in geodistance order', () => {
    const paris = site('eu', PARIS, { '192.0.2.3': 12, '192.0.2.2': 40 });
    // Measured: Sydney (12), New York (40); unmeasured by distance from Paris: Frankfurt, then no place.
    expect(contents(fastestFirst(records, PARIS, paris))).toEqual(['192.0.2.3', '192.0.2.2', '192.0.2.1', '192.0.2.4']);
    // Equal RTTs: the nearer first.
    const tie = site('eu', PARIS, { '192.0.2.3': 10, '192.0.2.1': 10 });
    expect(contents(fastestFirst(records, PARIS, tie))).toEqual(['192.0.2.1', '192.0.2.3', '192.0.2.2', '192.0.2.4']);
  });

  it('is plain geodistance when the client is not located or no location measures', () => {
    const paris = site('eu', PARIS, { '192.0.2.3': 12 });
    expect(contents(fastestFirst(records, PARIS, null))).toEqual(contents(nearestFirst(records, PARIS)));
    expect(fastestFirst(records, null, paris)).toBe(records);
    expect(contents(fastestFirst(records, TOKYO, site('eu', PARIS, {})))).toEqual(contents(nearestFirst(records, TOKYO)));
  });

  it('leaves its input alone', () => {
    const before = contents(records);
    fastestFirst(records, PARIS, site('eu', PARIS, { '192.0.2.4': 1 }));
    expect(contents(records)).toEqual(before);
  });

  it('runs after the health filter: an unavailable address is never first, the next fastest is; fail open stays; limit applies', () => {
    const paris = site('eu', PARIS, { '192.0.2.3': 12, '192.0.2.2': 40, '192.0.2.1': 90 });
    const health = new HealthTable();
    expect(contents(pickRecords(rrset, health, at(PARIS, paris)))).toEqual(['192.0.2.3', '192.0.2.2', '192.0.2.1', '192.0.2.4']);
    health.apply({ checkId: 'chk', address: '192.0.2.3', state: 'unavailable' });
    expect(contents(pickRecords(rrset, health, at(PARIS, paris)))).toEqual(['192.0.2.2', '192.0.2.1', '192.0.2.4']);
    for (const a of ['192.0.2.1', '192.0.2.2', '192.0.2.4']) health.apply({ checkId: 'chk', address: a, state: 'unavailable' });
    expect(contents(pickRecords(rrset, health, at(PARIS, paris)))).toEqual(['192.0.2.3', '192.0.2.2', '192.0.2.1', '192.0.2.4']);
    const one: Picker[] = [{ type: 'geodistance', rtt: true, limit: 1 }];
    expect(contents(applyPickers(records, one, at(PARIS, paris), 'chk', new HealthTable()))).toEqual(['192.0.2.3']);
    // Without the option the same table changes nothing: geodistance as Gcore's.
    expect(contents(applyPickers(records, [{ type: 'geodistance', limit: 1 }], at(PARIS, paris)))).toEqual(['192.0.2.1']);
    // Not rotated: the order is the answer.
    expect(rrset.rotate).toBe(false);
  });

  it('asks for the nearest location only when the option is on', () => {
    const rttSite = jest.fn(() => null);
    applyPickers(records, [{ type: 'geodistance' }], { ...at(PARIS, null), rttSite });
    expect(rttSite).not.toHaveBeenCalled();
    applyPickers(records, [{ type: 'geodistance', rtt: true }], { ...at(PARIS, null), rttSite });
    expect(rttSite).toHaveBeenCalledTimes(1);
  });
});

describe('the RTT table', () => {
  const sample = (ms: number, at = NOW, ok = true) => formatRtt({ ms, at, frequency: 10, ok });

  it('keeps the located locations with a usable sample, the nearest answering for a client', () => {
    const skipped = { points: [] as string[], samples: 0 };
    const sites = buildRttSites(
      { 'eu-1': '48.86,2.35', 'ap-1': '35.68,139.69', 'us-1': '40.71,-74', bad: 'somewhere', quiet: '0,0' },
      new Map([
        [
          'eu-1',
          [
            ['chk/192.0.2.1', sample(5)],
            ['chk/192.0.2.2', sample(7, NOW - 60_000)],
            ['chk/192.0.2.3', 'junk'],
          ],
        ],
        [
          'ap-1',
          [
            ['chk/192.0.2.3', sample(9)],
            ['chk/192.0.2.1', sample(3, NOW, false)],
          ],
        ],
        ['us-1', [['chk/192.0.2.2', sample(1, NOW - 3_600_000)]]],
        ['quiet', []],
      ] as [string, [string, string][]][]),
      NOW,
      skipped,
    );
    expect(sites.map((s) => [s.location, [...s.rtt]])).toEqual([
      ['ap-1', [['chk/192.0.2.3', 9]]],
      ['eu-1', [['chk/192.0.2.1', 5]]],
    ]);
    expect(skipped).toEqual({ points: ['bad'], samples: 1 });
    const table = new RttTable();
    expect(table.nearest(PARIS)).toBeNull();
    table.replace(sites);
    expect(table.nearest(geoPoint(51.5, -0.12))!.location).toBe('eu-1');
    expect(table.nearest(geoPoint(1.35, 103.82))!.location).toBe('ap-1');
    // New York's location is stale: a client there gets the nearest one that measures.
    expect(table.nearest(geoPoint(40.71, -74))!.location).toBe('eu-1');
  });
});
