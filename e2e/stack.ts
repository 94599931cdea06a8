import { randomBytes } from 'node:crypto';
import { redisKeys } from '@vigil/contract';
import { apiProcess, type Env, freePort, ROOT, type Running, Stack as BaseStack, type StackOptions, until, waitReady } from '@vigil/stack';
import Redis from 'ioredis';

export { freePort, ROOT, until };
export type Proc = Running;

/** The support user every system test's api has. */
export const SUPPORT = { SUPPORT_EMAIL: 'support@vigil.test', SUPPORT_PASSWORD: 'support-password-1' };

/**
 * Real Vigil processes from the built `dist/` folders, sharing one fresh PostgreSQL database and
 * one Redis key prefix, all on loopback (see @vigil/stack). `stop()` ends them and removes what they left.
 */
export class Stack extends BaseStack {
  /** `pgAdminUrl`, `redisUrl`: another PostgreSQL or Redis than the shared ones (a test that stops them). */
  constructor(options: Pick<StackOptions, 'pgAdminUrl' | 'redisUrl'> = {}) {
    super({
      kind: 'e2e',
      logLevel: process.env.E2E_LOG_LEVEL ?? 'warn',
      ...options,
    });
  }

  override startApi(env: Env = {}): Promise<string> {
    return super.startApi({ ...SUPPORT, SIGNIN_RATE_LIMIT_PER_MINUTE: '1000', ...env });
  }

  /** An api again on the port of one that was stopped (`url`), so its clients and sessions carry on. */
  async restartApi(url: string, env: Env = {}): Promise<void> {
    const spec = apiProcess(Number(new URL(url).port), {
      DATABASE_URL: this.databaseUrl,
      ...SUPPORT,
      SIGNIN_RATE_LIMIT_PER_MINUTE: '1000',
      ...env,
    });
    await waitReady(this.start(spec));
  }

  /**
   * A probe per location (`probeEnv` added to each one's settings) and the aggregator; resolves
   * once every location has announced itself.
   */
  async startChecking(locations: string[], probeEnv: Env = {}): Promise<void> {
    for (const l of locations) this.startProbe(l, probeEnv);
    this.startAggregator();
    const redis = new Redis(this.redisUrl, { keyPrefix: this.prefix });
    try {
      await until(
        `the probe locations ${locations.join(', ')} to announce themselves`,
        async () => (await redis.zcard(redisKeys.locations)) === locations.length,
        30_000,
      );
    } finally {
      redis.disconnect();
    }
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
  return (await ownerWithFailover(api)).token;
}

/**
 * The same, with the owner's session as well: what an API token may not do (its own tokens,
 * members, notification channels) the session does.
 */
export async function ownerWithFailover(api: string): Promise<{ token: ApiClient; session: ApiClient }> {
  const session = new ApiClient(api);
  const me = await session.ok('POST', '/v2/auth/signup', {
    email: `e2e-${randomBytes(4).toString('hex')}@example.com`,
    password: 'correct-horse-1',
  });
  const { token } = await session.ok('POST', '/v2/account/tokens', { name: 'e2e' });
  const support = new ApiClient(api);
  await support.ok('POST', '/v2/auth/signin', { email: SUPPORT.SUPPORT_EMAIL, password: SUPPORT.SUPPORT_PASSWORD });
  await support.ok('PATCH', `/v2/admin/accounts/${me.current_account_id}`, { features: { failover: true } });
  return { token: session.withToken(token), session };
}
