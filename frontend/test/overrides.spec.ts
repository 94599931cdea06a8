// The health page's overrides: the form's local times ↔ the API's UTC body, the contract's checks
// at the form's fields, and what an address's overrides say about it now.
import type { RrsetOverride } from '../src/api/types';
import {
  addressOverrides,
  changeText,
  describeOverride,
  formatUtc,
  localInputValue,
  newOverrideDraft,
  type OverrideDraft,
  overrideBody,
  parseLocalInput,
} from '../src/lib/overrides';

// Expectations are built from local date parts (new Date(y, m, …)), so they hold in any zone the
// tests run in; the browser suite (e2e/overrides.spec.ts) runs the panel in a zone that is not UTC.
const local = (y: number, mo: number, d: number, h: number, mi: number, s = 0) => new Date(y, mo - 1, d, h, mi, s).toISOString();

const ADDRESS = '192.0.2.10';
const maintenance = (patch: Partial<OverrideDraft>): OverrideDraft => ({
  ...newOverrideDraft('maintenance'),
  starts: '2026-12-03T22:00:00',
  ends: '2026-12-03T23:30:00',
  ...patch,
});

describe('local times', () => {
  it('reads a datetime-local value in the browser zone and writes it back', () => {
    expect(new Date(parseLocalInput('2026-12-03T22:10:05')!).toISOString()).toBe(local(2026, 12, 3, 22, 10, 5));
    expect(new Date(parseLocalInput('2026-12-03T22:10')!).toISOString()).toBe(local(2026, 12, 3, 22, 10));
    expect(localInputValue(Date.parse(local(2026, 12, 3, 22, 10, 5)))).toBe('2026-12-03T22:10:05');
    expect(parseLocalInput('')).toBeNull();
    expect(parseLocalInput('tomorrow')).toBeNull();
    expect(parseLocalInput('2026-13-45T99:00')).toBeNull();
  });

  it('shows UTC to the second', () => {
    expect(formatUtc('2026-12-03T16:40:05.123Z')).toBe('2026-12-03 16:40:05 UTC');
  });
});

describe('the POST body', () => {
  it('a maintenance window: UTC times, drained by default, the recurrence and its end, the note trimmed', () => {
    const r = overrideBody(ADDRESS, maintenance({ recurrence: 'daily', recurrenceUntil: '2026-12-10T22:00', note: '  kernel update ' }));
    expect(r.errors).toBeNull();
    expect(r.body).toEqual({
      address: ADDRESS,
      action: 'maintenance',
      starts_at: local(2026, 12, 3, 22, 0),
      ends_at: local(2026, 12, 3, 23, 30),
      drain: true,
      recurrence: 'daily',
      recurrence_until: local(2026, 12, 10, 22, 0),
      note: 'kernel update',
    });
  });

  it('a window that only silences alerts, once', () => {
    expect(overrideBody(ADDRESS, maintenance({ drain: false, recurrenceUntil: '2026-12-10T22:00' })).body).toEqual({
      address: ADDRESS,
      action: 'maintenance',
      starts_at: local(2026, 12, 3, 22, 0),
      ends_at: local(2026, 12, 3, 23, 30),
      drain: false,
    });
  });

  it('drain and force up start now, until undone or until a time', () => {
    expect(overrideBody(ADDRESS, newOverrideDraft('drain')).body).toEqual({ address: ADDRESS, action: 'drain' });
    const until = { ...newOverrideDraft('force_up'), until: 'time' as const, ends: '2026-12-04T08:00:00' };
    expect(overrideBody(ADDRESS, until).body).toEqual({ address: ADDRESS, action: 'force_up', ends_at: local(2026, 12, 4, 8, 0) });
  });

  it("gives the contract's reasons at the API's field names", () => {
    expect(overrideBody(ADDRESS, maintenance({ starts: '' })).errors).toEqual({ starts_at: 'is required' });
    expect(overrideBody(ADDRESS, maintenance({ ends: 'soon' })).errors).toEqual({ ends_at: 'must be a date and time' });
    expect(overrideBody(ADDRESS, maintenance({ ends: '2026-12-03T21:00' })).errors).toEqual({ ends_at: 'must be after starts_at' });
    expect(overrideBody(ADDRESS, maintenance({ recurrence: 'daily', ends: '2026-12-05T22:00' })).errors).toEqual({
      ends_at: 'a daily window must be shorter than a day',
    });
    expect(overrideBody(ADDRESS, maintenance({ recurrence: 'weekly', recurrenceUntil: '2026-12-01T00:00' })).errors).toEqual({
      recurrence_until: 'must not be before starts_at',
    });
    expect(overrideBody(ADDRESS, maintenance({ note: 'x'.repeat(501) })).errors).toEqual({ note: 'must be at most 500 characters' });
    expect(overrideBody(ADDRESS, { ...newOverrideDraft('drain'), until: 'time', ends: '' }).errors).toEqual({ ends_at: 'is required' });
  });

  it('a fresh maintenance draft is valid as it is: an hour from the next minute, drained', () => {
    const now = Date.parse('2026-12-03T16:40:05Z');
    const r = overrideBody(ADDRESS, newOverrideDraft('maintenance', now));
    expect(r.body).toMatchObject({ starts_at: '2026-12-03T17:41:00.000Z', ends_at: '2026-12-03T18:41:00.000Z', drain: true });
  });
});

const override = (patch: Partial<RrsetOverride>): RrsetOverride => ({
  id: 'x',
  address: ADDRESS,
  action: 'drain',
  starts_at: '2026-12-03T16:00:00.000Z',
  ends_at: null,
  recurrence: null,
  recurrence_until: null,
  drain: true,
  note: null,
  active: true,
  next_change: null,
  created_at: '2026-12-03T15:00:00.000Z',
  created_by: 'user:1',
  ...patch,
});

describe("an address's overrides now", () => {
  it('nothing: health decides', () => {
    expect(addressOverrides(ADDRESS, [override({ address: '192.0.2.11' })])).toEqual({ now: [], next: null });
  });

  it('drained and in maintenance until the window ends; forced up does not show while drained (drain wins)', () => {
    const window = override({
      id: 'w',
      action: 'maintenance',
      ends_at: '2026-12-03T17:00:00.000Z',
      next_change: '2026-12-03T17:00:00.000Z',
    });
    const forced = override({ id: 'f', action: 'force_up', drain: false });
    const r = addressOverrides(ADDRESS, [forced, window]);
    expect(r.now).toEqual([
      { label: 'drained', until: '2026-12-03T17:00:00.000Z' },
      { label: 'in maintenance', until: '2026-12-03T17:00:00.000Z' },
    ]);
    expect(r.next?.override.id).toBe('w');
    expect(changeText(r.next!.override)).toBe('Maintenance ends');
  });

  it('until undone when one of them lasts; the next change is the soonest, an upcoming start too', () => {
    const open = override({ id: 'd' });
    const timed = override({ id: 't', ends_at: '2026-12-03T18:00:00.000Z', next_change: '2026-12-03T18:00:00.000Z' });
    const later = override({
      id: 'm',
      action: 'maintenance',
      drain: false,
      active: false,
      starts_at: '2026-12-03T17:30:00.000Z',
      ends_at: '2026-12-03T19:00:00.000Z',
      next_change: '2026-12-03T17:30:00.000Z',
    });
    const r = addressOverrides(ADDRESS, [open, timed, later]);
    expect(r.now).toEqual([{ label: 'drained', until: null }]);
    expect(r.next?.at).toBe('2026-12-03T17:30:00.000Z');
    expect(changeText(r.next!.override)).toBe('Maintenance starts');
  });

  it('forced up, alone', () => {
    expect(addressOverrides(ADDRESS, [override({ action: 'force_up', drain: false })]).now).toEqual([{ label: 'forced up', until: null }]);
  });

  it('reads as what it does', () => {
    expect(describeOverride(override({}))).toBe('Drain');
    expect(describeOverride(override({ action: 'maintenance', drain: false, recurrence: 'weekly' }))).toBe(
      'Maintenance, not drained, weekly, no end',
    );
    expect(describeOverride(override({ action: 'maintenance', recurrence: 'daily', recurrence_until: '2026-12-10T16:30:00Z' }))).toBe(
      'Maintenance, drained, daily until 2026-12-10 16:30:00 UTC',
    );
  });
});
