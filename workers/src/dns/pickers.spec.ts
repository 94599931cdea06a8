import type { Picker } from '@vigil/contract';
import type { GeoLocation } from './geo';
import { applyPickers, defaultOnly, firstN, geodns, weightedShuffle } from './pickers';
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
    { content: ['192.0.2.1'], meta: { weight: 1 } },
    { content: ['192.0.2.2'], meta: { weight: 3 } },
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
    // Weights 1, 3, 0 and 1 (no weight): shares 1/5, 3/5, 0, 1/5.
    expect(first.get('192.0.2.3')).toBeUndefined();
    expect(first.get('192.0.2.2')! / runs).toBeCloseTo(0.6, 1);
    expect(first.get('192.0.2.1')! / runs).toBeCloseTo(0.2, 1);
    expect(first.get('192.0.2.4')! / runs).toBeCloseTo(0.2, 1);
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

  it('default keeps the records marked default, or all when none is', () => {
    expect(contents(defaultOnly(geoSet))).toEqual(['192.0.2.3']);
    expect(defaultOnly(geoSet.slice(0, 2))).toHaveLength(2);
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
