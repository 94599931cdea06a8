import { healthField, type HealthState, probeQueueName, type ProbeResult, redisKeys } from '@vigil/contract';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { SchedulerService } from '../scheduling/scheduler.service';
import { apiKey, expectError, expectInvalid, TestApi } from '../testing/test-app';

/**
 * Per-check quorum and sites (Vigil's own fields of meta.failover): 400s naming each field, the
 * probe schedules of the chosen sites only, and the health read-out (real PostgreSQL, Redis, BullMQ).
 */
describe('per-check quorum and sites (real PostgreSQL, Redis and BullMQ)', () => {
  let api: TestApi;
  let redis: Redis;
  let token: string;
  const queues: Queue[] = [];
  const zone = 'quorum.example';
  const check = { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 };
  const three = [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }, { content: ['192.0.2.3'] }];

  const put = (name: string, body: object) => api.http().put(`/v2/zones/${zone}/${name}.${zone}/A`).set(apiKey(token)).send(body);
  const heartbeat = (location: string, at = Date.now()) => redis.zadd(redisKeys.locations, at, location);
  const queue = (location: string) => {
    const q = new Queue(probeQueueName(location), { connection: { host: '127.0.0.1', port: 6379 }, prefix: `${api.config.REDIS_KEY_PREFIX}bull` });
    queues.push(q);
    return q;
  };
  const scheduled = async (location: string) => (await queue(location).getJobSchedulers(0, -1)).map((s) => s.key);

  beforeAll(async () => {
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0' });
    redis = api.redis();
    ({ token } = await api.failoverZone(zone));
    await heartbeat('eu-1');
    await heartbeat('us-1');
    await heartbeat('ap-1');
    // Known, but silent for an hour: stale.
    await heartbeat('sa-1', Date.now() - 3600_000);
  });
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    redis.disconnect();
    await api.close();
  });

  describe('bad input: 400 naming the field with the reason', () => {
    it.each([
      [{ quorum: { available: 1.2, unavailable: 0.2 } }, 'meta.failover.quorum.available', 'must be a share more than 0 and at most 1, such as 0.85 for 85%'],
      [{ quorum: { available: 0.9, unavailable: 0 } }, 'meta.failover.quorum.unavailable', 'must be a share more than 0 and at most 1, such as 0.85 for 85%'],
      [
        { quorum: { available: 0.6, unavailable: 0.3 } },
        'meta.failover.quorum',
        'available plus unavailable must be more than 1 (now 0.6 + 0.3), or a mix of results could count as both',
      ],
      [{ quorum: { available: 0.9, unavailable: 0.2, quorum: 2 } }, 'meta.failover.quorum.quorum', 'is not a known field'],
      [{ locations: [] }, 'meta.failover.locations', 'must name at least one probe site; leave it out for every site'],
      [{ locations: ['eu-1', 'Bad Site'] }, 'meta.failover.locations[1]', 'must be lowercase letters, digits and "-" (at most 63), such as eu-1'],
      [{ locations: ['eu-1', 'us-1', 'eu-1'] }, 'meta.failover.locations[2]', 'duplicates locations[0]'],
      [{ locations: ['eu-1', 'xx-9'] }, 'meta.failover.locations[1]', 'is not a known probe site; the known ones are ap-1, eu-1, sa-1, us-1'],
      [{ min_locations: 0 }, 'meta.failover.min_locations', 'must be at least 1'],
      [{ locations: ['eu-1', 'us-1'], min_locations: 3 }, 'meta.failover.min_locations', 'must be at most 2, the number of locations chosen'],
      [{ min_locations: 5 }, 'meta.failover.min_locations', 'must be at most 4, the number of probe sites known (ap-1, eu-1, sa-1, us-1)'],
      [{ min_healthy: 0 }, 'meta.failover.min_healthy', 'must be at least 1'],
      [{ min_healthy: 4 }, 'meta.failover.min_healthy', 'must be at most 3, the number of enabled records that are not backups'],
    ])('%j', async (extra, field, reason) => {
      const res = await put('bad', { resource_records: three, meta: { failover: { ...check, ...extra } } });
      expect(expectInvalid(res, field)).toBe(reason);
    });

    it('names the field of a batch upsert too, and changes nothing', async () => {
      const res = await api
        .http()
        .patch(`/v2/zones/${zone}/rrsets`)
        .set(apiKey(token))
        .send({ upserts: [{ name: `batch.${zone}`, type: 'A', resource_records: three, meta: { failover: { ...check, locations: ['nowhere'] } } }] });
      expect(expectInvalid(res, 'upserts[0].meta.failover.locations[0]')).toMatch(/^is not a known probe site; the known ones are /);
      await api.http().get(`/v2/zones/${zone}/batch.${zone}/A`).set(apiKey(token)).expect(404);
    });

    it('reads back a check with its own fields as sent, and a Gcore one without them', async () => {
      const own = { ...check, quorum: { available: 0.6, unavailable: 0.5 }, locations: ['eu-1', 'sa-1'], min_locations: 1, min_healthy: 2 };
      const saved = await put('own', { resource_records: three, meta: { failover: own } }).expect(201);
      expect(saved.body.meta.failover).toEqual(own);
      const plain = await put('plain', { resource_records: three, meta: { failover: check } }).expect(201);
      expect(plain.body.meta.failover).toEqual(check);
    });
  });

  describe('probe schedules follow the chosen sites', () => {
    let id: string;

    it('gives the check only to the reporting sites it names', async () => {
      const res = await put('sched', { resource_records: three, meta: { failover: { ...check, locations: ['eu-1', 'ap-1'] } } }).expect(201);
      id = res.body.id;
      expect(await scheduled('eu-1')).toContain(`check:${id}`);
      expect(await scheduled('ap-1')).toContain(`check:${id}`);
      expect(await scheduled('us-1')).not.toContain(`check:${id}`);
    });

    it('moves it when the list changes: a site taken off loses it, one added gets it', async () => {
      await put('sched', { resource_records: three, meta: { failover: { ...check, locations: ['us-1', 'ap-1'] } } }).expect(200);
      expect(await scheduled('eu-1')).not.toContain(`check:${id}`);
      expect(await scheduled('us-1')).toContain(`check:${id}`);
      expect(await scheduled('ap-1')).toContain(`check:${id}`);
    });

    it('the reconciler gives it to a chosen site that starts reporting later, and takes it from one not chosen', async () => {
      await put('sched', { resource_records: three, meta: { failover: { ...check, locations: ['us-1', 'sa-1'] } } }).expect(200);
      // sa-1 is stale: nothing is scheduled there until it beats again.
      expect(await scheduled('sa-1')).not.toContain(`check:${id}`);
      await heartbeat('sa-1');
      // A scheduler left where the check is not wanted (a sync that failed) is removed.
      await queue('eu-1').upsertJobScheduler(`check:${id}`, { every: 30_000 }, { name: 'check', data: {} });
      await api.app.get(SchedulerService).reconcile();
      expect(await scheduled('sa-1')).toContain(`check:${id}`);
      expect(await scheduled('eu-1')).not.toContain(`check:${id}`);
      expect(await scheduled('ap-1')).not.toContain(`check:${id}`);
      expect(await scheduled('us-1')).toContain(`check:${id}`);
      await heartbeat('sa-1', Date.now() - 3600_000);
    });

    it('check now asks only the chosen sites: none of them reporting is a 503 naming them', async () => {
      await put('quiet', { resource_records: three, meta: { failover: { ...check, locations: ['sa-1'] } } }).expect(201);
      const res = await api.http().post(`/v2/zones/${zone}/quiet.${zone}/A/check`).set(apiKey(token));
      expect(expectError(res, 503)).toBe('no probe location is reporting now of those the check names (sa-1), so nothing can run the check');
    });

    it('gives every reporting site the check again once it names none', async () => {
      await put('sched', { resource_records: three, meta: { failover: check } }).expect(200);
      for (const l of ['eu-1', 'us-1', 'ap-1']) expect(await scheduled(l)).toContain(`check:${id}`);
    });
  });

  describe('the health read-out', () => {
    const result = (location: string, ok: boolean, at = Date.now() - 1000): ProbeResult => ({
      ok,
      latency_ms: ok ? 3 : null,
      error: ok ? null : 'connection refused',
      at,
      location,
      frequency: 30,
    });
    const writeResults = async (checkId: string, address: string, results: ProbeResult[]) => {
      for (const r of results) await redis.hset(redisKeys.results(checkId, address), r.location, JSON.stringify(r));
    };
    const setState = (checkId: string, address: string, state: HealthState['state']) =>
      redis.hset(redisKeys.health, healthField(checkId, address), JSON.stringify({ checkId, address, state, since: Date.now(), reasons: {} }));

    it("shows the check's thresholds, sites and minimums, and per address the fresh counted locations", async () => {
      const failover = { ...check, quorum: { available: 0.6, unavailable: 0.5 }, locations: ['eu-1', 'us-1', 'sa-1'], min_locations: 2 };
      const res = await put('read', { resource_records: three, meta: { failover } }).expect(201);
      const id = res.body.id as string;
      // eu-1 and us-1 fresh; ap-1 fresh but not chosen; sa-1 chosen but its result is stale.
      await writeResults(id, '192.0.2.1', [result('eu-1', true), result('us-1', false), result('ap-1', false), result('sa-1', true, Date.now() - 600_000)]);
      await writeResults(id, '192.0.2.2', [result('eu-1', true)]);

      const h = await api.http().get(`/v2/zones/${zone}/read.${zone}/A/health`).set(apiKey(token)).expect(200);
      expect(h.body.quorum).toEqual({
        available: 0.6,
        unavailable: 0.5,
        own: true,
        locations: ['eu-1', 'us-1', 'sa-1'],
        checking: ['eu-1', 'us-1'],
        not_checking: ['sa-1'],
        min_locations: 2,
        min_healthy: 1,
      });
      const [a1, a2, a3] = h.body.addresses;
      expect(a1).toMatchObject({ address: '192.0.2.1', fresh_locations: 2, min_locations_met: true });
      expect(Object.fromEntries(a1.locations.map((l: { location: string; fresh: boolean; counted: boolean }) => [l.location, [l.fresh, l.counted]]))).toEqual({
        'ap-1': [true, false],
        'eu-1': [true, true],
        'sa-1': [false, false],
        'us-1': [true, true],
      });
      expect(a2).toMatchObject({ address: '192.0.2.2', fresh_locations: 1, min_locations_met: false });
      expect(a3).toMatchObject({ address: '192.0.2.3', fresh_locations: 0, min_locations_met: false });
    });

    it('shows the defaults for a check without its own fields', async () => {
      await put('defaults', { resource_records: three, meta: { failover: check } }).expect(201);
      const h = await api.http().get(`/v2/zones/${zone}/defaults.${zone}/A/health`).set(apiKey(token)).expect(200);
      expect(h.body.quorum).toEqual({
        available: 0.85,
        unavailable: 0.2,
        own: false,
        locations: null,
        checking: ['ap-1', 'eu-1', 'us-1'],
        not_checking: [],
        min_locations: 1,
        min_healthy: 1,
      });
    });

    it('serves the backups below min_healthy, and every address without backups', async () => {
      const backed = await put('backed', {
        resource_records: [...three, { content: ['198.51.100.1'], meta: { backup: true } }],
        meta: { failover: { ...check, min_healthy: 2 } },
      }).expect(201);
      const bare = await put('bare', { resource_records: three, meta: { failover: { ...check, min_healthy: 2 } } }).expect(201);
      const serving = async (name: string) =>
        (await api.http().get(`/v2/zones/${zone}/${name}.${zone}/A/health`).set(apiKey(token)).expect(200)).body.serving;

      await setState(backed.body.id, '192.0.2.1', 'unavailable');
      await setState(bare.body.id, '192.0.2.1', 'unavailable');
      expect(await serving('backed')).toEqual(['192.0.2.2', '192.0.2.3']);
      expect(await serving('bare')).toEqual(['192.0.2.2', '192.0.2.3']);

      await setState(backed.body.id, '192.0.2.2', 'unavailable');
      await setState(bare.body.id, '192.0.2.2', 'unavailable');
      expect(await serving('backed')).toEqual(['198.51.100.1']);
      expect(await serving('bare')).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    });
  });
});
