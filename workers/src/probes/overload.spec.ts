import { performance } from 'node:perf_hooks';
import { LoopStallMonitor, OVERLOAD_TOLERANCE_MS, overloadReason } from './overload';

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the event loop is blocked
  }
};

describe("overloadReason: a timeout is the target's only when the probe kept its own time", () => {
  it.each([
    [{ timeoutMs: 2000, elapsedMs: 2001, stalledMs: 0 }],
    [{ timeoutMs: 2000, elapsedMs: 2000 + OVERLOAD_TOLERANCE_MS, stalledMs: OVERLOAD_TOLERANCE_MS }],
    [{ timeoutMs: 1000, elapsedMs: 1030, stalledMs: 40 }],
  ])('a timeout stands: %o', (t) => {
    expect(overloadReason(t)).toBeNull();
  });

  it('is no vote when the deadline fired late', () => {
    expect(overloadReason({ timeoutMs: 1000, elapsedMs: 1600, stalledMs: 0 })).toBe('its deadline fired 600 ms late');
    expect(overloadReason({ timeoutMs: 1000, elapsedMs: 1600, stalledMs: 550 })).toBe('its deadline fired 600 ms late');
  });

  it('is no vote when the event loop stalled during the check, even with the deadline on time', () => {
    // A stall that held the request back: sent late, answered late, timed out on time.
    expect(overloadReason({ timeoutMs: 2000, elapsedMs: 2002, stalledMs: 800 })).toBe('its event loop stalled 800 ms during the check');
    expect(overloadReason({ timeoutMs: 2000, elapsedMs: 2000, stalledMs: OVERLOAD_TOLERANCE_MS + 1 })).not.toBeNull();
  });
});

describe('LoopStallMonitor', () => {
  const monitor = new LoopStallMonitor().start();
  afterAll(() => monitor.stop());

  it('sees a stall while it lasts and after, and only from where it is asked', async () => {
    await new Promise((r) => setTimeout(r, 50));
    const before = performance.now();
    expect(monitor.stalledSince(before)).toBeLessThan(OVERLOAD_TOLERANCE_MS);
    busyFor(300);
    // Asked before its own tick ran: the stall in progress counts.
    expect(monitor.stalledSince(before)).toBeGreaterThan(250);
    await new Promise((r) => setTimeout(r, 60));
    expect(monitor.stalledSince(before)).toBeGreaterThan(250);
    // Never more than the time since (a loaded machine adds stalls of its own, so no tighter bound).
    expect(monitor.stalledSince(before)).toBeLessThanOrEqual(performance.now() - before);
    // A check that started after the stall was not delayed by it.
    expect(monitor.stalledSince(performance.now() - 30)).toBeLessThan(OVERLOAD_TOLERANCE_MS);
  });

  it('counts only the part of a stall after the start asked about', async () => {
    await new Promise((r) => setTimeout(r, 50));
    const stallStart = performance.now();
    busyFor(300);
    await new Promise((r) => setTimeout(r, 30));
    const whole = monitor.stalledSince(stallStart);
    const half = monitor.stalledSince(stallStart + 150);
    expect(half).toBeGreaterThan(100);
    // Asked from 150 ms in, the first 150 ms of the stall (less up to a tick before the stall's
    // first due tick) are left out; later stalls a loaded machine adds count alike in both.
    expect(whole - half).toBeGreaterThanOrEqual(125);
    expect(whole - half).toBeLessThanOrEqual(150.5);
  });
});
