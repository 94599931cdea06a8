import { useMutation, useMutationState, type MutationState } from '@tanstack/react-query';
import { api, type ApiError, call } from './client';
import { keys } from './keys';
import type { CheckNowRun } from './types';

interface Target {
  name: string;
  type: string;
}

/**
 * "Check now": a record set's saved check run once from every live location. A mutation of the
 * zone's, told the record set at each run, so the form that starts it right after a save (and then
 * remounts with the saved copy, or moves to the new record set's page) still shows how it went.
 */
export const useCheckNow = (zone: string) =>
  useMutation<CheckNowRun, ApiError, Target>({
    mutationKey: keys.checkNow(zone),
    mutationFn: ({ name, type }) => call(api.POST('/v2/zones/{zone}/{name}/{type}/check', { params: { path: { zone, name, type } } })),
  });

/** The record set's latest run in this tab (pending, answered or refused), or undefined before any. */
export function useLastCheckNow(zone: string, name: string, type: string): MutationState<CheckNowRun, ApiError, Target> | undefined {
  const states = useMutationState<MutationState<CheckNowRun, ApiError, Target>>({
    filters: {
      mutationKey: keys.checkNow(zone),
      predicate: (m) => {
        const v = m.state.variables as Target | undefined;
        return v?.name === name && v.type === type;
      },
    },
    select: (m) => m.state as MutationState<CheckNowRun, ApiError, Target>,
  });
  return states.at(-1);
}
