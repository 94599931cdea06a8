import { apiKey, TestApi } from '../testing/test-app';

describe('record sets API (real PostgreSQL)', () => {
  let api: TestApi;
  let token: string;
  let accountId: string;
  const zone = 'shop.example';

  beforeAll(async () => {
    api = await TestApi.start();
    const c = await api.customer();
    accountId = c.accountId;
    token = await api.token(c.agent);
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: zone }).expect(201);
  });
  afterAll(() => api.close());

  const failoverBody = {
    ttl: 30,
    resource_records: [{ content: ['192.0.2.10'] }, { content: ['192.0.2.11'] }, { content: ['192.0.2.12'] }],
    pickers: [],
    meta: { failover: { protocol: 'HTTP', port: 80, frequency: 60, timeout: 10, method: 'GET', url: '/health', host: 'shop.example', http_status_code: 200, regexp: 'ok' } },
  };

  it('gates failover behind the beta feature, then stores it once support grants it', async () => {
    const denied = await api.http().post(`/v2/zones/${zone}/www.${zone}/A`).set(apiKey(token)).send(failoverBody).expect(403);
    expect(denied.body.error).toContain('POST /v2/account/feature-requests');
    await api.http().get(`/v2/zones/${zone}/www.${zone}/A`).set(apiKey(token)).expect(404);

    await api.grantFailover(accountId);
    const created = await api.http().post(`/v2/zones/${zone}/www.${zone}/A`).set(apiKey(token)).send(failoverBody).expect(201);
    const read = await api.http().get(`/v2/zones/${zone}/www.${zone}/A`).set(apiKey(token)).expect(200);
    expect(read.body).toEqual(created.body);
    expect(read.body).toMatchObject({
      name: `www.${zone}`,
      type: 'A',
      ttl: 30,
      resource_records: failoverBody.resource_records.map((r) => ({ ...r, enabled: true, meta: {} })),
      pickers: [],
      meta: failoverBody.meta,
    });
  });
});
