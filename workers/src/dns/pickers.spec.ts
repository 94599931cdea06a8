import type { Picker } from '@vigil/contract';
import type { GeoLocation } from './geo';
import { HealthTable } from './health';
import { applyPickers, defaultOnly, firstN, geodns, pickRecords, weightedShuffle } from './pickers';
import { contents, dataOf, servedA } from './testing/zones';
import { seeded } from './testing/random';

const FR: GeoLocation = { country: 'FR', continent: 'eu' };
const DE: GeoLocation = { country: 'DE', continent: 'eu' };
const JP: GeoLocation = { country: 'JP', continent: 'as' };

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
  const ctx = (loc: GeoLocation | null) => ({ location: () => loc, random: seeded(5) });

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
    applyPickers(geoSet, [{ type: 'first_n', limit: 2 }, { type: 'default' }], { location, random: Math.random });
    expect(location).not.toHaveBeenCalled();
  });

  it('returns the input unchanged with no pickers', () => {
    expect(applyPickers(geoSet, [], ctx(null))).toBe(geoSet);
  });
});

describe('limit and strict on every picker', () => {
  const ctx = (loc: GeoLocation | null) => ({ location: () => loc, random: seeded(5) });

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
  const ctx = { location: () => FR, random: seeded(9) };
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
