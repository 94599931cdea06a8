import type TestAgent from 'supertest/lib/agent';
import { apiKey, expectError, expectInvalid, TestApi } from '../testing/test-app';

describe('account, members and feature requests API (real PostgreSQL)', () => {
  let api: TestApi;
  let owner: { agent: TestAgent; email: string; accountId: string };
  let member: { agent: TestAgent; email: string; accountId: string };
  let T: { Authorization: string };
  /** The member acting in the owner's account. */
  const asMember = (req: ReturnType<TestAgent['get']>) => req.set('X-Account-Id', owner.accountId);

  beforeAll(async () => {
    api = await TestApi.start();
    owner = await api.customer('owner');
    member = await api.customer('member');
    T = apiKey(await api.token(owner.agent, 'robot'));
  });
  afterAll(() => api.close());

  it('GET /v2/account shows the account, its features and the caller’s role', async () => {
    const bySession = await owner.agent.get('/v2/account').expect(200);
    expect(bySession.body).toEqual({
      id: owner.accountId,
      name: owner.email,
      features: { failover: false },
      role: 'owner',
      created_at: expect.any(String),
    });
    const byToken = await api.http().get('/v2/account').set(T).expect(200);
    expect(byToken.body).toEqual({ ...bySession.body, role: 'token' });
  });

  it('PATCH /v2/account renames it (owners only) and validates the name', async () => {
    const res = await owner.agent.patch('/v2/account').send({ name: '  Acme DNS  ' }).expect(200);
    expect(res.body).toMatchObject({ id: owner.accountId, name: 'Acme DNS', role: 'owner' });
    expect((await owner.agent.get('/v2/account').expect(200)).body.name).toBe('Acme DNS');
    expectInvalid(await owner.agent.patch('/v2/account').send({ name: '' }), 'name');
    expectInvalid(await owner.agent.patch('/v2/account').send({ name: 'x'.repeat(101) }), 'name');
    expectInvalid(await owner.agent.patch('/v2/account').send({}), 'name');
    expectInvalid(await owner.agent.patch('/v2/account').send({ name: 'ok', features: { failover: true } }), 'features');
    expectError(await api.http().patch('/v2/account').set(T).send({ name: 'Token Rename' }), 403);
    expect((await owner.agent.get('/v2/account').expect(200)).body).toMatchObject({ name: 'Acme DNS', features: { failover: false } });
  });

  describe('members', () => {
    it('adds a signed-up user as a member, lists members, and the member sees the account', async () => {
      const added = await owner.agent.post('/v2/account/members').send({ email: member.email.toUpperCase() }).expect(201);
      expect(added.body).toEqual({ user_id: expect.any(String), email: member.email, role: 'member', created_at: expect.any(String) });
      const list = await owner.agent.get('/v2/account/members').expect(200);
      expect(list.body.members.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
        [owner.email, 'owner'],
        [member.email, 'member'],
      ]);
      const account = await asMember(member.agent.get('/v2/account')).expect(200);
      expect(account.body).toMatchObject({ id: owner.accountId, role: 'member' });
      // Members see the member list too (in the panel), but tokens do not.
      await asMember(member.agent.get('/v2/account/members')).expect(200);
      expectError(await api.http().get('/v2/account/members').set(T), 403);
    });

    it('refuses to add a user who has not signed up (404), or twice with the same role (409)', async () => {
      expect(expectError(await owner.agent.post('/v2/account/members').send({ email: 'nobody@example.com' }), 404)).toContain('sign up');
      expectError(await owner.agent.post('/v2/account/members').send({ email: member.email, role: 'member' }), 409);
      expectInvalid(await owner.agent.post('/v2/account/members').send({ email: 'not-an-address' }), 'email');
      expectInvalid(await owner.agent.post('/v2/account/members').send({ email: member.email, role: 'admin' }), 'role');
      expectInvalid(await owner.agent.post('/v2/account/members').send({ email: member.email, user_id: 'x' }), 'user_id');
    });

    it('lets members work on zones, but not manage the account', async () => {
      await asMember(member.agent.post('/v2/zones')).send({ name: 'member-made.example' }).expect(201);
      await asMember(member.agent.post('/v2/zones/member-made.example/www.member-made.example/A'))
        .send({ resource_records: [{ content: ['192.0.2.1'] }] })
        .expect(201);
      await asMember(member.agent.post('/v2/account/feature-requests')).send({ feature: 'failover' }).expect(201);
      await asMember(member.agent.get('/v2/account/feature-requests')).expect(200);
      for (const [label, req] of [
        ['rename', asMember(member.agent.patch('/v2/account')).send({ name: 'Mine now' })],
        ['add member', asMember(member.agent.post('/v2/account/members')).send({ email: member.email, role: 'owner' })],
        ['remove member', asMember(member.agent.delete(`/v2/account/members/${member.accountId}`))],
        ['audit log', asMember(member.agent.get('/v2/account/audit-log'))],
        ['tokens', asMember(member.agent.get('/v2/account/tokens'))],
        ['create token', asMember(member.agent.post('/v2/account/tokens')).send({ name: 'sneaky' })],
      ] as const) {
        const res = await req;
        if (res.status !== 403) throw new Error(`${label}: expected 403, got ${res.status}`);
      }
      // Tokens cannot manage members either.
      expectError(await api.http().post('/v2/account/members').set(T).send({ email: member.email, role: 'owner' }), 403);
      expect(
        (await owner.agent.get('/v2/account/members').expect(200)).body.members.find((m: { email: string }) => m.email === member.email)
          .role,
      ).toBe('member');
    });

    it('changes a role, keeps at least one owner, and removes members', async () => {
      const promoted = await owner.agent.post('/v2/account/members').send({ email: member.email, role: 'owner' }).expect(201);
      expect(promoted.body.role).toBe('owner');
      await asMember(member.agent.get('/v2/account/audit-log')).expect(200);
      const members = (await owner.agent.get('/v2/account/members').expect(200)).body.members as { user_id: string; email: string }[];
      const ownerId = members.find((m) => m.email === owner.email)!.user_id;
      const memberId = promoted.body.user_id as string;

      // Two owners: either may go. The promoted one removes the original owner...
      await asMember(member.agent.delete(`/v2/account/members/${ownerId}`)).expect(204);
      expectError(await owner.agent.get('/v2/account').set('X-Account-Id', owner.accountId), 404);
      // ...and, as the last owner, can neither leave nor demote themselves.
      expect(expectError(await asMember(member.agent.delete(`/v2/account/members/${memberId}`)), 409)).toContain('owner');
      expectError(await asMember(member.agent.post('/v2/account/members')).send({ email: member.email, role: 'member' }), 409);

      // Put things back as they were for the other tests.
      await asMember(member.agent.post('/v2/account/members')).send({ email: owner.email, role: 'owner' }).expect(201);
      await owner.agent.delete(`/v2/account/members/${memberId}`).expect(204);
      expectError(await asMember(member.agent.get('/v2/account')), 404);
      expectError(await owner.agent.delete(`/v2/account/members/${memberId}`), 404);
      expectError(await owner.agent.delete('/v2/account/members/not-a-uuid'), 404);
      expect((await owner.agent.get('/v2/account/members').expect(200)).body.members.map((m: { email: string }) => m.email)).toEqual([
        owner.email,
      ]);
    });
  });

  describe('feature requests', () => {
    it('files a request, lists it, and refuses a second one while it is pending', async () => {
      const fresh = await api.customer('requester');
      const t = apiKey(await api.token(fresh.agent, 'req-bot'));
      expect((await api.http().get('/v2/account/feature-requests').set(t).expect(200)).body).toEqual({ requests: [], total_amount: 0 });
      const created = await fresh.agent
        .post('/v2/account/feature-requests')
        .send({ feature: 'failover', message: 'for our shop' })
        .expect(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        account_id: fresh.accountId,
        feature: 'failover',
        status: 'pending',
        message: 'for our shop',
        requested_by: `user:${fresh.email}`,
        created_at: expect.any(String),
        decided_at: null,
        decided_by: null,
      });
      expect(expectError(await api.http().post('/v2/account/feature-requests').set(t).send({ feature: 'failover' }), 409)).toContain(
        'pending',
      );
      const list = await api.http().get('/v2/account/feature-requests').set(t).expect(200);
      expect(list.body).toEqual({ requests: [created.body], total_amount: 1 });
    });

    it('validates the request body', async () => {
      expectInvalid(await owner.agent.post('/v2/account/feature-requests').send({ feature: 'teleport' }), 'feature');
      expectInvalid(await owner.agent.post('/v2/account/feature-requests').send({}), 'feature');
      expectInvalid(
        await owner.agent.post('/v2/account/feature-requests').send({ feature: 'failover', message: 'x'.repeat(2001) }),
        'message',
      );
      expectInvalid(await owner.agent.post('/v2/account/feature-requests').send({ feature: 'failover', message: 5 }), 'message');
      expectInvalid(await owner.agent.post('/v2/account/feature-requests').send({ feature: 'failover', status: 'granted' }), 'status');
    });
  });

  it('GET /v2/account/audit-log is for owners and tokens, paginated and filterable', async () => {
    const bySession = await owner.agent.get('/v2/account/audit-log').expect(200);
    const byToken = await api.http().get('/v2/account/audit-log').set(T).expect(200);
    expect(byToken.body).toEqual(bySession.body);
    expect(bySession.body.total_amount).toBe(bySession.body.events.length);
    const ids = bySession.body.events.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((x: number, y: number) => y - x));

    const page = await owner.agent.get('/v2/account/audit-log?limit=2&offset=1').expect(200);
    expect(page.body.events).toEqual(bySession.body.events.slice(1, 3));
    expect(page.body.total_amount).toBe(bySession.body.total_amount);
    const renames = await owner.agent.get('/v2/account/audit-log?action=account.update').expect(200);
    expect(renames.body.events.map((e: { action: string }) => e.action)).toEqual(['account.update']);
    expectInvalid(await owner.agent.get('/v2/account/audit-log?limit=0'), 'limit');
    expectInvalid(await owner.agent.get('/v2/account/audit-log?offset=-1'), 'offset');
    expectInvalid(await owner.agent.get(`/v2/account/audit-log?action=${'x'.repeat(101)}`), 'action');
  });
});
