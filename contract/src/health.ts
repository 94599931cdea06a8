import { z } from 'zod';
import type { ProbeResult } from './check-job';

export const HEALTH_STATES = ['available', 'unavailable'] as const;
export type HealthStateName = (typeof HEALTH_STATES)[number];

/** An address's aggregated state, as the aggregator writes it and the DNS server reads it. */
export const HealthStateSchema = z.object({
  checkId: z.string(),
  address: z.string(),
  state: z.enum(HEALTH_STATES),
  since: z.int(),
  /** Each failing location's error at the transition (location -> reason). */
  reasons: z.record(z.string(), z.string()),
});
export type HealthState = z.infer<typeof HealthStateSchema>;

/** A location's latest result counts while it is at most this many check periods old... */
export const FRESHNESS_PERIODS = 2;
/**
 * ...plus this slack (FRESHNESS_SLACK_SECONDS, read by the aggregator and the api alike). A result
 * is stamped when its check ends, up to check.timeout (at most 10 s) after the job started, so two
 * results of one location can be frequency + timeout apart; the rest covers job queueing and clock
 * skew between probe hosts. With it, one missed or slow round does not drop a location, two
 * missed rounds do.
 */
export const DEFAULT_FRESHNESS_SLACK_MS = 15_000;

/** The FRESHNESS_SLACK_SECONDS setting, one definition for every process that reads it. */
export const FreshnessSlackSecondsSchema = z.coerce
  .number({ error: 'must be a number of seconds' })
  .min(0)
  .max(600)
  .default(DEFAULT_FRESHNESS_SLACK_MS / 1000);

/** Whether a location's latest result still counts toward the quorum. */
export function isFresh(result: Pick<ProbeResult, 'at' | 'frequency'>, now: number, slackMs: number = DEFAULT_FRESHNESS_SLACK_MS): boolean {
  // A result from the future (a probe whose clock runs ahead) is fresh: it is the latest we have.
  return now - result.at <= FRESHNESS_PERIODS * result.frequency * 1000 + slackMs;
}
