import { setTimeout as sleep } from 'node:timers/promises';
import { apiKey, expectError, SUPPORT, TestApi } from '../testing/test-app';

const retryAfter = (res: { headers: Record<string, unknown> }) => Number(res.headers['retry-after']);

/** Two api processes (as behind a balancer) on one Redis share one sign-in budget per address. */
describe('rate limits counted in Redis', () => {
  let a: TestApi;
  let b: TestApi;

  beforeAll(async () => {
    const shared = { SIGNIN_RATE_LIMIT_PER_MINUTE: '3', REDIS_KEY_PREFIX: `ratelimit-${process.pid}-${Date.now()}:` };
    a = await TestApi.start(shared);
    b = await TestApi.start(shared);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('refuses the fourth sign-in attempt of a minute, whichever process gets it, with Retry-After', async () => {
    const wrong = { email: SUPPORT.email, password: 'not-the-password' };
    await a.http().post('/v2/auth/signin').send(wrong).expect(401);
    await b.http().post('/v2/auth/signin').send(wrong).expect(401);
    await a.http().post('/v2/auth/signin').send(wrong).expect(401);
    const res = await b.http().post('/v2/auth/signin').send(wrong).expect(429);
    expect(res.body.error).toContain('too many requests');
    // The standard header, which clients read, not only the library's Retry-After-signin.
    expect(retryAfter(res)).toBeGreaterThan(0);
    expect(retryAfter(res)).toBeLessThanOrEqual(60);
  });
});

describe('the general rate limit', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.start({ RATE_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(() => api.close());

  it('answers 429 with Retry-After in seconds', async () => {
    // Signing up and making the token are the address's two requests; the token has its own two.
    const token = await api.token((await api.customer('general')).agent);
    await api.http().get('/v2/zones').set(apiKey(token)).expect(200);
    await api.http().get('/v2/zones').set(apiKey(token)).expect(200);
    const res = await api.http().get('/v2/zones').set(apiKey(token));
    expectError(res, 429);
    expect(retryAfter(res)).toBeGreaterThan(0);
    expect(retryAfter(res)).toBeLessThanOrEqual(60);
  });
});

describe('requests whose credentials are refused', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start({ RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'loopback' });
  });
  afterAll(() => api.close());

  it('count against their address: guessing tokens or replaying dead sessions gets 429 too', async () => {
    const statuses = async (from: string, set: Record<string, string>) => {
      const out: number[] = [];
      for (let i = 0; i < 5; i++) out.push((await api.http().get('/v2/zones').set('X-Forwarded-For', from).set(set)).status);
      return out;
    };
    expect(await statuses('198.51.100.7', apiKey('not-a-token'))).toEqual([401, 401, 401, 429, 429]);
    expect(await statuses('198.51.100.8', { Cookie: 'vigil_session=stale' })).toEqual([401, 401, 401, 429, 429]);
    expect(await statuses('198.51.100.9', {})).toEqual([401, 401, 401, 429, 429]);
    const res = await api.http().get('/v2/zones').set('X-Forwarded-For', '198.51.100.7').set(apiKey('not-a-token'));
    expect(retryAfter(res)).toBeGreaterThan(0);
  });
});

/**
 * Failed sign-ins per e-mail address, whatever address they come from. TRUST_PROXY=loopback lets
 * the test play many clients through X-Forwarded-For, as a proxy in front would report them.
 */
describe('the per-account sign-in limit', () => {
  let api: TestApi;
  let client = 0;
  const from = () => `198.51.100.${++client}`;
  const signIn = (email: string, password: string) =>
    api.http().post('/v2/auth/signin').set('X-Forwarded-For', from()).send({ email, password });

  beforeAll(async () => {
    api = await TestApi.start({
      TRUST_PROXY: 'loopback',
      SIGNIN_RATE_LIMIT_PER_MINUTE: '1000',
      SIGNIN_FAILURES_PER_ACCOUNT: '3',
      SIGNIN_LOCK_SECONDS: '1',
    });
  });
  afterAll(() => api.close());

  it('locks an e-mail address after its failures from many addresses, briefly, and the right password after the lock works', async () => {
    const { email } = await api.customer('locked');
    expectError(await signIn(email, 'guess-1'), 401);
    expectError(await signIn(email.toUpperCase(), 'guess-2'), 401);
    expectError(await signIn(email.charAt(0).toUpperCase() + email.slice(1), 'guess-3'), 401);
    // Locked now, even for the right password, from yet another address.
    const locked = await signIn(email, 'correct-horse-1');
    expect(expectError(locked, 429)).toContain('failed sign-ins');
    expect(retryAfter(locked)).toBe(1);
    expect(locked.headers['set-cookie']).toBeUndefined();

    // Another user is not affected.
    const other = await api.customer('other');
    await signIn(other.email, 'correct-horse-1').expect(200);

    // The lock is short; the right password then signs in.
    await sleep(1100);
    await signIn(email, 'correct-horse-1').expect(200);
  });

  it('counts only failures: a successful sign-in forgets the earlier ones', async () => {
    const { email } = await api.customer('forgets');
    for (let round = 0; round < 3; round++) {
      expectError(await signIn(email, 'guess-a'), 401);
      expectError(await signIn(email, 'guess-b'), 401);
      await signIn(email, 'correct-horse-1').expect(200);
    }
  });

  it('locks unknown addresses alike, so a lock tells nothing about who has an account', async () => {
    const nobody = `nobody-${Date.now()}@example.com`;
    for (let i = 0; i < 3; i++) expectError(await signIn(nobody, `guess-${i}`), 401);
    expect(expectError(await signIn(nobody, 'guess-4'), 429)).toContain('failed sign-ins');
  });

  it('lets concurrent guesses past the limit no further than the limit', async () => {
    const { email } = await api.customer('burst');
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn(email, `burst-${i}`)));
    expect(results.filter((r) => r.status === 401)).toHaveLength(3);
    expect(results.filter((r) => r.status === 429)).toHaveLength(9);
  });
});
