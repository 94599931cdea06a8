import { compiledOf, readZone } from '@vigil/contract/redis';
import { TEST_REDIS_URL, until } from '@vigil/stack';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { apiKey, TestApi } from '../testing/test-app';
import { delivered } from './outbox.service';

/**
 * Changes committed in PostgreSQL reach Redis although the publish after the commit failed, or the
 * process that committed them died first. The periodic reconcile is an hour away in both, so only
 * the outbox can bring them.
 */
jest.setTimeout(30_000);

describe('the publish outbox (real PostgreSQL and Redis)', () => {
  // The api talks to Redis as a user of its own, whose writes this test can take away and give
  // back: a Redis that fails the api's writes while the shared server goes on serving others.
  const user = `vigil-outbox-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let admin: Redis;
  let api: TestApi;
  let redis: Redis;
  let token: string;

  const acl = (...rules: string[]) => admin.call('ACL', 'SETUSER', user, ...rules);
  const content = async (zone: string, name: string) => {
    const stored = await readZone(redis, zone);
    const rrset = stored && compiledOf(stored).rrsets.find((r) => r.name === name && r.type === 'A');
    return rrset ? rrset.records.map((r) => r.content[0]) : null;
  };
  /** Until Redis serves this address for www.<zone>. */
  const served = (zone: string, ip: string) =>
    until(`${ip} for www.${zone} in Redis`, async () => (await content(zone, `www.${zone}`))?.[0] === ip, 15_000);
  /** Until every row is delivered and deleted. */
  const drained = () => until('an empty outbox', async () => (await api.ds().query(`SELECT 1 FROM publish_outbox`)).length === 0, 10_000);
  const put = (zone: string, ip: string) =>
    api
      .http()
      .put(`/v2/zones/${zone}/www.${zone}/A`)
      .set(apiKey(token))
      .send({ resource_records: [{ content: [ip] }] });

  beforeAll(async () => {
    admin = new Redis(TEST_REDIS_URL);
    const prefix = `vigil_outbox_${randomBytes(4).toString('hex')}:`;
    await acl('reset', 'on', `>${password}`, `~${prefix}*`, '&*', '+@all');
    const url = new URL(TEST_REDIS_URL);
    url.username = user;
    url.password = password;
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '3600', REDIS_URL: url.toString(), REDIS_KEY_PREFIX: prefix });
    redis = api.redis();
    token = await api.token((await api.customer()).agent);
  });
  afterAll(async () => {
    await acl('on', '+@all');
    redis?.disconnect();
    await api?.close();
    await admin.call('ACL', 'DELUSER', user);
    admin.disconnect();
  });

  it('publishes a change whose publish after the commit failed, once Redis takes writes again', async () => {
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'lost.example' }).expect(201);
    await put('lost.example', '192.0.2.1').expect(201);
    expect(await content('lost.example', 'www.lost.example')).toEqual(['192.0.2.1']);

    await acl('-@write');
    // Committed in PostgreSQL; the publish after it fails (NOPERM), and the api still answers.
    await put('lost.example', '192.0.2.2').expect(200);
    const rows = await api.ds().query(`SELECT zone_name FROM publish_outbox`);
    expect(rows.map((r: { zone_name: string }) => r.zone_name)).toContain('lost.example');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await content('lost.example', 'www.lost.example')).toEqual(['192.0.2.1']);

    await acl('+@all');
    await served('lost.example', '192.0.2.2');
    // Delivered: the relay empties the outbox.
    await drained();
  });

  it('publishes a change committed by a process that died before publishing it', async () => {
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'orphan.example' }).expect(201);
    await put('orphan.example', '192.0.2.1').expect(201);
    await drained();

    // Another writer (as the CLI or a second api would) commits a change and is gone.
    const other = new Client({ connectionString: api.config.DATABASE_URL, application_name: 'vigil gone-writer' });
    await other.connect();
    await other.query(
      `SELECT rrset_put($1, a.id, $2, 'A', 300, $3::jsonb, '[]'::jsonb, '{}'::jsonb, false, '{}', 'test')
      FROM accounts a JOIN zones z ON z.account_id = a.id WHERE z.name = $1`,
      ['orphan.example', 'www.orphan.example', JSON.stringify([{ content: ['192.0.2.9'], enabled: true, meta: {} }])],
    );
    const owners = await api.ds().query(`SELECT owner FROM publish_outbox WHERE zone_name = 'orphan.example'`);
    expect(owners).toEqual([{ owner: 'vigil gone-writer' }]);
    await other.end();

    await served('orphan.example', '192.0.2.9');
    await drained();
  });

  it('publishes the deletion of a zone whose unpublish failed', async () => {
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'gone.example' }).expect(201);
    await put('gone.example', '192.0.2.1').expect(201);
    await acl('-@write');
    await api.http().delete('/v2/zones/gone.example').set(apiKey(token)).expect(204);
    expect(await readZone(redis, 'gone.example')).not.toBeNull();
    await acl('+@all');
    await until('the zone gone from Redis', async () => (await readZone(redis, 'gone.example')) === null, 15_000);
  });
});

describe('delivered (when an outbox row is done)', () => {
  const row = (served: boolean, version = 10) => ({ id: '1', zoneId: 'z', zoneName: 'a.example', version, served, owner: 'o' });
  it('a served change: Redis holds that version or later, served or deleted', () => {
    expect(delivered(row(true), undefined)).toBe(false);
    expect(delivered(row(true), { version: 9, served: true })).toBe(false);
    expect(delivered(row(true), { version: 10, served: true })).toBe(true);
    expect(delivered(row(true), { version: 11, served: false })).toBe(true);
  });
  it('a removal: Redis does not serve the zone, or serves a later version of it', () => {
    expect(delivered(row(false), undefined)).toBe(true);
    expect(delivered(row(false), { version: 10, served: true })).toBe(false);
    expect(delivered(row(false), { version: 10, served: false })).toBe(true);
    expect(delivered(row(false), { version: 11, served: true })).toBe(true);
  });
});
