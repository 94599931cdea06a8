// Stage 4: failover. Addresses whose aggregated state is `unavailable` are left out; an address
// with no state yet counts as available; when none is left, all of them are served (fail open).
import { healthField, type HealthState } from '@vigil/contract';
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

/**
 * The healthy ones of `records`, or all of them when none is healthy, so that pickers such as
 * geodns or first_n still shape a fail-open answer. Runs first, or where a healthcheck (is_healthy)
 * picker stands in the rrset's pickers. Returns `records` itself (no copy) when nothing is down.
 * With `backups` (some records have meta.backup), the backups are served only when every other
 * record is unavailable (or there is no other), the healthy ones first; only when they are down
 * too does the answer fail open with all records.
 */
export function healthFilter(
  records: readonly ServedRecord[],
  checkId: string | null,
  health: HealthView,
  backups = false,
): readonly ServedRecord[] {
  if (backups) return withBackups(records, checkId, health);
  if (checkId === null) return records;
  let down = 0;
  for (let i = 0; i < records.length; i++) if (health.isUnavailable(records[i]!.healthKey!)) down++;
  if (down === 0 || down === records.length) return records;
  const healthy: ServedRecord[] = [];
  for (let i = 0; i < records.length; i++) if (!health.isUnavailable(records[i]!.healthKey!)) healthy.push(records[i]!);
  return healthy;
}

function withBackups(records: readonly ServedRecord[], checkId: string | null, health: HealthView): readonly ServedRecord[] {
  const up = (r: ServedRecord) => checkId === null || !health.isUnavailable(r.healthKey!);
  const primaries = records.filter((r) => !r.isBackup && up(r));
  if (primaries.length > 0) return primaries;
  const standby = records.filter((r) => r.isBackup && up(r));
  return standby.length > 0 ? standby : records;
}
