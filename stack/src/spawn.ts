import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Env, type ProcessSpec, ROOT } from './processes';
import { httpOk, sleep, until } from './wait';

/** How much of a process's output is kept in memory, for failure messages and tests. */
const KEEP_CHARS = 100_000;

export interface Running {
  readonly name: string;
  readonly spec: ProcessSpec;
  readonly child: ChildProcess;
  /** Its exit code once it exits; null when a signal ended it. */
  readonly exited: Promise<number | null>;
  /** The last 100,000 characters it wrote, stdout and stderr together. */
  output(): string;
  /** The file with all of its output, when started with `logDir`. */
  readonly log?: string;
}

export interface StartOptions {
  /** Under `spec.env`. By default only PATH and HOME: a developer's own settings stay out of tests. */
  env?: Env;
  /** Also write the output to `<logDir>/<name>.log`, ending with how the process exited. */
  logDir?: string;
  /** Also print its lines prefixed with `[name]`: all to stdout (npm start), or stderr to stderr (benchmarks). */
  echo?: 'all' | 'stderr';
}

export function startProcess(spec: ProcessSpec, opts: StartOptions = {}): Running {
  if (spec.requires && !existsSync(join(ROOT, spec.requires))) throw new Error(`${spec.requires} is missing; run npm run build first`);
  // `ip netns exec` execs the command in place, so the child is still the node process itself.
  const [command, ...args] = spec.netns
    ? ['ip', 'netns', 'exec', spec.netns, process.execPath, ...spec.args]
    : [process.execPath, ...spec.args];
  const child = spawn(command!, args, {
    cwd: spec.cwd,
    env: { ...(opts.env ?? { PATH: process.env.PATH, HOME: process.env.HOME }), ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = child.stdout!;
  const stderr = child.stderr!;
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-KEEP_CHARS);
  };
  stdout.on('data', keep);
  stderr.on('data', keep);

  let log: string | undefined;
  if (opts.logDir) {
    mkdirSync(opts.logDir, { recursive: true });
    log = join(opts.logDir, `${spec.name}.log`);
    const file = createWriteStream(log);
    stdout.pipe(file, { end: false });
    stderr.pipe(file, { end: false });
    // 'close' comes after the last output, 'exit' may come before it.
    child.once('close', (code, signal) => file.end(`\n[${spec.name} exited: ${signal ?? code}]\n`));
  }
  if (opts.echo) {
    const to = opts.echo === 'all' ? process.stdout : process.stderr;
    for (const stream of opts.echo === 'all' ? [stdout, stderr] : [stderr]) {
      createInterface({ input: stream }).on('line', (line) => to.write(`[${spec.name}] ${line}\n`));
    }
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name: spec.name, spec, child, exited, output: () => out, log };
}

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM, then SIGKILL if it is still there after `graceMs`; resolves with its exit code. */
export async function stopProcess(p: Pick<Running, 'child' | 'exited'>, graceMs = 10_000): Promise<number | null> {
  if (hasExited(p.child)) return p.child.exitCode;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  const code = await p.exited;
  clearTimeout(timer);
  return code;
}

/**
 * Waits until `check` passes, by default until the spec's `readyUrl` answers 2xx. Fails as soon
 * as the process exits, and either way with the end of its output in the message.
 */
export async function waitReady(p: Running, ms = 90_000, check?: () => Promise<boolean>, what?: string): Promise<void> {
  const readyUrl = p.spec.readyUrl;
  const test = check ?? (readyUrl ? () => httpOk(readyUrl) : null);
  if (!test) return;
  const label = what ?? `${p.name} at ${readyUrl}`;
  const tail = () => `\n--- the end of ${p.log ?? `${p.name}'s output`} ---\n${p.output().slice(-4000)}`;
  const state = await until(label, async () => (hasExited(p.child) ? 'exited' : (await test()) && 'ready'), ms, 100).catch((e: Error) => {
    throw new Error(`${e.message}${tail()}`);
  });
  if (state === 'exited') {
    await sleep(200); // its last words may still be in the pipe
    throw new Error(`${p.name} exited (${p.child.signalCode ?? p.child.exitCode}) before ${label}${tail()}`);
  }
}

/** A service that is not one of Vigil's processes (redis-server, postgres), started by a test. */
export interface Service {
  readonly child: ChildProcess;
  /** The last 4,000 characters it wrote. */
  output(): string;
}

/**
 * Spawns `command` and resolves once `ready()` is true (a throw counts as not yet); fails at once
 * when the command cannot run (not installed) or exits first (with its output).
 */
export async function startService(
  what: string,
  command: string,
  args: string[],
  ready: () => Promise<boolean>,
  opts: { uid?: number; gid?: number; ms?: number } = {},
): Promise<Service> {
  const child = spawn(command, args, { uid: opts.uid, gid: opts.gid, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // A command that cannot run (not installed) fails here, before anything is asked of it.
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (e) => reject(new Error(`${what}: ${command} did not start: ${e.message}`)));
  });
  const state = await until(what, async () => (hasExited(child) ? 'gone' : (await ready()) && 'ready'), opts.ms ?? 10_000, 50).catch(
    (e: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${e.message}\n${out}`);
    },
  );
  if (state === 'gone') {
    await sleep(100); // its last words may still be in the pipe
    throw new Error(`${what}: ${command} exited (${child.signalCode ?? child.exitCode})\n${out}`);
  }
  return { child, output: () => out };
}

/** Sends `signal` unless it has exited already; resolves once it has. */
export async function stopService(s: Service | null, signal: NodeJS.Signals): Promise<void> {
  if (!s || hasExited(s.child)) return;
  await new Promise<void>((resolve) => {
    s.child.once('exit', () => resolve());
    s.child.kill(signal);
  });
}
