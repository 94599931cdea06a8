// What the geodistance picker's `rtt` option ranks by, in memory: each probe location that has a
// point, with the RTTs its probes measured. Built off the query path by rtt-sync.ts and swapped in
// whole; a query only finds the nearest location (a loop over a handful) and reads a Map.
import { parseLatLong, parseRtt, usableRtt } from '@vigil/contract';
import { geoPoint, haversine, type GeoPoint } from './geo-data';

export interface RttSite {
  readonly location: string;
  readonly point: GeoPoint;
  /** `${checkId}/${address}` (a record's healthKey) -> smoothed RTT in ms, only the usable ones. */
  readonly rtt: ReadonlyMap<string, number>;
}

export interface RttView {
  /** The location nearest `from` among those with a point and a measurement, or null when there is none. */
  nearest(from: GeoPoint): RttSite | null;
}

export class RttTable implements RttView {
  private sites: readonly RttSite[] = [];

  nearest(from: GeoPoint): RttSite | null {
    const sites = this.sites;
    let best: RttSite | null = null;
    let bestD = Infinity;
    for (let i = 0; i < sites.length; i++) {
      const d = haversine(from, sites[i]!.point);
      if (d < bestD) {
        bestD = d;
        best = sites[i]!;
      }
    }
    return best;
  }

  get size(): number {
    return this.sites.length;
  }

  get locations(): readonly RttSite[] {
    return this.sites;
  }

  /** Replaces everything at once, so a query sees the old table or the new one. */
  replace(sites: readonly RttSite[]): void {
    this.sites = sites;
  }
}

/**
 * The sites from what Redis holds: `points` (location -> "lat,long") and each location's RTT hash
 * (field -> stored sample). A location without a valid point, or without one usable sample (its
 * probe stopped, or it found everything down), is left out, so the nearest *measuring* location
 * answers for a client. Bad values are skipped and counted in `skipped`.
 */
export function buildRttSites(
  points: Record<string, string>,
  rtts: ReadonlyMap<string, Iterable<[string, string]>>,
  now: number,
  skipped: { points: string[]; samples: number } = { points: [], samples: 0 },
): RttSite[] {
  const sites: RttSite[] = [];
  for (const [location, spec] of Object.entries(points)) {
    let latlong: readonly [number, number];
    try {
      latlong = parseLatLong(spec);
    } catch {
      skipped.points.push(location);
      continue;
    }
    const rtt = new Map<string, number>();
    for (const [field, raw] of rtts.get(location) ?? []) {
      const sample = parseRtt(raw);
      if (sample === null) {
        skipped.samples++;
        continue;
      }
      const ms = usableRtt(sample, now);
      if (ms !== null) rtt.set(field, ms);
    }
    if (rtt.size > 0) sites.push({ location, point: geoPoint(latlong[0], latlong[1]), rtt });
  }
  // Same order in every process, so equal distances pick the same location everywhere.
  return sites.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
}
