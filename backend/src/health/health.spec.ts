import { FEED_FIELD, type FeedEvent, type HealthState, healthField, type ProbeResult, redisKeys } from '@vigil/contract';
import type Redis from 'ioredis';
import { Client } from 'pg';
import type { AccountPrincipal } from '../auth/principal';
import { until } from '@vigil/stack';
import { REDIS } from '../redis/redis.module';
import { apiKey, expectInvalid, TestApi } from '../testing/test-app';
import { HealthService } from './health.service';

describe('health read-out and history (real PostgreSQL and Redis)', () => {
  let api: TestApi;
  let redis: Redis;
  let token: string;
  let rrsetId: string;
  let accountId: string;
  const path = '/v2/zones/health.example/www.health.example/A/health';
  /** Creates or replaces an A record set of health.example. */
  const putA = (name: string, body: object) =>
    api.http().put(`/v2/zones/health.example/${name}.health.example/A`).set(apiKey(token)).send(body);

  beforeAll(async () => {
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0' });
    redis = api.redis();
    const c = await api.customer();
    token = await api.token(c.agent);
    accountId = c.accountId;
    await api.grantFailover(accountId);
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'health.example' }).expect(201);
    const res = await putA('www', {
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

  it("keys a CNAME's targets as the probes do: canonical, whatever case and trailing dot they were written with", async () => {
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'cname-health.example' }).expect(201);
    const made = await api
      .http()
      .put('/v2/zones/cname-health.example/www.cname-health.example/CNAME')
      .set(apiKey(token))
      .send({
        resource_records: [{ content: ['Lb1.Example.net.'] }, { content: ['lb2.example.net'] }],
        meta: { failover: { protocol: 'HTTP', port: 80, frequency: 30, timeout: 5 } },
      })
      .expect(201);
    const id = made.body.id as string;
    const down: HealthState = {
      checkId: id,
      address: 'lb1.example.net',
      state: 'unavailable',
      since: Date.now(),
      reasons: { 'eu-1': 'timeout' },
    };
    await redis.hset(redisKeys.health, healthField(id, 'lb1.example.net'), JSON.stringify(down));
    const one = await api.http().get('/v2/zones/cname-health.example/www.cname-health.example/CNAME/health').set(apiKey(token)).expect(200);
    expect(one.body.addresses.map((a: { address: string; state: string }) => [a.address, a.state])).toEqual([
      ['lb1.example.net', 'unavailable'],
      ['lb2.example.net', 'unknown'],
    ]);
    const zone = await api.http().get('/v2/zones/cname-health.example/health').set(apiKey(token)).expect(200);
    expect(zone.body.rrsets[0].counts).toEqual({ available: 0, unavailable: 1, unknown: 1 });
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

    const events = await until('the three transitions in the history', async () => {
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

  it("sums up the zone's failover record sets in one read-out with the states of the per-record-set one", async () => {
    await putA('mail', {
      resource_records: [{ content: ['192.0.2.9'], enabled: false }],
      meta: { failover: { protocol: 'ICMP', frequency: 30, timeout: 5 } },
    }).expect(201);
    await putA('plain', { resource_records: [{ content: ['192.0.2.50'] }] }).expect(201);

    const res = await api.http().get('/v2/zones/health.example/health').set(apiKey(token)).expect(200);
    expect(res.body.rrsets.map((r: { name: string; type: string }) => `${r.name} ${r.type}`)).toEqual([
      'mail.health.example A',
      'www.health.example A',
    ]);
    const [mail, www] = res.body.rrsets;
    expect(mail).toEqual({
      name: 'mail.health.example',
      type: 'A',
      failover: true,
      addresses: [{ address: '192.0.2.9', enabled: false, state: 'unknown', since: null }],
      counts: { available: 0, unavailable: 0, unknown: 1 },
    });
    const single = await api.http().get(path).set(apiKey(token)).expect(200);
    expect(www).toEqual({
      name: single.body.name,
      type: single.body.type,
      failover: single.body.failover,
      addresses: single.body.addresses.map((a: { address: string; enabled: boolean; state: string; since: string | null }) => ({
        address: a.address,
        enabled: a.enabled,
        state: a.state,
        since: a.since,
      })),
      counts: { available: 1, unavailable: 1, unknown: 0 },
    });
  });

  it('reads the summary with two SQL queries and one Redis read, however many record sets the zone has', async () => {
    const principal: AccountPrincipal = {
      kind: 'token',
      accountId,
      role: 'token',
      userId: null,
      tokenId: null,
      sessionId: null,
      isSupport: false,
      actor: 'token:test',
    };
    const appRedis = api.app.get<Redis>(REDIS);
    const cost = async () => {
      const sql = jest.spyOn(Client.prototype, 'query');
      const commands = jest.spyOn(appRedis, 'sendCommand');
      try {
        const out = await api.app.get(HealthService).zone(principal, 'health.example');
        return { rrsets: out.rrsets.length, sql: sql.mock.calls.length, redis: commands.mock.calls.length };
      } finally {
        sql.mockRestore();
        commands.mockRestore();
      }
    };
    expect(await cost()).toEqual({ rrsets: 2, sql: 2, redis: 1 });
    for (const n of [1, 2]) {
      await putA(`app${n}`, {
        resource_records: [{ content: [`192.0.2.${60 + n}`] }, { content: [`192.0.2.${70 + n}`] }],
        meta: { failover: { protocol: 'ICMP', frequency: 30, timeout: 5 } },
      }).expect(201);
    }
    expect(await cost()).toEqual({ rrsets: 4, sql: 2, redis: 1 });
  });

  it('gives an empty summary for a zone without failover record sets, and 400 naming the zone for a bad name', async () => {
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'plain.example' }).expect(201);
    const res = await api.http().get('/v2/zones/plain.example/health').set(apiKey(token)).expect(200);
    expect(res.body).toEqual({ rrsets: [] });
    expectInvalid(await api.http().get('/v2/zones/bad..example/health').set(apiKey(token)), 'zone');
  });

  it('refuses bad ranges and hides other tenants', async () => {
    const bad = await api.http().get(`${path}/events`).query({ from: 'yesterday' }).set(apiKey(token)).expect(400);
    expect(bad.body.details[0].field).toBe('from');
    const other = await api.customer('other');
    const otherToken = await api.token(other.agent);
    await api.http().get(path).set(apiKey(otherToken)).expect(404);
    await api.http().get(`${path}/events`).set(apiKey(otherToken)).expect(404);
    // Another account's zone is the same 404 as a zone that does not exist.
    const theirs = await api.http().get('/v2/zones/health.example/health').set(apiKey(otherToken)).expect(404);
    const missing = await api.http().get('/v2/zones/missing.example/health').set(apiKey(otherToken)).expect(404);
    expect(theirs.body).toEqual(missing.body);
  });

  it('sets aside a feed entry PostgreSQL refuses (and skips one that is not JSON), storing the ones after it', async () => {
    const at = Date.now() - 60_000;
    await redis.xadd(redisKeys.feed, '*', FEED_FIELD, '{not json');
    // jsonb cannot hold U+0000: PostgreSQL refuses this one whatever is retried.
    await transition('192.0.2.1', 'unavailable', at, { 'eu-1': 'bad \u0000 byte' });
    await transition('192.0.2.1', 'available', at + 1000);
    const stored = await until('the transition after the bad one', async () => {
      const r = await api
        .http()
        .get(`${path}/events`)
        .query({ address: '192.0.2.1', from: new Date(at - 1).toISOString() })
        .set(apiKey(token))
        .expect(200);
      return r.body.events.length > 0 ? r.body.events : null;
    });
    expect(stored).toEqual([{ address: '192.0.2.1', state: 'available', at: new Date(at + 1000).toISOString(), reasons: {} }]);
    const dead = await redis.xrange(redisKeys.deadLetter('api-history'), '-', '+');
    expect(dead).toHaveLength(1);
    const fields = dead[0]![1];
    expect(fields[fields.indexOf('error') + 1]).toMatch(/unicode|\\u0000/i);
    expect(JSON.parse(fields[fields.indexOf(FEED_FIELD) + 1]!)).toMatchObject({ kind: 'health', health: { state: 'unavailable' } });
    // Nothing is left pending for the group: the loop is not stuck on it.
    await until('no entry pending', async () => ((await redis.xpending(redisKeys.feed, 'api-history')) as [number])[0] === 0);
  });

  it('reads corrupt health and result values in Redis as unknown, never a 500', async () => {
    await redis.hset(redisKeys.health, healthField(rrsetId, '192.0.2.1'), '{not json');
    const farFuture: HealthState = { checkId: rrsetId, address: '192.0.2.2', state: 'available', since: 9e15, reasons: {} };
    await redis.hset(redisKeys.health, healthField(rrsetId, '192.0.2.2'), JSON.stringify(farFuture));
    await redis.hset(redisKeys.results(rrsetId, '192.0.2.2'), 'ap-1', 'garbage', 'sa-1', JSON.stringify(result('sa-1', true, 9e15)));
    const res = await api.http().get(path).set(apiKey(token)).expect(200);
    expect(res.body.addresses.map((a: { state: string; since: string | null }) => [a.state, a.since])).toEqual([
      ['unknown', null],
      ['unknown', null],
    ]);
    expect(res.body.addresses[1].locations.map((l: { location: string }) => l.location)).toEqual(['eu-1', 'us-1']);
    await api.http().get('/v2/zones/health.example/health').set(apiKey(token)).expect(200);
  });

  it('shows every address unknown and failover not applied once the account loses the feature', async () => {
    const support = await api.support();
    await support
      .patch(`/v2/admin/accounts/${accountId}`)
      .send({ features: { failover: false } })
      .expect(200);
    const res = await api.http().get('/v2/zones/health.example/health').set(apiKey(token)).expect(200);
    const www = res.body.rrsets.find((r: { name: string }) => r.name === 'www.health.example');
    expect(www).toMatchObject({ failover: false, counts: { available: 0, unavailable: 0, unknown: 2 } });
    expect(www.addresses.map((a: { state: string; since: string | null }) => [a.state, a.since])).toEqual([
      ['unknown', null],
      ['unknown', null],
    ]);
  });
});
