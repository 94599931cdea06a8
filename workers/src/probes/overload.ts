import { performance } from 'node:perf_hooks';

/**
 * How much of its own delay the probe tolerates before it stops trusting a timeout: a check that
 * timed out while the event loop was stalled longer than this (or whose deadline timer ran this
 * late) may have had its answer waiting, unread, in a socket buffer.
 */
export const OVERLOAD_TOLERANCE_MS = 100;

export interface TimedOutCheck {
  /** The check's timeout. */
  timeoutMs: number;
  /** From the check getting its slot to its timeout verdict. */
  elapsedMs: number;
  /** How long the event loop was stalled in that time (LoopStallMonitor). */
  stalledMs: number;
}

/**
 * The overload rule: why a timed-out check says nothing about its target, or null when the
 * timeout stands. A timeout is the target's only when the probe kept its own time: its deadline
 * fired on time and its event loop did not stall during the check. Otherwise the probe was busy
 * (another tenant's work, GC, CPU starvation), and the check is no vote: not stored, counted.
 */
export function overloadReason({ timeoutMs, elapsedMs, stalledMs }: TimedOutCheck, toleranceMs = OVERLOAD_TOLERANCE_MS): string | null {
  const late = Math.round(elapsedMs - timeoutMs);
  const stalled = Math.round(stalledMs);
  if (late <= toleranceMs && stalled <= toleranceMs) return null;
  return late >= stalled ? `its deadline fired ${late} ms late` : `its event loop stalled ${stalled} ms during the check`;
}

interface Stall {
  /** When the monitor's tick was due. */
  from: number;
  /** When it ran. */
  to: number;
}

/**
 * Measures the event loop's stalls: a timer that should tick every `intervalMs` and records each
 * tick that came noticeably late. Times are performance.now() milliseconds.
 */
export class LoopStallMonitor {
  private readonly stalls: Stall[] = [];
  private last = performance.now();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs = 20,
    /** Lateness below this is timer jitter, not a stall. */
    private readonly minStallMs = 5,
    /** Stalls are kept this long: longer than any check lasts. */
    private readonly keepMs = 60_000,
  ) {}

  start(): this {
    if (this.timer) return this;
    this.last = performance.now();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(now = performance.now()): void {
    const due = this.last + this.intervalMs;
    if (now - due >= this.minStallMs) this.stalls.push({ from: due, to: now });
    this.last = now;
    while (this.stalls.length > 0 && this.stalls[0]!.to < now - this.keepMs) this.stalls.shift();
  }

  /** Milliseconds the loop was stalled since `from`, the stall in progress (a tick not yet run) included. */
  stalledSince(from: number, now = performance.now()): number {
    let total = 0;
    const overlap = (s: Stall) => Math.max(0, s.to - Math.max(s.from, from));
    for (const s of this.stalls) total += overlap(s);
    if (this.timer) {
      const due = this.last + this.intervalMs;
      if (now - due >= this.minStallMs) total += overlap({ from: due, to: now });
    }
    return total;
  }
}
