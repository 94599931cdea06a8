// Starting and stopping the real Vigil processes for the browser tests, all on loopback.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import pg from 'pg';

export const FRONTEND = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = join(FRONTEND, '..');
export const LOG_DIR = join(FRONTEND, 'test-results', 'stack-logs');

export const DATA_PLANE_FILES = ['workers/dist/dns/main.js', 'workers/dist/probes/main.js', 'workers/dist/health/main.js'];

/** A TCP port free on 127.0.0.1 now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Polls `fn` until it returns a truthy value; throws naming `what` after `ms`. */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms: number, every = 200): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
}

/** Child processes with their output in test-results/stack-logs/<name>.log. */
export class Processes {
  readonly procs: Proc[] = [];

  start(name: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Proc {
    mkdirSync(LOG_DIR, { recursive: true });
    const log = join(LOG_DIR, `${name}.log`);
    const out = createWriteStream(log);
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    child.once('exit', (code, signal) => out.end(`\n[${name} exited: ${signal ?? code}]\n`));
    const p = { name, child, log };
    this.procs.push(p);
    return p;
  }

  /** Waits for `ready`, failing early (with the log's tail) if the process dies first. */
  async ready(p: Proc, what: string, ready: () => Promise<boolean>, ms = 60_000): Promise<void> {
    await until(
      what,
      async () => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) {
          throw new Error(`${p.name} exited early; its log ends with:\n${tail(p.log)}`);
        }
        return ready();
      },
      ms,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n--- ${p.log} ---\n${tail(p.log)}`);
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.procs.map((p) => stop(p.child)));
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '(no log)';
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export const httpOk = async (url: string) => {
  const r = await fetch(url);
  return r.ok;
};

export interface StackSettings {
  pgAdminUrl: string;
  redisUrl: string;
}

export function stackSettings(): StackSettings {
  return {
    pgAdminUrl: process.env.E2E_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

export const randomId = (bytes = 5) => randomBytes(bytes).toString('hex');

export function databaseUrl(admin: string, name: string): string {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropDatabase(admin: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Deletes every Redis key under the run's prefix (zones, health, BullMQ queues). */
export async function clearRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export const missingFiles = (files: string[]) => files.filter((f) => !existsSync(join(ROOT, f)));
