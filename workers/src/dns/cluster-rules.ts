// The rules of a cluster of DNS processes on one port, without I/O (cluster.ts does the I/O):
// when to restart a process that died, and what /healthz says for all of them together.
import type { HealthReport } from '../common/metrics';

export interface RestartRules {
  /** Delay before the first restart; doubled for each further crash inside the window. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Crashes of one process counted together: this many inside `windowMs` is a crash loop. */
  maxCrashes: number;
  windowMs: number;
}

export const RESTART_RULES: RestartRules = { firstDelayMs: 250, maxDelayMs: 10_000, maxCrashes: 5, windowMs: 60_000 };

export type RestartDecision = { restartInMs: number } | { giveUp: string };

/**
 * What to do when process `slot` died at `now`. A process that crashes again and again (its port
 * taken, a bug at start) is not restarted forever: restarting hides the fault and serves nothing.
 */
export class RestartPolicy {
  private readonly crashes = new Map<number, number[]>();

  constructor(private readonly rules: RestartRules = RESTART_RULES) {}

  exited(slot: number, now: number): RestartDecision {
    const recent = (this.crashes.get(slot) ?? []).filter((t) => now - t < this.rules.windowMs);
    recent.push(now);
    this.crashes.set(slot, recent);
    if (recent.length >= this.rules.maxCrashes) {
      return { giveUp: `DNS process ${slot} died ${recent.length} times within ${this.rules.windowMs / 1000} s` };
    }
    return { restartInMs: Math.min(this.rules.maxDelayMs, this.rules.firstDelayMs * 2 ** (recent.length - 1)) };
  }
}

/** One process's answer to the primary, or null when it has not answered (starting, or gone). */
export interface ProcessReport {
  process: number;
  pid: number | null;
  /** Its UDP and TCP listeners are up. */
  listening: boolean;
  report: HealthReport | null;
}

/**
 * Ready when every process is ready and listening. The status is the first not-ready process's
 * (`starting`, `loading`, …), else the first that is not `ok` (`stale`: answering from a
 * snapshot), else `ok`; each process's own report is in `processes`.
 */
export function combineHealth(reports: readonly ProcessReport[]): HealthReport {
  const each = reports.map((r) => {
    const own = r.report ?? { ready: false, status: 'starting' };
    const ready = own.ready && r.listening;
    return { ...own.detail, process: r.process, pid: r.pid, ready, status: own.ready && !r.listening ? 'starting' : own.status };
  });
  if (each.length === 0) return { ready: false, status: 'starting', detail: { processes: each } };
  const ready = each.every((p) => p.ready);
  const status = each.find((p) => !p.ready)?.status ?? each.find((p) => p.status !== 'ok')?.status ?? 'ok';
  return { ready, status, detail: { processes: each } };
}
