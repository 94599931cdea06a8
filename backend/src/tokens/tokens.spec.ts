import * as argon2 from 'argon2';
import { createHash } from 'node:crypto';
import type TestAgent from 'supertest/lib/agent';
import { apiKey, expectError, expectInvalid, TestApi } from '../testing/test-app';

/** Requests an API token can make, of every kind; all must answer 401 once it is revoked or expired. */
const everyRequest = (api: TestApi, t: { Authorization: string }) => [
  api.http().get('/v2/zones').set(t),
  api.http().post('/v2/zones').set(t).send({ name: 'after-revoke.example' }),
  api.http().get('/v2/zones/tok.example').set(t),
  api.http().patch('/v2/zones/tok.example').set(t).send({ refresh: 7200 }),
  api.http().delete('/v2/zones/tok.example').set(t),
  api.http().get('/v2/zones/tok.example/rrsets').set(t),
  api.http().get('/v2/zones/tok.example/www.tok.example/A').set(t),
  api
    .http()
    .post('/v2/zones/tok.example/new.tok.example/A')
    .set(t)
    .send({ resource_records: [{ content: ['192.0.2.1'] }] }),
  api
    .http()
    .put('/v2/zones/tok.example/www.tok.example/A')
    .set(t)
    .send({ resource_records: [{ content: ['192.0.2.1'] }] }),
  api.http().delete('/v2/zones/tok.example/www.tok.example/A').set(t),
  api.http().get('/v2/zones/tok.example/www.tok.example/A/health').set(t),
  api.http().get('/v2/account').set(t),
  api.http().patch('/v2/account').set(t).send({ name: 'x' }),
  api.http().get('/v2/account/audit-log').set(t),
  api.http().get('/v2/account/feature-requests').set(t),
  api.http().post('/v2/account/feature-requests').set(t).send({ feature: 'failover' }),
  api.http().get('/v2/account/tokens').set(t),
  api.http().post('/v2/account/tokens').set(t).send({ name: 'more' }),
  api.http().get('/v2/auth/me').set(t),
  api.http().get('/v2/admin/accounts').set(t),
];

describe('API tokens (real PostgreSQL)', () => {
  let api: TestApi;
  let owner: { agent: TestAgent; email: string; accountId: string };

  beforeAll(async () => {
    // Tokens are aged in the database below, as another api process would see them: no lookup cache.
    api = await TestApi.start({ API_TOKEN_CACHE_MS: '0' });
    owner = await api.customer('owner');
  });
  afterAll(() => api.close());

  it('creates a token whose secret is shown once, lists it without the secret', async () => {
    const created = await owner.agent.post('/v2/account/tokens').send({ name: ' deploy ' }).expect(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'deploy',
      prefix: created.body.token.slice(0, 10),
      token: expect.stringMatching(/^vgl_[A-Za-z0-9_-]{43}$/),
      created_at: expect.any(String),
      expires_at: null,
      last_used_at: null,
      revoked_at: null,
    });
    const secret: string = created.body.token;
    const list = await owner.agent.get('/v2/account/tokens').expect(200);
    const listed = list.body.tokens.find((t: { id: string }) => t.id === created.body.id);
    const { token: _secret, ...withoutSecret } = created.body;
    expect(listed).toEqual(withoutSecret);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(JSON.stringify(list.body)).not.toContain(secret.slice(10));

    // It works, and its use is recorded.
    await api.http().get('/v2/zones').set(apiKey(secret)).expect(200);
    await api.http().get('/v2/account').set(apiKey(secret)).expect(200);
  });

  it('stores only a digest of token secrets and session ids, and argon2id hashes of passwords', async () => {
    const secret = await api.token(owner.agent, 'stored');
    const rows: Record<string, unknown>[] = await api.ds().query('SELECT * FROM api_tokens');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(secret.slice(10));
    const row = rows.find((r) => r.name === 'stored')!;
    expect(row.token_hash).toBe(createHash('sha256').update(secret).digest('hex'));

    // Session cookies likewise.
    const agent = api.agent();
    const email = `hash-${Date.now()}@example.com`;
    const res = await agent.post('/v2/auth/signup').send({ email, password: 'a-long-password-1' }).expect(201);
    const cookie = /vigil_session=([^;]+)/.exec(String(res.headers['set-cookie']))![1]!;
    const sessions = JSON.stringify(await api.ds().query('SELECT * FROM sessions'));
    expect(sessions).not.toContain(decodeURIComponent(cookie));

    const users: { email: string; password_hash: string }[] = await api.ds().query('SELECT email, password_hash FROM users');
    expect(users.length).toBeGreaterThanOrEqual(3);
    for (const u of users) expect(u.password_hash).toMatch(/^\$argon2id\$v=19\$/);
    const mine = users.find((u) => u.email === email)!;
    expect(await argon2.verify(mine.password_hash, 'a-long-password-1')).toBe(true);
    expect(await argon2.verify(mine.password_hash, 'a-long-password-2')).toBe(false);
    expect(JSON.stringify(users)).not.toContain('a-long-password-1');
    expect(JSON.stringify(users)).not.toContain('correct-horse-1');
  });

  it('revokes a token at once: 204, then 401 on every request; revoking again is 409', async () => {
    const secret = await api.token(owner.agent, 'short-lived');
    const t = apiKey(secret);
    await api.http().post('/v2/zones').set(t).send({ name: 'tok.example' }).expect(201);
    await api
      .http()
      .post('/v2/zones/tok.example/www.tok.example/A')
      .set(t)
      .send({ resource_records: [{ content: ['192.0.2.1'] }] })
      .expect(201);
    const id = (await owner.agent.get('/v2/account/tokens').expect(200)).body.tokens.find(
      (x: { name: string }) => x.name === 'short-lived',
    ).id;

    await owner.agent.delete(`/v2/account/tokens/${id}`).expect(204);
    for (const [i, req] of everyRequest(api, t).entries()) {
      const res = await req;
      if (res.status !== 401) throw new Error(`request #${i}: expected 401, got ${res.status} ${JSON.stringify(res.body)}`);
      expect(res.body).toEqual({ error: 'API token is invalid, expired or revoked' });
    }
    // Nothing was changed by the refused requests.
    await owner.agent.get('/v2/zones/tok.example/www.tok.example/A').expect(200);
    await owner.agent.get('/v2/zones/after-revoke.example').expect(404);

    const listed = (await owner.agent.get('/v2/account/tokens').expect(200)).body.tokens.find((x: { id: string }) => x.id === id);
    expect(listed.revoked_at).toEqual(expect.any(String));
    expect(expectError(await owner.agent.delete(`/v2/account/tokens/${id}`), 409)).toContain('already revoked');
  });

  it('answers 404 for tokens that do not exist', async () => {
    expectError(await owner.agent.delete('/v2/account/tokens/00000000-0000-4000-8000-000000000000'), 404);
    expectError(await owner.agent.delete('/v2/account/tokens/not-a-uuid'), 404);
  });

  it('expires tokens: one past its expires_at answers 401', async () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const created = await owner.agent.post('/v2/account/tokens').send({ name: 'expiring', expires_at: expiresAt }).expect(201);
    expect(created.body.expires_at).toBe(expiresAt);
    const t = apiKey(created.body.token);
    await api.http().get('/v2/zones').set(t).expect(200);

    await api.ds().query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [created.body.id]);
    for (const [i, req] of everyRequest(api, t).entries()) {
      const res = await req;
      if (res.status !== 401) throw new Error(`request #${i}: expected 401, got ${res.status} ${JSON.stringify(res.body)}`);
    }
  });

  it('validates the token body', async () => {
    expectInvalid(await owner.agent.post('/v2/account/tokens').send({}), 'name');
    expectInvalid(await owner.agent.post('/v2/account/tokens').send({ name: '   ' }), 'name');
    expectInvalid(await owner.agent.post('/v2/account/tokens').send({ name: 'x'.repeat(101) }), 'name');
    expectInvalid(await owner.agent.post('/v2/account/tokens').send({ name: 7 }), 'name');
    expectInvalid(await owner.agent.post('/v2/account/tokens').send({ name: 'old', expires_at: '2001-01-01T00:00:00Z' }), 'expires_at');
    expectInvalid(await owner.agent.post('/v2/account/tokens').send({ name: 'bad', expires_at: 'tomorrow' }), 'expires_at');
    expectInvalid(await owner.agent.post('/v2/account/tokens').send({ name: 'x', scope: 'all' }), 'scope');
    const names = (await owner.agent.get('/v2/account/tokens').expect(200)).body.tokens.map((t: { name: string }) => t.name);
    expect(names).not.toContain('old');
    expect(names).not.toContain('bad');
  });

  it('API tokens cannot list, create or revoke tokens (403)', async () => {
    const secret = await api.token(owner.agent, 'no-minting');
    const t = apiKey(secret);
    const id = (await owner.agent.get('/v2/account/tokens').expect(200)).body.tokens.find(
      (x: { name: string }) => x.name === 'no-minting',
    ).id;
    expectError(await api.http().post('/v2/account/tokens').set(t).send({ name: 'minted' }), 403);
    expectError(await api.http().get('/v2/account/tokens').set(t), 403);
    expectError(await api.http().delete(`/v2/account/tokens/${id}`).set(t), 403);
    const names = (await owner.agent.get('/v2/account/tokens').expect(200)).body.tokens.map((x: { name: string }) => x.name);
    expect(names).not.toContain('minted');
    await api.http().get('/v2/zones').set(t).expect(200);
  });

  it('only owners manage tokens; members get 403', async () => {
    const member = await api.customer('member');
    await api.addMember(owner.agent, member.email, 'member');
    const as = (req: ReturnType<TestAgent['get']>) => req.set('X-Account-Id', owner.accountId);
    expectError(await as(member.agent.get('/v2/account/tokens')), 403);
    expectError(await as(member.agent.post('/v2/account/tokens').send({ name: 'member-token' })), 403);
    // In their own account they are the owner.
    await member.agent.get('/v2/account/tokens').expect(200);
  });

  it('refuses malformed Authorization headers and unknown tokens with 401', async () => {
    for (const header of ['Bearer abc', 'APIKey', 'APIKey a b', 'vgl_nothing']) {
      expectError(await api.http().get('/v2/zones').set('Authorization', header), 401);
    }
    expectError(await api.http().get('/v2/zones').set(apiKey('vgl_does-not-exist')), 401);
    // A bad header is not rescued by a good cookie.
    expectError(await owner.agent.get('/v2/zones').set('Authorization', 'APIKey vgl_does-not-exist'), 401);
    expectError(await api.http().get('/v2/zones'), 401);
  });
});

describe('API token rate limit (real PostgreSQL)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.start({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => api.close());

  it('limits each token across all routes, and another token still works', async () => {
    const c = await api.customer('limited');
    const first = apiKey(await api.token(c.agent, 'first'));
    const second = apiKey(await api.token(c.agent, 'second'));

    // Five requests over several routes use up the first token's minute.
    await api.http().get('/v2/zones').set(first).expect(200);
    await api.http().get('/v2/account').set(first).expect(200);
    await api.http().post('/v2/zones').set(first).send({ name: 'limit.example' }).expect(201);
    await api.http().get('/v2/zones/limit.example/rrsets').set(first).expect(200);
    await api.http().get('/v2/account/audit-log').set(first).expect(200);

    for (const req of [api.http().get('/v2/zones').set(first), api.http().get('/v2/account/feature-requests').set(first)]) {
      const res = await req;
      expect(expectError(res, 429)).toContain('too many requests');
      expect(res.headers['retry-after']).toBeDefined();
    }
    // The limit is per token: the second one is untouched.
    await api.http().get('/v2/zones').set(second).expect(200);
    await api.http().get('/v2/zones/limit.example').set(second).expect(200);
    // Health checks of load balancers are never limited.
    await api.http().get('/healthz').expect(200);
  });
});

describe('API token lookups kept for API_TOKEN_CACHE_MS', () => {
  let api: TestApi;
  let owner: { agent: TestAgent; email: string; accountId: string };

  beforeAll(async () => {
    api = await TestApi.start({ API_TOKEN_CACHE_MS: '60000' });
    owner = await api.customer('owner');
  });
  afterAll(() => api.close());

  const idOf = async (name: string): Promise<string> =>
    (await owner.agent.get('/v2/account/tokens').expect(200)).body.tokens.find((x: { name: string }) => x.name === name).id;

  it('does not ask the database again within the bound: a revocation by another process counts once it passes', async () => {
    const t = apiKey(await api.token(owner.agent, 'cached'));
    await api.http().get('/v2/zones').set(t).expect(200);
    // Revoked behind this process's back (another api process did it): the lookup it keeps still answers.
    await api.ds().query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1`, [await idOf('cached')]);
    await api.http().get('/v2/zones').set(t).expect(200);
  });

  it('a token revoked through this process stops working at once, although its lookup was kept', async () => {
    const t = apiKey(await api.token(owner.agent, 'revoked-here'));
    await api.http().get('/v2/zones').set(t).expect(200);
    await owner.agent.delete(`/v2/account/tokens/${await idOf('revoked-here')}`).expect(204);
    for (const [i, req] of everyRequest(api, t).entries()) {
      const res = await req;
      if (res.status !== 401) throw new Error(`request #${i}: expected 401, got ${res.status} ${JSON.stringify(res.body)}`);
    }
  });
});
