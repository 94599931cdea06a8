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

/**
 * The health filter's rule, one for the DNS server's answers and for what a notification says
 * they are: the records not down, or all of them when every one is down (fail open), so pickers
 * after it still shape the answer. With `isBackup`, backups are served only when no other record
 * is up (the healthy backups first; all records when they are down too). `minHealthy` (the
 * check's min_healthy, default 1) raises "no other record is up" to "fewer than that many are
 * up": then the backups that are up, and without any, every record (fail open). Returns
 * `records` itself when nothing is left out. `isDown` takes a context rather than closing over
 * one, so the query path passes module-level functions and allocates nothing.
 */
export function healthyRecords<T, C>(
  records: readonly T[],
  ctx: C,
  isDown: (ctx: C, record: T) => boolean,
  isBackup: ((record: T) => boolean) | null,
  minHealthy = 1,
): readonly T[] {
  if (isBackup !== null) {
    let primaries = 0;
    let standby = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (isDown(ctx, r)) continue;
      if (isBackup(r)) standby++;
      else primaries++;
    }
    if (primaries >= minHealthy && primaries > 0) {
      return primaries === records.length ? records : records.filter((r) => !isBackup(r) && !isDown(ctx, r));
    }
    return standby > 0 ? records.filter((r) => isBackup(r) && !isDown(ctx, r)) : records;
  }
  let down = 0;
  for (let i = 0; i < records.length; i++) if (isDown(ctx, records[i]!)) down++;
  // Nothing down, or too few up to carry the answer: every record.
  if (down === 0 || records.length - down < minHealthy || down === records.length) return records;
  const healthy: T[] = [];
  for (let i = 0; i < records.length; i++) if (!isDown(ctx, records[i]!)) healthy.push(records[i]!);
  return healthy;
}
