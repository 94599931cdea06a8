import type TestAgent from 'supertest/lib/agent';
import { apiKey, expectError, SUPPORT, TestApi } from '../testing/test-app';

interface Event {
  id: number;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  created_at: string;
}

describe('audit log (real PostgreSQL)', () => {
  let api: TestApi;
  let owner: { agent: TestAgent; email: string; accountId: string };
  let T: { Authorization: string };
  let support: TestAgent;

  beforeAll(async () => {
    api = await TestApi.start();
    owner = await api.customer('owner');
    T = apiKey(await api.token(owner.agent, 'deployer'));
    support = await api.support();
  });
  afterAll(() => api.close());

  const log = async (query = 'limit=1000'): Promise<Event[]> =>
    (await owner.agent.get(`/v2/account/audit-log?${query}`).expect(200)).body.events;
  const count = async () => (await owner.agent.get('/v2/account/audit-log?limit=1').expect(200)).body.total_amount as number;
  /** The events written since `since` (an event id), oldest first. */
  const since = async (id: number) => (await log()).filter((e) => e.id > id).reverse();
  const lastId = async () => (await log('limit=1'))[0]?.id ?? 0;

  it('records every change of zones, record sets, tokens, members, the account and features, with actor, action, target, details and time', async () => {
    const start = await lastId();
    const before = Date.now();
    const rr = '/v2/zones/audit.example/www.audit.example/A';

    // Zones and record sets, by an API token.
    await api.http().post('/v2/zones').set(T).send({ name: 'audit.example' }).expect(201);
    await api.http().patch('/v2/zones/audit.example').set(T).send({ refresh: 7200 }).expect(200);
    await api
      .http()
      .post(rr)
      .set(T)
      .send({ resource_records: [{ content: ['192.0.2.1'] }] })
      .expect(201);
    await api
      .http()
      .put(rr)
      .set(T)
      .send({ ttl: 60, resource_records: [{ content: ['192.0.2.2'] }] })
      .expect(200);
    await api.http().delete(rr).set(T).expect(204);
    // Tokens, members and the account, by the owner's session.
    const token = await owner.agent.post('/v2/account/tokens').send({ name: 'temp' }).expect(201);
    await owner.agent.delete(`/v2/account/tokens/${token.body.id}`).expect(204);
    const other = await api.customer('colleague');
    await owner.agent.post('/v2/account/members').send({ email: other.email, role: 'member' }).expect(201);
    await owner.agent.post('/v2/account/members').send({ email: other.email, role: 'owner' }).expect(201);
    const memberId = (await owner.agent.get('/v2/account/members').expect(200)).body.members.find(
      (m: { email: string }) => m.email === other.email,
    ).user_id;
    await owner.agent.delete(`/v2/account/members/${memberId}`).expect(204);
    const oldName = (await owner.agent.get('/v2/account').expect(200)).body.name;
    await owner.agent.patch('/v2/account').send({ name: 'Audited Ltd' }).expect(200);
    // Features: asked for by the token, decided by support.
    const request = await api.http().post('/v2/account/feature-requests').set(T).send({ feature: 'failover', message: 'go' }).expect(201);
    await support.patch(`/v2/admin/feature-requests/${request.body.id}`).send({ status: 'granted' }).expect(200);
    await support
      .patch(`/v2/admin/accounts/${owner.accountId}`)
      .send({ features: { failover: false } })
      .expect(200);
    const second = await owner.agent.post('/v2/account/feature-requests').send({ feature: 'failover' }).expect(201);
    await support.patch(`/v2/admin/feature-requests/${second.body.id}`).send({ status: 'rejected' }).expect(200);
    await api.http().delete('/v2/zones/audit.example').set(T).expect(204);

    const events = await since(start);
    const user = `user:${owner.email}`;
    const sup = `support:${SUPPORT.email}`;
    expect(events.map((e) => [e.actor, e.action, e.target])).toEqual([
      ['token:deployer', 'zone.create', 'audit.example'],
      ['token:deployer', 'zone.update', 'audit.example'],
      ['token:deployer', 'rrset.create', 'www.audit.example/A'],
      ['token:deployer', 'rrset.update', 'www.audit.example/A'],
      ['token:deployer', 'rrset.delete', 'www.audit.example/A'],
      [user, 'token.create', 'temp'],
      [user, 'token.revoke', 'temp'],
      [user, 'member.add', other.email],
      [user, 'member.update', other.email],
      [user, 'member.remove', other.email],
      [user, 'account.update', 'Audited Ltd'],
      ['token:deployer', 'feature.request', 'failover'],
      [sup, 'feature.grant', 'failover'],
      [sup, 'feature.revoke', 'failover'],
      [user, 'feature.request', 'failover'],
      [sup, 'feature.reject', 'failover'],
      ['token:deployer', 'zone.delete', 'audit.example'],
    ]);

    const by = (action: string) => events.find((e) => e.action === action)!;
    expect(by('zone.update').details).toEqual({ before: { refresh: 3600 }, after: { refresh: 7200 } });
    expect(by('rrset.create').details).toEqual({
      after: { ttl: 300, resource_records: [{ content: ['192.0.2.1'], enabled: true, meta: {} }], pickers: [], meta: {} },
    });
    expect(by('rrset.update').details).toEqual({
      before: { ttl: 300, resource_records: [{ content: ['192.0.2.1'], enabled: true, meta: {} }], pickers: [], meta: {} },
      after: { ttl: 60, resource_records: [{ content: ['192.0.2.2'], enabled: true, meta: {} }], pickers: [], meta: {} },
    });
    expect(by('rrset.delete').details).toEqual({
      before: { ttl: 60, resource_records: [{ content: ['192.0.2.2'], enabled: true, meta: {} }], pickers: [], meta: {} },
    });
    expect(by('token.create').details).toEqual({ token_id: token.body.id });
    expect(by('token.revoke').details).toEqual({ token_id: token.body.id });
    expect(by('member.add').details).toEqual({ role: 'member' });
    expect(by('account.update').details).toEqual({ before: { name: oldName }, after: { name: 'Audited Ltd' } });
    expect(by('feature.request').details).toEqual({ message: 'go' });
    expect(by('zone.delete').details).toEqual({ rrsets: 1 });

    for (const e of events) {
      const at = Date.parse(e.created_at);
      expect(new Date(at).toISOString()).toBe(e.created_at);
      expect(at).toBeGreaterThanOrEqual(before - 60_000);
      expect(at).toBeLessThanOrEqual(Date.now() + 60_000);
    }
    // Secrets never reach the log.
    expect(JSON.stringify(events)).not.toContain(token.body.token);
  });

  it('writes nothing when a change is refused', async () => {
    await api.http().post('/v2/zones').set(T).send({ name: 'refused.example' }).expect(201);
    await api
      .http()
      .post('/v2/zones/refused.example/www.refused.example/A')
      .set(T)
      .send({ resource_records: [{ content: ['192.0.2.1'] }] })
      .expect(201);
    const n = await count();

    await api.http().post('/v2/zones').set(T).send({ name: 'refused.example' }).expect(409);
    await api.http().post('/v2/zones').set(T).send({ name: 'bad name' }).expect(400);
    await api
      .http()
      .post('/v2/zones/refused.example/www.refused.example/A')
      .set(T)
      .send({ resource_records: [{ content: ['192.0.2.9'] }] })
      .expect(409);
    await api
      .http()
      .put('/v2/zones/refused.example/www.refused.example/A')
      .set(T)
      .send({ resource_records: [{ content: ['nope'] }] })
      .expect(400);
    await api
      .http()
      .put('/v2/zones/refused.example/www.refused.example/CNAME')
      .set(T)
      .send({ resource_records: [{ content: ['x.example'] }] })
      .expect(400);
    await api
      .http()
      .put('/v2/zones/refused.example/www.refused.example/A')
      .set(T)
      .send({ resource_records: [{ content: ['192.0.2.1'] }], meta: { failover: { protocol: 'ICMP', frequency: 60, timeout: 5 } } })
      .expect(403);
    await api.http().delete('/v2/zones/refused.example/refused.example/NS').set(T).expect(400);
    await api.http().delete('/v2/zones/refused.example/nothing.refused.example/A').set(T).expect(404);
    await api.http().patch('/v2/zones/refused.example').set(T).send({ refresh: 1 }).expect(400);
    await owner.agent.delete('/v2/account/tokens/00000000-0000-4000-8000-000000000000').expect(404);
    await owner.agent.post('/v2/account/members').send({ email: 'ghost@example.com' }).expect(404);
    await api.http().patch('/v2/account').set(T).send({ name: 'by token' }).expect(403);

    expect(await count()).toBe(n);
  });

  it('writes the audit row in the same transaction as the change: when the row cannot be written, the change is undone', async () => {
    const ds = api.ds();
    // Make audit rows about one target impossible to insert.
    await ds.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_test_refuse CHECK (target NOT LIKE '%atomic.example%')`);
    try {
      const n = await count();
      expectError(await api.http().post('/v2/zones').set(T).send({ name: 'atomic.example' }), 500);
      await api.http().get('/v2/zones/atomic.example').set(T).expect(404);
      const [{ zones }] = await ds.query(`SELECT count(*)::int AS zones FROM zones WHERE name = 'atomic.example'`);
      expect(zones).toBe(0);
      expect(await count()).toBe(n);
    } finally {
      await ds.query('ALTER TABLE audit_events DROP CONSTRAINT audit_test_refuse');
    }

    // Now with an existing zone: a record set change is undone with its audit row.
    await api.http().post('/v2/zones').set(T).send({ name: 'atomic.example' }).expect(201);
    const serial = (await api.http().get('/v2/zones/atomic.example').set(T).expect(200)).body.serial;
    await ds.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_test_refuse CHECK (target NOT LIKE 'www.atomic.example%')`);
    try {
      const n = await count();
      expectError(
        await api
          .http()
          .post('/v2/zones/atomic.example/www.atomic.example/A')
          .set(T)
          .send({ resource_records: [{ content: ['192.0.2.1'] }] }),
        500,
      );
      await api.http().get('/v2/zones/atomic.example/www.atomic.example/A').set(T).expect(404);
      expect((await api.http().get('/v2/zones/atomic.example').set(T).expect(200)).body.serial).toBe(serial);
      expect(await count()).toBe(n);
    } finally {
      await ds.query('ALTER TABLE audit_events DROP CONSTRAINT audit_test_refuse');
    }
    await api
      .http()
      .post('/v2/zones/atomic.example/www.atomic.example/A')
      .set(T)
      .send({ resource_records: [{ content: ['192.0.2.1'] }] })
      .expect(201);
  });

  it('is readable by owners and API tokens, and 403 for members', async () => {
    const member = await api.customer('member');
    await api.addMember(owner.agent, member.email, 'member');
    const asMember = member.agent.get('/v2/account/audit-log').set('X-Account-Id', owner.accountId);
    expect(expectError(await asMember, 403)).toContain('owner');
    const bySession = await owner.agent.get('/v2/account/audit-log').expect(200);
    const byToken = await api.http().get('/v2/account/audit-log').set(T).expect(200);
    expect(byToken.body).toEqual(bySession.body);
    // The member reads the log of the account they own.
    await member.agent.get('/v2/account/audit-log').expect(200);
    expectError(await api.http().get('/v2/account/audit-log'), 401);
  });

  it('filters by action and paginates, newest first', async () => {
    const creates = await log('action=zone.create');
    expect(creates.length).toBeGreaterThanOrEqual(3);
    expect(creates.every((e) => e.action === 'zone.create')).toBe(true);
    expect(creates.map((e) => e.id)).toEqual([...creates.map((e) => e.id)].sort((a, b) => b - a));
    const all = await log();
    const page = await log('limit=3&offset=2');
    expect(page).toEqual(all.slice(2, 5));
    expect(await log('action=nothing.like.this')).toEqual([]);
  });
});
