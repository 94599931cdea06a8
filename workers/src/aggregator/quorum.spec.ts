import type { HealthState, ProbeResult } from '@vigil/contract';
import { DEFAULT_FRESHNESS_SLACK_MS, isFresh } from '@vigil/contract';
import { DEFAULT_THRESHOLDS, nextHealth, policyOf, verdict } from './quorum';

const NOW = 1_700_000_000_000;
const T = DEFAULT_THRESHOLDS;

/** `ok` successes and `failed` failures from distinct locations, all just reported. */
function results(ok: number, failed: number, at = NOW - 1000, frequency = 60): ProbeResult[] {
  const out: ProbeResult[] = [];
  for (let i = 0; i < ok; i++) out.push({ ok: true, latency_ms: 5, error: null, at, location: `ok-${i}`, frequency });
  for (let i = 0; i < failed; i++) out.push({ ok: false, latency_ms: null, error: `boom ${i}`, at, location: `bad-${i}`, frequency });
  return out;
}

const state = (s: 'available' | 'unavailable'): HealthState => ({ checkId: 'c', address: '192.0.2.1', state: s, since: 1, reasons: {} });

describe('verdict: the 85% / 20% rule', () => {
  it('is available when every location succeeds', () => {
    expect(verdict(results(5, 0), NOW, T)).toMatchObject({ state: 'available', fresh: 5, ok: 5, failed: 0, reasons: {} });
  });

  it('is unavailable when 1 of 5 fails: 20% failed meets the unavailable threshold', () => {
    expect(verdict(results(4, 1), NOW, T)).toMatchObject({
      state: 'unavailable',
      fresh: 5,
      ok: 4,
      failed: 1,
      reasons: { 'bad-0': 'boom 0' },
    });
  });

  it('4 of 5 succeeding (80%) is below 85%, and the 20% that failed is enough for unavailable, not "neither"', () => {
    // The same split as above seen from the other side: there is no band at n = 5, because
    // the first failure is already 20%. The band shows at larger n (next tests).
    expect(verdict(results(4, 1), NOW, T).state).toBe('unavailable');
  });

  it('is available at exactly 85% (17 of 20): 15% failed is below 20%', () => {
    expect(verdict(results(17, 3), NOW, T).state).toBe('available');
  });

  it('is unavailable at exactly 20% failed (16 of 20 ok)', () => {
    expect(verdict(results(16, 4), NOW, T).state).toBe('unavailable');
  });

  it('has no opinion between the thresholds (hysteresis band): 1 of 6 failed is 83% ok, 17% failed', () => {
    expect(verdict(results(5, 1), NOW, T)).toMatchObject({ state: null, fresh: 6, ok: 5, failed: 1 });
  });

  it('is available at 18 of 21 ok (85.7%) and has no opinion at 17 of 21 (81% ok, 19% failed)', () => {
    expect(verdict(results(18, 3), NOW, T).state).toBe('available');
    expect(verdict(results(17, 4), NOW, T).state).toBe(null);
  });

  it('is available when 1 of 7 fails (85.7% ok)', () => {
    expect(verdict(results(6, 1), NOW, T).state).toBe('available');
  });

  it('decides with a single location either way', () => {
    expect(verdict(results(1, 0), NOW, T).state).toBe('available');
    expect(verdict(results(0, 1), NOW, T).state).toBe('unavailable');
  });

  it('is unavailable when everything fails, with every location as a reason', () => {
    expect(verdict(results(0, 3), NOW, T)).toMatchObject({
      state: 'unavailable',
      reasons: { 'bad-0': 'boom 0', 'bad-1': 'boom 1', 'bad-2': 'boom 2' },
    });
  });

  it('has no opinion without results', () => {
    expect(verdict([], NOW, T)).toMatchObject({ state: null, fresh: 0 });
  });

  it('matches integer arithmetic for every split of up to 100 locations (no float surprises)', () => {
    for (let n = 1; n <= 100; n++) {
      for (let ok = 0; ok <= n; ok++) {
        const failed = n - ok;
        const expected = 100 * ok >= 85 * n ? 'available' : 100 * failed >= 20 * n ? 'unavailable' : null;
        expect([n, ok, verdict(results(ok, failed), NOW, T).state]).toEqual([n, ok, expected]);
      }
    }
  });

  it('honours other thresholds: all-or-nothing available (1.0) and a 50% unavailable', () => {
    const strict = { available: 1, unavailable: 0.5 };
    expect(verdict(results(10, 0), NOW, strict).state).toBe('available');
    expect(verdict(results(9, 1), NOW, strict).state).toBe(null);
    expect(verdict(results(5, 5), NOW, strict).state).toBe('unavailable');
  });
});

describe('freshness: the last two periods plus slack', () => {
  const slack = DEFAULT_FRESHNESS_SLACK_MS;
  const edge = NOW - (2 * 60 * 1000 + slack);

  it('counts a result exactly two periods plus slack old, and not one millisecond older', () => {
    expect(isFresh(results(1, 0, edge)[0]!, NOW)).toBe(true);
    expect(isFresh(results(1, 0, edge - 1)[0]!, NOW)).toBe(false);
  });

  it("uses each result's own frequency", () => {
    const old = NOW - 100_000; // 100 s: stale at 10 s (35 s window), fresh at 60 s (135 s window)
    expect(isFresh(results(1, 0, old, 10)[0]!, NOW)).toBe(false);
    expect(isFresh(results(1, 0, old, 60)[0]!, NOW)).toBe(true);
  });

  it('counts results from a probe whose clock is ahead', () => {
    expect(isFresh(results(1, 0, NOW + 5000)[0]!, NOW)).toBe(true);
  });

  it('leaves stale locations out of the count and out of the reasons', () => {
    // 4 fresh successes and 2 stale failures: 100% of the fresh ones succeeded.
    const mixed = [...results(4, 0), ...results(0, 2, edge - 1)];
    expect(verdict(mixed, NOW, T)).toMatchObject({ state: 'available', fresh: 4, failed: 0, reasons: {} });
  });

  it('has no opinion when every result is stale', () => {
    expect(verdict(results(0, 5, edge - 1), NOW, T).state).toBe(null);
  });

  it('takes the slack as a parameter', () => {
    expect(verdict(results(0, 1, NOW - 121_000), NOW, T, 0).state).toBe(null);
    expect(verdict(results(0, 1, NOW - 121_000), NOW, T, 1000).state).toBe('unavailable');
  });
});

describe('nextHealth: write only transitions', () => {
  it('determines the first state', () => {
    expect(nextHealth(null, 'c', '192.0.2.1', results(5, 0), NOW, T)).toEqual({
      checkId: 'c',
      address: '192.0.2.1',
      state: 'available',
      since: NOW,
      reasons: {},
    });
  });

  it('returns null when the state does not change', () => {
    expect(nextHealth(state('available'), 'c', '192.0.2.1', results(5, 0), NOW, T)).toBeNull();
    expect(nextHealth(state('unavailable'), 'c', '192.0.2.1', results(0, 5), NOW, T)).toBeNull();
  });

  it('goes unavailable with the failing locations as reasons, and back', () => {
    const down = nextHealth(state('available'), 'c', '192.0.2.1', results(4, 1), NOW, T);
    expect(down).toMatchObject({ state: 'unavailable', since: NOW, reasons: { 'bad-0': 'boom 0' } });
    expect(nextHealth(down, 'c', '192.0.2.1', results(5, 0), NOW + 1, T)).toMatchObject({ state: 'available', since: NOW + 1 });
  });

  it('holds either state inside the hysteresis band, and determines nothing there at first', () => {
    const band = results(5, 1);
    expect(nextHealth(state('available'), 'c', 'a', band, NOW, T)).toBeNull();
    expect(nextHealth(state('unavailable'), 'c', 'a', band, NOW, T)).toBeNull();
    expect(nextHealth(null, 'c', 'a', band, NOW, T)).toBeNull();
  });

  it('keeps the state when no location is fresh (all probes gone)', () => {
    expect(nextHealth(state('unavailable'), 'c', 'a', results(5, 0, NOW - 10 * 60_000), NOW, T)).toBeNull();
  });

  it('lists reasons in location order, whatever order the hash gave', () => {
    const r = results(0, 3).reverse();
    expect(Object.keys(nextHealth(null, 'c', 'a', r, NOW, T)!.reasons)).toEqual(['bad-0', 'bad-1', 'bad-2']);
  });
});

describe("a check's own quorum: per-check thresholds with three probe sites", () => {
  const r = (location: string, ok: boolean, quorum?: ProbeResult['quorum'], at = NOW - 1000): ProbeResult => ({
    ok,
    latency_ms: ok ? 5 : null,
    error: ok ? null : `${location}: connection refused`,
    at,
    location,
    frequency: 10,
    ...(quorum && { quorum }),
  });
  const own = { available: 0.6, unavailable: 0.5 };
  const twoOfThree = (q?: ProbeResult['quorum']) => [r('eu-1', true, q), r('us-1', true, q), r('ap-1', false, q)];

  it('with the defaults, 2 of 3 ok is unavailable (33% failed); with available 0.6 / unavailable 0.5 it is available', () => {
    expect(verdict(twoOfThree(), NOW, T).state).toBe('unavailable');
    expect(verdict(twoOfThree(own), NOW, T)).toMatchObject({ state: 'available', fresh: 3, ok: 2, failed: 1 });
  });

  it('1 of 3 ok goes unavailable by the check\'s own 50% (67% failed), and 1 of 2 with one stale location too', () => {
    expect(verdict([r('eu-1', true, own), r('us-1', false, own), r('ap-1', false, own)], NOW, T).state).toBe('unavailable');
    expect(verdict([r('eu-1', true, own), r('us-1', false, own), r('ap-1', true, own, NOW - 60_000)], NOW, T).state).toBe('unavailable');
  });

  it('counts only the locations the check names', () => {
    const chosen = { locations: ['eu-1', 'us-1'] };
    // ap-1's failure (a location no longer chosen, its result still fresh) is not counted.
    expect(verdict(twoOfThree(chosen), NOW, T)).toMatchObject({ state: 'available', fresh: 2, failed: 0, reasons: {} });
  });

  it('gives no verdict with fewer fresh results than min_locations: the state stays', () => {
    const min3 = { min_locations: 3 };
    const two = [r('eu-1', false, min3), r('us-1', false, min3), r('ap-1', false, min3, NOW - 60_000)];
    expect(verdict(two, NOW, T)).toMatchObject({ state: null, fresh: 2, failed: 2 });
    expect(nextHealth(state('available'), 'c', 'a', two, NOW, T)).toBeNull();
    expect(verdict([...two.slice(0, 2), r('ap-1', false, min3)], NOW, T).state).toBe('unavailable');
  });

  it("follows the newest result's policy, so a changed check applies from its first new result", () => {
    const before = [r('eu-1', true), r('us-1', true), r('ap-1', false, undefined, NOW - 2000)];
    expect(verdict(before, NOW, T).state).toBe('unavailable');
    const after = [r('eu-1', true, own, NOW - 500), r('us-1', true), r('ap-1', false, undefined, NOW - 2000)];
    expect(policyOf(after)).toEqual(own);
    expect(verdict(after, NOW, T).state).toBe('available');
  });
});
