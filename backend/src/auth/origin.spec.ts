import { apiKey, expectError, TestApi } from '../testing/test-app';

const PANEL = 'http://panel.example:5173';
const OTHER_PANEL = 'https://vigil.example';

/** Where a session's writes may come from: SameSite=Strict lets another port of the same host send the cookie. */
describe('origin of requests signed in by the session cookie', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.start({ PANEL_ORIGIN: `${PANEL}, ${OTHER_PANEL}/` });
  });
  afterAll(() => api.close());

  it('refuses a write from another site, or from an opaque origin, with 403 naming the header', async () => {
    const { agent } = await api.customer('csrf');
    const refused: [Record<string, string>, string][] = [
      [{ Origin: 'https://evil.example' }, 'Origin'],
      // Another port of the same host: the same site, so SameSite=Strict sends the cookie.
      [{ Origin: 'http://127.0.0.1:9999' }, 'Origin'],
      [{ Origin: `${PANEL}.evil.example` }, 'Origin'],
      [{ Origin: 'null' }, 'Origin'],
      [{ Referer: 'https://evil.example/page' }, 'Referer'],
      [{ 'Sec-Fetch-Site': 'cross-site' }, 'Sec-Fetch-Site'],
      [{ 'Sec-Fetch-Site': 'same-site', Origin: 'http://127.0.0.1:9999' }, 'Sec-Fetch-Site'],
    ];
    for (const [headers, field] of refused) {
      const res = await agent.post('/v2/account/tokens').set(headers).send({ name: 'csrf' });
      expect(expectError(res, 403)).toContain('another site');
      expect(res.body.details).toEqual([{ field, reason: expect.any(String) }]);
    }
    for (const method of ['patch', 'put', 'delete'] as const) {
      expectError(await agent[method]('/v2/zones/anything.example').set('Origin', 'https://evil.example').send({}), 403);
    }
    // Signing out is a write too; the session is still there afterwards.
    expectError(await agent.post('/v2/auth/signout').set('Origin', 'https://evil.example'), 403);
    await agent.get('/v2/auth/me').expect(200);
    // Nothing was created.
    const tokens = await agent.get('/v2/account/tokens').expect(200);
    expect(JSON.stringify(tokens.body)).not.toContain('csrf');
  });

  it("accepts writes from the panel's origins, the api's own, and clients that are no browser", async () => {
    const { agent } = await api.customer('panel');
    const accepted: Record<string, string>[] = [
      { Origin: PANEL, 'Sec-Fetch-Site': 'cross-site' },
      { Origin: OTHER_PANEL },
      { Referer: `${PANEL}/zones/example.com` },
      // The api's own origin, as the browser addressed it.
      { Origin: 'http://api.example:3000', Host: 'api.example:3000' },
      // Through a proxy that does not keep the Host's port, the browser's word is enough.
      { Origin: 'http://lan-host:8080', 'Sec-Fetch-Site': 'same-origin', Host: 'lan-host' },
      // A form posted under Referrer-Policy: no-referrer has an opaque origin but is the same origin.
      { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' },
      // Neither Origin, Referer nor Sec-Fetch-Site: not a browser (browsers always send Origin here).
      {},
    ];
    for (const [i, headers] of accepted.entries()) {
      await agent
        .post('/v2/account/tokens')
        .set(headers)
        .send({ name: `panel-${i}` })
        .expect(201);
    }
  });

  it('does not check reads, or API tokens, which no browser sends by itself', async () => {
    const { agent } = await api.customer('token');
    await agent.get('/v2/zones').set('Origin', 'https://evil.example').expect(200);
    const token = await api.token(agent);
    await api
      .http()
      .post('/v2/zones')
      .set(apiKey(token))
      .set('Origin', 'https://evil.example')
      .send({ name: `token-${Date.now()}.example` })
      .expect(201);
  });
});
