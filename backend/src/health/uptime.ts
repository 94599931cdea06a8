import type { HealthStateName } from '@vigil/contract';

export interface Transition {
  state: HealthStateName;
  at: number;
}

/**
 * Share of [from, to) an address was available, given its state at `from` (null: not known
 * yet) and its transitions inside the window in time order. Time in an unknown state is left
 * out of the ratio; null when no time in the window had a known state.
 */
export function uptimeRatio(initial: HealthStateName | null, transitions: Transition[], from: number, to: number): number | null {
  let state = initial;
  let cursor = from;
  let up = 0;
  let known = 0;
  for (const t of transitions) {
    const at = Math.min(Math.max(t.at, from), to);
    if (state !== null) {
      known += at - cursor;
      if (state === 'available') up += at - cursor;
    }
    state = t.state;
    cursor = at;
  }
  if (state !== null) {
    known += to - cursor;
    if (state === 'available') up += to - cursor;
  }
  return known > 0 ? up / known : null;
}
