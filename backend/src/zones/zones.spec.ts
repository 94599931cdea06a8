import { redisKeys } from '@vigil/contract';
import { apiKey, expectError, expectInvalid, TestApi } from '../testing/test-app';

describe('zones API (real PostgreSQL)', () => {
  let api: TestApi;
  let token: string;
  let H: { Authorization: string };

  beforeAll(async () => {
    api = await TestApi.start();
    const c = await api.customer();
    token = await api.token(c.agent);
    H = apiKey(token);
  });
  afterAll(() => api.close());

  const create = (body: unknown) =>
    api
      .http()
      .post('/v2/zones')
      .set(H)
      .send(body as object);
  const serialOf = async (zone: string) => (await api.http().get(`/v2/zones/${zone}`).set(H).expect(200)).body.serial as number;

  it('creates a zone with SOA defaults and an apex NS record set, and reads it back', async () => {
    const res = await create({ name: 'create.example' }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name: 'create.example',
      enabled: true,
      serial: expect.any(Number),
      contact: 'hostmaster@vigil.localhost',
      primary_server: 'ns1.vigil.localhost',
      refresh: 3600,
      retry: 600,
      expiry: 1209600,
      nx_ttl: 300,
      meta: {},
      rrsets_amount: { total: 1, static: 1, dynamic: { total: 0, healthcheck: 0 } },
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const read = await api.http().get('/v2/zones/create.example').set(H).expect(200);
    expect(read.body).toEqual(res.body);

    const ns = await api.http().get('/v2/zones/create.example/create.example/NS').set(H).expect(200);
    expect(ns.body).toMatchObject({
      name: 'create.example',
      type: 'NS',
      resource_records: [
        { content: ['ns1.vigil.localhost'], enabled: true },
        { content: ['ns2.vigil.localhost'], enabled: true },
      ],
    });
  });

  it('takes SOA fields at creation and validates each one', async () => {
    const res = await create({
      name: 'soa.example',
      contact: 'dns@soa.example',
      primary_server: 'NS.Soa.Example.',
      refresh: 7200,
      retry: 900,
      expiry: 604800,
      nx_ttl: 60,
      enabled: false,
    }).expect(201);
    expect(res.body).toMatchObject({
      contact: 'dns@soa.example',
      primary_server: 'ns.soa.example',
      refresh: 7200,
      retry: 900,
      expiry: 604800,
      nx_ttl: 60,
      enabled: false,
    });

    expectInvalid(await create({ name: 'bad-soa.example', contact: 'not an address' }), 'contact');
    expectInvalid(await create({ name: 'bad-soa.example', primary_server: 'bad host!' }), 'primary_server');
    expectInvalid(await create({ name: 'bad-soa.example', refresh: 59 }), 'refresh');
    expectInvalid(await create({ name: 'bad-soa.example', retry: 604801 }), 'retry');
    expectInvalid(await create({ name: 'bad-soa.example', expiry: 100 }), 'expiry');
    expectInvalid(await create({ name: 'bad-soa.example', nx_ttl: -1 }), 'nx_ttl');
    expectInvalid(await create({ name: 'bad-soa.example', nx_ttl: 1.5 }), 'nx_ttl');
    expectInvalid(await create({ name: 'bad-soa.example', enabled: 'yes' }), 'enabled');
    await api.http().get('/v2/zones/bad-soa.example').set(H).expect(404);
  });

  describe('zone names', () => {
    it.each([
      ['empty', ''],
      ['only a dot', '.'],
      ['a bad label', 'exa mple.com'],
      ['a label starting with a hyphen', '-shop.example'],
      ['a label ending with a hyphen', 'shop-.example'],
      ['an empty label', 'shop..example'],
      ['a label over 63 characters', `${'a'.repeat(64)}.example`],
      ['a name over 253 characters', `${'abcdefghi.'.repeat(25)}example`],
      ['a very long name', `${'a'.repeat(300)}.example`],
      ['a single label', 'example'],
      ['a single label with a trailing dot', 'localhost.'],
      ['a wildcard', '*.example.com'],
      ['a slash', 'shop/x.example'],
    ])('refuses %s with 400 naming the field', async (_, name) => {
      const reason = expectInvalid(await create({ name }), 'name');
      expect(reason.length).toBeGreaterThan(0);
    });

    it('says why a long name is refused', async () => {
      expect(expectInvalid(await create({ name: `${'a'.repeat(300)}.example` }), 'name')).toMatch(/253/);
      expect(expectInvalid(await create({ name: `${'a'.repeat(64)}.example` }), 'name')).toMatch(/63/);
      expect(expectInvalid(await create({ name: 'example' }), 'name')).toMatch(/two labels/);
    });

    it('refuses a missing or non-string name', async () => {
      expectInvalid(await create({}), 'name');
      expectInvalid(await create({ name: 42 }), 'name');
      expectInvalid(await create({ name: null }), 'name');
    });

    it('converts internationalised names to punycode', async () => {
      const res = await create({ name: 'bücher.example' }).expect(201);
      expect(res.body.name).toBe('xn--bcher-kva.example');
      await api.http().get('/v2/zones/xn--bcher-kva.example').set(H).expect(200);
      await api
        .http()
        .get(`/v2/zones/${encodeURIComponent('bücher.example')}`)
        .set(H)
        .expect(200);
      await api
        .http()
        .get(`/v2/zones/${encodeURIComponent('BÜCHER.example.')}`)
        .set(H)
        .expect(200);
    });

    it('normalises upper case and a trailing dot, in the body and in the path', async () => {
      const res = await create({ name: 'Upper.EXAMPLE.' }).expect(201);
      expect(res.body.name).toBe('upper.example');
      await api.http().get('/v2/zones/UPPER.example.').set(H).expect(200);
      await api.http().get('/v2/zones/upper.example/rrsets').set(H).expect(200);
      // The same zone spelled differently is the same zone.
      expectError(await create({ name: 'upper.example' }), 409);
      expectError(await create({ name: 'UPPER.EXAMPLE' }), 409);
    });
  });

  it('answers 409 when the zone is already hosted, by this account or another', async () => {
    await create({ name: 'taken.example' }).expect(201);
    expect(expectError(await create({ name: 'taken.example' }), 409)).toContain('taken.example');

    const other = await api.customer('other');
    const otherToken = await api.token(other.agent);
    expectError(await api.http().post('/v2/zones').set(apiKey(otherToken)).send({ name: 'taken.example' }), 409);
    expectError(await other.agent.post('/v2/zones').send({ name: 'TAKEN.example.' }), 409);
    // The first account still owns it.
    await api.http().get('/v2/zones/taken.example').set(H).expect(200);
  });

  it('lists zones by name with pagination and search', async () => {
    const c = await api.customer('lister');
    const t = apiKey(await api.token(c.agent));
    for (const n of ['c-list.example', 'a-list.example', 'b-list.example', 'other-zone.example']) {
      await api.http().post('/v2/zones').set(t).send({ name: n }).expect(201);
    }
    const all = await api.http().get('/v2/zones').set(t).expect(200);
    expect(all.body.total_amount).toBe(4);
    expect(all.body.zones.map((z: { name: string }) => z.name)).toEqual([
      'a-list.example',
      'b-list.example',
      'c-list.example',
      'other-zone.example',
    ]);
    expect(all.body.zones[0].rrsets_amount).toEqual({ total: 1, static: 1, dynamic: { total: 0, healthcheck: 0 } });

    const page = await api.http().get('/v2/zones?limit=2&offset=1').set(t).expect(200);
    expect(page.body.total_amount).toBe(4);
    expect(page.body.zones.map((z: { name: string }) => z.name)).toEqual(['b-list.example', 'c-list.example']);

    const found = await api.http().get('/v2/zones?search=LIST').set(t).expect(200);
    expect(found.body.total_amount).toBe(3);
    // LIKE wildcards in the search are taken literally.
    const literal = await api.http().get('/v2/zones?search=%25').set(t).expect(200);
    expect(literal.body.total_amount).toBe(0);
    const beyond = await api.http().get('/v2/zones?offset=10').set(t).expect(200);
    expect(beyond.body).toEqual({ zones: [], total_amount: 4 });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=-3', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=x', 'offset'],
    ['offset=0.5', 'offset'],
    ['limit=1&limit=2', 'limit'],
  ])('refuses the bad pagination query %s naming %s', async (query, field) => {
    expectInvalid(await api.http().get(`/v2/zones?${query}`).set(H), field);
  });

  it('refuses an over-long search', async () => {
    expectInvalid(
      await api
        .http()
        .get(`/v2/zones?search=${'a'.repeat(255)}`)
        .set(H),
      'search',
    );
  });

  it('patches SOA fields and enabled, growing the serial, and validates the body', async () => {
    await create({ name: 'patch.example' }).expect(201);
    const s0 = await serialOf('patch.example');
    const res = await api
      .http()
      .patch('/v2/zones/patch.example')
      .set(H)
      .send({ refresh: 1800, nx_ttl: 120, contact: 'ops@patch.example' })
      .expect(200);
    expect(res.body).toMatchObject({ name: 'patch.example', refresh: 1800, nx_ttl: 120, contact: 'ops@patch.example', enabled: true });
    expect(res.body.serial).toBeGreaterThan(s0);
    const off = await api.http().patch('/v2/zones/PATCH.example.').set(H).send({ enabled: false }).expect(200);
    expect(off.body.enabled).toBe(false);
    expect(off.body.serial).toBeGreaterThan(res.body.serial);

    expectInvalid(await api.http().patch('/v2/zones/patch.example').set(H).send({ refresh: 'soon' }), 'refresh');
    expectInvalid(await api.http().patch('/v2/zones/patch.example').set(H).send({ name: 'renamed.example' }), 'name');
    expectInvalid(await api.http().patch('/v2/zones/patch.example').set(H).send({ primary_server: 'x..y' }), 'primary_server');
    await api.http().patch('/v2/zones/missing.example').set(H).send({ refresh: 1800 }).expect(404);
    await api.http().patch('/v2/zones/not a zone').set(H).send({ refresh: 1800 }).expect(404);
    // Nothing of the refused patches stuck.
    expect((await api.http().get('/v2/zones/patch.example').set(H).expect(200)).body.refresh).toBe(1800);
  });

  it('grows the serial with every change of the zone or its record sets', async () => {
    await create({ name: 'serial.example' }).expect(201);
    const serials = [await serialOf('serial.example')];
    const rr = '/v2/zones/serial.example/www.serial.example/A';
    await api
      .http()
      .post(rr)
      .set(H)
      .send({ resource_records: [{ content: ['192.0.2.1'] }] })
      .expect(201);
    serials.push(await serialOf('serial.example'));
    await api
      .http()
      .put(rr)
      .set(H)
      .send({ resource_records: [{ content: ['192.0.2.2'] }] })
      .expect(200);
    serials.push(await serialOf('serial.example'));
    await api.http().delete(rr).set(H).expect(204);
    serials.push(await serialOf('serial.example'));
    await api.http().patch('/v2/zones/serial.example').set(H).send({ retry: 300 }).expect(200);
    serials.push(await serialOf('serial.example'));
    for (let i = 1; i < serials.length; i++) expect(serials[i]).toBeGreaterThan(serials[i - 1]!);
    // A refused change leaves it alone.
    await api
      .http()
      .post(rr)
      .set(H)
      .send({ resource_records: [{ content: ['not-an-ip'] }] })
      .expect(400);
    await api.http().get(`/v2/zones/serial.example/rrsets`).set(H).expect(200);
    expect(await serialOf('serial.example')).toBe(serials[serials.length - 1]);
  });

  it('keeps the apex NS record set: it cannot be deleted, only replaced', async () => {
    await create({ name: 'apex.example' }).expect(201);
    expectInvalid(await api.http().delete('/v2/zones/apex.example/apex.example/NS').set(H), 'type');
    expectInvalid(await api.http().delete('/v2/zones/apex.example/APEX.example./ns').set(H), 'type');
    await api.http().get('/v2/zones/apex.example/apex.example/NS').set(H).expect(200);
    const replaced = await api
      .http()
      .put('/v2/zones/apex.example/apex.example/NS')
      .set(H)
      .send({ ttl: 86400, resource_records: [{ content: ['ns1.provider.example'] }, { content: ['ns2.provider.example.'] }] })
      .expect(200);
    // Names come back as sent (the trailing dot too), as Gcore keeps them.
    expect(replaced.body.resource_records.map((r: { content: string[] }) => r.content[0])).toEqual([
      'ns1.provider.example',
      'ns2.provider.example.',
    ]);
    // A delegation below the apex is an ordinary record set and can go.
    await api
      .http()
      .post('/v2/zones/apex.example/sub.apex.example/NS')
      .set(H)
      .send({ resource_records: [{ content: ['ns.sub.example'] }] })
      .expect(201);
    await api.http().delete('/v2/zones/apex.example/sub.apex.example/NS').set(H).expect(204);
  });

  it('deletes a zone with all its record sets', async () => {
    await create({ name: 'delete.example' }).expect(201);
    for (const n of ['www', 'api', 'mail']) {
      await api
        .http()
        .post(`/v2/zones/delete.example/${n}.delete.example/A`)
        .set(H)
        .send({ resource_records: [{ content: ['192.0.2.7'] }] })
        .expect(201);
    }
    const [{ id }] = await api.ds().query('SELECT id FROM zones WHERE name = $1', ['delete.example']);
    const [{ n: before }] = await api.ds().query('SELECT count(*)::int AS n FROM rrsets WHERE zone_id = $1', [id]);
    expect(before).toBe(4);

    await api.http().delete('/v2/zones/delete.example').set(H).expect(204);
    await api.http().get('/v2/zones/delete.example').set(H).expect(404);
    await api.http().get('/v2/zones/delete.example/rrsets').set(H).expect(404);
    await api.http().get('/v2/zones/delete.example/www.delete.example/A').set(H).expect(404);
    await api.http().delete('/v2/zones/delete.example').set(H).expect(404);
    const [{ n: after }] = await api.ds().query('SELECT count(*)::int AS n FROM rrsets WHERE zone_id = $1', [id]);
    expect(after).toBe(0);

    // The name is free again, and the new zone starts empty but for its apex NS.
    await create({ name: 'delete.example' }).expect(201);
    const list = await api.http().get('/v2/zones/delete.example/rrsets').set(H).expect(200);
    expect(list.body.rrsets.map((r: { type: string }) => r.type)).toEqual(['NS']);
  });

  it('answers 404 for zones that do not exist, whatever the spelling', async () => {
    expectError(await api.http().get('/v2/zones/nothing.example').set(H), 404);
    expectError(await api.http().get('/v2/zones/bad..name').set(H), 404);
    expectError(await api.http().delete('/v2/zones/nothing.example').set(H), 404);
  });

  it('refuses unknown properties naming them', async () => {
    expectInvalid(await create({ name: 'unknown.example', owner: 'me' }), 'owner');
    await create({ name: 'unknown.example' }).expect(201);
    expectInvalid(await api.http().patch('/v2/zones/unknown.example').set(H).send({ owner: 'me' }), 'owner');
    expectInvalid(await api.http().put('/v2/zones/unknown.example').set(H).send({ id: 5 }), 'id');
  });

  it('refuses a body that is not JSON', async () => {
    expectInvalid(await api.http().post('/v2/zones').set(H).set('Content-Type', 'application/json').send('{"name": "x.example"'), '(body)');
    expectInvalid(await api.http().post('/v2/zones').set(H).set('Content-Type', 'application/json').send('null'), '(body)');
    expectInvalid(await api.http().post('/v2/zones').set(H).set('Content-Type', 'text/plain').send('name=plain.example'), '(body)');
    expectInvalid(await api.http().post('/v2/zones').set(H).type('form').send('name=form.example'), '(body)');
    expectInvalid(
      await api
        .http()
        .post('/v2/zones')
        .set(H)
        .send([{ name: 'array.example' }]),
      '(body)',
    );
    expectInvalid(await api.http().post('/v2/zones').set(H).send('"a string"').set('Content-Type', 'application/json'), '(body)');
    for (const name of ['plain.example', 'form.example', 'array.example', 'x.example']) {
      await api.http().get(`/v2/zones/${name}`).set(H).expect(404);
    }
  });

  describe("Gcore's zone fields and routes", () => {
    const amount = (total: number, dynamic = 0, healthcheck = 0) => ({
      total,
      static: total - dynamic,
      dynamic: { total: dynamic, healthcheck },
    });

    it('numbers zones: a JSON integer id, growing, the same on every read', async () => {
      const a = (await create({ name: 'num-a.example' }).expect(201)).body;
      const b = (await create({ name: 'num-b.example' }).expect(201)).body;
      expect(Number.isSafeInteger(a.id) && a.id > 0).toBe(true);
      expect(b.id).toBeGreaterThan(a.id);
      expect((await api.http().get('/v2/zones/num-a.example').set(H).expect(200)).body.id).toBe(a.id);
      const listed = await api.http().get('/v2/zones?name=num-a.example&name=num-b.example').set(H).expect(200);
      expect(listed.body.zones.map((z: { id: number }) => z.id)).toEqual([a.id, b.id]);
    });

    it('takes serial and meta at creation and returns them; null meta is none', async () => {
      const meta = { webhook: 'https://hook.example/dns', webhook_method: 'PUT', team: { owner: 'ops' } };
      const res = await create({ name: 'meta.example', serial: 2026120101, meta }).expect(201);
      expect(res.body).toMatchObject({ serial: 2026120101, meta });
      expect((await api.http().get('/v2/zones/meta.example').set(H).expect(200)).body).toMatchObject({ serial: 2026120101, meta });
      expect((await create({ name: 'meta-null.example', meta: null }).expect(201)).body.meta).toEqual({});
      // Later changes count up from the serial given.
      await api
        .http()
        .put('/v2/zones/meta.example/www.meta.example/A')
        .set(H)
        .send({ resource_records: [{ content: ['192.0.2.1'] }] })
        .expect(201);
      expect(await serialOf('meta.example')).toBe(2026120102);
    });

    it.each<[string, unknown, string]>([
      ['serial', { serial: -1 }, 'must be an integer from 0 to 4294967295'],
      ['serial', { serial: 4294967296 }, 'must be an integer from 0 to 4294967295'],
      ['serial', { serial: '5' }, 'must be an integer from 0 to 4294967295'],
      ['meta', { meta: [] }, 'must be an object'],
      ['meta', { meta: 'hook' }, 'must be an object'],
      ['meta.webhook', { meta: { webhook: 'ftp://x.example' } }, 'must be an http:// or https:// URL of at most 2048 characters'],
      ['meta.webhook_method', { meta: { webhook_method: 'SEND' } }, 'must be one of GET, POST, PUT, PATCH, DELETE'],
      ['meta', { meta: { blob: 'x'.repeat(17000) } }, 'must be at most 16384 bytes of JSON'],
    ])('refuses a bad %s at creation (case %#)', async (field, extra, reason) => {
      expect(expectInvalid(await create({ name: 'bad-meta.example', ...(extra as object) }), field)).toBe(reason);
    });

    it('counts record sets as Gcore does: static, dynamic (pickers or failover) and running health checks', async () => {
      const c = await api.customer('amounts');
      const t = apiKey(await api.token(c.agent));
      await api.http().post('/v2/zones').set(t).send({ name: 'amounts.example' }).expect(201);
      const put = (name: string, body: object) =>
        api.http().put(`/v2/zones/amounts.example/${name}.amounts.example/A`).set(t).send(body).expect(201);
      const two = { resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }] };
      const failover = { protocol: 'TCP', port: 443, frequency: 60, timeout: 5 };
      await put('plain', two);
      await put('geo', { ...two, pickers: [{ type: 'geodns' }] });
      const get = async () => (await api.http().get('/v2/zones/amounts.example').set(t).expect(200)).body.rrsets_amount;
      expect(await get()).toEqual(amount(3, 1, 0));
      await api.grantFailover(c.accountId);
      await put('checked', { ...two, meta: { failover } });
      await put('both', { ...two, filters: [{ type: 'healthcheck' }], meta: { failover } });
      expect(await get()).toEqual(amount(5, 3, 2));
      expect((await api.http().get('/v2/zones?name=amounts.example').set(t).expect(200)).body.zones[0].rrsets_amount).toEqual(
        amount(5, 3, 2),
      );
      // Revoked: the checks no longer run, the record sets stay dynamic.
      const support = await api.support();
      await support
        .patch(`/v2/admin/accounts/${c.accountId}`)
        .send({ features: { failover: false } })
        .expect(200);
      expect(await get()).toEqual(amount(5, 3, 0));
    });

    it('PUT changes the zone as PATCH does, with a matching name ignored and another refused', async () => {
      await create({ name: 'put.example' }).expect(201);
      const before = await serialOf('put.example');
      const res = await api
        .http()
        .put('/v2/zones/put.example')
        .set(H)
        .send({ name: 'put.example', contact: 'admin@put.example', nx_ttl: 120, meta: { webhook: 'https://h.example/x' }, serial: 5 })
        .expect(200);
      expect(res.body).toMatchObject({
        name: 'put.example',
        contact: 'admin@put.example',
        nx_ttl: 120,
        meta: { webhook: 'https://h.example/x' },
      });
      // A lower serial is a floor that is already passed: serials never go down.
      expect(res.body.serial).toBeGreaterThan(before);
      const high = await api.http().put('/v2/zones/put.example').set(H).send({ name: 'PUT.example.', serial: 4000000000 }).expect(200);
      expect(high.body.serial).toBe(4000000000);
      expect(expectInvalid(await api.http().put('/v2/zones/put.example').set(H).send({ name: 'other.example' }), 'name')).toContain(
        'must be put.example',
      );
      expectInvalid(await api.http().put('/v2/zones/put.example').set(H).send({ name: 'not a name' }), 'name');
      expectError(await api.http().put('/v2/zones/missing.example').set(H).send({ name: 'missing.example' }), 404);
      expect((await api.http().get('/v2/zones/put.example').set(H).expect(200)).body.contact).toBe('admin@put.example');
    });

    it('PATCH .../disable and .../enable switch the zone off and on, with no body, in DNS too', async () => {
      await create({ name: 'toggle.example' }).expect(201);
      const redis = api.redis();
      try {
        const off = await api.http().patch('/v2/zones/toggle.example/disable').set(H).set('Content-Type', 'application/json').expect(200);
        expect(off.body).toMatchObject({ name: 'toggle.example', enabled: false });
        expect(await redis.hexists(redisKeys.zoneIndex, 'toggle.example')).toBe(0);
        expect((await api.http().get('/v2/zones?enabled=false&name=toggle.example').set(H).expect(200)).body.total_amount).toBe(1);
        const on = await api.http().patch('/v2/zones/toggle.example/enable').set(H).expect(200);
        expect(on.body.enabled).toBe(true);
        expect(await redis.hexists(redisKeys.zoneIndex, 'toggle.example')).toBe(1);
        expect((await api.http().get('/v2/zones/toggle.example').set(H).expect(200)).body.enabled).toBe(true);
        expectError(await api.http().patch('/v2/zones/missing.example/enable').set(H), 404);
      } finally {
        redis.disconnect();
      }
    });

    it('filters the list by exact names (repeated), enabled, and orders it by order_by and order_direction', async () => {
      const c = await api.customer('filters');
      const t = apiKey(await api.token(c.agent));
      for (const n of ['f-b.example', 'f-a.example', 'f-c.example', 'f-ab.example'])
        await api.http().post('/v2/zones').set(t).send({ name: n }).expect(201);
      await api.http().patch('/v2/zones/f-c.example/disable').set(t).expect(200);
      const names = async (q: string) =>
        (await api.http().get(`/v2/zones?${q}`).set(t).expect(200)).body.zones.map((z: { name: string }) => z.name);
      expect(await names('name=f-a.example')).toEqual(['f-a.example']);
      expect(await names('name=F-A.example.&name=f-c.example')).toEqual(['f-a.example', 'f-c.example']);
      expect(await names('name=f-a.example,f-b.example')).toEqual(['f-a.example', 'f-b.example']);
      expect(await names('name=nothing.example')).toEqual([]);
      expect(await names('enabled=false')).toEqual(['f-c.example']);
      expect(await names('enabled=true')).toEqual(['f-a.example', 'f-ab.example', 'f-b.example']);
      expect(await names('order_by=name&order_direction=desc')).toEqual(['f-c.example', 'f-b.example', 'f-ab.example', 'f-a.example']);
      expect(await names('order_by=id')).toEqual(['f-b.example', 'f-a.example', 'f-c.example', 'f-ab.example']);
      expect(await names('order_by=id&order_direction=DESC&limit=2')).toEqual(['f-ab.example', 'f-c.example']);
      expect(await names('order_by=enabled')).toEqual(['f-c.example', 'f-a.example', 'f-ab.example', 'f-b.example']);
    });

    it.each([
      ['order_by=size', 'order_by', 'must be one of name, id, serial, enabled, created_at, updated_at'],
      ['order_direction=up', 'order_direction', 'must be asc or desc'],
      ['enabled=maybe', 'enabled', 'must be true or false'],
      ['name=bad%20name', 'name[0]', ''],
      ['name=a.example&name=..', 'name[1]', ''],
    ])('refuses the zone list query %s naming %s', async (query, field, reason) => {
      const got = expectInvalid(await api.http().get(`/v2/zones?${query}`).set(H), field);
      if (reason) expect(got).toBe(reason);
    });
  });
});
