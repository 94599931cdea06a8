import { z } from 'zod';

const AddressResultSchema = z.object({
  address: z.string(),
  ok: z.boolean().nullable().meta({
    description: 'true: passed; false: failed; null: the probe could not judge (overloaded, resolver unreachable), error says why',
  }),
  latency_ms: z.number().nullable(),
  error: z.string().nullable(),
  warning: z.string().nullable().meta({ description: 'A caveat of a passing check, e.g. "certificate expires in 3 days (2026-12-06)"' }),
  cert_days_left: z.int().nullable(),
});

const LocationRunSchema = z.object({
  location: z.string(),
  status: z.enum(['answered', 'no_answer']).meta({ description: 'no_answer: the location sent nothing before the run ended' }),
  answered_ms: z.number().nullable().meta({ description: 'Milliseconds from the start of the run to this location’s answer' }),
  error: z.string().nullable().meta({ description: 'Why a location has no results (no answer in time); null when it answered' }),
  results: z.array(AddressResultSchema),
});

/** The answer of POST /v2/zones/{zone}/{name}/{type}/check (Vigil's own route). */
export const CheckNowSchema = z.object({
  run_id: z.string(),
  joined: z.boolean().meta({ description: 'true: a run of the same check was in flight, and this request waited for it' }),
  started_at: z.string(),
  timeout: z.number().meta({ description: "The check's timeout (s); the run waits for the locations at most this plus a margin" }),
  complete: z.boolean().meta({ description: 'Every location answered' }),
  locations: z.array(LocationRunSchema),
});
export type CheckNowAnswer = z.output<typeof CheckNowSchema>;
