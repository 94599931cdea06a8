import {
  healthyWithOverrides,
  holdsAt,
  isOver,
  modeAt,
  nextChange,
  publishedOverrides,
  scheduleOf,
  type StoredOverride,
} from '@vigil/contract';
import type { Rrset } from '../rrsets/rrset.entity';
import type { OverrideView } from './dto/override.dto';

/** What the guard counts at one moment: addresses served and, of them, those up (or forced up). */
export interface Served {
  any: string[];
  up: number;
}

/** The overrides that have not ended. */
export function currentOverrides(rrset: Rrset, now: number): StoredOverride[] {
  return (rrset.overrides ?? []).filter((o) => !isOver(scheduleOf(o), now));
}

/** What DNS serves at `at` by the shared rule, with these overrides and the addresses down now. */
export function served(rrset: Rrset, overrides: StoredOverride[], at: number, down: Set<string>): Served {
  const published = publishedOverrides(overrides, at);
  const records = rrset.resourceRecords
    .filter((r) => r.enabled)
    .map((r) => ({ address: String(r.content[0]), backup: r.meta.backup === true }));
  const modeOf = (r: { address: string }) => modeAt(published.filter((o) => o.address === r.address), at);
  const servedNow = healthyWithOverrides(
    records,
    modeOf,
    down,
    (d, r) => d.has(r.address),
    records.some((r) => r.backup) ? (r) => r.backup : null,
    rrset.meta.failover?.min_healthy ?? 1,
  );
  return {
    any: servedNow.map((r) => r.address),
    up: servedNow.filter((r) => modeOf(r) === 'force_up' || !down.has(r.address)).length,
  };
}

export const isoAt = (ms: number) => new Date(ms).toISOString();
const iso = (ms: number | null) => (ms === null ? null : isoAt(ms));

export function overrideView(o: StoredOverride, now: number): OverrideView {
  const s = scheduleOf(o);
  return {
    id: o.id,
    address: o.address,
    action: o.action,
    starts_at: isoAt(o.starts_at),
    ends_at: iso(o.ends_at),
    recurrence: o.recurrence,
    recurrence_until: iso(o.recurrence_until),
    drain: o.drain,
    note: o.note,
    active: holdsAt(s, now),
    next_change: iso(nextChange(s, now)),
    created_at: isoAt(o.created_at),
    created_by: o.created_by,
  };
}

/** An override in the audit log, with readable times. */
export function auditable(o: StoredOverride) {
  const { created_at: _c, ...rest } = o;
  return { ...rest, starts_at: isoAt(o.starts_at), ends_at: iso(o.ends_at), recurrence_until: iso(o.recurrence_until) };
}
