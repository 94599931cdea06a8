import type TestAgent from 'supertest/lib/agent';
import { apiKey, expectError, expectInvalid, SUPPORT, TestApi } from '../testing/test-app';

describe('support console API and the failover beta gate (real PostgreSQL)', () => {
  let api: TestApi;
  let support: TestAgent;

  beforeAll(async () => {
    api = await TestApi.start();
    support = await api.support();
  });
  afterAll(() => api.close());

  const failoverBody = {
    ttl: 30,
    resource_records: [{ content: ['192.0.2.10'] }, { content: ['192.0.2.11'] }],
    meta: { failover: { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 } },
  };

  /** A customer with a token and a zone, ready to save failover record sets. */
  const customerWithZone = async (label: string) => {
    const c = await api.customer(label);
    const T = apiKey(await api.token(c.agent));
    const zone = `${label}.example`;
    await api.http().post('/v2/zones').set(T).send({ name: zone }).expect(201);
    const save = (name = `www.${zone}`) => api.http().put(`/v2/zones/${zone}/${name}/A`).set(T).send(failoverBody);
    return { ...c, T, zone, save };
  };

  it('grant flow: 403 with how to ask, request, 409 while pending, support grants, then saving works', async () => {
    const c = await customerWithZone('grant');
    expect((await api.http().get('/v2/account').set(c.T).expect(200)).body.features).toEqual({ failover: false });

    const denied = await c.save();
    expect(expectError(denied, 403)).toMatch(/beta/);
    expect(denied.body.error).toContain('POST /v2/account/feature-requests');
    expect(denied.body.error).toContain('"feature": "failover"');
    expect(denied.body.feature).toBe('failover');
    // POST is gated the same way, and nothing was stored.
    expectError(await api.http().post(`/v2/zones/${c.zone}/api.${c.zone}/A`).set(c.T).send(failoverBody), 403);
    expectError(await api.http().get(`/v2/zones/${c.zone}/www.${c.zone}/A`).set(c.T), 404);
    // Without failover the same record set is fine.
    await api
      .http()
      .put(`/v2/zones/${c.zone}/plain.${c.zone}/A`)
      .set(c.T)
      .send({ ...failoverBody, meta: {} })
      .expect(201);
    await api
      .http()
      .put(`/v2/zones/${c.zone}/nulled.${c.zone}/A`)
      .set(c.T)
      .send({ ...failoverBody, meta: { failover: null } })
      .expect(201);

    const request = await api
      .http()
      .post('/v2/account/feature-requests')
      .set(c.T)
      .send({ feature: 'failover', message: 'please' })
      .expect(201);
    expectError(await c.agent.post('/v2/account/feature-requests').send({ feature: 'failover' }), 409);

    const pending = await support.get('/v2/admin/feature-requests?status=pending').expect(200);
    const mine = pending.body.requests.find((r: { id: string }) => r.id === request.body.id);
    expect(mine).toEqual(request.body);
    const accountView = await support.get(`/v2/admin/accounts/${c.accountId}`).expect(200);
    expect(accountView.body).toMatchObject({ pending_requests: 1, features: { failover: false } });

    const decided = await support.patch(`/v2/admin/feature-requests/${request.body.id}`).send({ status: 'granted' }).expect(200);
    expect(decided.body).toMatchObject({
      id: request.body.id,
      status: 'granted',
      decided_by: `support:${SUPPORT.email}`,
      decided_at: expect.any(String),
    });
    expect(expectError(await support.patch(`/v2/admin/feature-requests/${request.body.id}`).send({ status: 'rejected' }), 409)).toContain(
      'granted',
    );

    expect((await api.http().get('/v2/account').set(c.T).expect(200)).body.features).toEqual({ failover: true });
    expect((await api.http().get('/v2/account/feature-requests').set(c.T).expect(200)).body.requests[0].status).toBe('granted');
    const saved = await c.save().expect(201);
    expect(saved.body.meta.failover).toEqual(failoverBody.meta.failover);
    // Nothing left to ask for.
    expect(expectError(await api.http().post('/v2/account/feature-requests').set(c.T).send({ feature: 'failover' }), 409)).toContain(
      'already enabled',
    );
    expect((await support.get(`/v2/admin/accounts/${c.accountId}`).expect(200)).body).toMatchObject({
      pending_requests: 0,
      features: { failover: true },
    });
  });

  it('revoke: support turns the feature off with PATCH /v2/admin/accounts/{id}; saving failover is 403 again', async () => {
    const c = await customerWithZone('revoke');
    const granted = await support
      .patch(`/v2/admin/accounts/${c.accountId}`)
      .send({ features: { failover: true } })
      .expect(200);
    expect(granted.body.features).toEqual({ failover: true });
    await c.save().expect(201);

    const revoked = await support
      .patch(`/v2/admin/accounts/${c.accountId}`)
      .send({ features: { failover: false } })
      .expect(200);
    expect(revoked.body).toMatchObject({ id: c.accountId, features: { failover: false } });
    expect((await api.http().get('/v2/account').set(c.T).expect(200)).body.features).toEqual({ failover: false });
    expectError(await c.save(), 403);
    expectError(await c.save(`new.${c.zone}`), 403);
    // The stored record set stays readable; it can be turned into a plain one.
    await api.http().get(`/v2/zones/${c.zone}/www.${c.zone}/A`).set(c.T).expect(200);
    const plain = await api
      .http()
      .put(`/v2/zones/${c.zone}/www.${c.zone}/A`)
      .set(c.T)
      .send({ ...failoverBody, meta: {} })
      .expect(200);
    expect(plain.body.meta).toEqual({});
    // And it can be asked for again.
    await api.http().post('/v2/account/feature-requests').set(c.T).send({ feature: 'failover' }).expect(201);
  });

  it('a direct grant closes the pending request as granted', async () => {
    const c = await customerWithZone('direct');
    const request = await api.http().post('/v2/account/feature-requests').set(c.T).send({ feature: 'failover' }).expect(201);
    await support
      .patch(`/v2/admin/accounts/${c.accountId}`)
      .send({ features: { failover: true } })
      .expect(200);
    const list = await api.http().get('/v2/account/feature-requests').set(c.T).expect(200);
    expect(list.body.requests).toEqual([
      expect.objectContaining({ id: request.body.id, status: 'granted', decided_by: `support:${SUPPORT.email}` }),
    ]);
    expectError(await support.patch(`/v2/admin/feature-requests/${request.body.id}`).send({ status: 'granted' }), 409);
    await c.save().expect(201);
  });

  it('rejection flow: the request is closed as rejected, the feature stays off, a new request may follow', async () => {
    const c = await customerWithZone('reject');
    const request = await c.agent.post('/v2/account/feature-requests').send({ feature: 'failover', message: 'pretty please' }).expect(201);
    const rejected = await support.patch(`/v2/admin/feature-requests/${request.body.id}`).send({ status: 'rejected' }).expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decided_by: `support:${SUPPORT.email}` });
    expect((await api.http().get('/v2/account').set(c.T).expect(200)).body.features).toEqual({ failover: false });
    expectError(await c.save(), 403);
    expect(
      (await api.http().get('/v2/account/feature-requests').set(c.T).expect(200)).body.requests.map((r: { status: string }) => r.status),
    ).toEqual(['rejected']);
    expectError(await support.patch(`/v2/admin/feature-requests/${request.body.id}`).send({ status: 'granted' }), 409);
    expect((await api.http().get('/v2/account').set(c.T).expect(200)).body.features).toEqual({ failover: false });
    const pendingIds = (await support.get('/v2/admin/feature-requests?status=pending').expect(200)).body.requests.map(
      (r: { id: string }) => r.id,
    );
    expect(pendingIds).not.toContain(request.body.id);
    const rejectedIds = (await support.get('/v2/admin/feature-requests?status=rejected').expect(200)).body.requests.map(
      (r: { id: string }) => r.id,
    );
    expect(rejectedIds).toContain(request.body.id);

    const again = await api
      .http()
      .post('/v2/account/feature-requests')
      .set(c.T)
      .send({ feature: 'failover', message: 'second try' })
      .expect(201);
    expect(again.body.status).toBe('pending');
  });

  it('lists accounts with owners, zone counts and pending requests; searches and paginates', async () => {
    const c = await customerWithZone('listed');
    await api.http().post('/v2/zones').set(c.T).send({ name: 'listed-two.example' }).expect(201);
    await api.http().post('/v2/account/feature-requests').set(c.T).send({ feature: 'failover' }).expect(201);

    const all = await support.get('/v2/admin/accounts').expect(200);
    expect(all.body.total_amount).toBe(all.body.accounts.length);
    const row = all.body.accounts.find((a: { id: string }) => a.id === c.accountId);
    expect(row).toEqual({
      id: c.accountId,
      name: c.email,
      features: { failover: false },
      owners: [c.email],
      zones_amount: 2,
      pending_requests: 1,
      created_at: expect.any(String),
    });
    expect(all.body.accounts[0].id).toBe(c.accountId); // newest first

    const byEmail = await support.get(`/v2/admin/accounts?search=${encodeURIComponent(c.email.toUpperCase())}`).expect(200);
    expect(byEmail.body.accounts.map((a: { id: string }) => a.id)).toEqual([c.accountId]);
    const none = await support.get('/v2/admin/accounts?search=%25nobody%25').expect(200);
    expect(none.body).toEqual({ accounts: [], total_amount: 0 });

    const page = await support.get('/v2/admin/accounts?limit=1&offset=1').expect(200);
    expect(page.body.accounts).toEqual([all.body.accounts[1]]);
    expect(page.body.total_amount).toBe(all.body.total_amount);
    const beyond = await support.get('/v2/admin/accounts?offset=1000').expect(200);
    expect(beyond.body).toEqual({ accounts: [], total_amount: all.body.total_amount });

    expect((await support.get(`/v2/admin/accounts/${c.accountId}`).expect(200)).body).toEqual(row);
  });

  it('lists feature requests oldest first, filtered by status and paginated', async () => {
    const all = await support.get('/v2/admin/feature-requests').expect(200);
    expect(all.body.total_amount).toBeGreaterThanOrEqual(4);
    const times = all.body.requests.map((r: { created_at: string }) => r.created_at);
    expect(times).toEqual([...times].sort());
    const page = await support.get('/v2/admin/feature-requests?limit=2&offset=1').expect(200);
    expect(page.body.requests).toEqual(all.body.requests.slice(1, 3));
    const pending = await support.get('/v2/admin/feature-requests?status=pending').expect(200);
    expect(pending.body.requests.every((r: { status: string }) => r.status === 'pending')).toBe(true);
  });

  it('answers 404 for accounts and requests that do not exist', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expectError(await support.get(`/v2/admin/accounts/${missing}`), 404);
    expectError(await support.get('/v2/admin/accounts/not-a-uuid'), 404);
    expectError(await support.patch(`/v2/admin/accounts/${missing}`).send({ features: { failover: true } }), 404);
    expectError(await support.patch('/v2/admin/accounts/not-a-uuid').send({ features: { failover: true } }), 404);
    expectError(await support.patch(`/v2/admin/feature-requests/${missing}`).send({ status: 'granted' }), 404);
    expectError(await support.patch('/v2/admin/feature-requests/42').send({ status: 'granted' }), 404);
  });

  it('validates admin bodies and queries', async () => {
    const c = await api.customer('validate');
    expectInvalid(await support.patch(`/v2/admin/accounts/${c.accountId}`).send({ features: { failover: 'yes' } }), 'features.failover');
    expectInvalid(await support.patch(`/v2/admin/accounts/${c.accountId}`).send({ features: { teleport: true } }), 'features.teleport');
    expectInvalid(await support.patch(`/v2/admin/accounts/${c.accountId}`).send({ features: true }), 'features');
    expectInvalid(await support.patch(`/v2/admin/accounts/${c.accountId}`).send({}), 'features');
    expectInvalid(await support.patch(`/v2/admin/accounts/${c.accountId}`).send({ name: 'x', features: { failover: true } }), 'name');
    const r = await api
      .http()
      .post('/v2/account/feature-requests')
      .set(apiKey(await api.token(c.agent)))
      .send({ feature: 'failover' })
      .expect(201);
    expectInvalid(await support.patch(`/v2/admin/feature-requests/${r.body.id}`).send({ status: 'pending' }), 'status');
    expectInvalid(await support.patch(`/v2/admin/feature-requests/${r.body.id}`).send({}), 'status');
    expectInvalid(await support.get('/v2/admin/feature-requests?status=open'), 'status');
    expectInvalid(await support.get('/v2/admin/feature-requests?limit=0'), 'limit');
    expectInvalid(await support.get('/v2/admin/accounts?limit=5000'), 'limit');
    expectInvalid(await support.get('/v2/admin/accounts?offset=-2'), 'offset');
    expectInvalid(await support.get(`/v2/admin/accounts?search=${'s'.repeat(255)}`), 'search');
    // None of the refused requests changed anything.
    expect((await support.get(`/v2/admin/accounts/${c.accountId}`).expect(200)).body).toMatchObject({
      features: { failover: false },
      pending_requests: 1,
    });
  });

  it('support staff have no API tokens and no account of their own', async () => {
    expectError(await support.post('/v2/account/tokens').send({ name: 'support-token' }), 403);
    expectError(await support.get('/v2/account'), 403);
  });
});
