import { z } from 'zod';
import { FailoverSchema } from './failover';

/** The data of one probe job: one record set's check, run from one location over its addresses. */
export const CheckJobSchema = z.object({
  checkId: z.string(),
  zone: z.string(),
  name: z.string(),
  type: z.enum(['A', 'AAAA']),
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
});
export type ProbeResult = z.infer<typeof ProbeResultSchema>;

/** A result as it travels on the results feed to the aggregators. */
export const ProbeReportSchema = ProbeResultSchema.extend({ checkId: z.string(), address: z.string() });
export type ProbeReport = z.infer<typeof ProbeReportSchema>;
