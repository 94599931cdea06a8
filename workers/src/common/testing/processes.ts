// Builds workers/dist when it is older than the sources, and runs its entry points as real processes.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const WORKERS_DIR = join(__dirname, '..', '..', '..');
const SOURCES = ['probes', 'health', 'common'].map((d) => join(WORKERS_DIR, 'src', d));

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
 * `npm run build -w workers` when dist/probes/main.js or dist/health/main.js is missing or older
 * than the probe, health and common sources. tsc writes its output even when another folder of
 * workers has type errors, so only our own outputs decide whether the build is usable.
 */
export function ensureBuilt(entries = ['dist/probes/main.js', 'dist/health/main.js']): void {
  const newest = Math.max(...SOURCES.map(newestSource));
  const fresh = () => entries.every((e) => existsSync(join(WORKERS_DIR, e)) && statSync(join(WORKERS_DIR, e)).mtimeMs >= newest);
  if (fresh()) return;
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: WORKERS_DIR, encoding: 'utf8' });
  if (!fresh()) throw new Error(`could not build workers: ${r.stdout}${r.stderr}`);
}

export interface Child {
  name: string;
  proc: ChildProcess;
  /** The last lines it wrote (stdout and stderr), for failure messages. */
  output: string[];
  exited: Promise<number | null>;
}

export function startProcess(name: string, entry: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [join(WORKERS_DIR, entry)], {
    cwd: WORKERS_DIR,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString().split('\n').filter(Boolean));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { name, proc, output, exited };
}

/** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(child: Child, graceMs = 20_000): Promise<number | null> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return child.proc.exitCode;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  const code = await child.exited;
  clearTimeout(timer);
  return code;
}
