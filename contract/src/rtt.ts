// Round-trip times that probes measure, for the geodistance picker's `rtt` option (Vigil's own):
// where each probe location is, and the smoothed RTT per (check, address, location). The probes
// write the first, the aggregator the second, the DNS server reads both; the rules live here once.
import type { ProbeResult } from './check-job';
import { isFresh } from './health';

/** Latitude and longitude in degrees. */
export type LatLong = readonly [number, number];

/**
 * PROBE_LATLONG's form, also the value the probe writes to `redisKeys.locationPoints`:
 * `"<latitude>,<longitude>"` in degrees, such as `48.86,2.35`. Throws with the reason.
 */
export function parseLatLong(spec: string): LatLong {
  const parts = spec.split(',');
  const bad = () => new Error(`must be "<latitude>,<longitude>" in degrees, such as 48.86,2.35 (it is ${JSON.stringify(spec)})`);
  if (parts.length !== 2) throw bad();
  const [lat, lon] = parts.map((p) => (/^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(p) ? Number(p) : NaN)) as [number, number];
  if (Number.isNaN(lat) || Number.isNaN(lon)) throw bad();
  if (lat < -90 || lat > 90) throw new Error(`latitude must be from -90 to 90 (it is ${lat})`);
  if (lon < -180 || lon > 180) throw new Error(`longitude must be from -180 to 180 (it is ${lon})`);
  return [lat, lon];
}

export const formatLatLong = ([lat, lon]: LatLong): string => `${lat},${lon}`;

/**
 * The weight of a new measurement in the moving average: each result moves it 30% of the way,
 * so a lasting change shows within about three checks while one slow answer barely moves it.
 */
export const RTT_ALPHA = 0.3;

/** A location's view of one address: the smoothed RTT and its latest result. */
export interface RttSample {
  /** Exponentially weighted moving average of the successful results' latency (ms); null before the first. */
  readonly ms: number | null;
  /** When the latest result counted was taken (ms since epoch). */
  readonly at: number;
  /** The check's period (s) at that result, for the freshness rule. */
  readonly frequency: number;
  /** Whether that latest result succeeded: a failed one makes the address not fast from there. */
  readonly ok: boolean;
}

/**
 * The sample after `result`. A success with a latency moves the average by RTT_ALPHA (the first
 * one sets it); a failure keeps the average but marks the sample failed, so it does not rank as
 * fast however quickly it failed (a refused connection is quick) until a success clears it.
 * Returns null when the result is not newer than the sample (a redelivered or late feed entry),
 * so applying a result twice changes nothing.
 */
export function nextRtt(prev: RttSample | null, result: Pick<ProbeResult, 'ok' | 'latency_ms' | 'at' | 'frequency'>): RttSample | null {
  if (prev !== null && result.at <= prev.at) return null;
  const latency = result.latency_ms;
  if (result.ok && latency !== null && Number.isFinite(latency) && latency >= 0) {
    const ms = prev === null || prev.ms === null ? latency : prev.ms + RTT_ALPHA * (latency - prev.ms);
    return { ms, at: result.at, frequency: result.frequency, ok: true };
  }
  return { ms: prev?.ms ?? null, at: result.at, frequency: result.frequency, ok: false };
}

/** The stored form: `<ms with one decimal, or -> <at> <frequency> <1|0>`, about 25 bytes a field. */
export function formatRtt(s: RttSample): string {
  return `${s.ms === null ? '-' : Math.round(s.ms * 10) / 10} ${s.at} ${s.frequency} ${s.ok ? 1 : 0}`;
}

/** The stored form read back; null when it is not one (a value of another version is ignored, not trusted). */
export function parseRtt(value: string | null | undefined): RttSample | null {
  if (!value) return null;
  const m = /^(-|\d+(?:\.\d+)?) (\d+) (\d+) ([01])$/.exec(value);
  if (m === null) return null;
  return { ms: m[1] === '-' ? null : Number(m[1]), at: Number(m[2]), frequency: Number(m[3]), ok: m[4] === '1' };
}

/**
 * The RTT a ranking may use, or null: the latest result succeeded and is fresh by the quorum's
 * own rule (two periods plus the slack), so a location that stopped reporting, or an address it
 * last found down, ranks as unmeasured.
 */
export function usableRtt(s: RttSample | null, now: number, slackMs?: number): number | null {
  if (s === null || !s.ok || s.ms === null) return null;
  return isFresh(s, now, slackMs) ? s.ms : null;
}

/**
 * A location's RTT hash expires this long after its last write, so one that stopped reporting
 * (removed, renamed) leaves nothing behind; every write renews it.
 */
export const RTT_KEY_TTL_MS = 86_400_000;

/** A field whose latest result is older than this many check periods is removed by the aggregator's prune. */
export const RTT_KEEP_PERIODS = 10;
