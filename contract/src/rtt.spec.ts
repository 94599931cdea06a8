import { formatRtt, nextRtt, parseLatLong, parseRtt, RTT_ALPHA, type RttSample, usableRtt } from './rtt';

const ok = (latency_ms: number, at: number) => ({ ok: true, latency_ms, at, frequency: 10 });
const failed = (at: number, latency_ms: number | null = 1) => ({ ok: false, latency_ms, at, frequency: 10 });

describe('PROBE_LATLONG', () => {
  it('reads latitude,longitude in degrees', () => {
    expect(parseLatLong('48.86,2.35')).toEqual([48.86, 2.35]);
    expect(parseLatLong(' -33.87 , 151.21 ')).toEqual([-33.87, 151.21]);
    expect(parseLatLong('90,-180')).toEqual([90, -180]);
  });

  it.each([
    ['48.86', 'must be "<latitude>,<longitude>"'],
    ['48.86,2.35,1', 'must be "<latitude>,<longitude>"'],
    ['paris,2.35', 'must be "<latitude>,<longitude>"'],
    ['48.86,', 'must be "<latitude>,<longitude>"'],
    ['1e2,3', 'must be "<latitude>,<longitude>"'],
    ['91,0', 'latitude must be from -90 to 90 (it is 91)'],
    ['0,180.5', 'longitude must be from -180 to 180 (it is 180.5)'],
  ])('refuses %j: %s', (spec, reason) => {
    expect(() => parseLatLong(spec)).toThrow(reason);
  });
});

describe('the smoothed RTT (EWMA)', () => {
  it('starts at the first success, then moves RTT_ALPHA of the way to each new one', () => {
    const first = nextRtt(null, ok(100, 1000))!;
    expect(first).toEqual({ ms: 100, at: 1000, frequency: 10, ok: true });
    const second = nextRtt(first, ok(200, 2000))!;
    expect(second.ms).toBeCloseTo(100 + RTT_ALPHA * 100);
    // A lasting change shows within a few checks; one outlier barely moves it.
    let s: RttSample = first;
    for (let i = 1; i <= 10; i++) s = nextRtt(s, ok(20, 1000 + i * 1000))!;
    expect(s.ms).toBeLessThan(23);
    expect(nextRtt(s, ok(500, 20_000))!.ms).toBeLessThan(200);
  });

  it('a failed result does not count as fast: the average is kept, the sample marked failed until a success', () => {
    const s = nextRtt(null, ok(80, 1000))!;
    const down = nextRtt(s, failed(2000, 0.3))!;
    expect(down).toEqual({ ms: 80, at: 2000, frequency: 10, ok: false });
    expect(usableRtt(down, 2000)).toBeNull();
    const back = nextRtt(down, ok(60, 3000))!;
    expect(back.ok).toBe(true);
    expect(back.ms).toBeCloseTo(80 + RTT_ALPHA * (60 - 80));
    // A failure first leaves no average to rank by; a success with no latency counts as a failure.
    expect(nextRtt(null, failed(1000))).toEqual({ ms: null, at: 1000, frequency: 10, ok: false });
    expect(nextRtt(s, { ok: true, latency_ms: null, at: 2000, frequency: 10 })!.ok).toBe(false);
  });

  it('ignores a result not newer than the sample (a redelivered or late entry changes nothing)', () => {
    const s = nextRtt(null, ok(80, 1000))!;
    expect(nextRtt(s, ok(10, 1000))).toBeNull();
    expect(nextRtt(s, ok(10, 999))).toBeNull();
  });

  it('is stored compactly and read back; anything else reads as nothing', () => {
    const s: RttSample = { ms: 12.3456, at: 1764000000000, frequency: 30, ok: true };
    expect(formatRtt(s)).toBe('12.3 1764000000000 30 1');
    expect(parseRtt(formatRtt(s))).toEqual({ ...s, ms: 12.3 });
    expect(parseRtt(formatRtt({ ms: null, at: 5, frequency: 10, ok: false }))).toEqual({ ms: null, at: 5, frequency: 10, ok: false });
    for (const bad of [null, '', '12 x 10 1', '12 5 10', '-3 5 10 1', '{"ms":1}', '12 5 10 2']) expect(parseRtt(bad)).toBeNull();
  });

  it('is usable while fresh by the quorum rule (two periods plus the slack) and its latest result succeeded', () => {
    const s: RttSample = { ms: 40, at: 100_000, frequency: 10, ok: true };
    expect(usableRtt(s, 100_000 + 35_000)).toBe(40);
    expect(usableRtt(s, 100_000 + 35_001)).toBeNull();
    expect(usableRtt(s, 100_000 + 21_000, 0)).toBeNull();
    expect(usableRtt(null, 0)).toBeNull();
    expect(usableRtt({ ...s, ok: false }, 100_000)).toBeNull();
  });
});
