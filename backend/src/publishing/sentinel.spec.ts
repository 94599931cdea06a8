import { redisKeys } from '@vigil/contract';
import { compiledOf, readZone } from '@vigil/contract/redis';
import { commandProblem, prerequisite, SentinelGroup, until } from '@vigil/stack';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { apiKey, TestApi } from '../testing/test-app';

/**
 * The api on a real primary, two replicas and three Sentinels (REDIS_SENTINELS). The periodic
 * reconcile is an hour away and every outbox row is delivered before the primary dies, so what
 * reaches the new primary is the api following the failover: its publishes, and the reconcile it
 * runs at once on finding another server.
 */
jest.setTimeout(120_000);

const haveRedis = prerequisite('redis-server', commandProblem('redis-server', ['--version']));

(haveRedis ? describe : describe.skip)('the api on Redis with Sentinel (real servers, real failovers)', () => {
  const group = new SentinelGroup({ replicas: 2 });
  let api: TestApi;
  let token: string;

  /** A plain connection to one server of the group, under the api's key prefix. */
  const on = (port: number) => new Redis(group.node(port).url, { keyPrefix: api.config.REDIS_KEY_PREFIX, maxRetriesPerRequest: 1 });
  const address = async (port: number, zone: string): Promise<string | null> => {
    const redis = on(port);
    try {
      const stored = await readZone(redis, zone);
      const rrset = stored && compiledOf(stored).rrsets.find((r) => r.name === `www.${zone}` && r.type === 'A');
      return rrset ? String(rrset.records[0].content[0]) : null;
    } finally {
      redis.disconnect();
    }
  };
  const heldVersion = async (port: number, zone: string) => {
    const redis = on(port);
    try {
      return Number(await redis.hget(redisKeys.zoneIndex, zone));
    } finally {
      redis.disconnect();
    }
  };
  const committedVersion = async (zone: string) =>
    Number(((await api.ds().query(`SELECT version::float8 AS v FROM zones WHERE name = $1`, [zone])) as { v: number }[])[0].v);
  const put = (zone: string, ip: string) =>
    api
      .http()
      .put(`/v2/zones/${zone}/www.${zone}/A`)
      .set(apiKey(token))
      .send({ resource_records: [{ content: [ip] }] })
      .expect((res) => expect([200, 201]).toContain(res.status));
  const newZone = async () => {
    const zone = `sentinel-${randomBytes(4).toString('hex')}.example`;
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: zone }).expect(201);
    return zone;
  };
  const failOver = async () => {
    const old = await group.killPrimary();
    return group.promoted(old);
  };

  beforeAll(async () => {
    await group.start();
    api = await TestApi.start({ ...group.env, RECONCILE_INTERVAL_SECONDS: '3600' });
    token = await api.token((await api.customer()).agent);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await group.stop();
  });

  it('follows the promotion: a change made after it reaches the new primary', async () => {
    const zone = await newZone();
    await put(zone, '192.0.2.1');
    const first = await group.primaryPort();
    await until('the zone on the primary', async () => (await address(first, zone)) === '192.0.2.1', 15_000);

    const next = await failOver();
    await put(zone, '192.0.2.2');
    await until('the change on the new primary', async () => (await address(next, zone)) === '192.0.2.2', 30_000);
    expect(await heldVersion(next, zone)).toBe(await committedVersion(zone));
  });

  it('republishes, on the new primary, a change the old one acknowledged but never replicated', async () => {
    const zone = await newZone();
    await put(zone, '192.0.2.10');
    const primary = await group.primaryPort();
    const replicas = await group.replicas();
    await until('the zone on every replica', async () => {
      for (const r of replicas) if ((await address(r.port, zone)) !== '192.0.2.10') return false;
      return true;
    });

    await group.cutReplication();
    await put(zone, '192.0.2.11');
    const version = await committedVersion(zone);
    await until('the change acknowledged by the primary', async () => (await heldVersion(primary, zone)) === version, 15_000);
    // Nothing is left for the outbox relay: it saw the primary hold the version.
    await until('an empty outbox', async () => (await api.ds().query(`SELECT 1 FROM publish_outbox`)).length === 0, 15_000);
    for (const r of replicas) expect(await address(r.port, zone)).toBe('192.0.2.10');

    const old = await group.killPrimary();
    await group.reconnectReplicas();
    const next = await group.promoted(old);
    await until('the lost change republished on the new primary', async () => (await address(next, zone)) === '192.0.2.11', 30_000);
    expect(await heldVersion(next, zone)).toBe(version);
    // The promoted server keeps its marker (it came with the replication), so this was the switch.
    const redis = on(next);
    try {
      expect(await redis.exists(redisKeys.published)).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});
