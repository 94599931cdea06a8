import { CheckJobSchema, healthField, probeQueueName, redisKeys } from '@vigil/contract';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { ReconcilerService } from '../publishing/reconciler.service';
import { apiKey, TestApi } from '../testing/test-app';
import { SchedulerService } from './scheduler.service';

describe('probe scheduling (real PostgreSQL, Redis and BullMQ)', () => {
  let api: TestApi;
  let redis: Redis;
  let token: string;
  let accountId: string;
  const queues: Queue[] = [];

  const queue = (location: string) => {
    const q = new Queue(probeQueueName(location), {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: `${api.config.REDIS_KEY_PREFIX}bull`,
    });
    queues.push(q);
    return q;
  };
  const schedulers = async (location: string) =>
    Object.fromEntries((await queue(location).getJobSchedulers(0, -1)).map((s) => [s.key, { every: s.every, data: s.template?.data }]));
  const heartbeat = (location: string, at = Date.now()) => redis.zadd(redisKeys.locations, at, location);

  beforeAll(async () => {
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0' });
    redis = api.redis();
    const c = await api.customer();
    accountId = c.accountId;
    token = await api.token(c.agent);
    await api.grantFailover(accountId);
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'sched.example' }).expect(201);
    await heartbeat('eu-1');
    await heartbeat('us-1');
    await heartbeat('gone-1', Date.now() - 3600_000);
  });
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    redis.disconnect();
    await api.close();
  });

  const check = { protocol: 'HTTP', port: 8080, frequency: 30, timeout: 5, url: '/health' };
  const put = (body: object) => api.http().put('/v2/zones/sched.example/www.sched.example/A').set(apiKey(token)).send(body);

  it('upserts one scheduler per active location with the check in the job data', async () => {
    const res = await put({
      resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }, { content: ['192.0.2.3'], enabled: false }],
      meta: { failover: check },
    });
    const id = res.body.id;
    for (const location of ['eu-1', 'us-1']) {
      const s = await schedulers(location);
      expect(Object.keys(s)).toEqual([`check:${id}`]);
      expect(s[`check:${id}`]!.every).toBe(30_000);
      expect(CheckJobSchema.parse(s[`check:${id}`]!.data)).toEqual({
        checkId: id,
        zone: 'sched.example',
        name: 'www.sched.example',
        type: 'A',
        addresses: ['192.0.2.1', '192.0.2.2'],
        // The defaults filled in: no expected status means any answer passes (Gcore's meaning).
        check: { ...check, method: 'GET', tls: false, http_status_code: null },
      });
    }
    // A location without a recent heartbeat gets nothing.
    expect(await schedulers('gone-1')).toEqual({});
  });

  it('updates the job when the check changes, and removes it and its health when failover is turned off', async () => {
    const res = await put({ resource_records: [{ content: ['192.0.2.1'] }], meta: { failover: { ...check, frequency: 60 } } });
    const id = res.body.id;
    expect((await schedulers('eu-1'))[`check:${id}`]!.every).toBe(60_000);

    await redis.hset(
      redisKeys.health,
      healthField(id, '192.0.2.1'),
      JSON.stringify({ checkId: id, address: '192.0.2.1', state: 'unavailable', since: 1, reasons: {} }),
    );
    await redis.hset(redisKeys.certState, healthField(id, '192.0.2.1'), '{}');
    await put({ resource_records: [{ content: ['192.0.2.1'] }] }).expect(200);
    expect(await schedulers('eu-1')).toEqual({});
    expect(await schedulers('us-1')).toEqual({});
    expect(await redis.hexists(redisKeys.health, healthField(id, '192.0.2.1'))).toBe(0);
    // And the certificate level the aggregators kept for it.
    expect(await redis.hexists(redisKeys.certState, healthField(id, '192.0.2.1'))).toBe(0);
  });

  it('removes schedulers when the beta feature is revoked and restores them when granted again', async () => {
    const res = await put({ resource_records: [{ content: ['192.0.2.1'] }], meta: { failover: check } });
    const support = await api.support();
    await support
      .patch(`/v2/admin/accounts/${accountId}`)
      .send({ features: { failover: false } })
      .expect(200);
    expect(await schedulers('eu-1')).toEqual({});
    await support
      .patch(`/v2/admin/accounts/${accountId}`)
      .send({ features: { failover: true } })
      .expect(200);
    expect(Object.keys(await schedulers('eu-1'))).toEqual([`check:${res.body.id}`]);
  });

  it('removes schedulers of deleted record sets and zones', async () => {
    await put({ resource_records: [{ content: ['192.0.2.1'] }], meta: { failover: check } }).expect(200);
    await api.http().delete('/v2/zones/sched.example/www.sched.example/A').set(apiKey(token)).expect(204);
    expect(await schedulers('eu-1')).toEqual({});

    await put({ resource_records: [{ content: ['192.0.2.1'] }], meta: { failover: check } }).expect(201);
    await api.http().delete('/v2/zones/sched.example').set(apiKey(token)).expect(204);
    expect(await schedulers('us-1')).toEqual({});
  });

  it('reconciles: a new location gets every check; stray schedulers, health states and certificate levels go', async () => {
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'sched2.example' }).expect(201);
    const res = await api
      .http()
      .put('/v2/zones/sched2.example/a.sched2.example/AAAA')
      .set(apiKey(token))
      .send({ resource_records: [{ content: ['2001:db8::1'] }], meta: { failover: { protocol: 'ICMP', frequency: 10, timeout: 2 } } })
      .expect(201);
    await heartbeat('ap-1');
    const stray = '00000000-0000-4000-8000-000000000000';
    await queue('ap-1').upsertJobScheduler(`check:${stray}`, { every: 10_000 }, { name: 'check', data: {} });
    // A state left by a result that was in flight when its check went away.
    await redis.hset(redisKeys.health, healthField(stray, '192.0.2.9'), '{}');
    await redis.hset(redisKeys.results(stray, '192.0.2.9'), 'eu-1', '{}');
    const live = healthField(res.body.id, '2001:db8::1');
    await redis.hset(redisKeys.health, live, '{}');
    await redis.hset(redisKeys.certState, healthField(stray, '192.0.2.9'), '{}');
    await redis.hset(redisKeys.certState, live, '{}');

    await api.app.get(ReconcilerService).reconcile();
    const result = await api.app.get(SchedulerService).reconcile();
    expect(result).toEqual({ upserted: 1, removed: 1, forgotten: 1 });
    expect(Object.keys(await schedulers('ap-1'))).toEqual([`check:${res.body.id}`]);
    expect(await redis.hexists(redisKeys.health, healthField(stray, '192.0.2.9'))).toBe(0);
    expect(await redis.exists(redisKeys.results(stray, '192.0.2.9'))).toBe(0);
    expect(await redis.hexists(redisKeys.health, live)).toBe(1);
    expect(await redis.hexists(redisKeys.certState, healthField(stray, '192.0.2.9'))).toBe(0);
    expect(await redis.hexists(redisKeys.certState, live)).toBe(1);
    expect(await api.app.get(SchedulerService).reconcile()).toEqual({ upserted: 0, removed: 0, forgotten: 0 });
  });
});
