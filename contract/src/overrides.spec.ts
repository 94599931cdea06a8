import {
  healthyWithOverrides,
  holdsAt,
  isOver,
  isSilenced,
  modeAt,
  nextChange,
  OverrideInputSchema,
  publishedOverrides,
  type StoredOverride,
} from './overrides';

const H = 3600_000;
const DAY = 24 * H;
const T0 = Date.parse('2026-12-07T02:00:00Z');

const stored = (o: Partial<StoredOverride>): StoredOverride => ({
  id: 'o1',
  address: '192.0.2.1',
  action: 'drain',
  starts_at: T0,
  ends_at: null,
  recurrence: null,
  recurrence_until: null,
  drain: false,
  note: null,
  created_at: T0,
  created_by: 'user:1',
  ...o,
});

describe('override schedules', () => {
  it('a one-off window holds from its start to just before its end', () => {
    const s = { from: T0, until: T0 + H, every: null, last: null };
    expect([holdsAt(s, T0 - 1), holdsAt(s, T0), holdsAt(s, T0 + H - 1), holdsAt(s, T0 + H)]).toEqual([false, true, true, false]);
    expect([nextChange(s, T0 - 5), nextChange(s, T0 + 1), nextChange(s, T0 + H)]).toEqual([T0, T0 + H, null]);
    expect(isOver(s, T0 + H)).toBe(true);
  });

  it('an open-ended drain holds until removed', () => {
    const s = { from: T0, until: null, every: null, last: null };
    expect(holdsAt(s, T0 + 1000 * DAY)).toBe(true);
    expect(nextChange(s, T0 + 1)).toBeNull();
    expect(isOver(s, T0 + 1000 * DAY)).toBe(false);
  });

  it('a weekly window repeats at the same UTC time, up to the occurrence that starts at recurrence_until', () => {
    const s = { from: T0, until: T0 + 2 * H, every: 7 * DAY, last: T0 + 14 * DAY };
    expect(holdsAt(s, T0 + 7 * DAY + H)).toBe(true);
    expect(holdsAt(s, T0 + 7 * DAY + 3 * H)).toBe(false);
    expect(holdsAt(s, T0 + 3 * DAY)).toBe(false);
    expect(nextChange(s, T0 + 3 * DAY)).toBe(T0 + 7 * DAY);
    expect(nextChange(s, T0 + 7 * DAY + H)).toBe(T0 + 7 * DAY + 2 * H);
    // The third occurrence is the last one.
    expect(holdsAt(s, T0 + 14 * DAY + H)).toBe(true);
    expect(holdsAt(s, T0 + 21 * DAY + H)).toBe(false);
    expect(nextChange(s, T0 + 14 * DAY + 3 * H)).toBeNull();
    expect(isOver(s, T0 + 15 * DAY)).toBe(true);
  });

  it('drain wins over force up', () => {
    const open = { from: T0, until: null, every: null, last: null };
    expect(modeAt([{ address: 'a', mode: 'force_up', ...open }], T0)).toBe('force_up');
    expect(
      modeAt(
        [
          { address: 'a', mode: 'force_up', ...open },
          { address: 'a', mode: 'drain', ...open },
        ],
        T0,
      ),
    ).toBe('drain');
    expect(modeAt([{ address: 'a', mode: 'drain', ...open }], T0 - 1)).toBeNull();
    expect(modeAt(null, T0)).toBeNull();
  });

  it('publishes what changes answers and has not ended; silences failures in windows and drains', () => {
    const published = publishedOverrides(
      [
        stored({ id: 'a', action: 'drain', ends_at: T0 + H }),
        stored({ id: 'b', action: 'maintenance', ends_at: T0 + H, drain: false }),
        stored({ id: 'c', action: 'maintenance', ends_at: T0 + H, drain: true, address: '192.0.2.2' }),
        stored({ id: 'd', action: 'force_up', address: '192.0.2.3' }),
        stored({ id: 'e', action: 'drain', starts_at: T0 - 2 * H, ends_at: T0 - H }),
      ],
      T0,
    );
    expect(published.map((p) => [p.address, p.mode])).toEqual([
      ['192.0.2.1', 'drain'],
      ['192.0.2.2', 'drain'],
      ['192.0.2.3', 'force_up'],
    ]);
    const windows = [stored({ action: 'maintenance', ends_at: T0 + H }), stored({ action: 'force_up', address: '192.0.2.9' })];
    expect([isSilenced(windows, '192.0.2.1', T0), isSilenced(windows, '192.0.2.1', T0 + H), isSilenced(windows, '192.0.2.9', T0)]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('healthyWithOverrides', () => {
  const records = ['a', 'b', 'c'];
  const down = new Set(['b']);
  const isDown = (d: Set<string>, r: string) => d.has(r);

  it('leaves drained records out before the health filter and never counts forced ones as down', () => {
    const modes: Record<string, 'drain' | 'force_up' | null> = { a: 'drain', b: 'force_up', c: null };
    expect(healthyWithOverrides(records, (r) => modes[r]!, down, isDown, null)).toEqual(['b', 'c']);
    expect(healthyWithOverrides(records, () => null, down, isDown, null)).toEqual(['a', 'c']);
  });

  it('fails open over what is not drained, and serves nothing when everything is drained', () => {
    const allDown = new Set(records);
    expect(healthyWithOverrides(records, (r) => (r === 'a' ? 'drain' : null), allDown, isDown, null)).toEqual(['b', 'c']);
    expect(healthyWithOverrides(records, () => 'drain', down, isDown, null)).toEqual([]);
  });

  it('serves backups when every primary is drained', () => {
    const backup = (r: string) => r === 'c';
    expect(healthyWithOverrides(records, (r) => (r === 'c' ? null : 'drain'), new Set<string>(), isDown, backup)).toEqual(['c']);
  });
});

describe('OverrideInputSchema', () => {
  const reasons = (input: unknown) => {
    const r = OverrideInputSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('takes drains, forced-ups and windows, with ISO times', () => {
    const r = OverrideInputSchema.parse({
      address: '192.0.2.1',
      action: 'maintenance',
      starts_at: '2026-12-07T02:00:00Z',
      ends_at: '2026-12-07T04:00:00+00:00',
      recurrence: 'weekly',
      drain: true,
    });
    expect([r.starts_at, r.ends_at]).toEqual([T0, T0 + 2 * H]);
    expect(reasons({ address: '192.0.2.1', action: 'drain' })).toEqual([]);
  });

  it('says which field is wrong and why', () => {
    expect(reasons({ address: '192.0.2.1', action: 'pause' })).toEqual(['action: must be one of drain, force_up, maintenance']);
    expect(reasons({ address: '192.0.2.1', action: 'maintenance' })).toEqual(['ends_at: is required for a maintenance window']);
    expect(reasons({ address: '192.0.2.1', action: 'drain', starts_at: 'tomorrow' })[0]).toMatch(/^starts_at: must be a date and time in ISO 8601/);
    expect(reasons({ address: '192.0.2.1', action: 'drain', starts_at: '2026-12-07T02:00:00Z', ends_at: '2026-12-07T01:00:00Z' })).toEqual([
      'ends_at: must be after starts_at',
    ]);
    expect(reasons({ address: '192.0.2.1', action: 'drain', recurrence: 'daily', drain: true })).toEqual([
      'recurrence: is only for maintenance windows',
      'drain: is only for maintenance windows (drain is an action of its own)',
    ]);
    expect(
      reasons({ address: '192.0.2.1', action: 'maintenance', starts_at: '2026-12-07T02:00:00Z', ends_at: '2026-12-08T03:00:00Z', recurrence: 'daily' }),
    ).toEqual(['ends_at: a daily window must be shorter than a day']);
    expect(reasons({ address: '192.0.2.1', action: 'maintenance', ends_at: '2026-12-08T03:00:00Z', recurrence: 'daily' })).toEqual([
      'starts_at: is required for a recurring window (its first occurrence)',
    ]);
    expect(reasons({ address: '192.0.2.1', action: 'drain', recurrence_until: '2026-12-08T03:00:00Z' })).toEqual([
      'recurrence_until: needs a recurrence',
    ]);
    expect(reasons({ address: '192.0.2.1', action: 'drain', colour: 'red' })[0]).toMatch(/colour/);
    expect(reasons({ address: '192.0.2.1', action: 'drain', note: 'x'.repeat(501) })).toEqual(['note: must be at most 500 characters']);
  });
});
