// Stage 5: the rrset's pickers, in its order, each narrowing or ordering the records (stage 4, health, among them).
// They never mutate their input (it may be the rrset's own array) and copy only when they change it.
import { isHealthPicker, type Picker } from '@vigil/contract';
import type { GeoLocation } from './geo';
import { healthFilter, type HealthView } from './health';
import type { ServedRecord, ServedRrset } from './zone-index';

export interface PickContext {
  /** The client's location, resolved on first use (only geodns asks). */
  location(): GeoLocation | null;
  /** Uniform in [0, 1). */
  random(): number;
}

/** Stages 4 and 5 of one rrset: the health filter, then the pickers (the health filter among them when one names it). */
export function pickRecords(rrset: ServedRrset, health: HealthView, ctx: PickContext): readonly ServedRecord[] {
  const pickers = rrset.pickers;
  if (pickers.length === 0) return healthFilter(rrset.records, rrset.checkId, health, rrset.backups);
  return applyPickers(rrset.records, pickers, ctx, rrset.checkId, health, rrset.backups);
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
): readonly ServedRecord[] {
  let out = records;
  if ((checkId !== null || backups) && health !== null && !hasHealthStep(pickers)) out = healthFilter(out, checkId, health, backups);
  for (let i = 0; i < pickers.length && out.length > 0; i++) {
    const p = pickers[i]!;
    switch (p.type) {
      case 'healthcheck':
      case 'is_healthy':
        // Fail open whatever `strict` says: Gcore serves every record when all are down, and so does Vigil.
        if (health !== null) out = healthFilter(out, checkId, health, backups);
        break;
      case 'geodns':
        out = geodns(out, p.strict, ctx.location());
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
  const defaults = records.filter((r) => r.isDefault);
  if (defaults.length > 0) return defaults;
  return strict ? [] : records;
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
