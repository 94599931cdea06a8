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
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'create.example',
      enabled: true,
      serial: expect.any(Number),
      contact: 'hostmaster@vigil.localhost',
      primary_server: 'ns1.vigil.localhost',
      refresh: 3600,
      retry: 600,
      expiry: 1209600,
      nx_ttl: 300,
      rrsets_amount: 1,
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
    expect(all.body.zones[0].rrsets_amount).toBe(1);

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
    expect(replaced.body.resource_records.map((r: { content: string[] }) => r.content[0])).toEqual([
      'ns1.provider.example',
      'ns2.provider.example',
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
    const { id } = (await api.http().get('/v2/zones/delete.example').set(H).expect(200)).body;
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
    expectInvalid(await api.http().patch('/v2/zones/unknown.example').set(H).send({ serial: 1 }), 'serial');
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
});
