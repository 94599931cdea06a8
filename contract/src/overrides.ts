import { z } from 'zod';
import { healthyRecords } from './health';

/**
 * Overrides of one address of a failover record set, set by its owner:
 * - `drain`: left out of answers whatever its health, from `starts_at` until `ends_at` (or until undone);
 * - `force_up`: served even while its checks fail;
 * - `maintenance`: a window (optionally daily or weekly) during which its failures alert no one,
 *   and, with `drain: true`, it is drained too.
 * Times are UTC; a recurring window repeats every day or week at the same UTC time.
 */
export const OVERRIDE_ACTIONS = ['drain', 'force_up', 'maintenance'] as const;
export type OverrideAction = (typeof OVERRIDE_ACTIONS)[number];
export const RECURRENCES = ['daily', 'weekly'] as const;
export type Recurrence = (typeof RECURRENCES)[number];

export const RECURRENCE_MS: Record<Recurrence, number> = { daily: 24 * 3600_000, weekly: 7 * 24 * 3600_000 };

export const OVERRIDE_LIMITS = { perRrset: 50, noteLength: 500 } as const;

const isoDate = (what: string) =>
  z.iso
    .datetime({ offset: true, error: `must be a date and time in ISO 8601 with a time zone, such as 2026-12-03T22:00:00Z (${what})` })
    .transform((s) => Date.parse(s));

/** An override as the API takes it (POST .../overrides). Times come back as epoch milliseconds. */
export const OverrideInputSchema = z
  .strictObject({
    address: z.string({ error: 'must be the address of one of the record set\'s records' }),
    action: z.enum(OVERRIDE_ACTIONS, { error: `must be one of ${OVERRIDE_ACTIONS.join(', ')}` }),
    starts_at: isoDate('when it starts; default now').optional(),
    ends_at: isoDate('when it ends; null or left out: until it is removed').nullable().optional(),
    recurrence: z
      .enum(RECURRENCES, { error: `must be one of ${RECURRENCES.join(', ')}, or null` })
      .nullable()
      .optional()
      .describe('maintenance only: the window repeats every day or week (UTC) from starts_at'),
    recurrence_until: isoDate('the last occurrence starts at or before it').nullable().optional(),
    drain: z.boolean({ error: 'must be true or false' }).optional().describe('maintenance only: also leave the address out of answers during the window'),
    note: z
      .string({ error: 'must be a string' })
      .max(OVERRIDE_LIMITS.noteLength, { error: `must be at most ${OVERRIDE_LIMITS.noteLength} characters` })
      .optional(),
    force: z.boolean({ error: 'must be true or false' }).optional().describe('true: do it even if no address would be served'),
  })
  .superRefine((o, ctx) => {
    const issue = (key: keyof typeof o, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
    if (o.ends_at != null && o.starts_at !== undefined && o.ends_at <= o.starts_at) issue('ends_at', 'must be after starts_at');
    if (o.action === 'maintenance') {
      if (o.ends_at == null) issue('ends_at', 'is required for a maintenance window');
      if (o.recurrence && o.ends_at != null) {
        if (o.starts_at === undefined) issue('starts_at', 'is required for a recurring window (its first occurrence)');
        else if (o.ends_at - o.starts_at >= RECURRENCE_MS[o.recurrence]) {
          issue('ends_at', `a ${o.recurrence} window must be shorter than a ${o.recurrence === 'daily' ? 'day' : 'week'}`);
        }
      }
    } else {
      if (o.recurrence) issue('recurrence', 'is only for maintenance windows');
      if (o.drain !== undefined) issue('drain', 'is only for maintenance windows (drain is an action of its own)');
    }
    if (o.recurrence_until != null && !o.recurrence) issue('recurrence_until', 'needs a recurrence');
    if (o.recurrence_until != null && o.starts_at !== undefined && o.recurrence_until < o.starts_at) {
      issue('recurrence_until', 'must not be before starts_at');
    }
  });
export type OverrideInput = z.input<typeof OverrideInputSchema>;

/** An override as stored with its record set (times in epoch milliseconds). */
export interface StoredOverride {
  id: string;
  address: string;
  action: OverrideAction;
  starts_at: number;
  ends_at: number | null;
  recurrence: Recurrence | null;
  recurrence_until: number | null;
  drain: boolean;
  note: string | null;
  created_at: number;
  created_by: string;
}

/** When an override holds: from `from` to `until` (null: open-ended), every `every` ms up to the occurrence starting at `last`. */
export const ScheduleSchema = z.object({
  from: z.number(),
  until: z.number().nullable(),
  every: z.number().nullable(),
  last: z.number().nullable(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

/** What the DNS server gets of an address's overrides: only those that change answers. */
export const PublishedOverrideSchema = ScheduleSchema.extend({
  address: z.string(),
  mode: z.enum(['drain', 'force_up']),
});
export type PublishedOverride = z.infer<typeof PublishedOverrideSchema>;

export const scheduleOf = (o: StoredOverride): Schedule => ({
  from: o.starts_at,
  until: o.ends_at,
  every: o.recurrence ? RECURRENCE_MS[o.recurrence] : null,
  last: o.recurrence ? o.recurrence_until : null,
});

/** Whether the schedule holds at `now`. */
export function holdsAt(s: Schedule, now: number): boolean {
  if (now < s.from) return false;
  if (s.until === null) return true;
  if (s.every === null) return now < s.until;
  const k = Math.floor((now - s.from) / s.every);
  const start = s.from + k * s.every;
  if (s.last !== null && start > s.last) return now < lastStart(s) + (s.until - s.from);
  return now < start + (s.until - s.from);
}

function lastStart(s: Schedule): number {
  return s.from + Math.floor((s.last! - s.from) / s.every!) * s.every!;
}

/** When the schedule next starts or stops holding after `now`; null: never again. */
export function nextChange(s: Schedule, now: number): number | null {
  if (now < s.from) return s.from;
  if (s.until === null) return null;
  if (s.every === null) return now < s.until ? s.until : null;
  const length = s.until - s.from;
  let start = s.from + Math.floor((now - s.from) / s.every) * s.every;
  if (s.last !== null && start > s.last) start = lastStart(s);
  if (now < start + length) return start + length;
  const next = start + s.every;
  return s.last !== null && next > s.last ? null : next;
}

/** Whether the schedule will never hold again after `now` (an override that can be forgotten). */
export const isOver = (s: Schedule, now: number) => !holdsAt(s, now) && nextChange(s, now) === null;

/** Drain wins over force up: taking a server out on purpose is the stronger intent. */
export function modeAt(overrides: readonly PublishedOverride[] | null, now: number): 'drain' | 'force_up' | null {
  if (overrides === null) return null;
  let mode: 'drain' | 'force_up' | null = null;
  for (let i = 0; i < overrides.length; i++) {
    const o = overrides[i]!;
    if (!holdsAt(o, now)) continue;
    if (o.mode === 'drain') return 'drain';
    mode = 'force_up';
  }
  return mode;
}

/** The overrides that change answers, as published beside the record set's check. */
export function publishedOverrides(stored: readonly StoredOverride[], now: number): PublishedOverride[] {
  const out: PublishedOverride[] = [];
  for (const o of stored) {
    const s = scheduleOf(o);
    if (isOver(s, now)) continue;
    if (o.action === 'drain' || (o.action === 'maintenance' && o.drain)) out.push({ address: o.address, mode: 'drain', ...s });
    else if (o.action === 'force_up') out.push({ address: o.address, mode: 'force_up', ...s });
  }
  return out;
}

/** Whether an address's failures alert no one at `at`: in a maintenance window, or drained. */
export function isSilenced(stored: readonly StoredOverride[], address: string, at: number): boolean {
  return stored.some((o) => o.address === address && o.action !== 'force_up' && holdsAt(scheduleOf(o), at));
}

/**
 * The override rule, one for the DNS server's answers and the api's (the guard, notifications):
 * drained records are left out, forced-up ones never count as down, then the health filter
 * (healthyRecords: fail open, backups) runs on the rest. Every record drained: nothing is served,
 * which the guard lets happen only with `force`. `modeOf` gives a record's mode now.
 */
export function healthyWithOverrides<T, C>(
  records: readonly T[],
  modeOf: (record: T) => 'drain' | 'force_up' | null,
  ctx: C,
  isDown: (ctx: C, record: T) => boolean,
  isBackup: ((record: T) => boolean) | null,
  minHealthy = 1,
): readonly T[] {
  const kept: T[] = [];
  const forced = new Set<T>();
  for (const r of records) {
    const mode = modeOf(r);
    if (mode === 'drain') continue;
    if (mode === 'force_up') forced.add(r);
    kept.push(r);
  }
  return healthyRecords(kept, { ctx, forced, isDown }, downUnlessForced, isBackup, minHealthy);
}

function downUnlessForced<T, C>(o: { ctx: C; forced: Set<T>; isDown: (ctx: C, record: T) => boolean }, record: T): boolean {
  return !o.forced.has(record) && o.isDown(o.ctx, record);
}
