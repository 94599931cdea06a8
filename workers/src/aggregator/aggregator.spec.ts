// The aggregator against the real local Redis (unique key prefix), fed by hand as probes would.
import {
  AGGREGATOR_GROUP,
  FEED_FIELD,
  FeedEventSchema,
  healthField,
  HealthStateSchema,
  type ProbeReport,
  type ProbeResult,
  redisKeys,
  REPORT_FIELD,
} from '@vigil/contract';
import Redis from 'ioredis';
import { createLogger } from '../common/logger';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix, waitFor } from '../common/testing/redis';
import { Aggregator, type AggregatorOptions } from './aggregator';
import { AggregatorMetrics } from './metrics';
import { DEFAULT_THRESHOLDS } from './quorum';

const PREFIX = uniquePrefix('aggregator');
const log = createLogger('aggregator-test', 'silent');
const connections: Redis[] = [];
const aggregators: Aggregator[] = [];

// Lazy: an aggregator that never reads never connects its reader (the race test makes ten).
const connect = () => {
  const r = new Redis(TEST_REDIS_URL, { keyPrefix: PREFIX, maxRetriesPerRequest: null, lazyConnect: true });
  connections.push(r);
  return r;
};
const redis = connect();

function aggregator(consumer: string, extra: Partial<AggregatorOptions> = {}): Aggregator {
  const a = new Aggregator({
    redis: connect(),
    reader: connect(),
    consumer,
    thresholds: DEFAULT_THRESHOLDS,
    log,
    blockMs: 100,
    ...extra,
  });
  aggregators.push(a);
  return a;
}

afterAll(async () => {
  await Promise.all(aggregators.map((a) => a.stop()));
  for (const c of connections) c.disconnect();
  await deleteKeys(PREFIX);
});

let seq = 0;
/** A fresh check id per test, so tests do not see each other's state. */
const newCheck = () => `check-${++seq}`;

/** What a probe does: the result into the hash, the report onto the results feed. */
async function report(checkId: string, address: string, location: string, ok: boolean, at = Date.now(), frequency = 10): Promise<void> {
  const result: ProbeResult = { ok, latency_ms: ok ? 3 : null, error: ok ? null : `down from ${location}`, at, location, frequency };
  const full: ProbeReport = { checkId, address, ...result };
  await redis.hset(redisKeys.results(checkId, address), location, JSON.stringify(result));
  await redis.xadd(redisKeys.resultsFeed, '*', REPORT_FIELD, JSON.stringify(full));
}

async function reportAll(checkId: string, address: string, failing: string[], locations = ['l1', 'l2', 'l3', 'l4', 'l5']) {
  for (const l of locations) await report(checkId, address, l, !failing.includes(l));
}

async function health(checkId: string, address: string) {
  const raw = await redis.hget(redisKeys.health, healthField(checkId, address));
  return raw ? HealthStateSchema.parse(JSON.parse(raw)) : null;
}

/** The health events of one check on the change feed, oldest first. */
async function events(checkId: string) {
  const entries = await redis.xrange(redisKeys.feed, '-', '+');
  return entries
    .map(([, f]) => FeedEventSchema.parse(JSON.parse(f[f.indexOf(FEED_FIELD) + 1]!)))
    .flatMap((e) => (e.kind === 'health' && e.health.checkId === checkId ? [e.health] : []));
}

async function pending(): Promise<number> {
  const [count] = (await redis.xpending(redisKeys.resultsFeed, AGGREGATOR_GROUP)) as [number];
  return count;
}

describe('one aggregator', () => {
  const metrics = new AggregatorMetrics();
  let a: Aggregator;
  beforeAll(() => {
    a = aggregator('one', { metrics });
    a.start();
  });
  afterAll(() => a.stop());

  it('creates its consumer group, determines the first state and announces it on the feed', async () => {
    const c = newCheck();
    await reportAll(c, '192.0.2.1', []);
    const h = await waitFor('available', async () => (await health(c, '192.0.2.1'))?.state === 'available' && health(c, '192.0.2.1'));
    expect(h).toMatchObject({ checkId: c, address: '192.0.2.1', state: 'available', reasons: {} });
    expect(await events(c)).toEqual([h]);
  });

  it('goes unavailable at 1 of 5 failing, back at 5 of 5, one event per transition', async () => {
    const c = newCheck();
    await reportAll(c, '192.0.2.1', []);
    await waitFor('available', async () => (await health(c, '192.0.2.1'))?.state === 'available');
    await reportAll(c, '192.0.2.1', ['l3']);
    const down = await waitFor('unavailable', async () => {
      const h = await health(c, '192.0.2.1');
      return h?.state === 'unavailable' ? h : null;
    });
    expect(down.reasons).toEqual({ l3: 'down from l3' });
    // More rounds with the same split change nothing and announce nothing.
    await reportAll(c, '192.0.2.1', ['l3']);
    await reportAll(c, '192.0.2.1', []);
    await waitFor('available again', async () => (await health(c, '192.0.2.1'))?.state === 'available');
    await reportAll(c, '192.0.2.1', []);
    await waitFor('every entry handled', async () => (await pending()) === 0);
    expect((await events(c)).map((h) => h.state)).toEqual(['available', 'unavailable', 'available']);
  });

  it('holds the state inside the hysteresis band', async () => {
    const c = newCheck();
    const six = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6'];
    await reportAll(c, '192.0.2.9', ['l1', 'l2'], six);
    await waitFor('unavailable', async () => (await health(c, '192.0.2.9'))?.state === 'unavailable');
    // 1 of 6 failing: 83% ok, 17% failed: neither threshold, stays unavailable.
    await reportAll(c, '192.0.2.9', ['l1'], six);
    await waitFor('every entry handled', async () => (await pending()) === 0);
    expect((await health(c, '192.0.2.9'))?.state).toBe('unavailable');
    await reportAll(c, '192.0.2.9', [], six);
    await waitFor('available', async () => (await health(c, '192.0.2.9'))?.state === 'available');
  });

  it('ignores stale locations', async () => {
    const c = newCheck();
    // Two locations failed 40 s ago with a 10 s check: older than 2 periods + 15 s slack.
    await report(c, '192.0.2.2', 'l4', false, Date.now() - 40_000);
    await report(c, '192.0.2.2', 'l5', false, Date.now() - 40_000);
    for (const l of ['l1', 'l2', 'l3']) await report(c, '192.0.2.2', l, true);
    await waitFor('available', async () => (await health(c, '192.0.2.2'))?.state === 'available');
    expect(await health(c, '192.0.2.2')).toMatchObject({ reasons: {} });
  });

  it('keeps each address of a check apart', async () => {
    const c = newCheck();
    await reportAll(c, '192.0.2.3', []);
    await reportAll(c, '192.0.2.4', ['l1', 'l2', 'l3', 'l4', 'l5']);
    await waitFor(
      'both decided',
      async () => (await health(c, '192.0.2.3'))?.state === 'available' && (await health(c, '192.0.2.4'))?.state === 'unavailable',
    );
  });

  it('acknowledges and skips entries it cannot read', async () => {
    const before = (await metrics.invalid.get()).values[0]?.value ?? 0;
    await redis.xadd(redisKeys.resultsFeed, '*', REPORT_FIELD, 'not json');
    await redis.xadd(redisKeys.resultsFeed, '*', 'other', '{}');
    await redis.xadd(redisKeys.resultsFeed, '*', REPORT_FIELD, JSON.stringify({ checkId: 'x' }));
    await waitFor(
      'entries handled',
      async () => (await pending()) === 0 && ((await metrics.invalid.get()).values[0]?.value ?? 0) >= before + 3,
    );
  });

  it('exposes metrics', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/vigil_health_transitions_total\{state="available"\} [1-9]/);
    expect(text).toMatch(/vigil_health_transitions_total\{state="unavailable"\} [1-9]/);
    expect(text).toMatch(/vigil_health_results_processed_total [1-9]/);
    expect(text).toContain('vigil_health_feed_lag_seconds');
  });
});

describe('several aggregators', () => {
  it('never emit a transition twice, however they race (compare-and-set)', async () => {
    const c = newCheck();
    await reportAll(c, '192.0.2.5', ['l1', 'l2']);
    // Ten aggregators evaluate the same address at the same time, five rounds in a row.
    const many = Array.from({ length: 10 }, (_, i) => aggregator(`race-${i}`));
    for (let round = 0; round < 5; round++) {
      await Promise.all(many.map((a) => a.evaluate([{ checkId: c, address: '192.0.2.5' }])));
    }
    expect((await events(c)).map((h) => h.state)).toEqual(['unavailable']);
    await reportAll(c, '192.0.2.5', []);
    const written = await Promise.all(many.map((a) => a.evaluate([{ checkId: c, address: '192.0.2.5' }])));
    expect(written.flat()).toHaveLength(1);
    expect((await events(c)).map((h) => h.state)).toEqual(['unavailable', 'available']);
  });

  it('share the feed: each entry is handled once and every transition still happens', async () => {
    const c = newCheck();
    const [x, y] = [aggregator('share-x'), aggregator('share-y')];
    x.start();
    y.start();
    for (let i = 0; i < 20; i++) await reportAll(c, `198.51.100.${i}`, i % 2 ? ['l1'] : []);
    for (let i = 0; i < 20; i++) {
      await waitFor(`198.51.100.${i}`, async () => (await health(c, `198.51.100.${i}`))?.state === (i % 2 ? 'unavailable' : 'available'));
    }
    await waitFor('all acknowledged', async () => (await pending()) === 0);
    expect(await events(c)).toHaveLength(20);
    await Promise.all([x.stop(), y.stop()]);
  });
});

describe('recovery', () => {
  it('handles its own unacknowledged entries when it starts again', async () => {
    const c = newCheck();
    await reportAll(c, '192.0.2.6', []);
    // Read as consumer "phoenix" without acknowledging: the crash.
    const raw = connect();
    await raw.xgroup('CREATE', `${PREFIX}${redisKeys.resultsFeed}`, AGGREGATOR_GROUP, '0', 'MKSTREAM').catch(() => undefined);
    await raw.xreadgroup('GROUP', AGGREGATOR_GROUP, 'phoenix', 'COUNT', 1000, 'STREAMS', redisKeys.resultsFeed, '>');
    expect(await pending()).toBeGreaterThan(0);
    expect(await health(c, '192.0.2.6')).toBeNull();
    const again = aggregator('phoenix');
    again.start();
    await waitFor('available', async () => (await health(c, '192.0.2.6'))?.state === 'available');
    await waitFor('nothing pending', async () => (await pending()) === 0);
    await again.stop();
  });

  it("takes over a dead aggregator's entries after they sat idle", async () => {
    const c = newCheck();
    await reportAll(c, '192.0.2.7', ['l1', 'l2', 'l3', 'l4', 'l5']);
    const raw = connect();
    await raw.xreadgroup('GROUP', AGGREGATOR_GROUP, 'dead', 'COUNT', 1000, 'STREAMS', redisKeys.resultsFeed, '>');
    expect(await pending()).toBeGreaterThan(0);
    const heir = aggregator('heir', { claimIdleMs: 1 });
    await new Promise((r) => setTimeout(r, 5));
    expect(await heir.claimAbandoned()).toBeGreaterThan(0);
    expect(await health(c, '192.0.2.7')).toMatchObject({ state: 'unavailable' });
    expect(await pending()).toBe(0);
  });
});
