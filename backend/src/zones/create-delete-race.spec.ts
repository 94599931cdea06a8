// Issue 11, item 1: clients creating and deleting one zone name at once must never leave the
// zone in PostgreSQL while Redis holds it deleted (a tombstone newer than the zone's version).
// Item 9: two accounts racing to create a zone and one below it must not both win.
import { redisKeys } from '@vigil/contract';
import { readZone } from '@vigil/contract/redis';
import type Redis from 'ioredis';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ReconcilerService } from '../publishing/reconciler.service';
import { apiKey, TestApi } from '../testing/test-app';
import { Zone } from './zone.entity';

describe('zone create/delete race (real PostgreSQL and Redis)', () => {
  let api: TestApi;
  let redis: Redis;
  let H: { Authorization: string };

  beforeAll(async () => {
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0' });
    redis = api.redis();
    H = apiKey(await api.token((await api.customer()).agent));
  });
  afterAll(async () => {
    redis.disconnect();
    await api.close();
  });

  /** What DNS would serve: the zone in Redis at PostgreSQL's version, or nothing when PostgreSQL has none. */
  async function agrees(name: string): Promise<string | null> {
    const row = await api.app.get<DataSource>(getDataSourceToken()).getRepository(Zone).findOneBy({ name });
    const stored = await readZone(redis, name);
    const dead = Number((await redis.hget(redisKeys.zoneTombstones, name)) ?? -1);
    if (row === null) return stored === null ? null : `Redis holds ${name} that PostgreSQL deleted`;
    if (stored === null) return `PostgreSQL has ${name} at ${row.version}, Redis none (tombstone ${dead})`;
    return stored.head.version === row.version ? null : `versions differ: ${row.version} vs ${stored.head.version}`;
  }

  it('leaves Redis agreeing with PostgreSQL after 20 clients alternate POST and DELETE on one name, in 5 trials', async () => {
    for (let trial = 0; trial < 5; trial++) {
      const name = `race${trial}.example`;
      await Promise.all(
        Array.from({ length: 20 }, async (_, c) => {
          for (let i = 0; i < 6; i++) {
            if ((i + c) % 2 === 0) await api.http().post('/v2/zones').set(H).send({ name });
            else await api.http().delete(`/v2/zones/${name}`).set(H);
          }
        }),
      );
      expect(await agrees(name)).toBeNull();
    }
  }, 120_000);

  it('reconciles a zone Redis holds as deleted at a newer version than PostgreSQL’s: the zone gets a newer one and is served', async () => {
    await api.http().post('/v2/zones').set(H).send({ name: 'buried.example' }).expect(201);
    const row = await api.app.get<DataSource>(getDataSourceToken()).getRepository(Zone).findOneByOrFail({ name: 'buried.example' });
    // What the race left behind before the fix: the delete's tombstone one version newer.
    await redis
      .multi()
      .unlink(redisKeys.zone('buried.example'))
      .hdel(redisKeys.zoneIndex, 'buried.example')
      .hset(redisKeys.zoneTombstones, 'buried.example', String(row.version + 1))
      .exec();
    expect(await api.app.get(ReconcilerService).reconcile()).toEqual({ published: 1, unpublished: 0 });
    expect(await agrees('buried.example')).toBeNull();
    expect((await readZone(redis, 'buried.example'))!.head.version).toBeGreaterThan(row.version + 1);
  });

  it('never lets another account create a zone below one being created at the same moment (30 races)', async () => {
    const other = apiKey(await api.token((await api.customer('other')).agent));
    const ds = api.app.get<DataSource>(getDataSourceToken());
    await Promise.all(
      Array.from({ length: 30 }, (_, t) =>
        Promise.all([
          api
            .http()
            .post('/v2/zones')
            .set(H)
            .send({ name: `p${t}.takeover.example` }),
          api
            .http()
            .post('/v2/zones')
            .set(other)
            .send({ name: `www.p${t}.takeover.example` }),
        ]),
      ),
    );
    // The zone below may exist only if it came first: then the parent was created above it, which
    // is allowed; a zone created below an existing zone of another account is the takeover.
    const zones = await ds.getRepository(Zone).find({ where: {}, select: { name: true, numericId: true } });
    const id = new Map(zones.map((z) => [z.name, z.numericId]));
    const takeovers = Array.from({ length: 30 }, (_, t) => t).filter((t) => {
      const parent = id.get(`p${t}.takeover.example`);
      const child = id.get(`www.p${t}.takeover.example`);
      return parent !== undefined && child !== undefined && child > parent;
    });
    expect(takeovers).toEqual([]);
  }, 60_000);
});
