// The RTT samples against the real local Redis (a key prefix of its own), fed as the results feed would.
import { healthField, parseRtt, type ProbeReport, redisKeys, REPORT_FIELD, RTT_ALPHA, RTT_KEY_TTL_MS } from '@vigil/contract';
import Redis from 'ioredis';
import { createLogger } from '../common/logger';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from '../common/testing/redis';
import { Aggregator } from './aggregator';
import { DEFAULT_THRESHOLDS } from './quorum';
import { pruneRtts, recordRtts } from './rtt';

const PREFIX = uniquePrefix('rtt');
const redis = new Redis(TEST_REDIS_URL, { keyPrefix: PREFIX, maxRetriesPerRequest: null });
const NOW = 1_764_000_000_000;

afterAll(async () => {
  redis.disconnect();
  await deleteKeys(PREFIX);
});

const report = (location: string, address: string, ok: boolean, latency_ms: number | null, at: number, checkId = 'chk'): ProbeReport => ({
  checkId,
  address,
  ok,
  latency_ms,
  error: ok ? null : 'refused',
  at,
  location,
  frequency: 10,
});
const sample = async (location: string, address: string, checkId = 'chk') =>
  parseRtt(await redis.hget(redisKeys.rtt(location), healthField(checkId, address)));

describe('RTT samples per (check, address, location)', () => {
  it('folds each location’s successes into its own average, in order, within one batch too', async () => {
    const n = await recordRtts(redis, [
      report('eu', '192.0.2.1', true, 10, NOW),
      report('ap', '192.0.2.1', true, 200, NOW),
      report('eu', '192.0.2.1', true, 20, NOW + 10_000),
      report('eu', '192.0.2.2', false, 0.2, NOW),
    ]);
    expect(n).toBe(3);
    expect((await sample('eu', '192.0.2.1'))!.ms).toBeCloseTo(10 + RTT_ALPHA * 10, 1);
    expect(await sample('ap', '192.0.2.1')).toEqual({ ms: 200, at: NOW, frequency: 10, ok: true });
    // A quick failure is no measurement: nothing to rank by.
    expect(await sample('eu', '192.0.2.2')).toEqual({ ms: null, at: NOW, frequency: 10, ok: false });
    // Each location's hash expires unless written again.
    const ttl = await redis.pttl(redisKeys.rtt('eu'));
    expect(ttl).toBeGreaterThan(RTT_KEY_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(RTT_KEY_TTL_MS);
  });

  it('a result handled twice (a redelivered entry) changes nothing', async () => {
    const r = report('eu', '192.0.2.5', true, 50, NOW);
    expect(await recordRtts(redis, [r])).toBe(1);
    expect(await recordRtts(redis, [{ ...r, latency_ms: 5 }])).toBe(0);
    expect((await sample('eu', '192.0.2.5'))!.ms).toBe(50);
  });

  it('the prune removes what no result renewed for RTT_KEEP_PERIODS periods', async () => {
    await redis.zadd(redisKeys.locations, NOW, 'old');
    await recordRtts(redis, [report('old', '192.0.2.7', true, 5, NOW - 101_000), report('old', '192.0.2.8', true, 5, NOW - 99_000)]);
    await redis.hset(redisKeys.rtt('old'), 'chk/192.0.2.9', 'not a sample');
    expect(await pruneRtts(redis, NOW)).toBe(2);
    expect(await redis.hkeys(redisKeys.rtt('old'))).toEqual(['chk/192.0.2.8']);
  });

  it('the aggregator writes them from the results feed, beside the states', async () => {
    const log = createLogger('rtt-test', 'silent');
    const reader = redis.duplicate();
    const a = new Aggregator({ redis, reader, consumer: 'c1', thresholds: DEFAULT_THRESHOLDS, log, now: () => NOW });
    try {
      const r = report('us', '192.0.2.9', true, 33, NOW, 'chk-feed');
      const id = await redis.xadd(redisKeys.resultsFeed, '*', REPORT_FIELD, JSON.stringify(r));
      await a.handle([[id!, [REPORT_FIELD, JSON.stringify(r)]]]);
      expect(await sample('us', '192.0.2.9', 'chk-feed')).toEqual({ ms: 33, at: NOW, frequency: 10, ok: true });
    } finally {
      await a.stop();
      reader.disconnect();
    }
  });
});
