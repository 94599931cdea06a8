// Shared by the benchmark scripts: real Vigil processes on loopback (started by @vigil/stack)
// against local PostgreSQL and Redis, cleaned up after. Benchmarks are measurements, not tests.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { apiProcess, freePort, ROOT, sleep, Stack as BaseStack, until, waitReady } from '@vigil/stack';

export { freePort, ROOT, sleep, until };

const BENCH_API_ENV = {
  SUPPORT_EMAIL: 'support@vigil.test',
  SUPPORT_PASSWORD: 'support-password-1',
  RATE_LIMIT_PER_MINUTE: '1000000',
  SIGNIN_RATE_LIMIT_PER_MINUTE: '1000',
};

/** A run of its own (database, Redis prefix); the processes' stderr shows on ours, prefixed. */
export class Stack extends BaseStack {
  constructor(options = {}) {
    super({ kind: 'bench', echo: 'stderr', ...options });
  }

  startApi(env = {}) {
    return super.startApi({ ...BENCH_API_ENV, ...env });
  }

  /**
   * The api from another build's entry file (e.g. an older checkout's backend/dist/main.js), to
   * compare two in one run; `nodeArgs` go before it (--cpu-prof, which NODE_OPTIONS refuses).
   */
  async startApiFrom(entry, env = {}, nodeArgs = []) {
    const port = await freePort();
    const spec = apiProcess(port, { DATABASE_URL: this.databaseUrl, ...BENCH_API_ENV, ...env });
    spec.args.splice(0, 1, ...nodeArgs, entry);
    await waitReady(this.start(spec));
    return (this.apiUrl = `http://127.0.0.1:${port}`);
  }
}

/**
 * A customer with the failover feature granted: `call` with an API token, and `session` with the
 * owner's panel session (what owners alone may do, such as notification channels).
 */
export async function signUp(api) {
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
  const own = cookie;
  cookie = '';
  await call('POST', '/v2/auth/signin', { email: 'support@vigil.test', password: 'support-password-1' });
  await call('PATCH', `/v2/admin/accounts/${me.current_account_id}`, { features: { failover: true } });
  const as = (session) => (method, path, body) => {
    cookie = session;
    return call(method, path, body);
  };
  return { call: (method, path, body) => call(method, path, body, `APIKey ${token}`), session: as(own) };
}

/** A customer with an API token and the failover feature granted. */
export async function customer(api) {
  return (await signUp(api)).call;
}

export function cpuModel() {
  try {
    return execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]).toString().trim();
  } catch {
    return 'unknown';
  }
}
