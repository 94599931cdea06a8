import { DEFAULT_FRESHNESS_SLACK_MS, type HealthState, type HealthStateName, isFresh, type ProbeResult } from '@vigil/contract';

export interface Thresholds {
  /** Share of fresh locations that must succeed for `available` (default 0.85). */
  available: number;
  /** Share of fresh locations that must fail for `unavailable` (default 0.20). */
  unavailable: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { available: 0.85, unavailable: 0.2 };

export interface Verdict {
  /** The state the fresh results call for; null in the hysteresis band or without fresh results. */
  state: HealthStateName | null;
  fresh: number;
  ok: number;
  failed: number;
  /** Each failing fresh location's error. */
  reasons: Record<string, string>;
}

/**
 * The 85% / 20% rule over the locations whose latest result is fresh: `available` when at least
 * `available` of them succeeded, `unavailable` when at least `unavailable` of them failed,
 * otherwise no opinion (the state stays as it is: hysteresis, so a target hovering between the
 * two does not flap). With A + U > 1 (config enforces it) both can never hold at once.
 *
 * The shares are exact: ok/n and the threshold are each rounded once to the nearest double, and
 * rounding is monotonic, so ok/n >= 0.85 holds exactly when ok/n really is 85% or more
 * (17 of 20 is available, 4 of 5 is not) for any number of locations a deployment can have.
 */
export function verdict(
  results: Iterable<ProbeResult>,
  now: number,
  thresholds: Thresholds,
  slackMs = DEFAULT_FRESHNESS_SLACK_MS,
): Verdict {
  let ok = 0;
  let failed = 0;
  const reasons: Record<string, string> = {};
  for (const r of results) {
    if (!isFresh(r, now, slackMs)) continue;
    if (r.ok) ok++;
    else {
      failed++;
      reasons[r.location] = r.error ?? 'failed';
    }
  }
  const fresh = ok + failed;
  let state: HealthStateName | null = null;
  if (fresh > 0) {
    if (ok / fresh >= thresholds.available) state = 'available';
    else if (failed / fresh >= thresholds.unavailable) state = 'unavailable';
  }
  return { state, fresh, ok, failed, reasons: sortKeys(reasons) };
}

/**
 * The health state to write for one address, or null when nothing changes: written on a
 * transition and on the first determination, never to restate the same state.
 */
export function nextHealth(
  current: HealthState | null,
  checkId: string,
  address: string,
  results: Iterable<ProbeResult>,
  now: number,
  thresholds: Thresholds,
  slackMs = DEFAULT_FRESHNESS_SLACK_MS,
): HealthState | null {
  const v = verdict(results, now, thresholds, slackMs);
  if (v.state === null || v.state === current?.state) return null;
  return { checkId, address, state: v.state, since: Math.trunc(now), reasons: v.reasons };
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
