import { ecsAddress, geoipCountryLookup } from './geo';

describe('geo', () => {
  // Well-known public addresses the shipped GeoLite2 database places with certainty.
  it.each([
    ['8.8.8.8', 'US', 'na'],
    ['193.0.6.139', 'NL', 'eu'],
    ['212.27.48.10', 'FR', 'eu'],
    ['202.12.27.33', 'JP', 'as'],
    ['200.160.0.8', 'BR', 'sa'],
    ['196.216.2.1', 'ZA', 'af'],
    ['2a00:1450:4001::1', 'DE', 'eu'],
    ['::ffff:8.8.8.8', 'US', 'na'],
  ])('places %s in %s (%s)', (ip, country, continent) => {
    expect(geoipCountryLookup(ip)).toEqual({ country, continent });
  });

  it('knows nothing of private and loopback addresses', () => {
    expect(geoipCountryLookup('127.0.0.1')).toBeNull();
    expect(geoipCountryLookup('10.1.2.3')).toBeNull();
    expect(geoipCountryLookup('not an ip')).toBeNull();
  });

  it('reads ECS addresses, padding the prefix with zeros', () => {
    expect(ecsAddress({ family: 1, sourcePrefix: 24, address: Buffer.from([8, 8, 8]) })).toBe(0x08080800);
    expect(geoipCountryLookup(ecsAddress({ family: 1, sourcePrefix: 24, address: Buffer.from([8, 8, 8]) }))!.country).toBe('US');
    expect(ecsAddress({ family: 2, sourcePrefix: 32, address: Buffer.from([0x2a, 0x00, 0x14, 0x50]) })).toBe('2a00:1450:0:0:0:0:0:0');
    expect(ecsAddress({ family: 1, sourcePrefix: 0, address: Buffer.alloc(0) })).toBe(0);
  });
});
