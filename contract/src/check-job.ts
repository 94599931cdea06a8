import { z } from 'zod';
import { FailoverSchema } from './failover';
import { QuorumPolicySchema } from './quorum';
import { FAILOVER_TYPES } from './records';

/**
 * The data of one probe job: one record set's check, run from one location over its addresses
 * (for CNAME, its target names: the probe resolves each and checks the address it gets).
 */
export const CheckJobSchema = z.object({
  checkId: z.string(),
  zone: z.string(),
  name: z.string(),
  type: z.enum(FAILOVER_TYPES),
  addresses: z.array(z.string()),
  check: FailoverSchema.in,
});
export type CheckJob = z.infer<typeof CheckJobSchema>;

/** What a probe writes for one address from one location. */
export const ProbeResultSchema = z.object({
  ok: z.boolean(),
  latency_ms: z.number().nullable(),
  error: z.string().nullable(),
  at: z.int(),
  location: z.string(),
  frequency: z.int(),
  /** A passing check's caveat (cert_expiry_days: "certificate expires in 3 days (2026-12-06)"); absent when none. */
  warning: z.string().optional(),
  /** HTTPS with cert_expiry_days: whole days until the certificate expires (negative once it has). */
  cert_days_left: z.int().optional(),
  /** With cert_days_left: when the certificate expires (ms since epoch), for the certificate notifications (cert.ts). */
  cert_expires_at: z.int().optional(),
  /** The check's own quorum (quorumPolicyOf), for the aggregators, which see only results; absent: their settings. */
  quorum: QuorumPolicySchema.optional(),
});
export type ProbeResult = z.infer<typeof ProbeResultSchema>;

/** A result as it travels on the results feed to the aggregators. */
export const ProbeReportSchema = ProbeResultSchema.extend({ checkId: z.string(), address: z.string() });
export type ProbeReport = z.infer<typeof ProbeReportSchema>;

/**
 * A one-off run of a record set's check ("check now"): the saved check, enqueued in every live
 * location's queue at once. The probe runs it with the same runner as a scheduled job, skips it
 * once `deadline` (ms since epoch) has passed, and answers on the run's own stream
 * (redisKeys.checkNow), never on the results feed: a one-off result is not a vote.
 */
export const CheckNowJobSchema = CheckJobSchema.extend({
  runId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
  deadline: z.int(),
});
export type CheckNowJob = z.infer<typeof CheckNowJobSchema>;

/** One address's outcome in a one-off run; `ok: null` when the probe could not judge it (no vote), `error` says why. */
export const CheckNowResultSchema = z.object({
  address: z.string(),
  ok: z.boolean().nullable(),
  latency_ms: z.number().nullable(),
  error: z.string().nullable(),
  warning: z.string().optional(),
  cert_days_left: z.int().optional(),
});
export type CheckNowResult = z.infer<typeof CheckNowResultSchema>;

/** What one location writes for a one-off run: every address's outcome, when the last one ended. */
export const CheckNowReportSchema = z.object({
  runId: z.string(),
  location: z.string(),
  at: z.int(),
  results: z.array(CheckNowResultSchema),
});
export type CheckNowReport = z.infer<typeof CheckNowReportSchema>;
