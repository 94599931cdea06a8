import {
  DEFAULT_FRESHNESS_SLACK_MS,
  DEFAULT_QUORUM,
  type HealthState,
  type HealthStateName,
  type ProbeResult,
  type QuorumPolicy,
  tally,
} from '@vigil/contract';

export interface Thresholds {
  /** Share of fresh locations that must succeed for `available` (default 0.85). */
  available: number;
  /** Share of fresh locations that must fail for `unavailable` (default 0.20). */
  unavailable: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { ...DEFAULT_QUORUM };

export interface Verdict {
  /** The state the fresh results call for; null in the hysteresis band or with fewer fresh results than min_locations. */
  state: HealthStateName | null;
  /** Fresh results of the locations that count (the check's `locations`, else every one). */
  fresh: number;
  ok: number;
  failed: number;
  /** Each failing fresh location's error. */
  reasons: Record<string, string>;
}

/**
 * The check's own quorum, as its newest result carries it (quorumPolicyOf): a changed check takes
 * effect with the first result of its new job, wherever that came from. Undefined: the defaults.
 */
export function policyOf(results: readonly ProbeResult[]): QuorumPolicy | undefined {
  let newest: ProbeResult | undefined;
  for (const r of results) if (newest === undefined || r.at > newest.at) newest = r;
  return newest?.quorum;
}

/**
 * The 85% / 20% rule over the locations whose latest result is fresh: `available` when at least
 * `available` of them succeeded, `unavailable` when at least `unavailable` of them failed,
 * otherwise no opinion (the state stays as it is: hysteresis, so a target hovering between the
 * two does not flap). With A + U > 1 (config and the check's schema enforce it) both can never
 * hold at once. A check may set its own shares, the locations that count and a minimum of fresh
 * results below which there is no opinion either (the policy of its newest result); `thresholds`
 * are the aggregator's settings, for checks that set none.
 *
 * The shares are exact: ok/n and the threshold are each rounded once to the nearest double, and
 * rounding is monotonic, so ok/n >= 0.85 holds exactly when ok/n really is 85% or more
 * (17 of 20 is available, 4 of 5 is not) for any number of locations a deployment can have.
 */
export function verdict(
  results: readonly ProbeResult[],
  now: number,
  thresholds: Thresholds,
  slackMs = DEFAULT_FRESHNESS_SLACK_MS,
): Verdict {
  const policy = policyOf(results);
  const { fresh, ok, failed, reasons, minMet } = tally(results, now, policy, slackMs);
  const available = policy?.available ?? thresholds.available;
  const unavailable = policy?.unavailable ?? thresholds.unavailable;
  let state: HealthStateName | null = null;
  if (minMet) {
    if (ok / fresh >= available) state = 'available';
    else if (failed / fresh >= unavailable) state = 'unavailable';
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
  results: readonly ProbeResult[],
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
