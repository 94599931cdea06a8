import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { until } from '../workers/src/dns/testing/client';
import { freePort } from '../workers/src/dns/testing/redis';

export { freePort, until };

export const ROOT = join(__dirname, '..');
const PG_ADMIN = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Proc {
  name: string;
  child: ChildProcess;
  output: () => string;
}

/**
 * Real Vigil processes from the built `dist/` folders, sharing one fresh PostgreSQL database and
 * one Redis key prefix, all on loopback. `stop()` ends them and removes what they left.
 */
export class Stack {
  readonly prefix = `e2e${randomBytes(5).toString('hex')}:`;
  readonly dbName = `vigil_e2e_${randomBytes(5).toString('hex')}`;
  readonly procs: Proc[] = [];
  apiUrl = '';
  dnsPort = 0;

  get databaseUrl(): string {
    const u = new URL(PG_ADMIN);
    u.pathname = `/${this.dbName}`;
    return u.toString();
  }

  private baseEnv(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, REDIS_URL, REDIS_KEY_PREFIX: this.prefix, LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn' };
  }

  spawn(name: string, script: string, env: Record<string, string>): Proc {
    const file = join(ROOT, script);
    if (!existsSync(file)) throw new Error(`${script} is missing; run npm run build first`);
    const child = spawn(process.execPath, [file], { env: { ...this.baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (b: Buffer) => {
      out = (out + b.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const proc = { name, child, output: () => out };
    this.procs.push(proc);
    return proc;
  }

  async startApi(env: Record<string, string> = {}): Promise<string> {
    const port = await freePort();
    const proc = this.spawn('api', 'backend/dist/main.js', {
      DATABASE_URL: this.databaseUrl,
      API_PORT: String(port),
      SUPPORT_EMAIL: 'support@vigil.test',
      SUPPORT_PASSWORD: 'support-password-1',
      SIGNIN_RATE_LIMIT_PER_MINUTE: '1000',
      ...env,
    });
    this.apiUrl = `http://127.0.0.1:${port}`;
    await until(`the api (${proc.output()})`, async () => (await fetch(`${this.apiUrl}/healthz`)).ok, 30_000);
    return this.apiUrl;
  }

  async startDns(env: Record<string, string> = {}): Promise<number> {
    this.dnsPort = await freePort();
    const metrics = await freePort();
    const proc = this.spawn('dns', 'workers/dist/dns/main.js', {
      DNS_HOST: '127.0.0.1',
      DNS_PORT: String(this.dnsPort),
      METRICS_PORT: String(metrics),
      ...env,
    });
    await until(`the dns server to listen (${proc.output()})`, async () => (await fetch(`http://127.0.0.1:${metrics}/metrics`)).ok, 30_000);
    return this.dnsPort;
  }

  startProbe(location: string, env: Record<string, string> = {}): Proc {
    return this.spawn(`probe-${location}`, 'workers/dist/probes/main.js', {
      LOCATION: location,
      ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
      ...env,
    });
  }

  startAggregator(env: Record<string, string> = {}): Proc {
    return this.spawn('aggregator', 'workers/dist/health/main.js', env);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
            p.child.once('exit', () => resolve());
            p.child.kill('SIGTERM');
            setTimeout(() => p.child.kill('SIGKILL'), 5000).unref();
          }),
      ),
    );
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${this.prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    const pg = new Client({ connectionString: PG_ADMIN });
    await pg.connect();
    await pg.query(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
    await pg.end();
  }
}

/** A thin client of the api for tests: JSON in and out, a cookie jar of one session. */
export class ApiClient {
  private cookie = '';
  private token = '';

  constructor(private readonly base: string) {}

  withToken(token: string): ApiClient {
    const c = new ApiClient(this.base);
    c.token = token;
    return c;
  }

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `APIKey ${this.token}`;
    else if (this.cookie) headers.cookie = this.cookie;
    const res = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async ok(method: string, path: string, body?: unknown): Promise<any> {
    const r = await this.call(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

/** Signs up a customer with the failover feature granted, and returns an API-token client. */
export async function customerWithFailover(api: string): Promise<ApiClient> {
  const session = new ApiClient(api);
  const me = await session.ok('POST', '/v2/auth/signup', {
    email: `e2e-${randomBytes(4).toString('hex')}@example.com`,
    password: 'correct-horse-1',
  });
  const { token } = await session.ok('POST', '/v2/account/tokens', { name: 'e2e' });
  const support = new ApiClient(api);
  await support.ok('POST', '/v2/auth/signin', { email: 'support@vigil.test', password: 'support-password-1' });
  await support.ok('PATCH', `/v2/admin/accounts/${me.current_account_id}`, { features: { failover: true } });
  return session.withToken(token);
}
