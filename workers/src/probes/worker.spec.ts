// The real probe worker through a real BullMQ queue on the local Redis, under a unique key prefix.
import {
  bullPrefix,
  type CheckJob,
  FailoverSchema,
  PROBE_JOB_NAME,
  probeQueueName,
  probeSchedulerId,
  ProbeReportSchema,
  ProbeResultSchema,
  redisKeys,
  REPORT_FIELD,
  TargetPolicy,
} from '@vigil/contract';
import { Queue, QueueEvents } from 'bullmq';
import Redis from 'ioredis';
import { createLogger } from '../common/logger';
import { freePort, LocalRedis } from '@vigil/stack';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix, waitFor } from '../common/testing/redis';
import { selfSignedCert, startHttpServer, startHttpsServer, type TestServer } from '../common/testing/servers';
import { ProbeMetrics } from './metrics';
import { type KnotServer, startKnot, TEST_ZONES } from './testing/knot';
import { ProbeWorker, RESULTS_TTL_PERIODS } from './worker';

const PREFIX = uniquePrefix('probe-worker');
const LOCATION = 'w1';

let redis: Redis;
let bull: Redis;
let queue: Queue;
let events: QueueEvents;
let worker: ProbeWorker;
let server: TestServer;
const metrics = new ProbeMetrics();

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL, { keyPrefix: PREFIX });
  bull = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  server = await startHttpServer((req, res) => {
    res.statusCode = req.url === '/down' ? 500 : 200;
    res.end('ok');
  });
  worker = new ProbeWorker({
    location: LOCATION,
    redisKeyPrefix: PREFIX,
    concurrency: 20,
    policy: TargetPolicy.parse('127.0.0.0/8'),
    redis,
    bullConnection: bull,
    log: createLogger('probe-test', 'silent'),
    metrics,
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

const job = (checkId: string, addresses: string[], extra: Partial<CheckJob['check']> = {}): CheckJob => ({
  checkId,
  zone: 'example.test',
  name: 'www.example.test',
  type: 'A',
  addresses,
  check: { protocol: 'HTTP', port: server.port, frequency: 10, timeout: 2, url: '/', ...extra },
});

it('announces its location with a heartbeat', async () => {
  const score = await waitFor('the heartbeat', () => redis.zscore(redisKeys.locations, LOCATION));
  expect(Math.abs(Number(score) - Date.now())).toBeLessThan(60_000);
});

it('runs a job scheduler and writes each result to its hash and to the results feed', async () => {
  // 127.0.0.1 answers; nothing listens on 127.0.0.2 (the server is bound to 127.0.0.1 only).
  const data = job('sched-1', ['127.0.0.1', '127.0.0.2']);
  await queue.upsertJobScheduler(
    probeSchedulerId(data.checkId),
    { every: 300 },
    { name: PROBE_JOB_NAME, data, opts: { removeOnComplete: true } },
  );

  const up = await waitFor('a result for 127.0.0.1', () => redis.hget(redisKeys.results('sched-1', '127.0.0.1'), LOCATION));
  const parsedUp = ProbeResultSchema.parse(JSON.parse(up));
  expect(parsedUp).toMatchObject({ ok: true, error: null, location: LOCATION, frequency: 10 });
  expect(Math.abs(parsedUp.at - Date.now())).toBeLessThan(60_000);

  const down = ProbeResultSchema.parse(
    JSON.parse(await waitFor('a refused result', () => redis.hget(redisKeys.results('sched-1', '127.0.0.2'), LOCATION))),
  );
  expect(down).toMatchObject({ ok: false, error: 'connection refused', latency_ms: null, location: LOCATION });

  // The hash expires some periods after the last write, so removed checks leave nothing behind.
  const ttl = await redis.pttl(redisKeys.results('sched-1', '127.0.0.1'));
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(RESULTS_TTL_PERIODS * 10 * 1000);

  // The scheduler keeps repeating: several rounds land on the feed, each a valid ProbeReport.
  const entries = await waitFor('several rounds on the results feed', async () => {
    const e = await redis.xrange(redisKeys.resultsFeed, '-', '+');
    const mine = e.filter(([, f]) => f[0] === REPORT_FIELD && JSON.parse(f[1]!).checkId === 'sched-1');
    return mine.length >= 4 ? mine : null;
  });
  const reports = entries.map(([, f]) => ProbeReportSchema.parse(JSON.parse(f[1]!)));
  expect(new Set(reports.map((r) => r.address))).toEqual(new Set(['127.0.0.1', '127.0.0.2']));
  expect(reports.every((r) => r.location === LOCATION)).toBe(true);

  // The target saw the probe, named by its User-Agent.
  expect(server.requests.some((r) => r.headers['user-agent'] === `Vigil-Probe/1 (location=${LOCATION})`)).toBe(true);

  await queue.removeJobScheduler(probeSchedulerId(data.checkId));
});

it('fails an invalid job without writing anything', async () => {
  const bad = { ...job('bad-1', ['127.0.0.1']), check: { protocol: 'HTTP', frequency: 10, timeout: 30 } };
  const added = await queue.add(PROBE_JOB_NAME, bad, { attempts: 1 });
  const failed = await waitFor('the job to fail', async () => ((await added.isFailed()) ? await queue.getJob(added.id!) : null));
  expect(failed!.failedReason).toMatch(/^invalid check job: check\.timeout: must be at most 10 seconds/);
  expect(await redis.exists(redisKeys.results('bad-1', '127.0.0.1'))).toBe(0);
});

it('records a refused private target as a failure without traffic (location policy)', async () => {
  const before = server.connections;
  const added = await queue.add(PROBE_JOB_NAME, job('private-1', ['10.0.0.1']));
  await added.waitUntilFinished(events, 10_000);
  const r = ProbeResultSchema.parse(JSON.parse((await redis.hget(redisKeys.results('private-1', '10.0.0.1'), LOCATION))!));
  expect(r).toMatchObject({ ok: false, error: 'target 10.0.0.1 is in a private range; probes do not check it (ALLOW_PRIVATE_TARGETS)' });
  expect(server.connections).toBe(before);
});

it('counts checks in its metrics', async () => {
  const text = await metrics.registry.metrics();
  expect(text).toMatch(/vigil_probe_checks_total\{protocol="HTTP",result="ok"\} [1-9]/);
  expect(text).toMatch(/vigil_probe_checks_total\{protocol="HTTP",result="failed"\} [1-9]/);
  expect(text).toMatch(/vigil_probe_checks_total\{protocol="HTTP",result="refused"\} 1/);
  expect(text).toMatch(/vigil_probe_check_duration_seconds_count\{protocol="HTTP"\} [1-9]/);
  expect(text).toContain('vigil_probe_checks_in_flight');
  // Each job's start against its schedule: the scheduler's and the added jobs' alike.
  expect(text).toMatch(/vigil_probe_job_start_delay_seconds_count [1-9]/);
  expect(text).toMatch(/vigil_probe_job_start_delay_seconds_bucket\{le="1"\} [1-9]/);
});

it('announces its location again at once when Redis comes back empty', async () => {
  const local = new LocalRedis(await freePort());
  await local.start();
  const own = new Redis(local.url, { keyPrefix: PREFIX });
  const ownBull = new Redis(local.url, { maxRetriesPerRequest: null });
  const w = new ProbeWorker({
    location: 'w2',
    redisKeyPrefix: PREFIX,
    concurrency: 1,
    policy: TargetPolicy.parse('127.0.0.0/8'),
    redis: own,
    bullConnection: ownBull,
    log: createLogger('probe-test', 'silent'),
    metrics: new ProbeMetrics(),
  });
  try {
    w.start();
    await waitFor('the first heartbeat', () => own.zscore(redisKeys.locations, 'w2'));
    await local.stop();
    await local.start();
    // The next periodic beat is seconds away; the reconnect itself announces the location.
    await waitFor('a heartbeat after the restart', () => own.zscore(redisKeys.locations, 'w2'), 4000);
  } finally {
    await w.close();
    own.disconnect();
    ownBull.disconnect();
    await local.stop();
  }
}, 20_000);

// The richer checks (issue 14): a job as the api publishes it (the contract's parsed check), and
// the result the worker writes, which the api's health read-out shows per location.
describe('DNS and certificate-expiry checks', () => {
  let https: TestServer;
  let knot: KnotServer;
  beforeAll(async () => {
    https = await startHttpsServer(selfSignedCert('shop.example.test', 3), (_req, res) => res.end('ok'));
    knot = await startKnot(TEST_ZONES);
  });
  afterAll(async () => {
    await https?.close();
    await knot?.stop();
  });

  const parsedJob = (checkId: string, check: Record<string, unknown>): CheckJob => ({
    ...job(checkId, ['127.0.0.1']),
    check: FailoverSchema.parse({ frequency: 10, timeout: 3, ...check }),
  });
  const resultOf = async (checkId: string) =>
    ProbeResultSchema.parse(
      JSON.parse(await waitFor(`a result of ${checkId}`, () => redis.hget(redisKeys.results(checkId, '127.0.0.1'), LOCATION))),
    );

  it('writes the certificate warning and days left with a passing HTTPS result', async () => {
    await queue.add(PROBE_JOB_NAME, parsedJob('cert-1', { protocol: 'HTTPS', port: https.port, verify: false, cert_expiry_days: 30 }));
    const r = await resultOf('cert-1');
    expect(r).toMatchObject({ ok: true, error: null, location: LOCATION, cert_days_left: 2 });
    expect(r.warning).toMatch(/^certificate expires in 2 days \(\d{4}-\d{2}-\d{2}\)$/);
    // The expiry itself, for the aggregators' certificate levels: the date the warning names.
    expect(new Date(r.cert_expires_at!).toISOString().slice(0, 10)).toBe(/\((\d{4}-\d{2}-\d{2})\)/.exec(r.warning!)![1]);
  });

  it('runs a DNS check job against knotd: the expected answer passes, a missing one fails with the reason', async () => {
    const dns = (answer: string) => ({ protocol: 'DNS', port: knot.port, dns: { name: 'lb1.example.test', answer } });
    await queue.add(PROBE_JOB_NAME, parsedJob('dns-ok', dns('127.0.0.2')));
    await queue.add(PROBE_JOB_NAME, parsedJob('dns-bad', dns('127.0.0.9')));
    expect(await resultOf('dns-ok')).toMatchObject({ ok: true, error: null });
    const bad = await resultOf('dns-bad');
    expect(bad).toMatchObject({ ok: false, error: 'answer has no A 127.0.0.9 (got A 127.0.0.2)' });
    expect(bad).not.toHaveProperty('warning');
  });
});
