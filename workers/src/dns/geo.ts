// Where a query comes from: the EDNS Client Subnet when present (RFC 7871), else the source
// address; looked up in the GeoLite2 country database that geoip-country loads into memory.
import { lookup as geoipLookup } from 'geoip-country';
import type { Ecs } from './parse';

export interface GeoLocation {
  /** ISO 3166-1 alpha-2, upper-case. */
  readonly country: string;
  /** Lower-case continent code as the contract's CONTINENTS, or null when unknown. */
  readonly continent: string | null;
}

/** Looks an address up: a dotted quad, an IPv6 text, or an IPv4 address as a 32-bit number. */
export type GeoLookup = (ip: string | number) => GeoLocation | null;

// One shared object per country, so callers never see the database's per-call objects.
const byCountry = new Map<string, GeoLocation>();

// Resolvers send the same few subnets over and over; the database lookup allocates, a Map hit does not.
const recent = new Map<string | number, GeoLocation | null>();
const RECENT_MAX = 50_000;

export const geoipCountryLookup: GeoLookup = (ip) => {
  const cached = recent.get(ip);
  if (cached !== undefined) return cached;
  const found = geoipLookup(ip);
  let loc: GeoLocation | null = null;
  if (found && found.country) {
    loc = byCountry.get(found.country) ?? null;
    if (loc === null) {
      loc = Object.freeze({ country: found.country.toUpperCase(), continent: found.continent ? found.continent.toLowerCase() : null });
      byCountry.set(found.country, loc);
    }
  }
  // Bounded by starting over: cheaper than LRU bookkeeping, and refills in moments.
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(ip, loc);
  return loc;
};

/** The ECS address as the lookup takes it: IPv4 as a number, IPv6 as text (zero-padded). */
export function ecsAddress(ecs: Ecs): string | number {
  const a = ecs.address;
  if (ecs.family === 1) return (((a[0] ?? 0) << 24) | ((a[1] ?? 0) << 16) | ((a[2] ?? 0) << 8) | (a[3] ?? 0)) >>> 0;
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push((((a[i] ?? 0) << 8) | (a[i + 1] ?? 0)).toString(16));
  return words.join(':');
}
