import { type OverrideAction, OverrideInputSchema, type Recurrence } from '@vigil/contract';
import type { OverrideBody, RrsetOverride } from '../api/types';
import { formatPath } from './errors';
import { DATE_TIME } from './format';

/**
 * The health page's overrides (drain, force up, maintenance windows): the form's draft ↔ the API
 * body, and how an override reads. The form takes times in the browser's time zone (what
 * `<input type="datetime-local">` gives); the API and the list speak UTC.
 */
export interface OverrideDraft {
  action: OverrideAction;
  /** Local date and time (`YYYY-MM-DDTHH:mm[:ss]`); maintenance only, drain and force up start now. */
  starts: string;
  /** Drain and force up: until undone, or until `ends`. A maintenance window always ends. */
  until: 'undone' | 'time';
  ends: string;
  recurrence: Recurrence | 'none';
  /** Optional: the last occurrence starts at or before it. */
  recurrenceUntil: string;
  /** Maintenance: also leave the address out of answers during the window (the panel's default). */
  drain: boolean;
  note: string;
}

/** The form's fields, named as the API names them, so its 400s land on them. */
export type OverrideField = 'starts_at' | 'ends_at' | 'recurrence' | 'recurrence_until' | 'drain' | 'note';
const FIELDS: readonly string[] = ['starts_at', 'ends_at', 'recurrence', 'recurrence_until', 'drain', 'note'];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `ms` as a `datetime-local` value in the browser's zone, to the second. */
export function localInputValue(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A `datetime-local` value (local time) as epoch milliseconds; null when empty or not a date. */
export function parseLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** A fresh draft: a maintenance window starts in an hour and lasts an hour, drained. */
export function newOverrideDraft(action: OverrideAction, now = Date.now()): OverrideDraft {
  const start = Math.ceil((now + 3600_000) / 60_000) * 60_000;
  return {
    action,
    starts: action === 'maintenance' ? localInputValue(start) : '',
    until: action === 'maintenance' ? 'time' : 'undone',
    ends: localInputValue(action === 'maintenance' ? start + 3600_000 : start),
    recurrence: 'none',
    recurrenceUntil: '',
    drain: true,
    note: '',
  };
}

const NOT_A_TIME = 'must be a date and time';

/**
 * The POST body of a draft for `address`, or the reasons per field: the contract's own checks
 * (the API's messages). Whether a time is still in the future the API decides, by its clock.
 */
export function overrideBody(
  address: string,
  d: OverrideDraft,
): { body: OverrideBody; errors: null } | { body: null; errors: Partial<Record<OverrideField, string>> } {
  const errors: Partial<Record<OverrideField, string>> = {};
  const time = (field: OverrideField, value: string, required: boolean): string | undefined => {
    if (!value.trim()) {
      if (required) errors[field] = 'is required';
      return undefined;
    }
    const ms = parseLocalInput(value);
    if (ms === null) {
      errors[field] = NOT_A_TIME;
      return undefined;
    }
    return new Date(ms).toISOString();
  };
  const body: OverrideBody = { address, action: d.action };
  if (d.action === 'maintenance') {
    const starts = time('starts_at', d.starts, true);
    const ends = time('ends_at', d.ends, true);
    if (starts) body.starts_at = starts;
    if (ends) body.ends_at = ends;
    body.drain = d.drain;
    if (d.recurrence !== 'none') {
      body.recurrence = d.recurrence;
      const last = time('recurrence_until', d.recurrenceUntil, false);
      if (last) body.recurrence_until = last;
    }
  } else if (d.until === 'time') {
    const ends = time('ends_at', d.ends, true);
    if (ends) body.ends_at = ends;
  }
  const note = d.note.trim();
  if (note) body.note = note;
  if (Object.keys(errors).length === 0) {
    const parsed = OverrideInputSchema.safeParse(body);
    if (parsed.success) return { body, errors: null };
    for (const issue of parsed.error.issues) {
      const field = formatPath(issue.path as PropertyKey[]);
      if (FIELDS.includes(field)) errors[field as OverrideField] ??= issue.message;
    }
    // A rule the form has no field for: the API will say, at the address or the body.
    if (Object.keys(errors).length === 0) return { body, errors: null };
  }
  return { body: null, errors };
}

/** `2026-12-03 16:40:05 UTC`. */
export function formatUtc(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The same moment in the browser's zone, with the zone's name: `3 Dec 2026, 22:10:05 GMT+5:30`. */
export function formatLocal(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { ...DATE_TIME, timeZoneName: 'short' });
}

export const ACTION_LABEL: Record<OverrideAction, string> = { drain: 'Drain', force_up: 'Force up', maintenance: 'Maintenance' };

/** What an override does, in a few words: `Maintenance, drained, daily until …`. */
export function describeOverride(o: Pick<RrsetOverride, 'action' | 'drain' | 'recurrence' | 'recurrence_until'>): string {
  if (o.action !== 'maintenance') return ACTION_LABEL[o.action];
  const parts = ['Maintenance', o.drain ? 'drained' : 'not drained'];
  if (o.recurrence) parts.push(o.recurrence_until ? `${o.recurrence} until ${formatUtc(o.recurrence_until)}` : `${o.recurrence}, no end`);
  return parts.join(', ');
}

/** One thing an address's overrides do to it now, with when that stops (null: until undone). */
export interface AddressOverrideState {
  label: 'drained' | 'forced up' | 'in maintenance';
  until: string | null;
}

/**
 * What holds for one address now, from the record set's overrides: drained (a drain, or a window
 * with drain), forced up (unless drained too: drain wins), in maintenance (a window); each with
 * the latest end of what makes it so (null: one of them lasts until undone); and the address's
 * next change, the soonest start or end of any of its overrides.
 */
export function addressOverrides(
  address: string,
  overrides: readonly RrsetOverride[],
): { now: AddressOverrideState[]; next: { at: string; override: RrsetOverride } | null } {
  const mine = overrides.filter((o) => o.address === address);
  const active = mine.filter((o) => o.active);
  const until = (list: RrsetOverride[]): string | null => {
    if (list.some((o) => o.next_change === null)) return null;
    return list.map((o) => o.next_change!).reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
  };
  const now: AddressOverrideState[] = [];
  const drained = active.filter((o) => o.drain);
  const forced = active.filter((o) => o.action === 'force_up');
  const maintenance = active.filter((o) => o.action === 'maintenance');
  if (drained.length) now.push({ label: 'drained', until: until(drained) });
  else if (forced.length) now.push({ label: 'forced up', until: until(forced) });
  if (maintenance.length) now.push({ label: 'in maintenance', until: until(maintenance) });
  let next: { at: string; override: RrsetOverride } | null = null;
  for (const o of mine) {
    if (o.next_change && (!next || Date.parse(o.next_change) < Date.parse(next.at))) next = { at: o.next_change, override: o };
  }
  return { now, next };
}

/** `Maintenance starts` / `Drain ends`: what the next change of an override is. */
export const changeText = (o: RrsetOverride): string => `${ACTION_LABEL[o.action]} ${o.active ? 'ends' : 'starts'}`;

/** The guard's refusals that `force` overrides (a 409 with one of these reasons). */
export const GUARD_REASONS: readonly string[] = ['no_served_address', 'no_healthy_address'];
