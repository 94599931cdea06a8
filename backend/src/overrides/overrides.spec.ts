// Drains, forced-ups and maintenance windows against the real api (PostgreSQL, Redis): what is
// stored, published to Redis for the DNS server, audited, refused with 400/404/409.
import { type CompiledRrset, healthField, redisKeys } from '@vigil/contract';
import { parseStoredRrset, rrsetField } from '@vigil/contract/redis';
import { until } from '@vigil/stack';
import type Redis from 'ioredis';
import { apiKey, expectError, expectInvalid, TestApi } from '../testing/test-app';

describe('address overrides (real PostgreSQL and Redis)', () => {
  let api: TestApi;
  let redis: Redis;
  let token: string;
  let otherToken: string;
  let agent: Awaited<ReturnType<TestApi['customer']>>['agent'];
  const check = { protocol: 'TCP', port: 80, frequency: 60, timeout: 5 };
  const base = (name: string, type = 'A') => `/v2/zones/ovr.example/${name}.ovr.example/${type}`;
  const put = async (name: string, addresses: string[], meta: object = { failover: check }, type = 'A') => {
    const r = await api
      .http()
      .put(base(name, type))
      .set(apiKey(token))
      .send({ resource_records: addresses.map((a) => ({ content: [a] })), meta });
    if (r.status >= 300) throw new Error(`PUT ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as { id: string };
  };
  const post = (name: string, body: object, t = token, type = 'A') => api.http().post(`${base(name, type)}/overrides`).set(apiKey(t)).send(body);
  const published = async (name: string, type = 'A'): Promise<CompiledRrset> => {
    const raw = await redis.hget(redisKeys.zone('ovr.example'), rrsetField(`${name}.ovr.example`, type));
    return parseStoredRrset(rrsetField(`${name}.ovr.example`, type), raw!)!.rrset!;
  };
  const setDown = (rrsetId: string, address: string) =>
    redis.hset(
      redisKeys.health,
      healthField(rrsetId, address),
      JSON.stringify({ checkId: rrsetId, address, state: 'unavailable', since: Date.now(), reasons: {} }),
    );
  const later = (ms: number) => new Date(Date.now() + ms).toISOString();

  beforeAll(async () => {
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0' });
    redis = api.redis();
    ({ agent, token } = await api.failoverZone('ovr.example'));
    const other = await api.customer('other');
    otherToken = await api.token(other.agent);
    await api.grantFailover(other.accountId);
  });
  afterAll(async () => {
    redis.disconnect();
    await api.close();
  });

  it('drains an address: stored, listed as active, published beside the check, audited; undone by DELETE', async () => {
    await put('www', ['192.0.2.1', '192.0.2.2']);
    const res = await post('www', { address: '192.0.2.1', action: 'drain', note: 'kernel update' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ address: '192.0.2.1', action: 'drain', drain: true, active: true, ends_at: null, next_change: null });
    const list = await api.http().get(`${base('www')}/overrides`).set(apiKey(token)).expect(200);
    expect(list.body.overrides.map((o: { id: string }) => o.id)).toEqual([res.body.id]);
    await until('the drain published', async () => (await published('www')).failover?.overrides?.length === 1);
    expect((await published('www')).failover!.overrides![0]).toMatchObject({ address: '192.0.2.1', mode: 'drain', until: null });
    const audit = (await agent.get('/v2/account/audit-log?action=override.create').expect(200)).body.events;
    expect(audit[0]).toMatchObject({ action: 'override.create', target: 'www.ovr.example/A' });
    expect(audit[0].details.override).toMatchObject({ address: '192.0.2.1', action: 'drain', note: 'kernel update' });

    await api.http().delete(`${base('www')}/overrides/${res.body.id}`).set(apiKey(token)).expect(204);
    await until('the undo published', async () => (await published('www')).failover?.overrides === undefined);
    expect((await api.http().get(`${base('www')}/overrides`).set(apiKey(token)).expect(200)).body.overrides).toEqual([]);
    expect((await agent.get('/v2/account/audit-log?action=override.delete').expect(200)).body.events).toHaveLength(1);
  });

  it('keeps the overrides when the record set is replaced, and publishes a window that starts later', async () => {
    await put('keep', ['192.0.2.1', '192.0.2.2']);
    const w = await post('keep', { address: '192.0.2.2', action: 'maintenance', starts_at: later(3600_000), ends_at: later(7200_000), drain: true });
    expect(w.status).toBe(201);
    expect(w.body).toMatchObject({ active: false, drain: true, recurrence: null });
    expect(Date.parse(w.body.next_change)).toBe(Date.parse(w.body.starts_at));
    await put('keep', ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    await until('the new record published', async () => (await published('keep')).records.length === 3);
    expect((await published('keep')).failover!.overrides).toEqual([expect.objectContaining({ address: '192.0.2.2', mode: 'drain' })]);
    // A window that does not drain alerts no one but changes no answer: not published.
    await post('keep', { address: '192.0.2.1', action: 'maintenance', ends_at: later(3600_000) }).expect(201);
    expect((await published('keep')).failover!.overrides).toHaveLength(1);
  });

  it('refuses with 409 what would leave no served address, or none up where one was, unless force', async () => {
    const { id } = await put('guard', ['192.0.2.1', '192.0.2.2']);
    await post('guard', { address: '192.0.2.1', action: 'drain' }).expect(201);
    const last = await post('guard', { address: '192.0.2.2', action: 'drain' });
    expect(expectError(last, 409)).toMatch(/no served address.*every enabled record would be drained.*force: true/);
    expect(last.body.reason).toBe('no_served_address');
    // 192.0.2.2 is the only one up: a drain of it (later, too) leaves only a failing one.
    await api.http().delete(`${base('guard')}/overrides/${(await list('guard'))[0]!.id}`).set(apiKey(token)).expect(204);
    await setDown(id, '192.0.2.1');
    const up = await post('guard', { address: '192.0.2.2', action: 'maintenance', drain: true, starts_at: later(60_000), ends_at: later(120_000) });
    expect(expectError(up, 409)).toMatch(/no served address that is up when it starts .*192\.0\.2\.1 failing/);
    // Forcing 192.0.2.1 up makes it count as up, so the drain is allowed; undoing the force-up is then refused.
    const force = await post('guard', { address: '192.0.2.1', action: 'force_up' });
    expect(force.status).toBe(201);
    await post('guard', { address: '192.0.2.2', action: 'drain' }).expect(201);
    const undo = await api.http().delete(`${base('guard')}/overrides/${force.body.id}`).set(apiKey(token));
    expect(expectError(undo, 409)).toMatch(/no served address that is up/);
    await api.http().delete(`${base('guard')}/overrides/${force.body.id}?force=true`).set(apiKey(token)).expect(204);
    const forced = (await agent.get('/v2/account/audit-log?action=override.delete').expect(200)).body.events[0];
    expect(forced.details).toMatchObject({ forced: true });
    // Draining everything with force serves nothing, as asked.
    await post('guard', { address: '192.0.2.1', action: 'drain', force: true }).expect(201);
  });

  it('holds a PUT of a failover record set to the guard: 409 when its enabled records would all be drained, unless force', async () => {
    await put('reput', ['192.0.2.1', '192.0.2.2']);
    await post('reput', { address: '192.0.2.1', action: 'drain' }).expect(201);
    const body = (enabled2: boolean, enabled1 = true) => ({
      resource_records: [
        { content: ['192.0.2.1'], enabled: enabled1 },
        { content: ['192.0.2.2'], enabled: enabled2 },
      ],
      meta: { failover: check },
    });
    // Disabling 192.0.2.2 leaves only the drained one.
    const refused = await api.http().put(base('reput')).set(apiKey(token)).send(body(false));
    expect(expectError(refused, 409)).toMatch(/reput\.ovr\.example A with no served address: every enabled record would be drained.*force/);
    expect(refused.body.reason).toBe('no_served_address');
    expect((await published('reput')).records.map((r) => r.enabled)).toEqual([true, true]);
    const bad = await api.http().put(`${base('reput')}?force=maybe`).set(apiKey(token)).send(body(false));
    expect(expectInvalid(bad, 'force')).toBe('must be true or false');
    await api.http().put(`${base('reput')}?force=true`).set(apiKey(token)).send(body(false)).expect(200);
    await until('the forced PUT published', async () => (await published('reput')).records[1]!.enabled === false);
    // Disabling every record is the customer's own choice (Gcore's clients cannot send force): no guard.
    await api.http().put(base('reput')).set(apiKey(token)).send(body(false, false)).expect(200);
    // A batch's upsert is held alike (and changes nothing else of the batch), with its own force.
    await api.http().put(base('reput')).set(apiKey(token)).send(body(true)).expect(200);
    const batch = { upserts: [{ name: 'other.ovr.example', type: 'A', resource_records: [{ content: ['192.0.2.7'] }] }, { name: 'reput.ovr.example', type: 'A', ...body(false) }] };
    const held = await api.http().patch('/v2/zones/ovr.example/rrsets').set(apiKey(token)).send(batch);
    expect(expectError(held, 409)).toMatch(/reput\.ovr\.example A with no served address/);
    await api.http().get(base('other')).set(apiKey(token)).expect(404);
    await api.http().patch('/v2/zones/ovr.example/rrsets?force=true').set(apiKey(token)).send(batch).expect(200);
    await api.http().get(base('other')).set(apiKey(token)).expect(200);
    // A record set without overrides, and a new address beside the drained one, pass as before.
    await api.http().put(base('reput')).set(apiKey(token)).send({ ...body(false), resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.9'] }] }).expect(200);
  });

  it('says which field is wrong: 400 with the field and the reason', async () => {
    await put('bad', ['192.0.2.1', '192.0.2.2']);
    expect(expectInvalid(await post('bad', { address: '192.0.2.9', action: 'drain' }), 'address')).toMatch(/192\.0\.2\.1, 192\.0\.2\.2/);
    expectInvalid(await post('bad', { address: '192.0.2.1', action: 'off' }), 'action');
    expectInvalid(await post('bad', { address: '192.0.2.1', action: 'maintenance' }), 'ends_at');
    expectInvalid(await post('bad', { address: '192.0.2.1', action: 'drain', ends_at: '2020-01-01T00:00:00Z' }), 'ends_at');
    expectInvalid(await post('bad', { address: '192.0.2.1', action: 'drain', starts_at: 'soon' }), 'starts_at');
    expectInvalid(await post('bad', { address: '192.0.2.1', action: 'force_up', recurrence: 'weekly' }), 'recurrence');
    expectInvalid(await post('bad', { address: '192.0.2.1', action: 'drain', extra: 1 }), 'extra');
    expectInvalid(await post('bad', { address: '192.0.2.1', action: 'drain', force: 'yes' }), 'force');
    const del = await api.http().delete(`${base('bad')}/overrides/x?force=maybe`).set(apiKey(token));
    expectInvalid(del, 'force');
    expect((await list('bad')).length).toBe(0);
  });

  it('takes AAAA addresses in any spelling, and keeps them as the record has them', async () => {
    await put('six', ['2001:db8::1', '2001:db8::2'], { failover: check }, 'AAAA');
    const r = await post('six', { address: '2001:0DB8:0:0::1', action: 'drain' }, token, 'AAAA');
    expect(r.status).toBe(201);
    expect(r.body.address).toBe('2001:db8::1');
  });

  it('needs a failover record set of the caller; another account gets 404', async () => {
    await put('plain', ['192.0.2.1'], {});
    expect(expectError(await post('plain', { address: '192.0.2.1', action: 'drain' }), 409)).toMatch(/no health check/);
    expect(expectError(await post('www', { address: '192.0.2.1', action: 'drain' }, otherToken), 404)).toMatch(/not found/);
    await api.http().get(`${base('www')}/overrides`).set(apiKey(otherToken)).expect(404);
    await api.http().delete(`${base('www')}/overrides/00000000-0000-0000-0000-000000000000`).set(apiKey(token)).expect(404);
  });

  async function list(name: string): Promise<{ id: string }[]> {
    return (await api.http().get(`${base(name)}/overrides`).set(apiKey(token)).expect(200)).body.overrides;
  }
});
