import type TestAgent from 'supertest/lib/agent';
import { apiKey, expectError, SUPPORT, TestApi } from '../testing/test-app';

/**
 * Two customers, A and B, on one api. Everything of A's is invisible to B: the answer is 404,
 * exactly as for something that does not exist (never 403, which would confirm it exists),
 * and nothing of A's data appears in B's answers.
 */
describe('tenant isolation (real PostgreSQL)', () => {
  let api: TestApi;
  let a: { agent: TestAgent; email: string; accountId: string };
  let b: { agent: TestAgent; email: string; accountId: string };
  let aToken: string;
  let bToken: string;
  let aTokenId: string;
  const zone = 'tenant-a.example';
  const record = `www.${zone}`;
  const body = { ttl: 60, resource_records: [{ content: ['203.0.113.66'] }] };

  beforeAll(async () => {
    api = await TestApi.start();
    a = await api.customer('a');
    b = await api.customer('b');
    aToken = await api.token(a.agent, 'a-token');
    bToken = await api.token(b.agent, 'b-token');
    aTokenId = (await a.agent.get('/v2/account/tokens').expect(200)).body.tokens[0].id;
    await api.http().post('/v2/zones').set(apiKey(aToken)).send({ name: zone }).expect(201);
    await api
      .http()
      .post(`/v2/zones/${zone}/${record}/A`)
      .set(apiKey(aToken))
      .send({ resource_records: [{ content: ['192.0.2.1'] }] })
      .expect(201);
    await api.http().post('/v2/zones').set(apiKey(bToken)).send({ name: 'tenant-b.example' }).expect(201);
  });
  afterAll(() => api.close());

  /** Every route of a zone, with a valid body where it takes one, so only the tenancy check can refuse it. */
  const zoneRoutes = (z: string, name: string): [string, (t: TestAgent) => ReturnType<TestAgent['get']>][] => [
    ['GET zone', (t) => t.get(`/v2/zones/${z}`)],
    ['PATCH zone', (t) => t.patch(`/v2/zones/${z}`).send({ refresh: 7200 })],
    ['DELETE zone', (t) => t.delete(`/v2/zones/${z}`)],
    ['GET rrsets', (t) => t.get(`/v2/zones/${z}/rrsets`)],
    ['GET rrset', (t) => t.get(`/v2/zones/${z}/${name}/A`)],
    ['POST rrset', (t) => t.post(`/v2/zones/${z}/new.${z}/A`).send(body)],
    ['PUT rrset (existing)', (t) => t.put(`/v2/zones/${z}/${name}/A`).send(body)],
    ['PUT rrset (new)', (t) => t.put(`/v2/zones/${z}/other.${z}/A`).send(body)],
    ['DELETE rrset', (t) => t.delete(`/v2/zones/${z}/${name}/A`)],
    ['DELETE apex NS', (t) => t.delete(`/v2/zones/${z}/${z}/NS`)],
    ['GET rrset health', (t) => t.get(`/v2/zones/${z}/${name}/A/health`)],
    ['GET rrset health events', (t) => t.get(`/v2/zones/${z}/${name}/A/health/events`)],
  ];

  const withToken = (token: string) => {
    const http = api.http();
    const set = (req: ReturnType<TestAgent['get']>) => req.set(apiKey(token));
    return {
      get: (u: string) => set(http.get(u)),
      post: (u: string) => set(http.post(u)),
      put: (u: string) => set(http.put(u)),
      patch: (u: string) => set(http.patch(u)),
      delete: (u: string) => set(http.delete(u)),
    } as unknown as TestAgent;
  };

  const snapshot = async () => {
    const t = apiKey(aToken);
    const zoneBody = (await api.http().get(`/v2/zones/${zone}`).set(t).expect(200)).body;
    const rrsets = (await api.http().get(`/v2/zones/${zone}/rrsets`).set(t).expect(200)).body;
    return { zoneBody, rrsets };
  };

  it.each(['API token', 'session', 'session with upper-case zone name'])(
    'B gets 404 on every route of A’s zone (%s), and A’s zone is untouched',
    async (how) => {
      const before = await snapshot();
      const caller = how === 'API token' ? withToken(bToken) : b.agent;
      const z = how.includes('upper-case') ? `${zone.toUpperCase()}.` : zone;
      for (const [label, call] of zoneRoutes(z, how.includes('upper-case') ? record.toUpperCase() : record)) {
        const res = await call(caller);
        if (res.status !== 404) throw new Error(`${label}: expected 404, got ${res.status} ${JSON.stringify(res.body)}`);
        expect(res.body).toEqual({ error: expect.stringMatching(/not found$/) });
        expect(JSON.stringify(res.body)).not.toContain('203.0.113');
        expect(JSON.stringify(res.body)).not.toContain('192.0.2.1');
      }
      expect(await snapshot()).toEqual(before);
    },
  );

  it('B’s answers for A’s zone are the same as for a zone that does not exist', async () => {
    for (const [label, call] of zoneRoutes('never-hosted.example', 'www.never-hosted.example')) {
      const theirs = await call(withToken(bToken));
      const mine = zoneRoutes(zone, record).find(([l]) => l === label)![1];
      const onA = await mine(withToken(bToken));
      expect({ label, status: onA.status, body: onA.body }).toEqual({ label, status: theirs.status, body: theirs.body });
    }
  });

  it('B’s zone list never shows A’s zone', async () => {
    for (const caller of [withToken(bToken), b.agent]) {
      const all = await caller.get('/v2/zones').expect(200);
      expect(all.body.zones.map((z: { name: string }) => z.name)).toEqual(['tenant-b.example']);
      expect(all.body.total_amount).toBe(1);
      const search = await caller.get(`/v2/zones?search=${zone}`).expect(200);
      expect(search.body).toEqual({ zones: [], total_amount: 0 });
    }
  });

  it('B cannot host A’s zone again, nor a zone below it', async () => {
    expectError(await api.http().post('/v2/zones').set(apiKey(bToken)).send({ name: zone }), 409);
    // A zone below A's would be the longest match for A's names on the shared name servers:
    // B would answer for www.tenant-a.example.
    expectError(await api.http().post('/v2/zones').set(apiKey(bToken)).send({ name: record }), 409);
    expectError(
      await api
        .http()
        .post('/v2/zones')
        .set(apiKey(bToken))
        .send({ name: `deep.sub.${zone}` }),
      409,
    );
    // A itself may split its zone.
    await api
      .http()
      .post('/v2/zones')
      .set(apiKey(aToken))
      .send({ name: `sub.${zone}` })
      .expect(201);
    await api.http().delete(`/v2/zones/sub.${zone}`).set(apiKey(aToken)).expect(204);
    const bZones = await api.http().get('/v2/zones').set(apiKey(bToken)).expect(200);
    expect(bZones.body.total_amount).toBe(1);
  });

  it('B’s token cannot revoke A’s token, nor see it', async () => {
    expectError(await b.agent.delete(`/v2/account/tokens/${aTokenId}`), 404);
    const list = await b.agent.get('/v2/account/tokens').expect(200);
    expect(list.body.tokens.map((t: { name: string }) => t.name)).toEqual(['b-token']);
    // A's token still works.
    await api.http().get('/v2/zones').set(apiKey(aToken)).expect(200);
  });

  it('B’s audit log has none of A’s events, A’s has none of B’s', async () => {
    const bLog = (await api.http().get('/v2/account/audit-log?limit=1000').set(apiKey(bToken)).expect(200)).body;
    const text = JSON.stringify(bLog);
    expect(text).not.toContain(zone);
    expect(text).not.toContain(a.email);
    expect(text).not.toContain('a-token');
    expect(bLog.events.length).toBeGreaterThan(0);
    const aLog = JSON.stringify((await api.http().get('/v2/account/audit-log?limit=1000').set(apiKey(aToken)).expect(200)).body);
    expect(aLog).not.toContain('tenant-b.example');
    expect(aLog).not.toContain(b.email);
  });

  it('B cannot see or remove A’s members, nor A’s feature requests', async () => {
    await api
      .http()
      .post('/v2/account/feature-requests')
      .set(apiKey(aToken))
      .send({ feature: 'failover', message: 'secret plans of A' })
      .expect(201);
    const bRequests = await api.http().get('/v2/account/feature-requests').set(apiKey(bToken)).expect(200);
    expect(bRequests.body).toEqual({ requests: [], total_amount: 0 });
    const aMembers = (await a.agent.get('/v2/account/members').expect(200)).body.members;
    expectError(await b.agent.delete(`/v2/account/members/${aMembers[0].user_id}`), 404);
    expect((await b.agent.get('/v2/account/members').expect(200)).body.members.map((m: { email: string }) => m.email)).toEqual([b.email]);
    expect((await a.agent.get('/v2/account/members').expect(200)).body.members).toEqual(aMembers);
  });

  it('X-Account-Id of an account the user is not a member of is 404', async () => {
    expectError(await b.agent.get('/v2/zones').set('X-Account-Id', a.accountId), 404);
    expectError(await b.agent.get('/v2/account').set('X-Account-Id', a.accountId), 404);
    expectError(await b.agent.get(`/v2/zones/${zone}`).set('X-Account-Id', a.accountId), 404);
    expectError(await b.agent.post('/v2/zones').set('X-Account-Id', a.accountId).send({ name: 'sneaky.example' }), 404);
    expectError(await b.agent.get('/v2/zones').set('X-Account-Id', '00000000-0000-4000-8000-000000000000'), 404);
    expectError(await b.agent.get('/v2/zones').set('X-Account-Id', 'not-a-uuid'), 404);
    // Support staff are members of no account either.
    const support = await api.support();
    expectError(await support.get('/v2/zones').set('X-Account-Id', a.accountId), 404);
    // Nothing was created in A's account.
    await api.http().get('/v2/zones/sneaky.example').set(apiKey(aToken)).expect(404);
    // Their own account works with or without the header.
    await b.agent.get('/v2/zones').set('X-Account-Id', b.accountId).expect(200);
    // An API token belongs to one account; the header cannot move it to another.
    const viaToken = await api.http().get('/v2/zones').set(apiKey(bToken)).set('X-Account-Id', a.accountId);
    expect(viaToken.status === 404 || viaToken.body.zones?.every((z: { name: string }) => z.name !== zone)).toBe(true);
    expectError(await api.http().get(`/v2/zones/${zone}`).set(apiKey(bToken)).set('X-Account-Id', a.accountId), 404);
  });

  it('a non-support user gets 403 on every /v2/admin route, with a session or a token', async () => {
    const routes: [string, (t: TestAgent) => ReturnType<TestAgent['get']>][] = [
      ['GET accounts', (t) => t.get('/v2/admin/accounts')],
      ['GET account', (t) => t.get(`/v2/admin/accounts/${a.accountId}`)],
      ['GET own account', (t) => t.get(`/v2/admin/accounts/${b.accountId}`)],
      ['PATCH account', (t) => t.patch(`/v2/admin/accounts/${b.accountId}`).send({ features: { failover: true } })],
      ['PATCH account, bad body', (t) => t.patch(`/v2/admin/accounts/${b.accountId}`).send({ nonsense: 1 })],
      ['GET feature requests', (t) => t.get('/v2/admin/feature-requests?status=pending')],
      [
        'PATCH feature request',
        (t) => t.patch('/v2/admin/feature-requests/00000000-0000-4000-8000-000000000000').send({ status: 'granted' }),
      ],
    ];
    for (const caller of [b.agent, withToken(bToken), a.agent]) {
      for (const [label, call] of routes) {
        const res = await call(caller);
        if (res.status !== 403) throw new Error(`${label}: expected 403, got ${res.status} ${JSON.stringify(res.body)}`);
        expect(res.body).toEqual({ error: expect.any(String) });
      }
    }
    // Nobody granted themselves anything.
    expect((await b.agent.get('/v2/account').expect(200)).body.features).toEqual({ failover: false });
    // Support itself can.
    const support = await api.support();
    await support.get('/v2/admin/accounts').expect(200);
    expect(SUPPORT.email).toBeTruthy();
  });
});
