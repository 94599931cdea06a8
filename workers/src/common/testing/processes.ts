// Builds workers/dist when it is older than the sources, and runs its entry points as real
// processes through @vigil/stack (which spawns and stops every Vigil process).
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT, ROOT, startProcess as start, stopProcess as stop } from '@vigil/stack';

export const WORKERS_DIR = join(__dirname, '..', '..', '..');
const sourceDirs = (dirs: string[]) => dirs.map((d) => join(WORKERS_DIR, 'src', d));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `npm run build -w workers` when the built entries (the probe's and the aggregator's) are missing
 * or older than the sources under `dirs`. tsc writes its output even when another folder of
 * workers has type errors, so only our own outputs decide whether the build is usable.
 */
export function ensureBuilt(entries: string[] = [BUILT.probe, BUILT.aggregator], dirs = ['probes', 'aggregator', 'common']): void {
  const newest = Math.max(...sourceDirs(dirs).map(newestSource));
  const fresh = () => entries.every((e) => existsSync(join(ROOT, e)) && statSync(join(ROOT, e)).mtimeMs >= newest);
  if (fresh()) return;
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: WORKERS_DIR, encoding: 'utf8' });
  if (!fresh()) throw new Error(`could not build workers: ${r.stdout}${r.stderr}`);
}

export interface Child {
  name: string;
  proc: ChildProcess;
  /** The last lines it wrote (stdout and stderr), for failure messages. */
  readonly output: string[];
  exited: Promise<number | null>;
}

/** Runs `entry` (relative to workers/) with only PATH, HOME and `env`. */
export function startProcess(name: string, entry: string, env: Record<string, string>): Child {
  const running = start({ name, args: [join(WORKERS_DIR, entry)], cwd: WORKERS_DIR, env });
  return {
    name,
    proc: running.child,
    get output() {
      return running.output().split('\n').filter(Boolean).slice(-200);
    },
    exited: running.exited,
  };
}

/** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export const stopProcess = (child: Child, graceMs = 20_000): Promise<number | null> =>
  stop({ child: child.proc, exited: child.exited }, graceMs);
