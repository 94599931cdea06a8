/**
 * Five real probe processes (l1..l5) and one real aggregator, from workers/dist, on the local
 * Redis under a unique key prefix, checking one HTTP target on 127.0.0.1. The target fails the
 * requests whose User-Agent names a location in `failing`: that is how a location alone loses
 * sight of it.
 *
 * Timing: the check says frequency 10 s (the contract's minimum, and what freshness is computed
 * from), but the test's job schedulers repeat every 1 s, so each location reports every second;
 * the probe runs jobs when BullMQ hands them over, whatever check.frequency says. The aggregator
 * runs with FRESHNESS_SLACK_SECONDS=2, so a killed location's last result counts for
 * 2 x 10 s + 2 s = 22 s and then drops out.
 */
import {
  bullPrefix,
  FEED_FIELD,
  FeedEventSchema,
  type CheckJob,
  healthField,
  type HealthState,
  HealthStateSchema,
  PROBE_JOB_NAME,
  probeQueueName,
  probeSchedulerId,
  ProbeResultSchema,
  redisKeys,
} from '@vigil/contract';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { type Child, ensureBuilt, startProcess, stopProcess } from '../../common/testing/processes';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix, waitFor } from '../../common/testing/redis';
import { closedPort, startHttpServer, type TestServer } from '../../common/testing/servers';

jest.setTimeout(180_000);

const PREFIX = uniquePrefix('e2e-failover');
const LOCATIONS = ['l1', 'l2', 'l3', 'l4', 'l5'];
const CHECK_ID = 'e2e-check';
const ADDRESS = '127.0.0.1';
const failing = new Set<string>();

let redis: Redis;
let target: TestServer;
let metricsPort: number;
const probes = new Map<string, Child>();
let aggregator: Child;
const queues: Queue[] = [];

async function health(): Promise<HealthState | null> {
  const raw = await redis.hget(redisKeys.health, healthField(CHECK_ID, ADDRESS));
  return raw ? HealthStateSchema.parse(JSON.parse(raw)) : null;
}

const becomes = (state: HealthState['state'], what: string, timeoutMs = 20_000) =>
  waitFor(
    what,
    async () => {
      const h = await health();
      return h?.state === state ? h : null;
    },
    timeoutMs,
    100,
  );

async function feedStates(): Promise<HealthState[]> {
  const entries = await redis.xrange(redisKeys.feed, '-', '+');
  return entries
    .map(([, f]) => FeedEventSchema.parse(JSON.parse(f[f.indexOf(FEED_FIELD) + 1]!)))
    .flatMap((e) => (e.kind === 'health' && e.health.checkId === CHECK_ID ? [e.health] : []));
}

function dumpOutput(): string {
  return [...probes.values(), aggregator]
    .filter(Boolean)
    .map((c) => `--- ${c.name}\n${c.output.slice(-15).join('\n')}`)
    .join('\n');
}

beforeAll(async () => {
  ensureBuilt();
  redis = new Redis(TEST_REDIS_URL, { keyPrefix: PREFIX });
  target = await startHttpServer((req, res) => {
    const location = /location=([a-z0-9-]+)/.exec(req.headers['user-agent'] ?? '')?.[1] ?? '';
    res.statusCode = failing.has(location) ? 503 : 200;
    res.end(failing.has(location) ? 'down' : 'ok');
  });
  metricsPort = await closedPort();
  const common = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: PREFIX, LOG_LEVEL: 'warn' };
  for (const l of LOCATIONS) {
    probes.set(
      l,
      startProcess(`probe ${l}`, 'dist/probes/main.js', {
        ...common,
        LOCATION: l,
        PROBE_CONCURRENCY: '20',
        ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
        ...(l === 'l1' ? { METRICS_PORT: String(metricsPort) } : {}),
      }),
    );
  }
  aggregator = startProcess('aggregator', 'dist/aggregator/main.js', {
    ...common,
    CONSUMER: 'e2e',
    FRESHNESS_SLACK_SECONDS: '2',
    LOG_LEVEL: 'info',
  });
});

afterAll(async () => {
  for (const q of queues) await q.close();
  await Promise.all([...probes.values(), aggregator].filter(Boolean).map((c) => stopProcess(c)));
  await target?.close();
  redis?.disconnect();
  await deleteKeys(PREFIX);
});

afterEach(() => {
  const state = expect.getState();
  if (state.assertionCalls > 0 && state.numPassingAsserts < state.assertionCalls) console.log(dumpOutput());
});

it('the probes announce their locations', async () => {
  await waitFor('five heartbeats', async () => (await redis.zrange(redisKeys.locations, 0, -1)).length === 5, 20_000, 100).catch(
    (e: Error) => {
      throw new Error(`${e.message}\n${dumpOutput()}`);
    },
  );
  expect((await redis.zrange(redisKeys.locations, 0, -1)).sort()).toEqual(LOCATIONS);
});

it('schedules the check in every location and gets available with 0 of 5 failing', async () => {
  const job: CheckJob = {
    checkId: CHECK_ID,
    zone: 'example.test',
    name: 'www.example.test',
    type: 'A',
    addresses: [ADDRESS],
    // A status is expected: without one any HTTP answer passes (Gcore's meaning), and the failing ones answer 503.
    check: { protocol: 'HTTP', port: target.port, frequency: 10, timeout: 2, url: '/health', http_status_code: 200, regexp: '^ok$' },
  };
  for (const l of LOCATIONS) {
    const q = new Queue(probeQueueName(l), { connection: { url: TEST_REDIS_URL }, prefix: bullPrefix(PREFIX) });
    queues.push(q);
    await q.upsertJobScheduler(
      probeSchedulerId(CHECK_ID),
      { every: 1000 },
      { name: PROBE_JOB_NAME, data: job, opts: { removeOnComplete: true } },
    );
  }
  const h = await becomes('available', 'available with every location ok');
  expect(h).toMatchObject({ checkId: CHECK_ID, address: ADDRESS, reasons: {} });
  // Every location's latest result is in the results hash.
  const results = await waitFor('five results', async () => {
    const all = await redis.hgetall(redisKeys.results(CHECK_ID, ADDRESS));
    return Object.keys(all).length === 5 ? all : null;
  });
  for (const l of LOCATIONS)
    expect(ProbeResultSchema.parse(JSON.parse(results[l]!))).toMatchObject({ ok: true, location: l, frequency: 10 });
});

it('goes unavailable when 1 of 5 locations fails (20%)', async () => {
  failing.add('l3');
  const h = await becomes('unavailable', 'unavailable with l3 failing');
  expect(h.reasons).toEqual({ l3: 'status 503, expected 200' });
});

it('comes back with 5 of 5', async () => {
  failing.clear();
  expect(await becomes('available', 'available again')).toMatchObject({ reasons: {} });
});

it('announces each transition once on the change feed', async () => {
  expect((await feedStates()).map((h) => h.state)).toEqual(['available', 'unavailable', 'available']);
});

it('a probe serves its metrics', async () => {
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toMatch(/vigil_probe_checks_total\{protocol="HTTP",result="ok"\} [1-9]/);
  expect(text).toContain('vigil_probe_check_duration_seconds_bucket');
});

it('with two probes gone, the remaining three decide once the dead ones go stale', async () => {
  failing.add('l4');
  failing.add('l5');
  // The first of them to report decides (1 of 5 is already 20%), so the reasons name one or both.
  const down = await becomes('unavailable', 'unavailable with l4 and l5 failing');
  expect(Object.keys(down.reasons).length).toBeGreaterThan(0);
  expect(['l4', 'l5']).toEqual(expect.arrayContaining(Object.keys(down.reasons)));
  await waitFor('l4 and l5 to have reported failures', async () => {
    const r = await redis.hgetall(redisKeys.results(CHECK_ID, ADDRESS));
    return ['l4', 'l5'].every((l) => r[l] && !ProbeResultSchema.parse(JSON.parse(r[l])).ok);
  });
  // l4 crashes, l5 is stopped the polite way (and finishes its checks first).
  probes.get('l4')!.proc.kill('SIGKILL');
  expect(await stopProcess(probes.get('l5')!)).toBe(0);
  await probes.get('l4')!.exited;
  failing.clear();
  // Their last (failed) results still count for 22 s: 3 ok and 2 failed is 40% failed.
  // Once they are stale, 3 of 3 succeed.
  const back = await becomes('available', 'available from the three remaining locations', 60_000);
  expect(back.reasons).toEqual({});
  const results = await redis.hgetall(redisKeys.results(CHECK_ID, ADDRESS));
  for (const l of ['l4', 'l5']) expect(back.since - ProbeResultSchema.parse(JSON.parse(results[l]!)).at).toBeGreaterThan(22_000);

  // And the three still vote a target down on their own: 1 of 3 failing.
  failing.add('l1');
  expect((await becomes('unavailable', 'unavailable with l1 failing')).reasons).toEqual({ l1: 'status 503, expected 200' });
  failing.clear();
  await becomes('available', 'available again');
  expect((await feedStates()).map((h) => h.state)).toEqual([
    'available',
    'unavailable',
    'available',
    'unavailable',
    'available',
    'unavailable',
    'available',
  ]);
});

it('every process shuts down cleanly on SIGTERM', async () => {
  for (const l of ['l1', 'l2', 'l3']) expect(await stopProcess(probes.get(l)!)).toBe(0);
  expect(await stopProcess(aggregator)).toBe(0);
});
