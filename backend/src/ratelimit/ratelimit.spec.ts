import { SUPPORT, TestApi } from '../testing/test-app';

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

  it('refuses the fourth sign-in attempt of a minute, whichever process gets it', async () => {
    const wrong = { email: SUPPORT.email, password: 'not-the-password' };
    await a.http().post('/v2/auth/signin').send(wrong).expect(401);
    await b.http().post('/v2/auth/signin').send(wrong).expect(401);
    await a.http().post('/v2/auth/signin').send(wrong).expect(401);
    const res = await b.http().post('/v2/auth/signin').send(wrong).expect(429);
    expect(res.body.error).toContain('too many requests');
    expect(Number(res.headers['retry-after-signin'] ?? res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
