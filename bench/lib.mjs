// Shared by the benchmark scripts: start real Vigil processes on loopback against local
// PostgreSQL and Redis, and clean up after them. Benchmarks are measurements, not tests.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import pg from 'pg';
import Redis from 'ioredis';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PG_ADMIN = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function until(what, fn, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export class Stack {
  prefix = `bench${randomBytes(4).toString('hex')}:`;
  db = `vigil_bench_${randomBytes(4).toString('hex')}`;
  children = [];

  spawn(script, env) {
    const child = spawn(process.execPath, [join(ROOT, script)], {
      env: { PATH: process.env.PATH, REDIS_URL, REDIS_KEY_PREFIX: this.prefix, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.children.push(child);
    return child;
  }

  async api() {
    const port = await freePort();
    const u = new URL(PG_ADMIN);
    u.pathname = `/${this.db}`;
    this.spawn('backend/dist/main.js', {
      DATABASE_URL: u.toString(),
      API_PORT: String(port),
      SUPPORT_EMAIL: 'support@vigil.test',
      SUPPORT_PASSWORD: 'support-password-1',
      RATE_LIMIT_PER_MINUTE: '1000000',
      SIGNIN_RATE_LIMIT_PER_MINUTE: '1000',
    });
    const url = `http://127.0.0.1:${port}`;
    await until('the api', async () => (await fetch(`${url}/healthz`)).ok);
    return url;
  }

  async dns(env = {}) {
    const port = await freePort();
    const metrics = await freePort();
    const child = this.spawn('workers/dist/dns/main.js', {
      DNS_HOST: '127.0.0.1',
      DNS_PORT: String(port),
      METRICS_PORT: String(metrics),
      ...env,
    });
    await until('the dns server', async () => (await fetch(`http://127.0.0.1:${metrics}/healthz`)).ok);
    return { port, pid: child.pid };
  }

  async stop() {
    for (const c of this.children) c.kill('SIGTERM');
    await sleep(500);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${this.prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    const c = new pg.Client({ connectionString: PG_ADMIN });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${this.db}" WITH (FORCE)`);
    await c.end();
  }
}

/** A customer with an API token and the failover feature granted. */
export async function customer(api) {
  let cookie = '';
  const call = async (method, path, body, auth) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : cookie ? { cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const me = await call('POST', '/v2/auth/signup', {
    email: `bench-${randomBytes(3).toString('hex')}@example.com`,
    password: 'correct-horse-1',
  });
  const { token } = await call('POST', '/v2/account/tokens', { name: 'bench' });
  cookie = '';
  await call('POST', '/v2/auth/signin', { email: 'support@vigil.test', password: 'support-password-1' });
  await call('PATCH', `/v2/admin/accounts/${me.current_account_id}`, { features: { failover: true } });
  return (method, path, body) => call(method, path, body, `APIKey ${token}`);
}

export function cpuModel() {
  try {
    return execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]).toString().trim();
  } catch {
    return 'unknown';
  }
}
