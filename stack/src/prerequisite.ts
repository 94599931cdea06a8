import { execFileSync } from 'node:child_process';

/**
 * Whether a test's prerequisite (a tool, IPv6, raw sockets) is there. `problem` is null when it
 * is, else why not. Under CI a missing prerequisite throws, so the test or suite fails instead of
 * passing silently; elsewhere the caller skips (counted as skipped) and this says why.
 */
export function prerequisite(what: string, problem: string | null): boolean {
  if (problem === null) return true;
  if (process.env.CI) throw new Error(`${what} is missing in CI: ${problem}; .ci/run must install it`);
  console.warn(`skipping tests that need ${what}: ${problem}`);
  return false;
}

/** null when `command args` runs, else why it does not: the problem for `prerequisite` of a tool. */
export function commandProblem(command: string, args: string[]): string | null {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
