// Stage 5: the rrset's pickers, in its order, each narrowing or ordering the records (stage 4, health, among them).
// They never mutate their input (it may be the rrset's own array) and copy only when they change it.
import { isHealthPicker, type Picker } from '@vigil/contract';
import { inNetworks, type Words } from './address';
import type { GeoLocation } from './geo';
import { haversine, type GeoPoint } from './geo-data';
import { healthFilter, type HealthView } from './health';
import type { RttSite } from './rtt';
import type { ServedRecord, ServedRrset } from './zone-index';

export interface PickContext {
  /** The client's country and continent, resolved on first use (only geodns asks). */
  location(): GeoLocation | null;
  /** The client's address (ECS, else the source), or null when it is none (the ip picker). */
  address(): Words | null;
  /** The client's AS number, or null when unknown (the asn picker). */
  asn(): number | null;
  /** The client's latitude and longitude, or null when unknown (the geodistance picker). */
  point(): GeoPoint | null;
  /** The measuring probe location nearest the client's point, or null (geodistance's `rtt` option). */
  rttSite(): RttSite | null;
  /** Uniform in [0, 1). */
  random(): number;
}

/** Stages 4 and 5 of one rrset: the health filter, then the pickers (the health filter among them when one names it). */
export function pickRecords(rrset: ServedRrset, health: HealthView, ctx: PickContext): readonly ServedRecord[] {
  const pickers = rrset.pickers;
  if (pickers.length === 0) return healthFilter(rrset.records, rrset.checkId, health, rrset.backups, rrset.overrides, rrset.minHealthy);
  return applyPickers(rrset.records, pickers, ctx, rrset.checkId, health, rrset.backups, rrset.overrides, rrset.minHealthy);
}

/**
 * The pickers in order. The health filter runs first unless a healthcheck (is_healthy) picker
 * places it; a picker's `limit` (0: none) caps what it passes on, as first_n's does.
 */
export function applyPickers(
  records: readonly ServedRecord[],
  pickers: readonly Picker[],
  ctx: PickContext,
  checkId: string | null = null,
  health: HealthView | null = null,
  backups = false,
  overrides = false,
  minHealthy = 1,
): readonly ServedRecord[] {
  let out = records;
  if ((checkId !== null || backups) && health !== null && !hasHealthStep(pickers))
    out = healthFilter(out, checkId, health, backups, overrides, minHealthy);
  for (let i = 0; i < pickers.length && out.length > 0; i++) {
    const p = pickers[i]!;
    switch (p.type) {
      case 'healthcheck':
      case 'is_healthy':
        // Fail open whatever `strict` says: Gcore serves every record when all are down, and so does Vigil.
        if (health !== null) out = healthFilter(out, checkId, health, backups, overrides, minHealthy);
        break;
      case 'geodns':
        out = geodns(out, p.strict, ctx.location());
        break;
      case 'ip':
        out = byNetwork(out, p.strict === true, ctx.address());
        break;
      case 'asn':
        out = byAsn(out, p.strict === true, ctx.asn());
        break;
      case 'geodistance':
        out = p.rtt === true ? fastestFirst(out, ctx.point(), ctx.rttSite()) : nearestFirst(out, ctx.point());
        break;
      case 'weighted_shuffle':
        out = weightedShuffle(out, ctx.random);
        break;
      case 'first_n':
        break;
      case 'default':
        out = defaultOnly(out, p.strict === true);
        break;
    }
    if (p.limit) out = firstN(out, p.limit);
  }
  return out;
}

function hasHealthStep(pickers: readonly Picker[]): boolean {
  for (let i = 0; i < pickers.length; i++) if (isHealthPicker(pickers[i]!)) return true;
  return false;
}

/**
 * Records for the client's country; else for its continent; else those marked default; else all
 * of them, or none when strict. An unknown location (private address, no database entry) goes
 * straight to the defaults.
 */
export function geodns(records: readonly ServedRecord[], strict: boolean, loc: GeoLocation | null): readonly ServedRecord[] {
  if (loc !== null) {
    const byCountry = records.filter((r) => r.countries !== null && r.countries.includes(loc.country));
    if (byCountry.length > 0) return byCountry;
    const continent = loc.continent;
    if (continent !== null) {
      const byContinent = records.filter((r) => r.continents !== null && r.continents.includes(continent));
      if (byContinent.length > 0) return byContinent;
    }
  }
  return noMatch(records, strict);
}

/** What geodns does past the client's country and continent: the defaults, else all, or none when strict. */
function noMatch(records: readonly ServedRecord[], strict: boolean): readonly ServedRecord[] {
  const defaults = records.filter((r) => r.isDefault);
  if (defaults.length > 0) return defaults;
  return strict ? [] : records;
}

/**
 * Records whose meta.ip holds the client's address; else, as geodns, those marked default; else
 * all of them, or none when strict.
 */
export function byNetwork(records: readonly ServedRecord[], strict: boolean, addr: Words | null): readonly ServedRecord[] {
  if (addr !== null) {
    const hit = records.filter((r) => r.networks !== null && inNetworks(r.networks, addr));
    if (hit.length > 0) return hit;
  }
  return noMatch(records, strict);
}

/** Records whose meta.asn holds the client's AS number; else as byNetwork. */
export function byAsn(records: readonly ServedRecord[], strict: boolean, asn: number | null): readonly ServedRecord[] {
  if (asn !== null) {
    const hit = records.filter((r) => r.asns !== null && r.asns.includes(asn));
    if (hit.length > 0) return hit;
  }
  return noMatch(records, strict);
}

/**
 * Every record, the nearest meta.latlong to the client first (great-circle distance), records
 * without one after them in their order; the order unchanged when the client's place is unknown.
 */
export function nearestFirst(records: readonly ServedRecord[], from: GeoPoint | null): readonly ServedRecord[] {
  const n = records.length;
  if (from === null || n < 2) return records;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = records[i]!.point;
    // The haversine term is at most 1: records without a place sort after every distance, in order.
    keys[i] = p === null ? 2 + i / n : haversine(from, p);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
  return order.map((i) => records[i]!);
}

/** Sorts after any RTT (ms): the records the location has not measured. */
const UNMEASURED = 1e15;

/**
 * geodistance's `rtt` option: the records that `site` (the measuring location nearest the client)
 * has a usable RTT for, fastest first, then the rest in geodistance order (nearest meta.latlong,
 * those without one last, in their order). Without a site (the client not located, no location
 * with a point and measurements) it is plain geodistance. Equal RTTs fall back to distance.
 */
export function fastestFirst(records: readonly ServedRecord[], from: GeoPoint | null, site: RttSite | null): readonly ServedRecord[] {
  const n = records.length;
  if (site === null || from === null || n < 2) return nearestFirst(records, from);
  const rtt = new Float64Array(n);
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const key = r.healthKey;
    const ms = key === null ? undefined : site.rtt.get(key);
    rtt[i] = ms === undefined ? UNMEASURED : ms;
    const p = r.point;
    dist[i] = p === null ? 2 + i / n : haversine(from, p);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => rtt[a]! - rtt[b]! || dist[a]! - dist[b]! || a - b);
  return order.map((i) => records[i]!);
}

/**
 * A random order where each position is drawn in proportion to weight (Efraimidis–Spirakis keys:
 * Exp(1)/weight, smallest first). Weight 0 records come last, in random order, so they are never
 * first unless every record weighs 0 (then the order is uniformly random).
 */
export function weightedShuffle(records: readonly ServedRecord[], random: () => number): readonly ServedRecord[] {
  const n = records.length;
  if (n < 2) return records;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = records[i]!.weight;
    // Exp(1) keys stay below ~37 for doubles, so 1000 + u sorts every zero weight after them.
    keys[i] = w > 0 ? -Math.log(1 - random()) / w : 1000 + random();
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
  return order.map((i) => records[i]!);
}

export function firstN(records: readonly ServedRecord[], limit: number): readonly ServedRecord[] {
  return records.length > limit ? records.slice(0, limit) : records;
}

/** The records marked default when there are any, else all of them (nothing to prefer), or none when strict. */
export function defaultOnly(records: readonly ServedRecord[], strict = false): readonly ServedRecord[] {
  const defaults = records.filter((r) => r.isDefault);
  return defaults.length > 0 ? defaults : strict ? [] : records;
}
