import { LOCATION_STALE_AFTER_MS, type ProbeResult, probeQueueName, redisKeys } from '@vigil/contract';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import type TestAgent from 'supertest/lib/agent';
import { SchedulerService } from '../scheduling/scheduler.service';
import { apiKey, expectError, TestApi } from '../testing/test-app';

// Sites are probe locations as their heartbeats in the real sorted set describe them; the checks
// are the real BullMQ job schedulers the api keeps in each site's queue.
describe('probe sites: support console and health read-out (real PostgreSQL, Redis and BullMQ)', () => {
  let api: TestApi;
  let redis: Redis;
  let support: TestAgent;
  let T: { Authorization: string };
  let customer: TestAgent;
  const queues: Queue[] = [];
  const zone = 'sites.example';
  const check = { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 };
  const ago = (ms: number) => Date.now() - ms;

  const heartbeat = (site: string, at = Date.now()) => redis.zadd(redisKeys.locations, at, site);
  const queue = (site: string) => {
    const url = new URL(api.config.REDIS_URL);
    const q = new Queue(probeQueueName(site), {
      connection: { host: url.hostname, port: Number(url.port || 6379) },
      prefix: `${api.config.REDIS_KEY_PREFIX}bull`,
      // Looking must not write: the test checks that a forgotten site's queue leaves no key.
      skipMetasUpdate: true,
    });
    queues.push(q);
    return q;
  };
  /** Every Redis key of a site's BullMQ queue. */
  const queueKeys = async (site: string) => {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${api.config.REDIS_KEY_PREFIX}bull:${probeQueueName(site)}:*`, 'COUNT', 1000);
      out.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return out;
  };
  const putFailover = (name: string) =>
    api
      .http()
      .put(`/v2/zones/${zone}/${name}.${zone}/A`)
      .set(T)
      .send({ resource_records: [{ content: ['192.0.2.10'] }, { content: ['192.0.2.11'] }], meta: { failover: check } })
      .expect(201);
  const result = (location: string, at: number): ProbeResult => ({ ok: true, latency_ms: 3, error: null, at, location, frequency: 30 });
  const sites = async () => (await support.get('/v2/admin/sites').expect(200)).body;
  const site = async (name: string) => (await sites()).sites.find((s: { name: string }) => s.name === name);

  let wwwId: string;

  beforeAll(async () => {
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0' });
    redis = api.redis();
    support = await api.support();
    const c = await api.customer('sites');
    customer = c.agent;
    T = apiKey(await api.token(c.agent));
    await api.grantFailover(c.accountId);
    await api.http().post('/v2/zones').set(T).send({ name: zone }).expect(201);
    // Both sites report while the first two checks are saved, so each gets both schedulers.
    await heartbeat('site-a');
    await heartbeat('site-b');
    wwwId = (await putFailover('www')).body.id;
    await putFailover('api');
    // Then site-b stops: its last beat is older than LOCATION_STALE_AFTER_MS.
    await heartbeat('site-b', ago(LOCATION_STALE_AFTER_MS + 5 * 60_000));
    // A third check goes to the reporting site only.
    await heartbeat('site-a');
    await putFailover('mail');
    // One that stopped two days ago.
    await heartbeat('site-old', ago(2 * 24 * 3600_000));
  });
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    redis.disconnect();
    await api.close();
  });

  it('lists every site with its last heartbeat, state and scheduled checks', async () => {
    await heartbeat('site-a');
    const body = await sites();
    expect(body.stale_after_seconds).toBe(LOCATION_STALE_AFTER_MS / 1000);
    expect(body.gone_after_seconds).toBe(24 * 3600);
    expect(body.sites.map((s: { name: string; state: string; checks: number }) => [s.name, s.state, s.checks])).toEqual([
      ['site-a', 'reporting', 3],
      ['site-b', 'stale', 2],
      ['site-old', 'gone', 0],
    ]);
    const b = body.sites[1];
    const bBeat = Number(await redis.zscore(redisKeys.locations, 'site-b'));
    expect(b.last_heartbeat).toBe(new Date(bBeat).toISOString());
    expect(b.seconds_since).toBeGreaterThanOrEqual(Math.floor((LOCATION_STALE_AFTER_MS + 5 * 60_000) / 1000));
    expect(b.seconds_since).toBeLessThan(Math.ceil((LOCATION_STALE_AFTER_MS + 5 * 60_000) / 1000) + 60);
    expect(body.sites[0].seconds_since).toBeLessThan(LOCATION_STALE_AFTER_MS / 1000);
    // The counts are BullMQ's own.
    expect(await queue('site-a').getJobSchedulersCount()).toBe(3);
    expect(await queue('site-b').getJobSchedulersCount()).toBe(2);
  });

  it("shows customers each site's state in the health read-out, and marks a stale site's result", async () => {
    await heartbeat('site-a');
    const now = Date.now();
    // site-a's result is current; site-b's was written when it last reported, six minutes ago.
    await redis.hset(
      redisKeys.results(wwwId, '192.0.2.10'),
      'site-a',
      JSON.stringify(result('site-a', now)),
      'site-b',
      JSON.stringify(result('site-b', ago(6 * 60_000))),
    );
    const res = await api.http().get(`/v2/zones/${zone}/www.${zone}/A/health`).set(T).expect(200);
    expect(res.body.locations).toEqual(['site-a']);
    // A gone site is no longer one of the customers' sites.
    expect(res.body.sites.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['site-a', 'reporting'],
      ['site-b', 'stale'],
    ]);
    expect(res.body.sites[1].last_heartbeat).toBe(new Date(Number(await redis.zscore(redisKeys.locations, 'site-b'))).toISOString());
    expect(res.body.addresses[0].locations).toEqual([
      expect.objectContaining({ location: 'site-a', fresh: true, site_state: 'reporting' }),
      expect.objectContaining({ location: 'site-b', fresh: false, site_state: 'stale' }),
    ]);
  });

  it('refuses to forget a site that is still reporting, and one that does not exist', async () => {
    await heartbeat('site-a');
    const message = expectError(await support.delete('/v2/admin/sites/site-a'), 409);
    expect(message).toMatch(/site-a is still reporting/);
    expect(message).toContain('60 s');
    expect(await site('site-a')).toMatchObject({ state: 'reporting', checks: 3 });
    expect(await queue('site-a').getJobSchedulersCount()).toBe(3);
    expect(await redis.hget(redisKeys.results(wwwId, '192.0.2.10'), 'site-a')).not.toBeNull();

    expect(expectError(await support.delete('/v2/admin/sites/nowhere-1'), 404)).toBe('site not found');
    expectError(await support.delete('/v2/admin/sites/Not_A_Site'), 404);
  });

  it('forgets a stale site: heartbeat, schedulers and last results gone; other sites untouched', async () => {
    expect((await queueKeys('site-b')).length).toBeGreaterThan(0);
    const res = await support.delete('/v2/admin/sites/site-b').expect(200);
    expect(res.body).toEqual({ name: 'site-b', checks_removed: 2, results_removed: 1 });

    expect(await redis.zscore(redisKeys.locations, 'site-b')).toBeNull();
    expect(await queue('site-b').getJobSchedulersCount()).toBe(0);
    expect(await queueKeys('site-b')).toEqual([]);
    expect((await sites()).sites.map((s: { name: string }) => s.name)).toEqual(['site-a', 'site-old']);
    expect(await redis.hkeys(redisKeys.results(wwwId, '192.0.2.10'))).toEqual(['site-a']);
    expect(await queue('site-a').getJobSchedulersCount()).toBe(3);
    const health = await api.http().get(`/v2/zones/${zone}/www.${zone}/A/health`).set(T).expect(200);
    expect(health.body.sites.map((s: { name: string }) => s.name)).toEqual(['site-a']);
    expect(health.body.addresses[0].locations.map((l: { location: string }) => l.location)).toEqual(['site-a']);

    expectError(await support.delete('/v2/admin/sites/site-b'), 404);
    // A gone site is stale too, so it can be forgotten.
    await support.delete('/v2/admin/sites/site-old').expect(200);
  });

  it('gives a forgotten site that announces itself again every check, in a queue that runs', async () => {
    await heartbeat('site-b');
    await api.app.get(SchedulerService).reconcile();
    expect(await site('site-b')).toMatchObject({ state: 'reporting', checks: 3 });
    expect(await queue('site-b').isPaused()).toBe(false);
    expect(await queue('site-b').getJobSchedulersCount()).toBe(3);
  });

  it('is for support staff only: customers, by session or API token, get 403 and change nothing', async () => {
    await heartbeat('site-c', ago(LOCATION_STALE_AFTER_MS * 3));
    expectError(await customer.get('/v2/admin/sites'), 403);
    expectError(await customer.delete('/v2/admin/sites/site-c'), 403);
    expectError(await api.http().get('/v2/admin/sites').set(T), 403);
    expectError(await api.http().delete('/v2/admin/sites/site-c').set(T), 403);
    expectError(await api.http().get('/v2/admin/sites'), 401);
    expect(await redis.zscore(redisKeys.locations, 'site-c')).not.toBeNull();
    expect(await site('site-c')).toMatchObject({ state: 'stale' });
  });
});
