// The one-off run ("check now") through the real probe worker, a real BullMQ queue on the local
// Redis (own key prefix) and a real HTTP server on loopback.
import {
  bullPrefix,
  CHECK_NOW_JOB_NAME,
  type CheckNowJob,
  checkNowJobId,
  CheckNowReportSchema,
  probeQueueName,
  redisKeys,
  REPORT_FIELD,
  TargetPolicy,
} from '@vigil/contract';
import { Queue, QueueEvents } from 'bullmq';
import Redis from 'ioredis';
import { createLogger } from '../common/logger';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from '../common/testing/redis';
import { startHttpServer, type TestServer } from '../common/testing/servers';
import { ProbeWorker } from './worker';

const PREFIX = uniquePrefix('probe-check-now');
const LOCATION = 'now-1';

let redis: Redis;
let bull: Redis;
let queue: Queue;
let events: QueueEvents;
let worker: ProbeWorker;
let server: TestServer;

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL, { keyPrefix: PREFIX });
  bull = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  server = await startHttpServer((_req, res) => res.end('ok'));
  worker = new ProbeWorker({
    location: LOCATION,
    redisKeyPrefix: PREFIX,
    concurrency: 10,
    // Loopback is allowed, as in the tests' stacks; 10.0.0.0/8 and the rest stay refused.
    policy: TargetPolicy.parse('127.0.0.0/8'),
    redis,
    bullConnection: bull,
    log: createLogger('probe-test', 'silent'),
  });
  worker.start();
  queue = new Queue(probeQueueName(LOCATION), { connection: { url: TEST_REDIS_URL }, prefix: bullPrefix(PREFIX) });
  events = new QueueEvents(probeQueueName(LOCATION), { connection: { url: TEST_REDIS_URL }, prefix: bullPrefix(PREFIX) });
  await events.waitUntilReady();
});

afterAll(async () => {
  await worker.close();
  await queue.close();
  await events.close();
  await server.close();
  redis.disconnect();
  bull.disconnect();
  await deleteKeys(PREFIX);
});

const job = (runId: string, addresses: string[], deadline = Date.now() + 10_000): CheckNowJob => ({
  runId,
  deadline,
  checkId: `rrset-${runId}`,
  zone: 'example.test',
  name: 'www.example.test',
  type: 'A',
  addresses,
  check: { protocol: 'HTTP', port: server.port, frequency: 60, timeout: 2, url: '/' },
});

const run = async (data: CheckNowJob) => {
  const added = await queue.add(CHECK_NOW_JOB_NAME, data, { jobId: checkNowJobId(data.runId), attempts: 1, removeOnComplete: true });
  return added.waitUntilFinished(events, 15_000);
};

const reports = async (runId: string) =>
  ((await redis.xrange(redisKeys.checkNow(runId), '-', '+')) as [string, string[]][]).map(([, fields]) =>
    CheckNowReportSchema.parse(JSON.parse(fields[fields.indexOf(REPORT_FIELD) + 1]!)),
  );

it('runs every address with the shared runner and answers on the run stream only, not as a vote', async () => {
  const feedBefore = await redis.xlen(redisKeys.resultsFeed);
  // 127.0.0.1 answers; nothing listens on 127.0.0.2; 10.0.0.1 is a private address the policy refuses.
  expect(await run(job('run-1', ['127.0.0.1', '127.0.0.2', '10.0.0.1']))).toEqual({ checked: 3, ok: 1 });

  const [report, ...more] = await reports('run-1');
  expect(more).toEqual([]);
  expect(report!.location).toBe(LOCATION);
  expect(report!.runId).toBe('run-1');
  const byAddress = Object.fromEntries(report!.results.map((r) => [r.address, r]));
  expect(byAddress['127.0.0.1']).toMatchObject({ ok: true, error: null });
  expect(byAddress['127.0.0.1']!.latency_ms).toEqual(expect.any(Number));
  expect(byAddress['127.0.0.2']).toMatchObject({ ok: false, error: 'connection refused' });
  expect(byAddress['10.0.0.1']!.ok).toBe(false);
  expect(byAddress['10.0.0.1']!.error).toMatch(/private/);

  // The stream expires; nothing reached the results feed or a results hash, so the quorum never sees it.
  const ttl = await redis.pttl(redisKeys.checkNow('run-1'));
  expect(ttl).toBeGreaterThan(0);
  expect(await redis.xlen(redisKeys.resultsFeed)).toBe(feedBefore);
  expect(await redis.exists(redisKeys.results('rrset-run-1', '127.0.0.1'))).toBe(0);
});

it('skips a run whose deadline has passed: nobody waits for it any more', async () => {
  expect(await run(job('run-late', ['127.0.0.1'], Date.now() - 1))).toEqual({ checked: 0, ok: 0 });
  expect(await reports('run-late')).toEqual([]);
});

it('refuses a one-off job whose data is not a check-now job, without retrying', async () => {
  const added = await queue.add(CHECK_NOW_JOB_NAME, { runId: 'bad:id' }, { jobId: 'now-bad', attempts: 3 });
  await expect(added.waitUntilFinished(events, 15_000)).rejects.toThrow(/invalid check-now job/);
  expect((await queue.getJob('now-bad'))?.attemptsMade).toBe(1);
});
