// The real probe worker and a real BullMQ queue on a Redis primary, a replica and three Sentinels
// (REDIS_SENTINELS); the primary is SIGKILLed and the replica promoted, nothing restarted.
import { bullPrefix, type CheckJob, PROBE_JOB_NAME, probeQueueName, probeSchedulerId, redisKeys, TargetPolicy } from '@vigil/contract';
import { RedisEnvSchema, redisOptions, redisSettings } from '@vigil/contract/redis';
import { commandProblem, prerequisite, SentinelGroup, until } from '@vigil/stack';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { createLogger } from '../common/logger';
import { closeRedis, createRedis } from '../common/redis';
import { uniquePrefix } from '../common/testing/redis';
import { startHttpServer, type TestServer } from '../common/testing/servers';
import { ProbeWorker } from './worker';

jest.setTimeout(120_000);

const PREFIX = uniquePrefix('probe-sentinel');
const LOCATION = 's1';
const haveRedis = prerequisite('redis-server', commandProblem('redis-server', ['--version']));

(haveRedis ? describe : describe.skip)('a probe across a Sentinel failover', () => {
  const group = new SentinelGroup({ replicas: 1 });
  let redis: Redis;
  let bull: Redis;
  let scheduler: Redis;
  let queue: Queue;
  let worker: ProbeWorker;
  let server: TestServer;

  const job = (checkId: string): CheckJob => ({
    checkId,
    zone: 'example.test',
    name: 'www.example.test',
    type: 'A',
    addresses: ['127.0.0.1'],
    check: { protocol: 'HTTP', port: server.port, frequency: 10, timeout: 2, url: '/' },
  });
  /** The time of the latest result of `checkId` that the server on `port` holds. */
  const resultAt = async (port: number, checkId: string) => {
    const direct = new Redis(group.node(port).url, { keyPrefix: PREFIX, maxRetriesPerRequest: 1 });
    try {
      const raw = await direct.hget(redisKeys.results(checkId, '127.0.0.1'), LOCATION);
      return raw ? (JSON.parse(raw) as { at: number }).at : 0;
    } finally {
      direct.disconnect();
    }
  };

  beforeAll(async () => {
    await group.start();
    const settings = redisSettings(RedisEnvSchema.parse(group.env));
    const log = createLogger('probe-test', 'silent');
    redis = createRedis(settings, log, 'results', { keyPrefix: PREFIX });
    bull = createRedis(settings, log, 'queue');
    server = await startHttpServer((_req, res) => res.end('ok'));
    worker = new ProbeWorker({
      location: LOCATION,
      redisKeyPrefix: PREFIX,
      concurrency: 4,
      policy: TargetPolicy.parse('127.0.0.0/8'),
      redis,
      bullConnection: bull,
      log,
    });
    worker.start();
    // As the api's scheduler connects.
    scheduler = new Redis(redisOptions(settings, 'primary', { maxRetriesPerRequest: null }));
    queue = new Queue(probeQueueName(LOCATION), { connection: scheduler, prefix: bullPrefix(PREFIX) });
    // Refused connections while the primary is gone are the point of the test, not news.
    scheduler.on('error', () => undefined);
    queue.on('error', () => undefined);
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await server?.close();
    for (const r of [redis, bull, scheduler]) if (r) await closeRedis(r);
    await group.stop();
  });

  it('keeps taking the scheduled checks and new jobs on the promoted replica', async () => {
    const data = job('sentinel-1');
    await queue.upsertJobScheduler(
      probeSchedulerId(data.checkId),
      { every: 300 },
      { name: PROBE_JOB_NAME, data, opts: { removeOnComplete: true } },
    );
    const first = await group.primaryPort();
    await until('a result on the primary', async () => (await resultAt(first, 'sentinel-1')) > 0, 15_000);

    await group.killPrimary();
    const next = await group.promoted(first);
    const promotedAt = Date.now();
    // The scheduler came over with the replication: it goes on repeating there, and the worker takes it.
    await until('a scheduled result after the promotion', async () => (await resultAt(next, 'sentinel-1')) > promotedAt, 30_000);
    // A job queued after the failover is taken too.
    await queue.add(PROBE_JOB_NAME, job('sentinel-2'), { removeOnComplete: true });
    await until('the new job done on the new primary', async () => (await resultAt(next, 'sentinel-2')) > promotedAt, 30_000);
    // And the heartbeat goes to the new primary.
    const direct = new Redis(group.node(next).url, { keyPrefix: PREFIX });
    try {
      await until(
        'a heartbeat after the promotion',
        async () => Number(await direct.zscore(redisKeys.locations, LOCATION)) > promotedAt,
        30_000,
      );
    } finally {
      direct.disconnect();
    }
    await queue.removeJobScheduler(probeSchedulerId(data.checkId));
  });
});
