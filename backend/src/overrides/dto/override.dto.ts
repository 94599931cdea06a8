import { OVERRIDE_ACTIONS, OverrideInputSchema, RECURRENCES } from '@vigil/contract';
import { z } from 'zod';

/** The body of POST /v2/zones/{zone}/{name}/{type}/overrides (Vigil's own route). */
export const OverrideBodySchema = OverrideInputSchema;
export type OverrideBody = z.output<typeof OverrideBodySchema>;

export const OverrideSchema = z.object({
  id: z.string(),
  address: z.string(),
  action: z.enum(OVERRIDE_ACTIONS),
  starts_at: z.string(),
  ends_at: z.string().nullable().meta({ description: 'null: until it is removed' }),
  recurrence: z.enum(RECURRENCES).nullable(),
  recurrence_until: z.string().nullable(),
  drain: z.boolean().meta({ description: 'Drained while it holds: always for drain, if chosen for maintenance, never for force_up' }),
  note: z.string().nullable(),
  active: z.boolean().meta({ description: 'Whether it holds now' }),
  next_change: z.string().nullable().meta({ description: 'When it next starts or stops holding; null: never again (open-ended)' }),
  created_at: z.string(),
  created_by: z.string(),
});
export type OverrideView = z.output<typeof OverrideSchema>;

export const OverrideListSchema = z.object({ overrides: z.array(OverrideSchema) });

