import { FEED_FIELD, type FeedEvent, type HealthState, healthField, type ProbeResult, redisKeys } from '@vigil/contract';
import type Redis from 'ioredis';
import { apiKey, TestApi } from '../testing/test-app';

/** Polls until `fn` returns a truthy value or the deadline passes. */
async function until<T>(fn: () => Promise<T>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('health read-out and history (real PostgreSQL and Redis)', () => {
  let api: TestApi;
  let redis: Redis;
  let token: string;
  let rrsetId: string;
  const path = '/v2/zones/health.example/www.health.example/A/health';

  beforeAll(async () => {
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0' });
    redis = api.redis();
    const c = await api.customer();
    token = await api.token(c.agent);
    await api.grantFailover(c.accountId);
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'health.example' }).expect(201);
    const res = await api
      .http()
      .put('/v2/zones/health.example/www.health.example/A')
      .set(apiKey(token))
      .send({
        resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }],
        meta: { failover: { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 } },
      });
    rrsetId = res.body.id;
  });
  afterAll(async () => {
    redis.disconnect();
    await api.close();
  });

  /** Writes a transition as the aggregator does: the state, and the event on the change feed. */
  const transition = async (address: string, state: HealthState['state'], since: number, reasons: Record<string, string> = {}) => {
    const health: HealthState = { checkId: rrsetId, address, state, since, reasons };
    const event: FeedEvent = { kind: 'health', health };
    await redis.hset(redisKeys.health, healthField(rrsetId, address), JSON.stringify(health));
    await redis.xadd(redisKeys.feed, '*', FEED_FIELD, JSON.stringify(event));
  };
  const result = (location: string, ok: boolean, at: number, error: string | null = null): ProbeResult => ({
    ok,
    latency_ms: ok ? 12 : null,
    error,
    at,
    location,
    frequency: 30,
  });

  it('shows unknown before any probe has decided', async () => {
    const res = await api.http().get(path).set(apiKey(token)).expect(200);
    expect(res.body).toMatchObject({ name: 'www.health.example', type: 'A', failover: true });
    expect(res.body.addresses.map((a: { address: string; state: string }) => [a.address, a.state])).toEqual([
      ['192.0.2.1', 'unknown'],
      ['192.0.2.2', 'unknown'],
    ]);
  });

  it('shows each address state with each location result, and the history with uptime', async () => {
    const now = Date.now();
    await redis.hset(
      redisKeys.results(rrsetId, '192.0.2.2'),
      'eu-1',
      JSON.stringify(result('eu-1', false, now, 'connection refused')),
      'us-1',
      JSON.stringify(result('us-1', true, now - 3600_000)),
    );
    await transition('192.0.2.1', 'available', now - 2 * 3600_000);
    await transition('192.0.2.2', 'available', now - 2 * 3600_000);
    await transition('192.0.2.2', 'unavailable', now - 3600_000, { 'eu-1': 'connection refused' });

    const events = await until(async () => {
      const r = await api.http().get(`${path}/events`).set(apiKey(token)).expect(200);
      return r.body.total_amount === 3 ? r.body : null;
    });
    expect(events.events[0]).toEqual({
      address: '192.0.2.2',
      state: 'unavailable',
      at: new Date(now - 3600_000).toISOString(),
      reasons: { 'eu-1': 'connection refused' },
    });
    const filtered = await api.http().get(`${path}/events`).query({ address: '192.0.2.1' }).set(apiKey(token)).expect(200);
    expect(filtered.body.total_amount).toBe(1);
    const ranged = await api
      .http()
      .get(`${path}/events`)
      .query({ from: new Date(now - 90 * 60_000).toISOString() })
      .set(apiKey(token))
      .expect(200);
    expect(ranged.body.events.map((e: { state: string }) => e.state)).toEqual(['unavailable']);

    const res = await api.http().get(path).set(apiKey(token)).expect(200);
    const [a1, a2] = res.body.addresses;
    expect(a1).toMatchObject({ address: '192.0.2.1', state: 'available', uptime: { '24h': 1, '7d': 1 } });
    expect(a2).toMatchObject({
      address: '192.0.2.2',
      state: 'unavailable',
      since: new Date(now - 3600_000).toISOString(),
      reasons: { 'eu-1': 'connection refused' },
      locations: [
        { location: 'eu-1', ok: false, error: 'connection refused', latency_ms: null, fresh: true },
        { location: 'us-1', ok: true, latency_ms: 12, error: null, fresh: false },
      ],
    });
    // Known for two hours, available for the first of them.
    expect(a2.uptime['24h']).toBeCloseTo(0.5, 2);
  });

  it('refuses bad ranges and hides other tenants', async () => {
    const bad = await api.http().get(`${path}/events`).query({ from: 'yesterday' }).set(apiKey(token)).expect(400);
    expect(bad.body.details[0].field).toBe('from');
    const other = await api.customer('other');
    const otherToken = await api.token(other.agent);
    await api.http().get(path).set(apiKey(otherToken)).expect(404);
    await api.http().get(`${path}/events`).set(apiKey(otherToken)).expect(404);
  });
});
