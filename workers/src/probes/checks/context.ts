import { type CheckOutcome, type CheckProgress, failure } from '../result';
import type { BodyMatcher } from './body-match';

/** What the runner hands each check besides its options. */
export interface CheckContext {
  /** Aborted at the check's deadline: the check then frees its sockets. */
  signal: AbortSignal;
  matcher: BodyMatcher;
  /** Whose match this is (the check's zone): the matcher serves owners in turn. */
  owner: string;
  /** Where the check says what it is waiting for, for the failure it gets at the deadline. */
  progress: CheckProgress;
  /**
   * The network exchange is over (the body or reply is read): the deadline no longer runs, since
   * what is left (the match) is the probe's work, not the target's. The check still ends itself.
   */
  exchangeDone(): void;
}

export interface CheckEnding {
  /** Ends the check with `outcome` unless it has ended; `graceful` is handed to release. */
  end(outcome: CheckOutcome, graceful?: boolean): void;
  readonly ended: boolean;
  /** Called once the check holds its sockets: an abort of the signal (also an earlier one) ends it as aborted. */
  watchAbort(): void;
}

/**
 * How every check ends, once: the first outcome is the one resolved, and `release` frees the
 * check's sockets first (a late event on them then finds the check ended and changes nothing).
 */
export function checkEnding(
  signal: AbortSignal,
  resolve: (outcome: CheckOutcome) => void,
  release: (graceful: boolean) => void,
): CheckEnding {
  let ended = false;
  const onAbort = () => end(failure('aborted'));
  const end = (outcome: CheckOutcome, graceful = false) => {
    if (ended) return;
    ended = true;
    signal.removeEventListener('abort', onAbort);
    release(graceful);
    resolve(outcome);
  };
  return {
    end,
    get ended() {
      return ended;
    },
    watchAbort() {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort);
    },
  };
}
