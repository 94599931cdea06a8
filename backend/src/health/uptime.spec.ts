import { uptimeRatio } from './uptime';

const H = 3600_000;

describe('uptimeRatio', () => {
  it('is 1 for an address available all along and 0 for one down all along', () => {
    expect(uptimeRatio('available', [], 0, 24 * H)).toBe(1);
    expect(uptimeRatio('unavailable', [], 0, 24 * H)).toBe(0);
  });

  it('weights each state by its time in the window', () => {
    const r = uptimeRatio(
      'available',
      [
        { state: 'unavailable', at: 6 * H },
        { state: 'available', at: 12 * H },
      ],
      0,
      24 * H,
    );
    expect(r).toBeCloseTo(18 / 24);
  });

  it('leaves out the time before the first known state', () => {
    expect(uptimeRatio(null, [{ state: 'available', at: 12 * H }], 0, 24 * H)).toBe(1);
    expect(uptimeRatio(null, [{ state: 'unavailable', at: 18 * H }], 0, 24 * H)).toBe(0);
    expect(uptimeRatio(null, [], 0, 24 * H)).toBeNull();
  });

  it('clamps transitions to the window', () => {
    expect(uptimeRatio('available', [{ state: 'unavailable', at: 30 * H }], 0, 24 * H)).toBe(1);
  });
});
