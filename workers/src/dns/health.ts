// Stage 4: failover. Addresses whose aggregated state is `unavailable` are left out; an address
// with no state yet counts as available; when none is left, all of them are served (fail open).
import { healthField, healthyRecords, healthyWithOverrides, type HealthState, modeAt } from '@vigil/contract';
import type { ServedRecord } from './zone-index';

export interface HealthView {
  isUnavailable(key: string): boolean;
}

/** The health hash in memory; only the `unavailable` keys matter to answers. */
export class HealthTable implements HealthView {
  private down = new Set<string>();

  isUnavailable(key: string): boolean {
    return this.down.has(key);
  }

  get unavailableCount(): number {
    return this.down.size;
  }

  apply(state: Pick<HealthState, 'checkId' | 'address' | 'state'>): void {
    const key = healthField(state.checkId, state.address);
    if (state.state === 'unavailable') this.down.add(key);
    else this.down.delete(key);
  }

  /** Replaces everything (full reload), atomically for the query path. */
  replaceAll(states: Iterable<Pick<HealthState, 'checkId' | 'address' | 'state'>>): void {
    const next = new Set<string>();
    for (const s of states) if (s.state === 'unavailable') next.add(healthField(s.checkId, s.address));
    this.down = next;
  }
}

const downIn = (health: HealthView, r: ServedRecord) => health.isUnavailable(r.healthKey!);
const neverDown = () => false;
const isBackup = (r: ServedRecord) => r.isBackup;

/**
 * The healthy ones of `records` by the contract's rule (`healthyRecords`: fail open, backups
 * only when no other record is up). Runs first, or where a healthcheck (is_healthy) picker
 * stands in the rrset's pickers. Returns `records` itself (no copy) when nothing is down.
 */
export function healthFilter(
  records: readonly ServedRecord[],
  checkId: string | null,
  health: HealthView,
  backups = false,
  overrides = false,
  minHealthy = 1,
): readonly ServedRecord[] {
  if (checkId === null && !backups) return records;
  if (overrides) {
    // Drains and forced-ups (the rare case) read the clock, so windows start and end on time
    // without anything republished.
    const now = Date.now();
    return healthyWithOverrides(records, (r) => modeAt(r.overrides, now), health, downIn, backups ? isBackup : null, minHealthy);
  }
  return healthyRecords(records, health, checkId === null ? neverDown : downIn, backups ? isBackup : null, minHealthy);
}
