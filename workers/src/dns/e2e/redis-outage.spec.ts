// The server and a Redis that goes away, comes back empty, or trims the feed past the server.
import { FEED_FIELD, redisKeys } from '@vigil/contract';
import { directRedis, zoneFields } from '@vigil/contract/redis';
import { aData, query, tcp, udp, until } from '../testing/client';
import { freePort, LocalRedis } from '../testing/redis';
import { rr, zone } from '../testing/zones';
import { sample, scrape, startHarness, type Harness } from './harness';

const metric = async (h: Harness, name: string, labels: Record<string, string> = {}) =>
  sample(await scrape(h.server.metricsPort), name, labels);

describe('when Redis goes away', () => {
  let local: LocalRedis;
  let h: Harness;

  beforeAll(async () => {
    local = new LocalRedis(await freePort());
    await local.start();
    h = await startHarness(
      async (r) => {
        await r.putZone(zone('example.com', [rr('www.example.com', 'A', ['192.0.2.1'])]));
      },
      { redis: directRedis(local.url) },
    );
  });

  afterAll(async () => {
    await h?.server.stop();
    h?.redis.disconnect();
    await local?.stop();
  });

  it('keeps answering from memory while Redis is down, and says so in logs and metrics', async () => {
    expect(await metric(h, 'vigil_dns_redis_connected')).toBe(1);
    await local.stop();
    await until('the connection to be reported down', async () => (await metric(h, 'vigil_dns_redis_connected')) === 0);
    for (let i = 0; i < 5; i++) {
      expect(aData(await udp(h.port, query('www.example.com', 'A')))).toEqual(['192.0.2.1']);
      expect(aData(await tcp(h.port, query('www.example.com', 'A')))).toEqual(['192.0.2.1']);
    }
    await until('a log line about answering from memory', () => h.logs.some((l) => l.includes('answering from memory')));
    // The age of the last confirmed sync grows while Redis is away.
    const age = (await metric(h, 'vigil_dns_redis_sync_age_seconds'))!;
    await new Promise((r) => setTimeout(r, 400));
    expect((await metric(h, 'vigil_dns_redis_sync_age_seconds'))! - age).toBeGreaterThanOrEqual(0.35);
  });

  it('keeps its zones when Redis comes back empty, and follows the new feed from there', async () => {
    await local.start();
    await until('the connection to be back', async () => (await metric(h, 'vigil_dns_redis_connected')) === 1);
    // The feed it followed is gone: a full reload, which must not drop the zones it holds.
    await until(
      'a reload for the missing feed',
      async () => (await metric(h, 'vigil_dns_full_reloads_total', { reason: 'feed_missing' })) === 1,
    );
    expect(h.logs.some((l) => l.includes('keeping the zones in memory'))).toBe(true);
    expect(aData(await udp(h.port, query('www.example.com', 'A')))).toEqual(['192.0.2.1']);
    // The api republishes (as its reconciler does): the change arrives through the new feed.
    await h.redis.putZone(zone('example.com', [rr('www.example.com', 'A', ['192.0.2.2'])], { version: 2 }));
    await until('version 2', async () => aData(await udp(h.port, query('www.example.com', 'A')))[0] === '192.0.2.2');
  });

  it('loses no change across a dropped connection: it resumes from the last id', async () => {
    const reloads = await metric(h, 'vigil_dns_full_reloads_total', { reason: 'feed_missing' });
    // Drop the server's connection (only it and the fixture use this Redis), then change things at once.
    const clients = (await h.redis.redis.client('LIST')) as string;
    const own = Number(/id=(\d+)/.exec((await h.redis.redis.client('INFO')) as string)![1]);
    for (const line of clients.split('\n')) {
      const id = Number(/id=(\d+)/.exec(line)?.[1]);
      if (id && id !== own) await h.redis.redis.client('KILL', 'ID', String(id));
    }
    for (let v = 3; v <= 6; v++) {
      await h.redis.putZone(zone('example.com', [rr('www.example.com', 'A', [`192.0.2.${v}`])], { version: v }));
    }
    await h.redis.putZone(zone('example.org', [rr('www.example.org', 'A', ['203.0.113.1'])]));
    await until('version 6', async () => aData(await udp(h.port, query('www.example.com', 'A')))[0] === '192.0.2.6');
    await until('example.org', async () => (await udp(h.port, query('www.example.org', 'A'))).rcode === 'NOERROR');
    expect(await metric(h, 'vigil_dns_feed_events_total', { kind: 'zone.upsert' })).toBeGreaterThanOrEqual(6);
    // Caught up from the feed, not by reloading.
    expect(await metric(h, 'vigil_dns_full_reloads_total', { reason: 'feed_missing' })).toBe(reloads);
    expect(await metric(h, 'vigil_dns_full_reloads_total', { reason: 'feed_trimmed' })).toBeNull();
  });
});

describe('when the feed is trimmed past the server', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(async (r) => {
      await r.putZone(zone('example.com', [rr('www.example.com', 'A', ['192.0.2.1'])]));
      await r.setHealth('chk', '192.0.2.7', 'unavailable');
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('reloads everything, since the changes it missed are gone from the feed', async () => {
    expect(h.server.health.unavailableCount).toBe(1);
    // Atomically: a change whose event is then trimmed away together with the server's position.
    const z2 = zone('example.com', [rr('www.example.com', 'A', ['192.0.2.9'])], { version: 2 });
    await h.redis.redis
      .multi()
      .unlink(h.redis.key(redisKeys.zone('example.com')))
      .hset(h.redis.key(redisKeys.zone('example.com')), ...zoneFields(z2))
      .hset(h.redis.key(redisKeys.zoneIndex), 'example.com', '2')
      .hdel(h.redis.key(redisKeys.health), 'chk/192.0.2.7')
      .xadd(h.redis.key(redisKeys.feed), '*', FEED_FIELD, JSON.stringify({ kind: 'zone.upsert', zone: 'example.com', version: 2 }))
      .xadd(h.redis.key(redisKeys.feed), '*', FEED_FIELD, JSON.stringify({ kind: 'zone.upsert', zone: 'other.example', version: 1 }))
      .xtrim(h.redis.key(redisKeys.feed), 'MAXLEN', 1)
      .exec();
    await until('the reload', async () => (await metric(h, 'vigil_dns_full_reloads_total', { reason: 'feed_trimmed' })) === 1);
    expect(aData(await udp(h.port, query('www.example.com', 'A')))).toEqual(['192.0.2.9']);
    expect(h.server.health.unavailableCount).toBe(0);
    expect(h.logs.some((l) => l.includes('no longer holds the last applied event'))).toBe(true);
  });
});

describe('a full reload and zones Redis does not list', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(async (r) => {
      await r.putZone(zone('example.com', [rr('www.example.com', 'A', ['192.0.2.1'])]));
      await r.putZone(zone('example.net', [rr('www.example.net', 'A', ['192.0.2.2'])]));
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  /** example.net gone from Redis, and the feed trimmed past the server: a full reload. */
  async function dropExampleNetAndReload(n: number) {
    await h.redis.redis
      .multi()
      .unlink(h.redis.key(redisKeys.zone('example.net')))
      .hdel(h.redis.key(redisKeys.zoneIndex), 'example.net')
      .xadd(h.redis.key(redisKeys.feed), '*', FEED_FIELD, JSON.stringify({ kind: 'zone.upsert', zone: 'other.example', version: n }))
      .xadd(h.redis.key(redisKeys.feed), '*', FEED_FIELD, JSON.stringify({ kind: 'zone.upsert', zone: 'other.example', version: n + 1 }))
      .xtrim(h.redis.key(redisKeys.feed), 'MAXLEN', 1)
      .exec();
    await until(`reload ${n}`, async () => (await metric(h, 'vigil_dns_full_reloads_total', { reason: 'feed_trimmed' })) === n);
  }

  it('keeps them while Redis lacks the api’s "published" marker (lost its data, being filled again), drops them once it has it', async () => {
    await dropExampleNetAndReload(1);
    expect(aData(await udp(h.port, query('www.example.net', 'A')))).toEqual(['192.0.2.2']);
    expect(h.logs.some((l) => l.includes('keeping the zones in memory it does not list'))).toBe(true);

    await h.redis.redis.set(h.redis.key(redisKeys.published), new Date().toISOString());
    await dropExampleNetAndReload(2);
    expect((await udp(h.port, query('www.example.net', 'A'))).rcode).toBe('REFUSED');
    expect(aData(await udp(h.port, query('www.example.com', 'A')))).toEqual(['192.0.2.1']);
  });
});
