import { z } from 'zod';
import { CompiledRrsetSchema, ZoneHeadSchema } from './compiled-zone';
import { HealthStateSchema } from './health';

/**
 * The change feed (a Redis stream): every published zone change and every health transition,
 * in order. Consumers remember the last id they applied and resume from it after a reconnect,
 * so no change is lost.
 */
export const FeedEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('zone.upsert'), zone: z.string(), version: z.int() }),
  z.object({ kind: z.literal('zone.delete'), zone: z.string(), version: z.int() }),
  /**
   * Some record sets changed at `version`: exactly what Redis wrote (each record set only where it
   * held something older), the head when it was newer, deletions as `<name> <type>`.
   */
  z.object({
    kind: z.literal('zone.delta'),
    zone: z.string(),
    version: z.int(),
    head: ZoneHeadSchema.nullable(),
    upserts: z.array(CompiledRrsetSchema),
    deletes: z.array(z.string()),
  }),
  z.object({ kind: z.literal('health'), health: HealthStateSchema }),
]);
export type FeedEvent = z.infer<typeof FeedEventSchema>;

/** The one stream field that carries the JSON event. */
export const FEED_FIELD = 'event';
