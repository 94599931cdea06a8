import type { Picker } from '@vigil/contract';
import type { GeoLocation } from './geo';
import { HealthTable } from './health';
import { addressInto, type Words } from './address';
import { distanceKm, geoPoint, type GeoPoint } from './geo-data';
import { applyPickers, byAsn, byNetwork, defaultOnly, firstN, geodns, nearestFirst, pickRecords, weightedShuffle } from './pickers';
import { contents, dataOf, servedA } from './testing/zones';
import { seeded } from './testing/random';

const FR: GeoLocation = { country: 'FR', continent: 'eu' };
const DE: GeoLocation = { country: 'DE', continent: 'eu' };
const JP: GeoLocation = { country: 'JP', continent: 'as' };

/** What the ip, asn and geodistance pickers ask of a client none of them knows. */
const unknownClient = { address: () => null, asn: () => null, point: () => null, rttSite: () => null };

const geoSet = servedA([
  { content: ['192.0.2.1'], meta: { countries: ['FR', 'ES'] } },
  { content: ['192.0.2.2'], meta: { continents: ['eu'] } },
  { content: ['192.0.2.3'], meta: { countries: ['US'], continents: ['na'], default: true } },
  { content: ['192.0.2.4'], meta: { countries: ['fr'] } },
]).records;

describe('geodns', () => {
  it('prefers the country, keeping the records order', () => {
    expect(contents(geodns(geoSet, false, FR))).toEqual(['192.0.2.1', '192.0.2.4']);
  });

  it('falls back to the continent', () => {
    expect(contents(geodns(geoSet, false, DE))).toEqual(['192.0.2.2']);
  });

  it('then to the records marked default', () => {
    expect(contents(geodns(geoSet, false, JP))).toEqual(['192.0.2.3']);
    expect(contents(geodns(geoSet, true, JP))).toEqual(['192.0.2.3']);
  });

  it('then to everything, or nothing when strict', () => {
    const noDefault = geoSet.filter((r) => !r.isDefault);
    expect(contents(geodns(noDefault, false, JP))).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.4']);
    expect(geodns(noDefault, true, JP)).toEqual([]);
  });

  it('treats an unknown location as matching nothing', () => {
    expect(contents(geodns(geoSet, false, null))).toEqual(['192.0.2.3']);
    expect(geodns(geoSet.slice(0, 2), true, null)).toEqual([]);
    expect(contents(geodns(geoSet, false, { country: 'AQ', continent: null }))).toEqual(['192.0.2.3']);
  });
});

describe('weighted_shuffle', () => {
  const weighted = servedA([
    { content: ['192.0.2.1'], meta: { weight: 10 } },
    { content: ['192.0.2.2'], meta: { weight: 29.5 } },
    { content: ['192.0.2.3'], meta: { weight: 0 } },
    { content: ['192.0.2.4'] },
  ]).records;

  it('returns every record once', () => {
    const out = contents(weightedShuffle(weighted, seeded(1)));
    expect([...out].sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']);
  });

  it('puts records first in proportion to weight, never one of weight 0', () => {
    const random = seeded(42);
    const first = new Map<unknown, number>();
    const runs = 20_000;
    for (let i = 0; i < runs; i++) {
      const out = weightedShuffle(weighted, random);
      first.set(dataOf(out[0]!), (first.get(dataOf(out[0]!)) ?? 0) + 1);
      expect(dataOf(out[3]!)).toBe('192.0.2.3');
    }
    // Weights 10, 29.5, 0 and 50 (none: Gcore's default): shares 0.112, 0.331, 0, 0.557.
    expect(first.get('192.0.2.3')).toBeUndefined();
    expect(first.get('192.0.2.1')! / runs).toBeCloseTo(10 / 89.5, 1);
    expect(first.get('192.0.2.2')! / runs).toBeCloseTo(29.5 / 89.5, 1);
    expect(first.get('192.0.2.4')! / runs).toBeCloseTo(50 / 89.5, 1);
  });

  it('orders all-zero weights at random', () => {
    const zeros = servedA([
      { content: ['192.0.2.1'], meta: { weight: 0 } },
      { content: ['192.0.2.2'], meta: { weight: 0 } },
    ]).records;
    const random = seeded(7);
    const firsts = new Set(Array.from({ length: 50 }, () => dataOf(weightedShuffle(zeros, random)[0]!)));
    expect(firsts.size).toBe(2);
  });

  it('does not touch its input', () => {
    const before = contents(weighted);
    weightedShuffle(weighted, seeded(3));
    expect(contents(weighted)).toEqual(before);
  });
});

describe('first_n and default', () => {
  it('first_n keeps the first records', () => {
    expect(contents(firstN(geoSet, 2))).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(firstN(geoSet, 10)).toBe(geoSet);
  });

  it('default keeps the records marked default, or all when none is, or none when strict', () => {
    expect(contents(defaultOnly(geoSet))).toEqual(['192.0.2.3']);
    expect(defaultOnly(geoSet.slice(0, 2))).toHaveLength(2);
    expect(contents(defaultOnly(geoSet, true))).toEqual(['192.0.2.3']);
    expect(defaultOnly(geoSet.slice(0, 2), true)).toEqual([]);
  });
});

describe('applyPickers', () => {
  const ctx = (loc: GeoLocation | null) => ({ ...unknownClient, location: () => loc, random: seeded(5) });

  it('runs the pickers in the rrset order', () => {
    const pickers: Picker[] = [
      { type: 'geodns', strict: false },
      { type: 'first_n', limit: 1 },
    ];
    expect(contents(applyPickers(geoSet, pickers, ctx(FR)))).toEqual(['192.0.2.1']);
    const reversed: Picker[] = [
      { type: 'first_n', limit: 1 },
      { type: 'geodns', strict: true },
    ];
    expect(contents(applyPickers(geoSet, reversed, ctx(DE)))).toEqual([]);
  });

  it('asks for the location only when a geodns picker runs', () => {
    const location = jest.fn(() => FR);
    applyPickers(geoSet, [{ type: 'first_n', limit: 2 }, { type: 'default' }], { ...unknownClient, location, random: Math.random });
    expect(location).not.toHaveBeenCalled();
  });

  it('returns the input unchanged with no pickers', () => {
    expect(applyPickers(geoSet, [], ctx(null))).toBe(geoSet);
  });
});

describe('limit and strict on every picker', () => {
  const ctx = (loc: GeoLocation | null) => ({ ...unknownClient, location: () => loc, random: seeded(5) });

  it('caps what any picker passes on; 0 is no limit', () => {
    expect(contents(applyPickers(geoSet, [{ type: 'geodns', strict: false, limit: 1 }], ctx(FR)))).toEqual(['192.0.2.1']);
    expect(applyPickers(geoSet, [{ type: 'weighted_shuffle', limit: 3 }], ctx(null))).toHaveLength(3);
    expect(contents(applyPickers(geoSet, [{ type: 'default', limit: 0, strict: false }], ctx(null)))).toEqual(['192.0.2.3']);
    expect(applyPickers(geoSet, [{ type: 'first_n', limit: 0 }], ctx(null))).toBe(geoSet);
    expect(applyPickers(geoSet, [{ type: 'first_n' }], ctx(null))).toBe(geoSet);
  });

  it('a strict default answers nothing when no record is marked default', () => {
    const noDefault = geoSet.filter((r) => !r.isDefault);
    expect(applyPickers(noDefault, [{ type: 'default', strict: true }], ctx(null))).toEqual([]);
    expect(applyPickers(noDefault, [{ type: 'default', strict: false }], ctx(null))).toHaveLength(3);
  });
});

describe('the health filter as a step', () => {
  // 192.0.2.1 (FR) is down; 192.0.2.2 (FR) and 192.0.2.3 (default) are up.
  const records = [
    { content: ['192.0.2.1'], meta: { countries: ['fr'] } },
    { content: ['192.0.2.2'], meta: { countries: ['FR'] } },
    { content: ['192.0.2.3'], meta: { default: true } },
  ];
  const health = new HealthTable();
  health.apply({ checkId: 'chk', address: '192.0.2.1', state: 'unavailable' });
  const ctx = { ...unknownClient, location: () => FR, random: seeded(9) };
  const pick = (pickers: Picker[]) => contents(pickRecords(servedA(records, { failover: 'chk', pickers }), health, ctx));

  it('runs first when no picker names it, and with no pickers at all', () => {
    expect(pick([])).toEqual(['192.0.2.2', '192.0.2.3']);
    expect(pick([{ type: 'first_n', limit: 1 }])).toEqual(['192.0.2.2']);
    expect(pick([{ type: 'geodns', strict: false }])).toEqual(['192.0.2.2']);
  });

  it('runs where a healthcheck or is_healthy picker stands', () => {
    expect(pick([{ type: 'healthcheck' }, { type: 'first_n', limit: 1 }])).toEqual(['192.0.2.2']);
    // After first_n kept only the down address, the health filter fails open over what is left.
    expect(
      pick([
        { type: 'first_n', limit: 1 },
        { type: 'healthcheck', strict: false },
      ]),
    ).toEqual(['192.0.2.1']);
    expect(
      pick([
        { type: 'first_n', limit: 2 },
        { type: 'is_healthy', strict: true },
      ]),
    ).toEqual(['192.0.2.2']);
    expect(
      pick([
        { type: 'geodns', strict: false },
        { type: 'is_healthy', limit: 0 },
      ]),
    ).toEqual(['192.0.2.2']);
  });

  it('fails open when every address left is down, strict or not', () => {
    const allDown = new HealthTable();
    for (const a of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) allDown.apply({ checkId: 'chk', address: a, state: 'unavailable' });
    const set = servedA(records, { failover: 'chk', pickers: [{ type: 'is_healthy', strict: true }] });
    expect(contents(pickRecords(set, allDown, ctx))).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });

  it('is a no-op on a record set without failover', () => {
    const set = servedA(records, { pickers: [{ type: 'healthcheck' }] });
    expect(pickRecords(set, health, ctx)).toBe(set.records);
  });
});

const addr = (text: string): Words => {
  const w = new Uint32Array(4);
  expect(addressInto(text, w)).toBe(true);
  return w;
};

describe('ip', () => {
  const set = servedA([
    { content: ['192.0.2.1'], meta: { ip: ['198.51.100.0/24', '2001:db8:1::/48'] } },
    { content: ['192.0.2.2'], meta: { ip: ['198.51.100.7', '203.0.113.0/25'] } },
    { content: ['192.0.2.3'], meta: { default: true } },
    { content: ['192.0.2.4'], meta: { ip: ['0.0.0.0/0'] } },
  ]).records;
  const noCatchAll = set.slice(0, 3);

  it('keeps the records whose networks hold the address, IPv4 and IPv6', () => {
    expect(contents(byNetwork(noCatchAll, false, addr('198.51.100.200')))).toEqual(['192.0.2.1']);
    expect(contents(byNetwork(noCatchAll, false, addr('198.51.100.7')))).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(contents(byNetwork(noCatchAll, false, addr('203.0.113.127')))).toEqual(['192.0.2.2']);
    expect(contents(byNetwork(noCatchAll, false, addr('2001:db8:1:ffff::1')))).toEqual(['192.0.2.1']);
    expect(contents(byNetwork(set, false, addr('8.8.8.8')))).toEqual(['192.0.2.4']);
  });

  it('an IPv4-mapped IPv6 source matches its IPv4 networks; an IPv4 network holds no other IPv6 address', () => {
    expect(contents(byNetwork(noCatchAll, false, addr('::ffff:198.51.100.9')))).toEqual(['192.0.2.1']);
    expect(contents(byNetwork(set, false, addr('2001:db8:2::1')))).toEqual(['192.0.2.3']);
  });

  it('falls back as geodns: the defaults, else all, or none when strict', () => {
    expect(contents(byNetwork(noCatchAll, false, addr('203.0.113.128')))).toEqual(['192.0.2.3']);
    expect(contents(byNetwork(noCatchAll.slice(0, 2), false, addr('203.0.113.128')))).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(byNetwork(noCatchAll.slice(0, 2), true, addr('203.0.113.128'))).toEqual([]);
    expect(contents(byNetwork(noCatchAll, true, null))).toEqual(['192.0.2.3']);
  });
});

describe('asn', () => {
  const set = servedA([
    { content: ['192.0.2.1'], meta: { asn: [64496, 64497] } },
    { content: ['192.0.2.2'], meta: { asn: [64497] } },
    { content: ['192.0.2.3'], meta: { default: true } },
  ]).records;

  it("keeps the records holding the client's AS number", () => {
    expect(contents(byAsn(set, false, 64496))).toEqual(['192.0.2.1']);
    expect(contents(byAsn(set, false, 64497))).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('falls back as geodns: the defaults, else all, or none when strict', () => {
    expect(contents(byAsn(set, false, 13335))).toEqual(['192.0.2.3']);
    expect(contents(byAsn(set, true, null))).toEqual(['192.0.2.3']);
    expect(contents(byAsn(set.slice(0, 2), false, 13335))).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(byAsn(set.slice(0, 2), true, 13335)).toEqual([]);
  });
});

describe('geodistance', () => {
  // Frankfurt, Singapore, Virginia, and one without a place.
  const set = servedA([
    { content: ['192.0.2.1'], meta: { latlong: [50.11, 8.68] } },
    { content: ['192.0.2.2'], meta: { latlong: [1.35, 103.82] } },
    { content: ['192.0.2.3'] },
    { content: ['192.0.2.4'], meta: { latlong: [38.95, -77.45] } },
  ]).records;
  const PARIS = geoPoint(48.86, 2.35);
  const TOKYO = geoPoint(35.68, 139.69);
  const SAO_PAULO = geoPoint(-23.55, -46.63);

  it('orders by great-circle distance, records without latlong last', () => {
    expect(contents(nearestFirst(set, PARIS))).toEqual(['192.0.2.1', '192.0.2.4', '192.0.2.2', '192.0.2.3']);
    expect(contents(nearestFirst(set, TOKYO))).toEqual(['192.0.2.2', '192.0.2.1', '192.0.2.4', '192.0.2.3']);
    expect(contents(nearestFirst(set, SAO_PAULO))).toEqual(['192.0.2.4', '192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });

  it('measures distance as the haversine does', () => {
    // Paris to Frankfurt is about 480 km, Paris to Singapore about 10,700 km.
    expect(distanceKm(PARIS, geoPoint(50.11, 8.68))).toBeGreaterThan(470);
    expect(distanceKm(PARIS, geoPoint(50.11, 8.68))).toBeLessThan(490);
    expect(Math.round(distanceKm(PARIS, geoPoint(1.35, 103.82)) / 100)).toBe(107);
    // Across the antimeridian: Fiji (178° E) to Samoa (172° W) is about 1,200 km, not the long way round.
    expect(distanceKm(geoPoint(-18, 178), geoPoint(-13.8, -172))).toBeLessThan(1300);
  });

  it('keeps the order when the client has no place, and does not touch its input', () => {
    expect(nearestFirst(set, null)).toBe(set);
    const before = contents(set);
    nearestFirst(set, TOKYO);
    expect(contents(set)).toEqual(before);
  });

  it('runs after the health filter: the nearest down, the next nearest first; limit 1 answers one', () => {
    const health = new HealthTable();
    health.apply({ checkId: 'chk', address: '192.0.2.1', state: 'unavailable' });
    const rrset = servedA(
      [
        { content: ['192.0.2.1'], meta: { latlong: [50.11, 8.68] } },
        { content: ['192.0.2.2'], meta: { latlong: [1.35, 103.82] } },
        { content: ['192.0.2.4'], meta: { latlong: [38.95, -77.45] } },
      ],
      { failover: 'chk', pickers: [{ type: 'geodistance', limit: 1 }] },
    );
    const at = (p: GeoPoint) => ({ ...unknownClient, point: () => p, location: () => null, random: Math.random });
    expect(contents(pickRecords(rrset, health, at(PARIS)))).toEqual(['192.0.2.4']);
    expect(contents(pickRecords(rrset, health, at(TOKYO)))).toEqual(['192.0.2.2']);
    expect(contents(pickRecords(rrset, new HealthTable(), at(PARIS)))).toEqual(['192.0.2.1']);
    // The order is the answer's: no round-robin rotation on top of it.
    expect(rrset.rotate).toBe(false);
  });
});

describe('ip, asn and geodistance in a list', () => {
  it('ask the client only for what they need, and chain with the others', () => {
    const rrset = servedA([
      { content: ['192.0.2.1'], meta: { asn: [64496], latlong: [50.11, 8.68] } },
      { content: ['192.0.2.2'], meta: { asn: [64496], latlong: [1.35, 103.82] } },
      { content: ['192.0.2.3'], meta: { asn: [64511], latlong: [35.68, 139.69] } },
    ]).records;
    const ctx = {
      ...unknownClient,
      asn: jest.fn(() => 64496),
      point: jest.fn(() => geoPoint(35, 139)),
      location: jest.fn(),
      random: Math.random,
    };
    const pickers: Picker[] = [{ type: 'asn' }, { type: 'geodistance' }, { type: 'first_n', limit: 1 }];
    expect(contents(applyPickers(rrset, pickers, ctx))).toEqual(['192.0.2.2']);
    expect(ctx.location).not.toHaveBeenCalled();
    const address = jest.fn(() => null);
    applyPickers(rrset, [{ type: 'first_n', limit: 1 }], { ...ctx, address });
    expect(address).not.toHaveBeenCalled();
  });
});
