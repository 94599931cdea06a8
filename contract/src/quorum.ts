import { z } from 'zod';
import { DEFAULT_FRESHNESS_SLACK_MS, isFresh } from './health';

/**
 * A check's own quorum (Vigil's own fields of `meta.failover`: `quorum`, `locations`,
 * `min_locations`), as its probes carry it in every result, so the aggregators, which see only
 * results, decide each address by its own check's rule. The api's health read-out counts by the
 * same rule (`tally`).
 */

/** A probe location's name (a probe's LOCATION): it names its queue and tags its results. */
export const LOCATION_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const LOCATION_NAME_RULE = 'must be lowercase letters, digits and "-" (at most 63), such as eu-1';

/** The default shares: available at 85% of the fresh locations ok, unavailable at 20% failed. */
export const DEFAULT_QUORUM = { available: 0.85, unavailable: 0.2 } as const;

export const QUORUM_LIMITS = { locations: 50 } as const;

/** What a result carries of its check's quorum; absent fields are the aggregator's own settings. */
export const QuorumPolicySchema = z.object({
  available: z.number().optional(),
  unavailable: z.number().optional(),
  /** With fewer fresh results than this, no verdict: the state stays. */
  min_locations: z.int().optional(),
  /** Only these locations' results count (absent: every location's). */
  locations: z.array(z.string()).optional(),
});
export type QuorumPolicy = z.infer<typeof QuorumPolicySchema>;

/** The quorum fields of a check, as they are given in `meta.failover`. */
export interface QuorumFields {
  quorum?: { available: number; unavailable: number };
  locations?: string[];
  min_locations?: number;
}

/** The policy a probe stamps on its results; undefined for a check with the defaults (the usual case: nothing added). */
export function quorumPolicyOf(check: QuorumFields): QuorumPolicy | undefined {
  if (check.quorum === undefined && check.locations === undefined && check.min_locations === undefined) return undefined;
  return {
    ...(check.quorum && { available: check.quorum.available, unavailable: check.quorum.unavailable }),
    ...(check.min_locations !== undefined && { min_locations: check.min_locations }),
    ...(check.locations && { locations: check.locations }),
  };
}

/** Whether a location's results count for this policy: every location's, unless it names some. */
export const countsIn = (policy: QuorumPolicy | undefined, location: string) =>
  policy?.locations === undefined || policy.locations.includes(location);

export interface Tally {
  /** Fresh results of counted locations. */
  fresh: number;
  ok: number;
  failed: number;
  /** Each failing counted location's error. */
  reasons: Record<string, string>;
  /** Whether `fresh` reaches min_locations (default 1): only then is there a verdict. */
  minMet: boolean;
}

/** The fresh results of the locations that count, one latest result per location. */
export function tally(
  results: Iterable<{ ok: boolean; error: string | null; at: number; frequency: number; location: string }>,
  now: number,
  policy: QuorumPolicy | undefined,
  slackMs: number = DEFAULT_FRESHNESS_SLACK_MS,
): Tally {
  let ok = 0;
  let failed = 0;
  const reasons: Record<string, string> = {};
  for (const r of results) {
    if (!isFresh(r, now, slackMs) || !countsIn(policy, r.location)) continue;
    if (r.ok) ok++;
    else {
      failed++;
      reasons[r.location] = r.error ?? 'failed';
    }
  }
  const fresh = ok + failed;
  return { fresh, ok, failed, reasons, minMet: fresh > 0 && fresh >= (policy?.min_locations ?? 1) };
}
