import { FeedEventSchema, redisKeys } from '@vigil/contract';
import { compiledOf, readZone } from '@vigil/contract/redis';
import type Redis from 'ioredis';
import { apiKey, TestApi } from '../testing/test-app';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { Zone } from '../zones/zone.entity';
import { PublisherService } from './publisher.service';
import { ReconcilerService } from './reconciler.service';

describe('publishing zones to Redis (real PostgreSQL and Redis)', () => {
  let api: TestApi;
  let redis: Redis;
  let token: string;
  let accountId: string;

  beforeAll(async () => {
    // The periodic reconciler is off so each test sees only what it caused.
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0' });
    redis = api.redis();
    const c = await api.customer();
    accountId = c.accountId;
    token = await api.token(c.agent);
  });
  afterAll(async () => {
    redis.disconnect();
    await api.close();
  });

  const published = async (zone: string) => {
    const stored = await readZone(redis, zone);
    return stored === null ? null : compiledOf(stored);
  };
  const feed = async () =>
    (await redis.xrange(redisKeys.feed, '-', '+')).map(([, fields]) => FeedEventSchema.parse(JSON.parse(fields[1]!)));

  it('publishes a zone with its SOA and apex NS when it is created, and each change after', async () => {
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'pub.example', contact: 'dns.admin@pub.example' }).expect(201);
    const first = await published('pub.example');
    expect(first).toMatchObject({
      name: 'pub.example',
      soa: { mname: 'ns1.vigil.localhost', rname: 'dns\\.admin.pub.example', refresh: 3600, minimum: 300 },
      rrsets: [{ name: 'pub.example', type: 'NS', records: [{ content: ['ns1.vigil.localhost'] }, { content: ['ns2.vigil.localhost'] }] }],
    });
    expect(await redis.hget(redisKeys.zoneIndex, 'pub.example')).toBe(String(first!.version));

    await api
      .http()
      .post('/v2/zones/pub.example/www.pub.example/A')
      .set(apiKey(token))
      .send({ resource_records: [{ content: ['192.0.2.1'] }] })
      .expect(201);
    const second = await published('pub.example');
    expect(second!.version).toBeGreaterThan(first!.version);
    expect(second!.soa.serial).toBeGreaterThan(first!.soa.serial);
    expect(second!.rrsets.map((r) => `${r.name}/${r.type}`)).toEqual(['pub.example/NS', 'www.pub.example/A']);

    // The zone's creation publishes it whole; a record-set change, just that record set.
    const events = (await feed()).filter((e) => e.kind !== 'health' && e.zone === 'pub.example');
    expect(events).toEqual([
      { kind: 'zone.upsert', zone: 'pub.example', version: first!.version },
      {
        kind: 'zone.delta',
        zone: 'pub.example',
        version: second!.version,
        head: { format: 1, name: 'pub.example', version: second!.version, soa: second!.soa },
        upserts: [second!.rrsets[1]],
        deletes: [],
      },
    ]);
  });

  it('concurrent writers of one zone lose nothing: each write its own version, Redis as the database, one side of a CNAME race', async () => {
    const zone = 'busy.example';
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: zone }).expect(201);
    const start = (await api.http().get(`/v2/zones/${zone}`).set(apiKey(token)).expect(200)).body.serial as number;
    const put = (name: string, type: string, body: object) =>
      api.http().put(`/v2/zones/${zone}/${name}.${zone}/${type}`).set(apiKey(token)).send(body);
    // 10 names written 4 times each, all at once, and at one more name an A and a CNAME racing.
    const writes = Array.from({ length: 40 }, (_, i) => put(`n${i % 10}`, 'A', { resource_records: [{ content: [`192.0.2.${i + 1}`] }] }));
    const race = [
      put('race', 'A', { resource_records: [{ content: ['192.0.2.99'] }] }),
      put('race', 'CNAME', { resource_records: [{ content: [`n0.${zone}`] }] }),
    ];
    const results = await Promise.all([...writes, ...race]);
    expect(
      results
        .slice(0, 40)
        .map((r) => r.status)
        .sort(),
    ).toEqual([...Array(10).fill(201), ...Array(30).fill(200)].sort());
    expect(
      results
        .slice(40)
        .map((r) => r.status)
        .sort(),
    ).toEqual([201, 400]);

    const listed = (await api.http().get(`/v2/zones/${zone}/rrsets?limit=100`).set(apiKey(token)).expect(200)).body.rrsets as {
      name: string;
      type: string;
      ttl: number;
      resource_records: unknown;
    }[];
    expect(listed).toHaveLength(12);
    const stored = (await published(zone))!;
    const view = (r: { name: string; type: string; ttl: number }) => `${r.name} ${r.type} ${r.ttl}`;
    expect(stored.rrsets.map(view)).toEqual(listed.map(view));
    for (const r of listed) {
      const inRedis = stored.rrsets.find((x) => x.name === r.name && x.type === r.type)!;
      expect(inRedis.records.map((x) => x.content)).toEqual((r.resource_records as { content: unknown }[]).map((x) => x.content));
    }
    // Each committed write took its own version, in one order with the zone's serial.
    const versions = (await feed()).flatMap((e) => (e.kind === 'zone.delta' && e.zone === zone ? [e.version] : []));
    expect(new Set(versions).size).toBe(41);
    const after = (await api.http().get(`/v2/zones/${zone}`).set(apiKey(token)).expect(200)).body.serial as number;
    expect(after - start).toBeGreaterThanOrEqual(41);
    expect(stored.version).toBe(Math.max(...versions));
    expect(stored.soa.serial).toBe(after);
    const audit = (await api.http().get('/v2/account/audit-log?limit=100').set(apiKey(token)).expect(200)).body.events as {
      target: string;
    }[];
    expect(audit.filter((e) => e.target.endsWith(`.${zone}/A`) || e.target.endsWith(`.${zone}/CNAME`))).toHaveLength(41);
  });

  it('compiles failover only while the account has the beta feature', async () => {
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'fo.example' }).expect(201);
    await api.grantFailover(accountId);
    const body = {
      resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'], enabled: false }],
      meta: { failover: { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 } },
    };
    const rr = await api.http().put('/v2/zones/fo.example/www.fo.example/A').set(apiKey(token)).send(body).expect(201);
    const on = (await published('fo.example'))!.rrsets.find((r) => r.type === 'A')!;
    expect(on.failover).toEqual({ checkId: rr.body.id, check: { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 } });
    expect(on.records[1]).toEqual({ content: ['192.0.2.2'], enabled: false, meta: {} });

    const support = await api.support();
    const events = (await feed()).length;
    await support
      .patch(`/v2/admin/accounts/${accountId}`)
      .send({ features: { failover: false } })
      .expect(200);
    const off = (await published('fo.example'))!.rrsets.find((r) => r.type === 'A')!;
    expect(off.failover).toBeNull();
    // Only the record set with a check changed, and only it was published.
    const revoke = (await feed()).slice(events).filter((e) => e.kind !== 'health');
    expect(revoke).toEqual([expect.objectContaining({ kind: 'zone.delta', zone: 'fo.example', deletes: [] })]);
    expect(revoke[0]!.kind === 'zone.delta' && revoke[0]!.upserts.map((r) => `${r.name} ${r.type}`)).toEqual(['www.fo.example A']);
  });

  it('unpublishes deleted and disabled zones, and a late older publish cannot revive them', async () => {
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'gone.example' }).expect(201);
    const before = await published('gone.example');
    const ds = api.app.get<DataSource>(getDataSourceToken());
    const staleZone = await ds.getRepository(Zone).findOneByOrFail({ name: 'gone.example' });
    const account = await ds.getRepository(Account).findOneByOrFail({ id: accountId });
    await api.http().delete('/v2/zones/gone.example').set(apiKey(token)).expect(204);
    expect(await published('gone.example')).toBeNull();
    expect(await redis.hexists(redisKeys.zoneIndex, 'gone.example')).toBe(0);
    const del = (await feed()).find((e) => e.kind === 'zone.delete' && e.zone === 'gone.example');
    expect(del && del.kind === 'zone.delete' && del.version).toBeGreaterThan(before!.version);

    // Replay the old state as a racing api process would: the tombstone refuses it.
    const publisher = api.app.get(PublisherService) as unknown as { upsert(z: Zone, r: [], a: Account): Promise<void> };
    await publisher.upsert(staleZone, [], account);
    expect(await published('gone.example')).toBeNull();

    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'off.example', enabled: false }).expect(201);
    expect(await published('off.example')).toBeNull();
    await api.http().patch('/v2/zones/off.example').set(apiKey(token)).send({ enabled: true }).expect(200);
    expect(await published('off.example')).not.toBeNull();
  });

  it('reconciles: republishes what Redis lost and unpublishes zones the database does not have', async () => {
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'heal.example' }).expect(201);
    const version = (await published('heal.example'))!.version;
    await redis.del(redisKeys.zone('heal.example'));
    await redis.hdel(redisKeys.zoneIndex, 'heal.example');
    await redis.hset(redisKeys.zone('stray.example'), '@zone', '1 {}');
    await redis.hset(redisKeys.zoneIndex, 'stray.example', '1');

    const result = await api.app.get(ReconcilerService).reconcile();
    expect(result).toEqual({ published: 1, unpublished: 1 });
    expect((await published('heal.example'))!.version).toBe(version);
    expect(await redis.exists(redisKeys.zone('stray.example'))).toBe(0);
    expect(await api.app.get(ReconcilerService).reconcile()).toEqual({ published: 0, unpublished: 0 });

    // Redis behind the database (it missed a change), and still behind after the reconciler waited.
    await redis.hset(redisKeys.zoneIndex, 'heal.example', String(version - 1));
    expect(await api.app.get(ReconcilerService).reconcile()).toEqual({ published: 1, unpublished: 0 });
    expect(await redis.hget(redisKeys.zoneIndex, 'heal.example')).toBe(String(version));
  });

  it('heals a zone whose data Redis lost while its index still lists it, and publishes whole what Redis does not hold', async () => {
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'lost.example' }).expect(201);
    await api
      .http()
      .put('/v2/zones/lost.example/www.lost.example/A')
      .set(apiKey(token))
      .send({ resource_records: [{ content: ['192.0.2.1'] }] });
    const before = (await published('lost.example'))!;
    await redis.del(redisKeys.zone('lost.example'));
    expect(await api.app.get(ReconcilerService).reconcile()).toEqual({ published: 1, unpublished: 0 });
    expect(await published('lost.example')).toEqual(before);

    // One record set's field lost, the zone still at its version: the digest's count gives it away.
    await redis.hdel(redisKeys.zone('lost.example'), 'www.lost.example A');
    expect((await readZone(redis, 'lost.example'))!.digestMatches).toBe(false);
    expect(await api.app.get(ReconcilerService).reconcile()).toEqual({ published: 1, unpublished: 0 });
    expect(await published('lost.example')).toEqual(before);
    expect((await readZone(redis, 'lost.example'))!.digestMatches).toBe(true);
    expect(await api.app.get(ReconcilerService).reconcile()).toEqual({ published: 0, unpublished: 0 });

    // A record-set change of a zone Redis does not hold at all falls back to the whole zone.
    await redis.del(redisKeys.zone('lost.example'));
    await redis.hdel(redisKeys.zoneIndex, 'lost.example');
    await api
      .http()
      .put('/v2/zones/lost.example/mail.lost.example/A')
      .set(apiKey(token))
      .send({ resource_records: [{ content: ['192.0.2.25'] }] });
    expect((await published('lost.example'))!.rrsets.map((r) => r.name)).toEqual(['lost.example', 'mail.lost.example', 'www.lost.example']);
  });
});
