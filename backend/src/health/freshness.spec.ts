import { type ProbeResult, redisKeys } from '@vigil/contract';
import type Redis from 'ioredis';
import { apiKey, TestApi } from '../testing/test-app';

// The read-out marks a location's result fresh by the rule the aggregator decides by, with the
// same FRESHNESS_SLACK_SECONDS (it once hard-coded the default 15 s).
describe('freshness in the health read-out follows FRESHNESS_SLACK_SECONDS', () => {
  let api: TestApi;
  let redis: Redis;

  beforeAll(async () => {
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0', FRESHNESS_SLACK_SECONDS: '120' });
    redis = api.redis();
  });
  afterAll(async () => {
    redis.disconnect();
    await api.close();
  });

  it('counts a result two periods plus the configured slack old as fresh, and one older as not', async () => {
    const H = apiKey((await api.failoverZone('fresh.example')).token);
    const rr = await api
      .http()
      .put('/v2/zones/fresh.example/www.fresh.example/A')
      .set(H)
      .send({
        resource_records: [{ content: ['192.0.2.1'] }],
        meta: { failover: { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 } },
      })
      .expect(201);
    const now = Date.now();
    // Two periods of 30 s plus 120 s: 180 s. The default slack would make both stale.
    const result = (location: string, ageS: number): ProbeResult => ({
      ok: true,
      latency_ms: 1,
      error: null,
      at: now - ageS * 1000,
      location,
      frequency: 30,
    });
    await redis.hset(
      redisKeys.results(rr.body.id, '192.0.2.1'),
      'eu-1',
      JSON.stringify(result('eu-1', 170)),
      'us-1',
      JSON.stringify(result('us-1', 190)),
    );
    const res = await api.http().get('/v2/zones/fresh.example/www.fresh.example/A/health').set(H).expect(200);
    expect(res.body.addresses[0].locations.map((l: { location: string; fresh: boolean }) => [l.location, l.fresh])).toEqual([
      ['eu-1', true],
      ['us-1', false],
    ]);
  });
});
