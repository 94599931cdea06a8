// Certificate levels against the real local Redis (unique key prefix): through an aggregator fed
// as probes feed it, and recordCerts raced by several connections as several aggregators would.
import {
  CertEventSchema,
  CertStateSchema,
  FEED_FIELD,
  healthField,
  type ProbeReport,
  type ProbeResult,
  redisKeys,
  REPORT_FIELD,
} from '@vigil/contract';
import Redis from 'ioredis';
import { createLogger } from '../common/logger';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix, waitFor } from '../common/testing/redis';
import { Aggregator } from './aggregator';
import { foldCert, recordCerts } from './certs';
import { AggregatorMetrics } from './metrics';
import { DEFAULT_THRESHOLDS } from './quorum';

const PREFIX = uniquePrefix('certs');
const DAY = 86_400_000;
const EXPIRES = Date.now() + 3 * DAY;
const connections: Redis[] = [];
const connect = () => {
  const r = new Redis(TEST_REDIS_URL, { keyPrefix: PREFIX, maxRetriesPerRequest: null, lazyConnect: true });
  connections.push(r);
  return r;
};
const redis = connect();

afterAll(async () => {
  for (const c of connections) c.disconnect();
  await deleteKeys(PREFIX);
});

let seq = 0;
const newCheck = () => `cert-check-${++seq}`;

/** A passing HTTPS result as a probe stamps it: within a 7-day window when `days` < 7. */
function result(location: string, days: number, expires = EXPIRES): ProbeResult {
  return {
    ok: true,
    latency_ms: 4,
    error: null,
    at: Date.now(),
    location,
    frequency: 10,
    cert_days_left: days,
    cert_expires_at: expires,
    ...(days < 7 ? { warning: `certificate expires in ${days} days (${new Date(expires).toISOString().slice(0, 10)})` } : {}),
  };
}
const reportOf = (checkId: string, address: string, r: ProbeResult): ProbeReport => ({ checkId, address, ...r });

async function certEvents(checkId: string) {
  const entries = await redis.xrange(redisKeys.certFeed, '-', '+');
  return entries.map(([, f]) => CertEventSchema.parse(JSON.parse(f[f.indexOf(FEED_FIELD) + 1]!))).filter((e) => e.checkId === checkId);
}
async function kept(checkId: string, address: string) {
  const raw = await redis.hget(redisKeys.certState, healthField(checkId, address));
  return raw ? CertStateSchema.parse(JSON.parse(raw)) : null;
}

describe('an aggregator reading certificates', () => {
  const metrics = new AggregatorMetrics();
  let a: Aggregator;
  beforeAll(() => {
    a = new Aggregator({
      redis: connect(),
      reader: connect(),
      consumer: 'certs-one',
      thresholds: DEFAULT_THRESHOLDS,
      log: createLogger('certs-test', 'silent'),
      blockMs: 100,
      metrics,
    });
    a.start();
  });
  afterAll(() => a.stop());

  it('announces a certificate entering its window once on the certificate feed, however many results say so', async () => {
    const c = newCheck();
    for (let round = 0; round < 3; round++) {
      for (const l of ['l1', 'l2', 'l3']) {
        const r = result(l, 2);
        await redis.hset(redisKeys.results(c, '192.0.2.1'), l, JSON.stringify(r));
        await redis.xadd(redisKeys.resultsFeed, '*', REPORT_FIELD, JSON.stringify(reportOf(c, '192.0.2.1', r)));
      }
    }
    await waitFor('the results handled', async () => {
      const [count] = (await redis.xpending(redisKeys.resultsFeed, 'aggregators')) as [number];
      return count === 0 && (await redis.xlen(redisKeys.resultsFeed)) === 9 && (await certEvents(c)).length > 0;
    });
    const events = await certEvents(c);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      checkId: c,
      address: '192.0.2.1',
      level: 'expiring',
      previous: 'ok',
      days_left: 2,
      expires_at: EXPIRES,
    });
    expect(await kept(c, '192.0.2.1')).toMatchObject({ level: 'expiring', expires_at: EXPIRES });
    expect((await metrics.registry.getSingleMetricAsString('vigil_cert_level_changes_total')).includes('level="expiring"} 1')).toBe(true);
  });
});

describe('recordCerts', () => {
  it('writes nothing for results without a reading or outside the window', async () => {
    const c = newCheck();
    const plain: ProbeResult = { ok: true, latency_ms: 1, error: null, at: Date.now(), location: 'l1', frequency: 10 };
    expect(await recordCerts(redis, [reportOf(c, '192.0.2.1', plain), reportOf(c, '192.0.2.1', result('l1', 40))])).toEqual([]);
    expect(await kept(c, '192.0.2.1')).toBeNull();
    expect(await certEvents(c)).toEqual([]);
  });

  it('announces a change once however many aggregators race on it (compare-and-set)', async () => {
    const c = newCheck();
    const many = Array.from({ length: 8 }, connect);
    const written = await Promise.all(many.map((r, i) => recordCerts(r, [reportOf(c, '192.0.2.2', result(`l${i}`, 2))])));
    expect(written.flat()).toHaveLength(1);
    expect(await certEvents(c)).toHaveLength(1);
    const critical = await Promise.all(many.map((r, i) => recordCerts(r, [reportOf(c, '192.0.2.2', result(`l${i}`, 1))])));
    expect(critical.flat().map((e) => [e.previous, e.level])).toEqual([['expiring', 'critical']]);
  });

  it('removes the kept level when the certificate is renewed, and announces it', async () => {
    const c = newCheck();
    await recordCerts(redis, [reportOf(c, '192.0.2.3', result('l1', 2))]);
    const [renewed] = await recordCerts(redis, [reportOf(c, '192.0.2.3', result('l1', 89, EXPIRES + 87 * DAY))]);
    expect(renewed).toMatchObject({ level: 'ok', previous: 'expiring', renewed: true, days_left: 89 });
    expect(await kept(c, '192.0.2.3')).toBeNull();
    expect((await certEvents(c)).map((e) => e.level)).toEqual(['expiring', 'ok']);
  });

  it('makes one event of several changes of one address in one batch, and one per address', async () => {
    const c = newCheck();
    const events = await recordCerts(redis, [
      reportOf(c, '192.0.2.4', result('l1', 2)),
      reportOf(c, '192.0.2.4', result('l2', 1)),
      reportOf(c, '192.0.2.5', result('l1', 3)),
    ]);
    expect(events.map((e) => [e.address, e.previous, e.level])).toEqual([
      ['192.0.2.4', 'ok', 'critical'],
      ['192.0.2.5', 'ok', 'expiring'],
    ]);
    expect(await kept(c, '192.0.2.4')).toMatchObject({ level: 'critical', location: 'l2' });
  });
});

describe('foldCert', () => {
  it('drops a batch that ends where it started', () => {
    const state = CertStateSchema.parse({
      checkId: 'c',
      address: 'a',
      level: 'expiring',
      days_left: 2,
      expires_at: EXPIRES,
      at: 1,
      location: 'l1',
    });
    const r = { level: 'expiring' as const, days_left: 2, expires_at: EXPIRES, at: 2, location: 'l2' };
    expect(foldCert(state, 'c', 'a', [r, r])).toBeUndefined();
  });
});
