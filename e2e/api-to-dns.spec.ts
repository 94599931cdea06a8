import { type HealthState, healthField, redisKeys } from '@vigil/contract';
import { appendFeed } from '@vigil/contract/redis';
import { TEST_REDIS_URL } from '@vigil/stack';
import Redis from 'ioredis';
import { aData, dig, query, udp, tcp } from '../workers/src/dns/testing/client';
import { type ApiClient, customerWithFailover, Stack, until } from './stack';

/** A change made through the REST API reaches DNS answers through Redis and the change feed. */
describe('api → Redis → DNS server (real processes)', () => {
  const stack = new Stack();
  let api: ApiClient;
  let redis: Redis;
  let port: number;

  beforeAll(async () => {
    await stack.startApi();
    port = await stack.startDns();
    api = await customerWithFailover(stack.apiUrl);
    redis = new Redis(TEST_REDIS_URL, { keyPrefix: stack.prefix });
    await api.ok('POST', '/v2/zones', { name: 'live.example' });
  });
  afterAll(async () => {
    redis?.disconnect();
    await stack.stop();
  });

  const answerOf = async (name: string, type = 'A') => {
    const r = await udp(port, query(name, type));
    return { rcode: r.rcode, data: aData(r).sort() };
  };

  it('serves a record set created through the API, then each change of it', async () => {
    await api.ok('PUT', '/v2/zones/live.example/www.live.example/A', { ttl: 60, resource_records: [{ content: ['192.0.2.1'] }] });
    await until('the new record in DNS', async () => (await answerOf('www.live.example')).data.join() === '192.0.2.1');

    await api.ok('PUT', '/v2/zones/live.example/www.live.example/A', {
      ttl: 60,
      resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }],
    });
    await until('the second address', async () => (await answerOf('www.live.example')).data.join() === '192.0.2.1,192.0.2.2');
    const viaDig = await dig(port, ['www.live.example', 'A']);
    expect((viaDig.sections.ANSWER ?? []).map((a) => a[3]).sort()).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(viaDig.flags).toContain('aa');

    await api.ok('DELETE', '/v2/zones/live.example/www.live.example/A');
    await until('NXDOMAIN after the delete', async () => (await answerOf('www.live.example')).rcode === 'NXDOMAIN');
  });

  it('serves the SOA made with the zone, and stops serving a disabled or deleted zone', async () => {
    const soa = await tcp(port, query('live.example', 'SOA'));
    expect(soa.rcode).toBe('NOERROR');
    expect((soa.answers![0] as { data: { mname: string } }).data.mname).toBe('ns1.vigil.localhost');

    await api.ok('POST', '/v2/zones', { name: 'short.example' });
    await until('the new zone', async () => (await answerOf('short.example', 'NS')).rcode === 'NOERROR');
    await api.ok('PATCH', '/v2/zones/short.example', { enabled: false });
    await until('REFUSED for the disabled zone', async () => (await answerOf('short.example', 'NS')).rcode === 'REFUSED');
    await api.ok('PATCH', '/v2/zones/short.example', { enabled: true });
    await until('the zone back', async () => (await answerOf('short.example', 'NS')).rcode === 'NOERROR');
    await api.ok('DELETE', '/v2/zones/short.example');
    await until('REFUSED for the deleted zone', async () => (await answerOf('short.example', 'NS')).rcode === 'REFUSED');
  });

  it('leaves out an unavailable address of a failover set, and serves it plain once failover is off', async () => {
    const rr = await api.ok('PUT', '/v2/zones/live.example/fo.live.example/A', {
      ttl: 30,
      resource_records: [{ content: ['192.0.2.10'] }, { content: ['192.0.2.11'] }],
      meta: { failover: { protocol: 'TCP', port: 443, frequency: 60, timeout: 5 } },
    });
    await until(
      'both addresses (no health state yet counts as available)',
      async () => (await answerOf('fo.live.example')).data.length === 2,
    );

    // What the aggregator writes on a transition: the state, and the event on the change feed.
    const health: HealthState = {
      checkId: rr.id,
      address: '192.0.2.10',
      state: 'unavailable',
      since: Date.now(),
      reasons: { 'eu-1': 'timeout' },
    };
    await redis.hset(redisKeys.health, healthField(rr.id, '192.0.2.10'), JSON.stringify(health));
    await appendFeed(redis, { kind: 'health', health });
    await until('the unavailable address to leave', async () => (await answerOf('fo.live.example')).data.join() === '192.0.2.11');

    await api.ok('PUT', '/v2/zones/live.example/fo.live.example/A', {
      ttl: 30,
      resource_records: [{ content: ['192.0.2.10'] }, { content: ['192.0.2.11'] }],
    });
    await until('both addresses again once failover is off', async () => (await answerOf('fo.live.example')).data.length === 2);
  });
});
