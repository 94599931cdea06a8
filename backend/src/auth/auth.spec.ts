import { randomBytes } from 'node:crypto';
import { apiKey, expectError, expectInvalid, SUPPORT, TestApi } from '../testing/test-app';

const email = (label: string) => `${label}-${randomBytes(4).toString('hex')}@example.com`;
const sessionCookie = (res: { headers: Record<string, unknown> }): string => {
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
  const c = cookies.find((x) => x.startsWith('vigil_session='));
  if (!c) throw new Error(`no session cookie in ${JSON.stringify(cookies)}`);
  return c;
};

describe('auth and the HTTP surface (real PostgreSQL)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api.close());

  describe('sign-up, sign-in, me, sign-out', () => {
    it('signs up: creates the user and an account they own, and starts a session', async () => {
      const agent = api.agent();
      const address = email('new');
      const res = await agent
        .post('/v2/auth/signup')
        .send({ email: address.toUpperCase(), password: 'long-enough-1', account_name: ' Shop Inc ' })
        .expect(201);
      expect(res.body).toEqual({
        user: { id: expect.any(String), email: address, is_support: false },
        accounts: [{ id: expect.any(String), name: 'Shop Inc', role: 'owner' }],
        current_account_id: res.body.accounts[0].id,
      });
      const me = await agent.get('/v2/auth/me').expect(200);
      expect(me.body).toEqual(res.body);
      const account = await agent.get('/v2/account').expect(200);
      expect(account.body).toMatchObject({
        id: res.body.current_account_id,
        name: 'Shop Inc',
        features: { failover: false },
        role: 'owner',
      });
    });

    it('names the account after the e-mail address when no name is given', async () => {
      const address = email('noname');
      const res = await api.agent().post('/v2/auth/signup').send({ email: address, password: 'long-enough-1' }).expect(201);
      expect(res.body.accounts[0].name).toBe(address);
    });

    it('refuses a second sign-up with the same e-mail address (409), whatever its case', async () => {
      const address = email('dup');
      await api.agent().post('/v2/auth/signup').send({ email: address, password: 'long-enough-1' }).expect(201);
      const again = await api.agent().post('/v2/auth/signup').send({ email: address, password: 'other-password-2' });
      expect(expectError(again, 409)).toContain('already exists');
      expect(again.headers['set-cookie']).toBeUndefined();
      expectError(await api.agent().post('/v2/auth/signup').send({ email: address.toUpperCase(), password: 'other-password-2' }), 409);
      // The first password still holds.
      await api.agent().post('/v2/auth/signin').send({ email: address, password: 'long-enough-1' }).expect(200);
      expectError(await api.agent().post('/v2/auth/signin').send({ email: address, password: 'other-password-2' }), 401);
    });

    it('validates the sign-up and sign-in bodies', async () => {
      const signup = (body: object) => api.agent().post('/v2/auth/signup').send(body);
      expectInvalid(await signup({ email: 'not-an-address', password: 'long-enough-1' }), 'email');
      expectInvalid(await signup({ password: 'long-enough-1' }), 'email');
      expectInvalid(await signup({ email: email('v'), password: 'short' }), 'password');
      expectInvalid(await signup({ email: email('v'), password: 'x'.repeat(201) }), 'password');
      expectInvalid(await signup({ email: email('v'), password: 12345678901 }), 'password');
      expectInvalid(await signup({ email: email('v'), password: 'long-enough-1', account_name: '  ' }), 'account_name');
      expectInvalid(await signup({ email: email('v'), password: 'long-enough-1', is_support: true }), 'is_support');
      const signin = (body: object) => api.agent().post('/v2/auth/signin').send(body);
      expectInvalid(await signin({ email: 'nobody', password: 'x' }), 'email');
      expectInvalid(await signin({ email: 'a@example.com', password: '' }), 'password');
      expectInvalid(await signin({ email: 'a@example.com', password: 'x', remember: true }), 'remember');
      expectInvalid(await api.agent().post('/v2/auth/signin').set('Content-Type', 'application/json').send('{"email":'), '(body)');
    });

    it('answers a wrong password exactly as an unknown e-mail address (401)', async () => {
      const address = email('pw');
      await api.agent().post('/v2/auth/signup').send({ email: address, password: 'right-password-1' }).expect(201);
      const wrong = await api.agent().post('/v2/auth/signin').send({ email: address, password: 'wrong-password-1' });
      const unknown = await api
        .agent()
        .post('/v2/auth/signin')
        .send({ email: email('ghost'), password: 'wrong-password-1' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body).toEqual({ error: 'wrong e-mail address or password' });
      expect(wrong.headers['set-cookie']).toBeUndefined();
      expect(unknown.headers['set-cookie']).toBeUndefined();
    });

    it('sets the session cookie HttpOnly and SameSite=Strict, on sign-in and sign-up', async () => {
      const address = email('cookie');
      const up = await api.agent().post('/v2/auth/signup').send({ email: address, password: 'cookie-password-1' }).expect(201);
      const inn = await api
        .agent()
        .post('/v2/auth/signin')
        .send({ email: address.toUpperCase(), password: 'cookie-password-1' })
        .expect(200);
      for (const res of [up, inn]) {
        const c = sessionCookie(res);
        expect(c).toMatch(/^vigil_session=vss_[A-Za-z0-9_-]{43};/);
        expect(c).toMatch(/;\s*HttpOnly/i);
        expect(c).toMatch(/;\s*SameSite=Strict/i);
        expect(c).toMatch(/;\s*Path=\//i);
        expect(c).toMatch(/;\s*Expires=/i);
      }
      expect(inn.body.user.email).toBe(address);
      expect(sessionCookie(up)).not.toBe(sessionCookie(inn));
    });

    it('signs out: the session ends on the server, so the old cookie then answers 401', async () => {
      const address = email('out');
      await api.agent().post('/v2/auth/signup').send({ email: address, password: 'signout-password-1' }).expect(201);
      const agent = api.agent();
      const res = await agent.post('/v2/auth/signin').send({ email: address, password: 'signout-password-1' }).expect(200);
      const cookie = sessionCookie(res).split(';')[0]!;
      await api.http().get('/v2/auth/me').set('Cookie', cookie).expect(200);

      const out = await agent.post('/v2/auth/signout').expect(204);
      expect(sessionCookie(out)).toMatch(/^vigil_session=;/);
      // The browser drops the cookie; a stolen copy is worthless too.
      expectError(await agent.get('/v2/auth/me'), 401);
      for (const path of ['/v2/auth/me', '/v2/zones', '/v2/account']) {
        expect(expectError(await api.http().get(path).set('Cookie', cookie), 401)).toContain('sign in');
      }
      expectError(await api.http().post('/v2/auth/signout').set('Cookie', cookie), 401);
      // Signing in again works.
      await agent.post('/v2/auth/signin').send({ email: address, password: 'signout-password-1' }).expect(200);
      await agent.get('/v2/auth/me').expect(200);
    });

    it('ends one session only; the user’s other sessions go on', async () => {
      const address = email('two');
      const first = api.agent();
      await first.post('/v2/auth/signup').send({ email: address, password: 'two-sessions-1' }).expect(201);
      const second = api.agent();
      await second.post('/v2/auth/signin').send({ email: address, password: 'two-sessions-1' }).expect(200);
      await first.post('/v2/auth/signout').expect(204);
      await second.get('/v2/auth/me').expect(200);
    });

    it('refuses expired sessions', async () => {
      const address = email('old');
      const agent = api.agent();
      await agent.post('/v2/auth/signup').send({ email: address, password: 'expiring-pass-1' }).expect(201);
      await api
        .ds()
        .query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE email = $1)`, [
          address,
        ]);
      expectError(await agent.get('/v2/auth/me'), 401);
    });

    it('answers 401 without credentials, and 403 to API tokens on panel-only routes', async () => {
      expectError(await api.http().get('/v2/auth/me'), 401);
      expectError(await api.http().post('/v2/auth/signout'), 401);
      expectError(await api.http().get('/v2/auth/me').set('Cookie', 'vigil_session=vss_forged'), 401);
      const c = await api.customer('tok');
      const t = apiKey(await api.token(c.agent));
      expect(expectError(await api.http().get('/v2/auth/me').set(t), 403)).toContain('API tokens');
      expectError(await api.http().post('/v2/auth/signout').set(t), 403);
      await api.http().get('/v2/zones').set(t).expect(200);
    });

    it('shows support staff as such, with no account', async () => {
      const support = await api.support();
      const me = await support.get('/v2/auth/me').expect(200);
      expect(me.body).toEqual({
        user: { id: expect.any(String), email: SUPPORT.email, is_support: true },
        accounts: [],
        current_account_id: null,
      });
      expect(expectError(await support.get('/v2/zones'), 403)).toContain('no account');
    });

    it('lists every account of a user and switches with X-Account-Id', async () => {
      const owner = await api.customer('switch-owner');
      const user = await api.customer('switch-user');
      await api.addMember(owner.agent, user.email, 'member');
      const me = await user.agent.get('/v2/auth/me').expect(200);
      expect(me.body.accounts).toEqual([
        { id: user.accountId, name: user.email, role: 'owner' },
        { id: owner.accountId, name: owner.email, role: 'member' },
      ]);
      expect(me.body.current_account_id).toBe(user.accountId);
      const switched = await user.agent.get('/v2/auth/me').set('X-Account-Id', owner.accountId).expect(200);
      expect(switched.body.current_account_id).toBe(owner.accountId);
      expect((await user.agent.get('/v2/account').set('X-Account-Id', owner.accountId).expect(200)).body).toMatchObject({
        id: owner.accountId,
        role: 'member',
      });
    });
  });

  describe('the HTTP surface', () => {
    it('serves /healthz without credentials', async () => {
      const res = await api.http().get('/healthz').expect(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('serves the API docs and an OpenAPI document that lists every route', async () => {
      const html = await api.http().get('/docs').expect(200);
      expect(html.headers['content-type']).toMatch(/text\/html/);
      expect(html.text).toContain('swagger');
      // The page's scripts are files of the same origin, which the content security policy allows
      // (relative to /docs, as a browser resolves them).
      const scripts = [...html.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
      expect(scripts.length).toBeGreaterThan(0);
      for (const src of scripts) {
        expect(src).not.toMatch(/^https?:/);
        await api.http().get(new URL(src, 'http://api.test/docs').pathname).expect(200);
      }
      const doc = await api.http().get('/docs/openapi.json').expect(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      expect(doc.body.info.title).toBe('Vigil API');
      const paths = doc.body.paths as Record<string, Record<string, unknown>>;
      const routes = Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      expect(routes).toEqual(
        expect.arrayContaining([
          'GET /healthz',
          'POST /v2/auth/signup',
          'POST /v2/auth/signin',
          'POST /v2/auth/signout',
          'GET /v2/auth/me',
          'GET /v2/account',
          'PATCH /v2/account',
          'GET /v2/account/members',
          'POST /v2/account/members',
          'DELETE /v2/account/members/{userId}',
          'POST /v2/account/feature-requests',
          'GET /v2/account/feature-requests',
          'GET /v2/account/audit-log',
          'GET /v2/account/tokens',
          'POST /v2/account/tokens',
          'DELETE /v2/account/tokens/{id}',
          'GET /v2/admin/accounts',
          'GET /v2/admin/accounts/{id}',
          'PATCH /v2/admin/accounts/{id}',
          'GET /v2/admin/feature-requests',
          'PATCH /v2/admin/feature-requests/{id}',
          'GET /v2/zones',
          'POST /v2/zones',
          'GET /v2/zones/{zone}',
          'PATCH /v2/zones/{zone}',
          'DELETE /v2/zones/{zone}',
          'GET /v2/zones/{zone}/rrsets',
          'GET /v2/zones/{zone}/{name}/{type}',
          'POST /v2/zones/{zone}/{name}/{type}',
          'PUT /v2/zones/{zone}/{name}/{type}',
          'DELETE /v2/zones/{zone}/{name}/{type}',
        ]),
      );
      // The request schemas come from the zod schemas that validate.
      const zonePost = (paths['/v2/zones'] as { post: { requestBody?: unknown } }).post;
      expect(JSON.stringify(zonePost.requestBody)).toContain('name');
    });

    it('sends security headers (helmet) and no X-Powered-By', async () => {
      for (const res of [await api.http().get('/healthz'), await api.http().get('/v2/zones'), await api.http().get('/docs')]) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('lets only PANEL_ORIGIN make credentialed cross-origin calls', async () => {
      const panel = api.config.PANEL_ORIGIN[0]!;
      const ok = await api
        .http()
        .options('/v2/zones')
        .set('Origin', panel)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,x-account-id');
      expect(ok.status).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe(panel);
      expect(ok.headers['access-control-allow-credentials']).toBe('true');
      expect(ok.headers['access-control-allow-headers']).toMatch(/X-Account-Id/i);

      for (const evil of ['https://evil.example', 'http://localhost:5174', `${panel}.evil.example`, 'null']) {
        const pre = await api.http().options('/v2/zones').set('Origin', evil).set('Access-Control-Request-Method', 'DELETE');
        expect([evil, '*']).not.toContain(pre.headers['access-control-allow-origin']);
        const get = await api.http().get('/healthz').set('Origin', evil);
        expect([evil, '*']).not.toContain(get.headers['access-control-allow-origin']);
      }
    });

    it('answers unknown routes with 404 in the API error shape', async () => {
      const res = await api.http().get('/v2/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: expect.any(String) });
    });
  });
});

describe('sign-in rate limit (real PostgreSQL)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.start({ SIGNIN_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => api.close());

  it('answers 429 on the fourth sign-in attempt of a minute, even with the right password', async () => {
    for (let i = 0; i < 3; i++) {
      expectError(
        await api
          .agent()
          .post('/v2/auth/signin')
          .send({ email: SUPPORT.email, password: `guess-${i}` }),
        401,
      );
    }
    const limited = await api.agent().post('/v2/auth/signin').send(SUPPORT);
    expect(expectError(limited, 429)).toContain('too many requests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['set-cookie']).toBeUndefined();
    // Sign-up shares the budget: it creates users and would be a way around the limit.
    expectError(
      await api
        .agent()
        .post('/v2/auth/signup')
        .send({ email: email('late'), password: 'long-enough-1' }),
      429,
    );
    // Other routes are not affected.
    await api.http().get('/healthz').expect(200);
    expectError(await api.http().get('/v2/zones'), 401);
  });
});
