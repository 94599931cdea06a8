// POST /v2/zones/{zone}/{name}/{type}/check against the real api (PostgreSQL, Redis, BullMQ).
// Locations here announce themselves with a heartbeat but run no probe, so what the api asks of
// them is read back from their queues and they answer nothing; e2e/check-now.spec.ts runs real probes.
import { CHECK_NOW_JOB_NAME, CheckNowJobSchema, checkNowJobId, probeQueueName, redisKeys } from '@vigil/contract';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { apiKey, expectError, expectInvalid, TestApi } from '../testing/test-app';

// Runs wait for the locations' answers: the check's timeout (1 s) plus the margin (2 s).
jest.setTimeout(30_000);

describe('check now (real PostgreSQL, Redis and BullMQ)', () => {
  let api: TestApi;
  let redis: Redis;
  let token: string;
  let accountId: string;
  let otherToken: string;
  const queues: Queue[] = [];

  const queue = (location: string) => {
    const q = new Queue(probeQueueName(location), {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: `${api.config.REDIS_KEY_PREFIX}bull`,
    });
    queues.push(q);
    return q;
  };
  const check = { protocol: 'HTTP', port: 8080, frequency: 60, timeout: 1, url: '/health' };
  const put = (name: string, body: object, type = 'A') =>
    api
      .http()
      .put(`/v2/zones/now.example/${name}.now.example/${type}`)
      .set(apiKey(token))
      .send(body)
      .expect((r) => {
        if (r.status >= 300) throw new Error(`PUT ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      });
  const checkNow = (name: string, type = 'A', t = token) => api.http().post(`/v2/zones/now.example/${name}/${type}/check`).set(apiKey(t));

  beforeAll(async () => {
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0' });
    redis = api.redis();
    const c = await api.customer();
    accountId = c.accountId;
    token = await api.token(c.agent);
    await api.grantFailover(accountId);
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'now.example' }).expect(201);
    const other = await api.customer('other');
    otherToken = await api.token(other.agent);
    await api.grantFailover(other.accountId);
  });
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    redis.disconnect();
    await api.close();
  });

  it('answers 503 while no probe location is reporting', async () => {
    await put('lonely', { resource_records: [{ content: ['192.0.2.1'] }], meta: { failover: check } });
    expect(expectError(await checkNow('lonely.now.example'), 503)).toMatch(/no probe location is reporting/);
  });

  it("enqueues one job per live location and lists each location that did not answer by the check's timeout + margin", async () => {
    await redis.zadd(redisKeys.locations, Date.now(), 'quiet-1', Date.now(), 'quiet-2', Date.now() - 3600_000, 'gone-1');
    const saved = await put('www', {
      resource_records: [{ content: ['192.0.2.10'] }, { content: ['192.0.2.11'] }, { content: ['192.0.2.12'], enabled: false }],
      meta: { failover: check },
    });
    const res = await checkNow('www.now.example');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ joined: false, timeout: 1, complete: false });
    expect(res.body.locations).toEqual(
      ['quiet-1', 'quiet-2'].map((location) => ({
        location,
        status: 'no_answer',
        answered_ms: null,
        error: 'no answer within 3 s',
        results: [],
      })),
    );
    expect(res.body.run_id).not.toContain(':');

    for (const location of ['quiet-1', 'quiet-2']) {
      const job = await queue(location).getJob(checkNowJobId(res.body.run_id));
      expect(job?.name).toBe(CHECK_NOW_JOB_NAME);
      const data = CheckNowJobSchema.parse(job!.data);
      expect(data).toMatchObject({ runId: res.body.run_id, checkId: saved.body.id, type: 'A', addresses: ['192.0.2.10', '192.0.2.11'] });
      expect(data.deadline - Date.parse(res.body.started_at)).toBe(3000);
    }
    // A location without a recent heartbeat is not asked.
    expect(await queue('gone-1').getJob(checkNowJobId(res.body.run_id))).toBeUndefined();
  });

  it('lets a second request for the same check join the run in flight, and answers 429 within the interval', async () => {
    await put('api', { resource_records: [{ content: ['192.0.2.20'] }], meta: { failover: check } });
    const [a, b] = await Promise.all([checkNow('api.now.example'), checkNow('api.now.example')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.run_id).toBe(b.body.run_id);
    expect([a.body.joined, b.body.joined].sort()).toEqual([false, true]);
    expect(await queue('quiet-1').getJob(checkNowJobId(a.body.run_id))).toBeDefined();

    const again = await checkNow('api.now.example');
    expect(expectError(again, 429)).toMatch(/checked less than 10 s ago/);
    expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(10);
    // The interval is per record set: another one runs at once.
    await put('mail', { resource_records: [{ content: ['192.0.2.25'] }], meta: { failover: check } });
    expect((await checkNow('mail.now.example')).status).toBe(200);
  });

  it("answers 404 for another account's record set, as for one that does not exist", async () => {
    expectError(await checkNow('www.now.example', 'A', otherToken), 404);
    expectError(await checkNow('nothing.now.example'), 404);
    expectError(await api.http().post('/v2/zones/now.example/www.now.example/A/check'), 401);
  });

  it('answers 400 naming the field for a bad name or type, or a type no check runs on', async () => {
    expect(expectInvalid(await checkNow('www.now.example', 'XYZ'), 'type')).toMatch(/must be one of/);
    expect(expectInvalid(await checkNow('www.elsewhere.example'), 'name')).toMatch(/must be now.example or a name below it/);
    await put('txt', { resource_records: [{ content: ['hello'] }] }, 'TXT');
    expect(expectInvalid(await checkNow('txt.now.example', 'TXT'), 'type')).toMatch(/A, AAAA and CNAME record sets only/);
  });

  it('answers 409 for a record set without a check or without an enabled record', async () => {
    await put('plain', { resource_records: [{ content: ['192.0.2.30'] }] });
    expect(expectError(await checkNow('plain.now.example'), 409)).toMatch(/has no health check \(meta.failover\)/);
    await put('off', { resource_records: [{ content: ['192.0.2.31'], enabled: false }], meta: { failover: check } });
    expect(expectError(await checkNow('off.now.example'), 409)).toMatch(/no enabled record/);
  });

  it('answers 403 with how to ask for it once the failover feature is revoked', async () => {
    await put('beta', { resource_records: [{ content: ['192.0.2.40'] }], meta: { failover: check } });
    const support = await api.support();
    await support
      .patch(`/v2/admin/accounts/${accountId}`)
      .send({ features: { failover: false } })
      .expect(200);
    try {
      const res = await checkNow('beta.now.example');
      expect(expectError(res, 403)).toMatch(/beta feature/);
      expect(res.body.feature).toBe('failover');
    } finally {
      await support
        .patch(`/v2/admin/accounts/${accountId}`)
        .send({ features: { failover: true } })
        .expect(200);
    }
  });
});
