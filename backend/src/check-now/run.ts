// The rules of a one-off run ("check now") apart from I/O: when a request may start one, join
// one or must wait, and the answer built from what the locations reported.
import { type CheckJob, type CheckNowReport, isoTime } from '@vigil/contract';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CheckNowAnswer } from './dto/check-now.dto';

/** Past the check's timeout, how long the api waits for the locations (a job's pick-up and the write of its answer). */
export const CHECK_NOW_MARGIN_MS = 2000;

/** A record set's run as kept in Redis (redisKeys.checkNowRun) while it is in flight or cooling down. */
export const RunRecordSchema = z.object({
  run_id: z.string(),
  started_at: z.int(),
  deadline: z.int(),
  locations: z.array(z.string()),
  /** The job's digest: only a request for the very same check and addresses joins a run. */
  digest: z.string(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export const jobDigest = (job: CheckJob) => createHash('sha256').update(JSON.stringify(job)).digest('base64url');

export function newRun(runId: string, job: CheckJob, locations: string[], now: number): RunRecord {
  return {
    run_id: runId,
    started_at: now,
    deadline: now + job.check.timeout * 1000 + CHECK_NOW_MARGIN_MS,
    locations,
    digest: jobDigest(job),
  };
}

/** How long the run's record is kept: while it is in flight, and at least the interval from its start. */
export const recordTtlMs = (run: RunRecord, intervalMs: number, now: number) =>
  Math.max(1, Math.max(run.deadline, run.started_at + intervalMs) - now);

/** Once the run ended (early, when every location answered): what is left of the interval; 0 frees it. */
export const cooldownLeftMs = (run: RunRecord, intervalMs: number, now: number) => Math.max(0, run.started_at + intervalMs - now);

/**
 * What a request does when the record set has a run already: join it while it is in flight for
 * the same job; otherwise wait (a run of another version of the check, or the interval since the
 * last one), for `retryAfterMs`.
 */
export function onExisting(
  run: RunRecord,
  digest: string,
  now: number,
  ttlMs: number,
): { join: true } | { join: false; reason: 'in_flight' | 'interval'; retryAfterMs: number } {
  if (run.deadline > now && run.digest === digest) return { join: true };
  return { join: false, reason: run.deadline > now ? 'in_flight' : 'interval', retryAfterMs: Math.max(1, ttlMs) };
}

/**
 * The answer: every location asked, in name order, with its result per address in the record
 * set's order; a location that did not report is listed as such, never left out.
 */
export function checkNowAnswer(
  run: RunRecord,
  job: CheckJob,
  reports: ReadonlyMap<string, CheckNowReport>,
  joined: boolean,
): CheckNowAnswer {
  const addresses = [...new Set(job.addresses)];
  const waitedS = Math.round((run.deadline - run.started_at) / 100) / 10;
  const locations = [...run.locations].sort().map((location) => {
    const report = reports.get(location);
    if (!report) {
      return { location, status: 'no_answer' as const, answered_ms: null, error: `no answer within ${waitedS} s`, results: [] };
    }
    const byAddress = new Map(report.results.map((r) => [r.address, r]));
    return {
      location,
      status: 'answered' as const,
      answered_ms: Math.max(0, report.at - run.started_at),
      error: null,
      results: addresses.map((address) => {
        const r = byAddress.get(address);
        return {
          address,
          ok: r ? r.ok : null,
          latency_ms: r?.latency_ms ?? null,
          error: r ? r.error : 'no result for this address',
          warning: r?.warning ?? null,
          cert_days_left: r?.cert_days_left ?? null,
        };
      }),
    };
  });
  return {
    run_id: run.run_id,
    joined,
    started_at: isoTime(run.started_at) ?? new Date(run.started_at).toISOString(),
    timeout: job.check.timeout,
    complete: locations.every((l) => l.status === 'answered'),
    locations,
  };
}
