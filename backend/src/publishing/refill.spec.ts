import { probeQueueName, redisKeys } from '@vigil/contract';
import { readZone } from '@vigil/contract/redis';
import { deleteKeys, until } from '@vigil/stack';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { apiKey, TestApi } from '../testing/test-app';

describe('a Redis that lost its data (real PostgreSQL and Redis)', () => {
  let api: TestApi;
  let redis: Redis;

  beforeAll(async () => {
    // The periodic reconcile is an hour away: only the api's check of the marker can refill Redis in time.
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '3600' });
    redis = api.redis();
  });
  afterAll(async () => {
    redis.disconnect();
    await api.close();
  });

  it('is filled again at once, not at the next reconcile period', async () => {
    const token = await api.token((await api.customer()).agent);
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'refill.example' }).expect(201);
    await api
      .http()
      .put('/v2/zones/refill.example/www.refill.example/A')
      .set(apiKey(token))
      .send({ resource_records: [{ content: ['192.0.2.1'] }] })
      .expect(201);
    await until('the first fill to be marked', async () => (await redis.exists(redisKeys.published)) === 1, 10_000);

    // Redis restarts without its data.
    await deleteKeys(api.config.REDIS_URL, api.config.REDIS_KEY_PREFIX);
    expect(await readZone(redis, 'refill.example')).toBeNull();
    const t0 = Date.now();
    await until('the zone back in Redis', async () => (await readZone(redis, 'refill.example')) !== null, 10_000);
    expect(Date.now() - t0).toBeLessThan(8000);
    const back = (await readZone(redis, 'refill.example'))!;
    expect([...back.rrsets.keys()]).toContain('www.refill.example A');
    expect(await redis.hget(redisKeys.zoneIndex, 'refill.example')).not.toBeNull();
    await until('the marker back', async () => (await redis.exists(redisKeys.published)) === 1, 5000);
  });

  it('schedules the checks of a probe location that announces itself after the refill, without waiting for the period', async () => {
    const { token } = await api.failoverZone('watched.example');
    const res = await api
      .http()
      .put('/v2/zones/watched.example/www.watched.example/A')
      .set(apiKey(token))
      .send({
        resource_records: [{ content: ['192.0.2.1'] }],
        meta: { failover: { protocol: 'TCP', port: 80, frequency: 30, timeout: 5 } },
      })
      .expect(201);
    const queue = new Queue(probeQueueName('late-1'), {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: `${api.config.REDIS_KEY_PREFIX}bull`,
    });
    try {
      // Redis restarts empty; the api fills it again while no probe has announced itself yet.
      await deleteKeys(api.config.REDIS_URL, api.config.REDIS_KEY_PREFIX);
      await until('the refill to be marked', async () => (await redis.exists(redisKeys.published)) === 1, 10_000);
      expect(await queue.getJobSchedulers(0, -1)).toEqual([]);
      // Then the probe comes back and announces its location.
      await redis.zadd(redisKeys.locations, Date.now(), 'late-1');
      await until(
        'the check scheduled on the location',
        async () => (await queue.getJobSchedulers(0, -1)).some((j) => j.key === `check:${res.body.id}`),
        8000,
      );
    } finally {
      await queue.close();
    }
  }, 20_000);
});
