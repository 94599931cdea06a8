// The preview's places (contract/src/preview.ts) must be where the DNS server's own databases put
// their addresses, or "from Paris this answers …" would preview some other place's answer.
import { PREVIEW_PLACE_RADIUS_KM, PREVIEW_PLACES } from '@vigil/contract';
import { addressInto } from './address';
import { geoipCountryLookup } from './geo';
import { distanceKm, geoPoint, sharedCityPoints } from './geo-data';

describe('the preview places', () => {
  const city = sharedCityPoints();

  it.each(PREVIEW_PLACES.map((p) => [p.name, p] as const))('%s: the city and country databases place its address there', (_, place) => {
    const w = new Uint32Array(4);
    expect(addressInto(place.address, w)).toBe(true);
    const point = city.lookup(w);
    expect(point).not.toBeNull();
    const km = distanceKm(point!, geoPoint(place.latlong[0], place.latlong[1]));
    expect({ address: place.address, withinRadius: km <= PREVIEW_PLACE_RADIUS_KM, km: Math.round(km) }).toMatchObject({
      address: place.address,
      withinRadius: true,
    });
    expect(geoipCountryLookup(place.address)?.country).toBe(place.country);
  });

  it('are far enough apart that each is nearest to itself', () => {
    for (const a of PREVIEW_PLACES) {
      const from = geoPoint(a.latlong[0], a.latlong[1]);
      const nearest = [...PREVIEW_PLACES].sort(
        (x, y) => distanceKm(from, geoPoint(x.latlong[0], x.latlong[1])) - distanceKm(from, geoPoint(y.latlong[0], y.latlong[1])),
      )[0]!;
      expect(nearest.id).toBe(a.id);
    }
    expect(new Set(PREVIEW_PLACES.map((p) => p.id)).size).toBe(PREVIEW_PLACES.length);
  });
});
