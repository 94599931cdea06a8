import type TestAgent from 'supertest/lib/agent';
import { apiKey, expectError, expectInvalid, SUPPORT, TestApi } from '../testing/test-app';

describe('record sets API (real PostgreSQL)', () => {
  let api: TestApi;
  let token: string;
  let accountId: string;
  let H: { Authorization: string };
  const zone = 'shop.example';

  beforeAll(async () => {
    api = await TestApi.start();
    const c = await api.customer();
    accountId = c.accountId;
    token = await api.token(c.agent);
    H = apiKey(token);
    await api.http().post('/v2/zones').set(H).send({ name: zone }).expect(201);
  });
  afterAll(() => api.close());

  const url = (name: string, type: string, z = zone) => `/v2/zones/${z}/${name}/${type}`;
  const post = (name: string, type: string, body: unknown) =>
    api
      .http()
      .post(url(name, type))
      .set(H)
      .send(body as object);
  const put = (name: string, type: string, body: unknown) =>
    api
      .http()
      .put(url(name, type))
      .set(H)
      .send(body as object);
  const rr = (...contents: unknown[][]) => ({ resource_records: contents.map((content) => ({ content })) });
  const withoutId = ({ id: _id, ...rec }: { id: number }) => rec;

  const failoverBody = {
    ttl: 30,
    resource_records: [{ content: ['192.0.2.10'] }, { content: ['192.0.2.11'] }, { content: ['192.0.2.12'] }],
    pickers: [],
    meta: {
      failover: {
        protocol: 'HTTP',
        port: 80,
        frequency: 60,
        timeout: 10,
        method: 'GET',
        url: '/health',
        host: 'shop.example',
        http_status_code: 200,
        regexp: 'ok',
      },
    },
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

  describe('CRUD', () => {
    it('POST creates (201), POST again is 409, GET reads it back, DELETE removes it', async () => {
      const body = {
        ttl: 120,
        resource_records: [{ content: ['192.0.2.1'], enabled: false, meta: { weight: 5 } }, { content: ['192.0.2.2'] }],
      };
      const created = await post(`crud.${zone}`, 'A', body).expect(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: `crud.${zone}`,
        type: 'A',
        ttl: 120,
        resource_records: [
          { id: expect.any(Number), content: ['192.0.2.1'], enabled: false, meta: { weight: 5 } },
          { id: expect.any(Number), content: ['192.0.2.2'], enabled: true, meta: {} },
        ],
        pickers: [],
        meta: {},
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(expectError(await post(`crud.${zone}`, 'A', body), 409)).toContain('PUT');
      expect(
        (
          await api
            .http()
            .get(url(`crud.${zone}`, 'A'))
            .set(H)
            .expect(200)
        ).body,
      ).toEqual(created.body);
      // Name and type are normalised in the path.
      expect(
        (
          await api
            .http()
            .get(url(`CRUD.Shop.Example.`, 'a', 'SHOP.example'))
            .set(H)
            .expect(200)
        ).body,
      ).toEqual(created.body);

      await api
        .http()
        .delete(url(`crud.${zone}`, 'A'))
        .set(H)
        .expect(204);
      expectError(
        await api
          .http()
          .get(url(`crud.${zone}`, 'A'))
          .set(H),
        404,
      );
      expectError(
        await api
          .http()
          .delete(url(`crud.${zone}`, 'A'))
          .set(H),
        404,
      );
    });

    it('PUT creates (201) then replaces (200), leaving nothing of the old record set', async () => {
      const first = await put(`put.${zone}`, 'AAAA', {
        ttl: 60,
        resource_records: [{ content: ['2001:db8::1'], meta: { countries: ['fr'] } }],
        pickers: [{ type: 'geodns' }],
      }).expect(201);
      expect(first.body).toMatchObject({ ttl: 60, pickers: [{ type: 'geodns', strict: false }] });
      const second = await put(`put.${zone}`, 'AAAA', rr(['2001:db8::2'])).expect(200);
      expect(second.body.id).toBe(first.body.id);
      expect(second.body).toMatchObject({
        ttl: 300,
        resource_records: [{ content: ['2001:db8::2'], enabled: true, meta: {} }],
        pickers: [],
        meta: {},
      });
      expect(
        (
          await api
            .http()
            .get(url(`put.${zone}`, 'AAAA'))
            .set(H)
            .expect(200)
        ).body,
      ).toEqual(second.body);
    });

    it('lists record sets by name and type with pagination', async () => {
      await api.http().post('/v2/zones').set(H).send({ name: 'list.example' }).expect(201);
      const lurl = (n: string, t: string) => `/v2/zones/list.example/${n}/${t}`;
      await api
        .http()
        .post(lurl('b.list.example', 'A'))
        .set(H)
        .send(rr(['192.0.2.1']))
        .expect(201);
      await api
        .http()
        .post(lurl('a.list.example', 'TXT'))
        .set(H)
        .send(rr(['hello']))
        .expect(201);
      await api
        .http()
        .post(lurl('a.list.example', 'A'))
        .set(H)
        .send(rr(['192.0.2.2']))
        .expect(201);
      const all = await api.http().get('/v2/zones/list.example/rrsets').set(H).expect(200);
      expect(all.body.total_amount).toBe(4);
      expect(all.body.rrsets.map((r: { name: string; type: string }) => `${r.name}/${r.type}`)).toEqual([
        'a.list.example/A',
        'a.list.example/TXT',
        'b.list.example/A',
        'list.example/NS',
      ]);
      const page = await api.http().get('/v2/zones/list.example/rrsets?limit=2&offset=1').set(H).expect(200);
      expect(page.body.total_amount).toBe(4);
      expect(page.body.rrsets.map((r: { name: string; type: string }) => `${r.name}/${r.type}`)).toEqual([
        'a.list.example/TXT',
        'b.list.example/A',
      ]);
      expectInvalid(await api.http().get('/v2/zones/list.example/rrsets?limit=0').set(H), 'limit');
      expectInvalid(await api.http().get('/v2/zones/list.example/rrsets?offset=-5').set(H), 'offset');
      expectInvalid(await api.http().get('/v2/zones/list.example/rrsets?limit=many').set(H), 'limit');
      expectError(await api.http().get('/v2/zones/none.example/rrsets').set(H), 404);
    });

    it('lists every record set with all=true (no page limit), and only some types with type=', async () => {
      await api.http().post('/v2/zones').set(H).send({ name: 'many.example' }).expect(201);
      const upserts = Array.from({ length: 105 }, (_, i) => ({
        name: `h${i}.many.example`,
        type: i % 2 ? 'A' : 'TXT',
        ...rr(i % 2 ? ['192.0.2.1'] : ['t']),
      }));
      await api.http().patch('/v2/zones/many.example/rrsets').set(H).send({ upserts }).expect(200);
      const names = (res: { body: { rrsets: { name: string; type: string }[] } }) => res.body.rrsets.map((r) => `${r.name}/${r.type}`);
      const page = await api.http().get('/v2/zones/many.example/rrsets').set(H).expect(200);
      expect(page.body.rrsets).toHaveLength(100);
      const all = await api.http().get('/v2/zones/many.example/rrsets?all=true').set(H).expect(200);
      expect(all.body.total_amount).toBe(106);
      expect(all.body.rrsets).toHaveLength(106);
      expect(await api.http().get('/v2/zones/many.example/rrsets?all=true&limit=5&offset=3').set(H).expect(200)).toHaveProperty(
        'body.rrsets.length',
        106,
      );
      expect((await api.http().get('/v2/zones/many.example/rrsets?all=false&limit=5').set(H).expect(200)).body.rrsets).toHaveLength(5);

      // Gcore's SDK finds a zone's name servers so: ?all=true&type=NS.
      const ns = await api.http().get('/v2/zones/many.example/rrsets?all=true&type=NS').set(H).expect(200);
      expect(names(ns)).toEqual(['many.example/NS']);
      expect(ns.body.total_amount).toBe(1);
      const a = await api.http().get('/v2/zones/many.example/rrsets?all=true&type=a').set(H).expect(200);
      expect(a.body.total_amount).toBe(52);
      expect(new Set(a.body.rrsets.map((r: { type: string }) => r.type))).toEqual(new Set(['A']));
      for (const q of ['type=NS&type=A', 'type=NS,A', 'type=NS,&type=a']) {
        const both = await api.http().get(`/v2/zones/many.example/rrsets?all=true&${q}`).set(H).expect(200);
        expect(both.body.total_amount).toBe(53);
      }
      const typePage = await api.http().get('/v2/zones/many.example/rrsets?type=TXT&limit=10').set(H).expect(200);
      expect(typePage.body).toMatchObject({ total_amount: 53 - 52 + 52, rrsets: expect.any(Array) });
      expect(typePage.body.rrsets).toHaveLength(10);

      expect(expectInvalid(await api.http().get('/v2/zones/many.example/rrsets?all=yes').set(H), 'all')).toBe('must be true or false');
      expect(expectInvalid(await api.http().get('/v2/zones/many.example/rrsets?type=PTRX').set(H), 'type[0]')).toContain(
        'must be one of A, AAAA',
      );
      expectInvalid(await api.http().get('/v2/zones/many.example/rrsets?type=A&type=MXX').set(H), 'type[1]');
    });

    it('gives every record an id, the same on every read and across a PUT that keeps the record', async () => {
      const first = await put(`ids.${zone}`, 'A', rr(['192.0.2.1'], ['192.0.2.2'])).expect(201);
      const ids = first.body.resource_records.map((r: { id: unknown }) => r.id);
      for (const id of ids) expect(Number.isSafeInteger(id) && id > 0).toBe(true);
      expect(new Set(ids).size).toBe(2);
      const read = await api
        .http()
        .get(url(`ids.${zone}`, 'A'))
        .set(H)
        .expect(200);
      expect(read.body.resource_records.map((r: { id: unknown }) => r.id)).toEqual(ids);
      const again = await put(`ids.${zone}`, 'A', rr(['192.0.2.3'], ['192.0.2.1'])).expect(200);
      expect(again.body.resource_records[1].id).toBe(ids[0]);
      expect(ids).not.toContain(again.body.resource_records[0].id);
      // Another record set's record of the same content has another id.
      const other = await put(`ids2.${zone}`, 'A', rr(['192.0.2.1'])).expect(201);
      expect(other.body.resource_records[0].id).not.toBe(ids[0]);
    });

    it('answers 404 for a record set or zone that does not exist', async () => {
      expectError(
        await api
          .http()
          .get(url(`nothing.${zone}`, 'A'))
          .set(H),
        404,
      );
      expectError(
        await api
          .http()
          .get(url(`nothing.none.example`, 'A', 'none.example'))
          .set(H),
        404,
      );
      expectError(
        await api
          .http()
          .post(url(`x.none.example`, 'A', 'none.example'))
          .set(H)
          .send(rr(['192.0.2.1'])),
        404,
      );
      expectError(
        await api
          .http()
          .put(url(`x.none.example`, 'A', 'none.example'))
          .set(H)
          .send(rr(['192.0.2.1'])),
        404,
      );
      expectError(
        await api
          .http()
          .delete(url(`x.none.example`, 'A', 'none.example'))
          .set(H),
        404,
      );
    });
  });

  describe('names and types', () => {
    it.each([
      ['another zone', 'www.other.example'],
      ['a zone that only ends the same', 'evilshop.example'],
      ['the parent of the zone', 'example'],
      ['a bad label', 'bad_label!.shop.example'],
      ['an empty label', 'a..shop.example'],
      ['a label over 63 characters', `${'x'.repeat(64)}.shop.example`],
      ['a wildcard that is not leftmost', 'a.*.shop.example'],
      ['a wildcard inside a label', 'x*.shop.example'],
      ['two wildcards', '*.*.shop.example'],
    ])('refuses a name in %s with 400 naming the field', async (_, name) => {
      expectInvalid(await post(encodeURIComponent(name), 'A', rr(['192.0.2.1'])), 'name');
    });

    it('refuses a name that is too long', async () => {
      const long = `${'abcdefghij.'.repeat(23)}shop.example`;
      expectInvalid(await post(long, 'A', rr(['192.0.2.1'])), 'name');
    });

    it('takes the apex, a wildcard as leftmost label, IDN and underscore labels', async () => {
      await post(zone, 'A', rr(['192.0.2.1'])).expect(201);
      const wild = await post(`*.${zone}`, 'A', rr(['192.0.2.2'])).expect(201);
      expect(wild.body.name).toBe(`*.${zone}`);
      await post(`*.wild.${zone}`, 'TXT', rr(['any'])).expect(201);
      const idn = await post(encodeURIComponent(`café.${zone}`), 'A', rr(['192.0.2.3'])).expect(201);
      expect(idn.body.name).toBe(`xn--caf-dma.${zone}`);
      await post(`_dmarc.${zone}`, 'TXT', rr(['v=DMARC1; p=none'])).expect(201);
      await post(`_sip._tcp.${zone}`, 'SRV', rr([10, 5, 5060, `sip.${zone}`])).expect(201);
      const upper = await post(`UPPER.${zone}.`, 'A', rr(['192.0.2.4'])).expect(201);
      expect(upper.body.name).toBe(`upper.${zone}`);
    });

    it.each([['XYZ'], ['SOA'], ['DNAME'], ['ANY'], ['A1']])('refuses the unknown type %s naming the field', async (type) => {
      expectInvalid(await post(`type.${zone}`, type, rr(['192.0.2.1'])), 'type');
    });

    it('names both fields when name and type are both bad', async () => {
      const res = await post('www.other.example', 'BOGUS', rr(['192.0.2.1']));
      expectInvalid(res, 'name');
      expectInvalid(res, 'type');
    });
  });

  describe('content per type', () => {
    const content = (i = 0, j?: number) => `resource_records[${i}].content${j === undefined ? '' : `[${j}]`}`;

    it.each([
      ['256.0.0.1'],
      ['192.0.2'],
      ['192.0.2.1.5'],
      ['01.2.3.4'],
      ['192.0.2.1/24'],
      [' 192.0.2.1'],
      ['2001:db8::1'],
      [''],
      ['example.com'],
    ])('A refuses %j', async (address) => {
      expect(expectInvalid(await post(`a.${zone}`, 'A', rr([address])), content(0, 0))).toMatch(/IPv4/);
    });

    it('A refuses a number, and the wrong number of values', async () => {
      expectInvalid(await post(`a.${zone}`, 'A', rr([3232235521])), content(0, 0));
      expectInvalid(await post(`a.${zone}`, 'A', rr(['192.0.2.1', '192.0.2.2'])), content(0));
      expectInvalid(await post(`a.${zone}`, 'A', rr([])), content(0));
      expectInvalid(await post(`a.${zone}`, 'A', { resource_records: [{ content: '192.0.2.1' }] }), content(0));
      expectInvalid(await post(`a.${zone}`, 'A', { resource_records: [{ content: [{ ip: '192.0.2.1' }] }] }), content(0, 0));
    });

    it.each([['2001:db8::g'], ['192.0.2.1'], ['2001:db8::1%eth0'], ['2001:db8:::1'], ['1:2:3:4:5:6:7:8:9'], ['']])(
      'AAAA refuses %j',
      async (address) => {
        expect(expectInvalid(await post(`aaaa.${zone}`, 'AAAA', rr([address])), content(0, 0))).toMatch(/IPv6/);
      },
    );

    it('stores addresses in canonical form', async () => {
      const v6 = await post(`canon.${zone}`, 'AAAA', rr(['2001:DB8:0:0:0:0:0:1'], ['2001:db8:0:0:1:0:0:1'])).expect(201);
      expect(v6.body.resource_records.map((r: { content: string[] }) => r.content[0])).toEqual(['2001:db8::1', '2001:db8::1:0:0:1']);
    });

    it('CNAME takes one domain name', async () => {
      // Kept as sent (case and trailing dot), as Gcore does; served and compared canonical.
      const ok = await post(`alias.${zone}`, 'CNAME', rr(['Target.Example.'])).expect(201);
      expect(ok.body.resource_records[0].content).toEqual(['Target.Example.']);
      expectInvalid(await post(`alias2.${zone}`, 'CNAME', rr(['not a name'])), content(0, 0));
      expectInvalid(await post(`alias2.${zone}`, 'CNAME', rr(['192.0.2.1', 'x'])), content(0));
      expectInvalid(await post(`alias2.${zone}`, 'CNAME', rr(['a.example'], ['b.example'])), 'resource_records');
    });

    it('MX takes a preference and an exchange', async () => {
      const ok = await post(`mx.${zone}`, 'MX', rr([10, 'mail.example.'], ['20', 'backup.example'])).expect(201);
      expect(ok.body.resource_records.map((r: { content: unknown[] }) => r.content)).toEqual([
        [10, 'mail.example.'],
        [20, 'backup.example'],
      ]);
      await post(`nullmx.${zone}`, 'MX', rr([0, '.'])).expect(201);
      expectInvalid(await post(`mx2.${zone}`, 'MX', rr(['high', 'mail.example'])), content(0, 0));
      expectInvalid(await post(`mx2.${zone}`, 'MX', rr([70000, 'mail.example'])), content(0, 0));
      expectInvalid(await post(`mx2.${zone}`, 'MX', rr([-1, 'mail.example'])), content(0, 0));
      expectInvalid(await post(`mx2.${zone}`, 'MX', rr([1.5, 'mail.example'])), content(0, 0));
      expectInvalid(await post(`mx2.${zone}`, 'MX', rr([10, 'bad host!'])), content(0, 1));
      expectInvalid(await post(`mx2.${zone}`, 'MX', rr([10])), content(0));
      expectInvalid(await post(`mx2.${zone}`, 'MX', rr(['mail.example'])), content(0));
    });

    it('TXT takes one or more strings of at most 4096 bytes in all', async () => {
      const ok = await post(`txt.${zone}`, 'TXT', rr(['v=spf1 -all'], ['part one', 'part two'], ['x'.repeat(300)], [''])).expect(201);
      expect(ok.body.resource_records[1].content).toEqual(['part one', 'part two']);
      expectInvalid(await post(`txt2.${zone}`, 'TXT', rr([])), content(0));
      expectInvalid(await post(`txt2.${zone}`, 'TXT', rr([42])), content(0, 0));
      expectInvalid(await post(`txt2.${zone}`, 'TXT', rr(['ok', 7])), content(0, 1));
      expectInvalid(await post(`txt2.${zone}`, 'TXT', rr(['é'.repeat(2049)])), content(0));
    });

    it('NS takes one domain name, and delegates below the apex', async () => {
      const ok = await post(`sub.${zone}`, 'NS', rr(['ns1.elsewhere.example'], ['ns2.elsewhere.example'])).expect(201);
      expect(ok.body.resource_records).toHaveLength(2);
      expectInvalid(await post(`sub2.${zone}`, 'NS', rr(['bad name'])), content(0, 0));
      expectInvalid(await post(`sub2.${zone}`, 'NS', rr([1])), content(0, 0));
    });

    it('SRV takes priority, weight, port and target', async () => {
      const ok = await post(`_xmpp._tcp.${zone}`, 'SRV', rr([10, 60, '5222', 'xmpp.example.'])).expect(201);
      expect(ok.body.resource_records[0].content).toEqual([10, 60, 5222, 'xmpp.example.']);
      await post(`_none._tcp.${zone}`, 'SRV', rr([0, 0, 0, '.'])).expect(201);
      expectInvalid(await post(`_x._tcp.${zone}`, 'SRV', rr([-1, 0, 80, 'a.example'])), content(0, 0));
      expectInvalid(await post(`_x._tcp.${zone}`, 'SRV', rr([1, 'w', 80, 'a.example'])), content(0, 1));
      expectInvalid(await post(`_x._tcp.${zone}`, 'SRV', rr([1, 1, 70000, 'a.example'])), content(0, 2));
      expectInvalid(await post(`_x._tcp.${zone}`, 'SRV', rr([1, 1, 80, 'bad target!'])), content(0, 3));
      expectInvalid(await post(`_x._tcp.${zone}`, 'SRV', rr([1, 1, 80])), content(0));
    });

    it('CAA takes flags, tag and value', async () => {
      const ok = await post(zone, 'CAA', rr([0, 'ISSUE', 'letsencrypt.org'], [128, 'iodef', 'mailto:sec@shop.example'])).expect(201);
      expect(ok.body.resource_records[0].content).toEqual([0, 'issue', 'letsencrypt.org']);
      expectInvalid(await post(`caa.${zone}`, 'CAA', rr([256, 'issue', 'ca.example'])), content(0, 0));
      expectInvalid(await post(`caa.${zone}`, 'CAA', rr([0, 'bad tag', 'ca.example'])), content(0, 1));
      expectInvalid(await post(`caa.${zone}`, 'CAA', rr([0, 'x'.repeat(16), 'ca.example'])), content(0, 1));
      expectInvalid(await post(`caa.${zone}`, 'CAA', rr([0, 'issue', 5])), content(0, 2));
      expectInvalid(await post(`caa.${zone}`, 'CAA', rr([0, 'issue', 'v'.repeat(1025)])), content(0, 2));
      expectInvalid(await post(`caa.${zone}`, 'CAA', rr([0, 'issue'])), content(0));
    });

    it('names the right record among several', async () => {
      expectInvalid(await post(`many.${zone}`, 'A', rr(['192.0.2.1'], ['192.0.2.2'], ['nope'])), content(2, 0));
    });
  });

  describe('record set rules', () => {
    it('refuses duplicate records, after canonicalisation', async () => {
      expect(expectInvalid(await post(`dup.${zone}`, 'A', rr(['192.0.2.1'], ['192.0.2.1'])), 'resource_records[1].content')).toContain(
        'resource_records[0]',
      );
      expectInvalid(await post(`dup.${zone}`, 'AAAA', rr(['2001:db8::1'], ['2001:DB8:0::1'])), 'resource_records[1].content');
      expectInvalid(await post(`dup.${zone}`, 'MX', rr([10, 'mail.example'], ['10', 'MAIL.example.'])), 'resource_records[1].content');
      expectError(
        await api
          .http()
          .get(url(`dup.${zone}`, 'A'))
          .set(H),
        404,
      );
    });

    it('needs 1 to 100 records', async () => {
      expectInvalid(await post(`count.${zone}`, 'A', { resource_records: [] }), 'resource_records');
      expectInvalid(await post(`count.${zone}`, 'A', {}), 'resource_records');
      expectInvalid(await post(`count.${zone}`, 'A', { resource_records: 'x' }), 'resource_records');
      const many = Array.from({ length: 101 }, (_, i) => [`10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`]);
      expectInvalid(await post(`count.${zone}`, 'A', rr(...many)), 'resource_records');
      await post(`count.${zone}`, 'A', rr(...many.slice(0, 100))).expect(201);
    });

    it('takes the largest record set the limits allow: 100 TXT records of 4096 bytes', async () => {
      const big = Array.from({ length: 100 }, (_, i) => [`${String(i).padStart(3, '0')}${'é'.repeat(2046)}`]);
      expect(Buffer.byteLength(big[0]![0]!)).toBe(4095);
      const res = await put(`big.${zone}`, 'TXT', rr(...big)).expect(201);
      expect(res.body.resource_records).toHaveLength(100);
      // Far beyond any valid body, the answer is 413 in the API's error shape.
      const huge = await put(`huge.${zone}`, 'TXT', rr(['x'.repeat(8 * 1024 * 1024)]));
      expect(expectError(huge, 413).length).toBeGreaterThan(0);
    });

    it.each([[-1], [604801], [1.5], ['30'], [null]])('refuses the TTL %j', async (ttl) => {
      expectInvalid(await post(`ttl.${zone}`, 'A', { ttl, ...rr(['192.0.2.1']) }), 'ttl');
    });

    it('takes TTLs from 0 to 604800, 300 by default', async () => {
      expect((await post(`ttl0.${zone}`, 'A', { ttl: 0, ...rr(['192.0.2.1']) }).expect(201)).body.ttl).toBe(0);
      expect((await post(`ttlmax.${zone}`, 'A', { ttl: 604800, ...rr(['192.0.2.1']) }).expect(201)).body.ttl).toBe(604800);
      expect((await post(`ttldef.${zone}`, 'A', rr(['192.0.2.1'])).expect(201)).body.ttl).toBe(300);
    });

    it('keeps a CNAME alone at its name, both ways, and off the apex', async () => {
      await post(`host.${zone}`, 'A', rr(['192.0.2.1'])).expect(201);
      expect(expectInvalid(await post(`host.${zone}`, 'CNAME', rr(['target.example'])), 'type')).toContain('A');
      expectInvalid(await put(`host.${zone}`, 'CNAME', rr(['target.example'])), 'type');

      await post(`cn.${zone}`, 'CNAME', rr(['target.example'])).expect(201);
      for (const [type, content] of [
        ['A', ['192.0.2.1']],
        ['AAAA', ['2001:db8::1']],
        ['TXT', ['x']],
        ['MX', [10, 'm.example']],
      ] as const) {
        expectInvalid(await post(`cn.${zone}`, type, rr([...content])), 'type');
      }
      // The CNAME itself can be replaced.
      await put(`cn.${zone}`, 'CNAME', rr(['other-target.example'])).expect(200);

      expect(expectInvalid(await post(zone, 'CNAME', rr(['target.example'])), 'name')).toContain('apex');
      expectInvalid(await put(zone.toUpperCase(), 'CNAME', rr(['target.example'])), 'name');
      // Wildcards follow the same rule.
      await post(`*.cnw.${zone}`, 'CNAME', rr(['target.example'])).expect(201);
      expectInvalid(await post(`*.cnw.${zone}`, 'A', rr(['192.0.2.1'])), 'type');
    });

    it('refuses unknown properties anywhere, naming them', async () => {
      expectInvalid(await post(`unk.${zone}`, 'A', { ...rr(['192.0.2.1']), name: 'x' }), 'name');
      expectInvalid(
        await post(`unk.${zone}`, 'A', { resource_records: [{ content: ['192.0.2.1'], prio: 1 }] }),
        'resource_records[0].prio',
      );
      expectInvalid(await post(`unk.${zone}`, 'A', { ...rr(['192.0.2.1']), meta: { geo: true } }), 'meta.geo');
      expectInvalid(
        await post(`unk.${zone}`, 'A', { ...rr(['192.0.2.1']), pickers: [{ type: 'first_n', limit: 1, max: 2 }] }),
        'pickers[0].max',
      );
      expectInvalid(
        await post(`unk.${zone}`, 'A', {
          ...rr(['192.0.2.1']),
          meta: { failover: { protocol: 'ICMP', frequency: 60, timeout: 5, retries: 3 } },
        }),
        'meta.failover.retries',
      );
      expectInvalid(
        await post(`unk.${zone}`, 'A', { resource_records: [{ content: ['192.0.2.1'], meta: { region: 'eu' } }] }),
        'resource_records[0].meta.region',
      );
    });

    it('refuses a body that is not JSON', async () => {
      expectInvalid(
        await api
          .http()
          .post(url(`nj.${zone}`, 'A'))
          .set(H)
          .set('Content-Type', 'application/json')
          .send('{"resource_records": ['),
        '(body)',
      );
      expectInvalid(
        await api
          .http()
          .put(url(`nj.${zone}`, 'A'))
          .set(H)
          .set('Content-Type', 'text/plain')
          .send('192.0.2.1'),
        '(body)',
      );
      expectInvalid(
        await api
          .http()
          .put(url(`nj.${zone}`, 'A'))
          .set(H),
        '(body)',
      );
      expectError(
        await api
          .http()
          .get(url(`nj.${zone}`, 'A'))
          .set(H),
        404,
      );
    });
  });

  describe('record meta and pickers', () => {
    const rec = (meta: unknown) => ({ resource_records: [{ content: ['192.0.2.1'], meta }] });
    const m = (key: string) => `resource_records[0].meta.${key}`;

    it('returns country and continent codes as sent (Terraform compares them), decimal weights too', async () => {
      const meta = { countries: ['fr', 'ES'], continents: ['EU'], weight: 0.5, default: true };
      const ok = await post(`geo.${zone}`, 'A', rec(meta)).expect(201);
      expect(ok.body.resource_records[0].meta).toEqual(meta);
    });

    it('refuses bad record meta naming the field', async () => {
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ countries: ['FRA'] })), `${m('countries')}[0]`);
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ countries: ['F1'] })), `${m('countries')}[0]`);
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ countries: 'FR' })), m('countries'));
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ continents: ['xx'] })), `${m('continents')}[0]`);
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ continents: ['eu', 'europe'] })), `${m('continents')}[1]`);
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ weight: -1 })), m('weight'));
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ weight: 65536 })), m('weight'));
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ weight: '10' })), m('weight'));
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ default: 'yes' })), m('default'));
      expectInvalid(
        await post(`geo2.${zone}`, 'A', { resource_records: [{ content: ['192.0.2.1'], enabled: 'no' }] }),
        'resource_records[0].enabled',
      );
    });

    it('takes pickers in order and fills their defaults, and returns them as filters too', async () => {
      const pickers = [{ type: 'geodns', strict: true }, { type: 'weighted_shuffle' }, { type: 'first_n', limit: 2 }, { type: 'default' }];
      const ok = await post(`pick.${zone}`, 'A', { ...rr(['192.0.2.1'], ['192.0.2.2']), pickers }).expect(201);
      expect(ok.body.pickers).toEqual(pickers);
      expect(ok.body.filters).toEqual(pickers);
      // No pickers, no filters key: octoDNS reads a record set with one as dynamic.
      const plain = await post(`pick0.${zone}`, 'A', { ...rr(['192.0.2.1']), filters: null }).expect(201);
      expect(plain.body.pickers).toEqual([]);
      expect(plain.body).not.toHaveProperty('filters');
    });

    it("takes filters (Gcore's older name) for pickers, the health filter under both names, and limit and strict on each", async () => {
      const filters = [
        { type: 'is_healthy', limit: 0, strict: true },
        { type: 'geodns', limit: 0, strict: false },
        { type: 'default', limit: 1, strict: false },
        { type: 'first_n', limit: 1, strict: false },
      ];
      const ok = await put(`pickalias.${zone}`, 'A', { ...rr(['192.0.2.1']), filters, type: 'A', meta: null });
      expect(ok.body).toMatchObject({ pickers: filters, filters, meta: {} });
      expect(ok.status).toBe(201);
      const both = await put(`pickalias.${zone}`, 'A', { ...rr(['192.0.2.1']), filters, pickers: filters }).expect(200);
      expect(both.body.pickers).toEqual(filters);
      expect(
        expectInvalid(
          await put(`pickalias.${zone}`, 'A', { ...rr(['192.0.2.1']), filters, pickers: [{ type: 'healthcheck' }] }),
          'filters',
        ),
      ).toContain('differs from pickers');
    });

    it("takes the type in the body when it is the path's (or empty, as Gcore's SDK sends it), else a 400 naming type", async () => {
      for (const type of ['', 'A', 'a'])
        await put(`typed.${zone}`, 'A', { ...rr(['192.0.2.1']), type }).expect((r) => expect(r.status).toBeLessThan(300));
      expect(expectInvalid(await put(`typed.${zone}`, 'A', { ...rr(['192.0.2.1']), type: 'AAAA' }), 'type')).toBe(
        'must be A, the type in the path (or be left out)',
      );
      expectInvalid(await put(`typed.${zone}`, 'A', { ...rr(['192.0.2.1']), type: 7 }), 'type');
    });

    it("keeps the record meta Gcore's clients send, as sent, and refuses bad values naming the field", async () => {
      const meta = {
        notes: [''],
        ip: ['192.0.2.0/24'],
        asn: [64496],
        latlong: [48.8, 2.3],
        fallback: false,
        cidr_labels: { dc: 1 },
        countries: ['fr'],
      };
      const ok = await put(`extra.${zone}`, 'A', {
        resource_records: [
          { content: ['192.0.2.1'], meta },
          { content: ['192.0.2.2'], meta: null },
        ],
      }).expect(201);
      expect(ok.body.resource_records.map((r: { meta: unknown }) => r.meta)).toEqual([meta, {}]);
      expect(
        (
          await api
            .http()
            .get(url(`extra.${zone}`, 'A'))
            .set(H)
            .expect(200)
        ).body.resource_records[0].meta,
      ).toEqual(meta);
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ notes: { a: 1 } })), m('notes'));
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ ip: ['not-an-ip'] })), `${m('ip')}[0]`);
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ asn: [1.5] })), `${m('asn')}[0]`);
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ latlong: [0, 181] })), `${m('latlong')}[1]`);
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ fallback: 1 })), m('fallback'));
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ cidr_labels: { dc: -1 } })), `${m('cidr_labels')}.dc`);
      expectInvalid(await post(`geo2.${zone}`, 'A', rec({ nickname: 'x' })), m('nickname'));
    });

    it('takes the ip, asn and geodistance pickers with their record meta, and refuses bad values naming the field and the reason', async () => {
      const body = {
        resource_records: [
          { content: ['192.0.2.1'], meta: { latlong: [48.85, 2.35], asn: [3215], ip: ['212.27.48.0/24', '2001:db8::/32'] } },
          { content: ['192.0.2.2'], meta: { latlong: [-33.87, 151.21], default: true } },
        ],
        pickers: [{ type: 'ip' }, { type: 'asn', strict: false }, { type: 'geodistance' }, { type: 'first_n', limit: 1 }],
      };
      const ok = await put(`near.${zone}`, 'A', body).expect(201);
      expect(ok.body.pickers).toEqual(body.pickers);
      expect(ok.body.resource_records.map((r: { meta: unknown }) => r.meta)).toEqual(body.resource_records.map((r) => r.meta));
      const reason = async (meta: unknown, field: string) => expectInvalid(await post(`near2.${zone}`, 'A', rec(meta)), `${m(field)}`);
      expect(await reason({ latlong: [91, 2] }, 'latlong[0]')).toBe('must be from -90 to 90');
      expect(await reason({ latlong: [48.8, -181] }, 'latlong[1]')).toBe('must be from -180 to 180');
      expect(await reason({ latlong: [48.8] }, 'latlong')).toBe('must be [latitude, longitude]');
      expect(await reason({ latlong: ['48.8', '2.3'] }, 'latlong[0]')).toBe('must be a number');
      expect(await reason({ asn: ['AS3215'] }, 'asn[0]')).toBe('must be an AS number');
      expect(await reason({ asn: [4294967296] }, 'asn[0]')).toBe('must be from 0 to 4294967295');
      expect(await reason({ asn: 3215 }, 'asn')).toBe('must be a list of AS numbers');
      expect(await reason({ ip: ['212.27.48.0/33'] }, 'ip[0]')).toBe('must be an address or network such as 192.0.2.0/24');
      expect(await reason({ ip: '212.27.48.0/24' }, 'ip')).toBe('must be a list of addresses or networks');
      const p = (pickers: unknown) => post(`near2.${zone}`, 'A', { ...rr(['192.0.2.1']), pickers });
      expect(expectInvalid(await p([{ type: 'geodistance', limit: 101 }]), 'pickers[0].limit')).toBe('must be from 0 (no limit) to 100');
      expect(expectInvalid(await p([{ type: 'asn', strict: 'no' }]), 'pickers[0].strict')).toBe('must be true or false');
      expect(expectInvalid(await p([{ type: 'ip' }, { type: 'ip' }]), 'pickers[1].type')).toBe('picker ip is listed twice');
    });

    it('refuses bad pickers naming the field', async () => {
      const p = (pickers: unknown) => post(`pick2.${zone}`, 'A', { ...rr(['192.0.2.1']), pickers });
      expectInvalid(await p([{ type: 'random' }]), 'pickers[0].type');
      expectInvalid(await p([{}]), 'pickers[0].type');
      expect(expectInvalid(await p([{ type: 'geodns' }, { type: 'geodns' }]), 'pickers[1].type')).toContain('twice');
      expectInvalid(await p([{ type: 'first_n', limit: -1 }]), 'pickers[0].limit');
      expectInvalid(await p([{ type: 'first_n', limit: 101 }]), 'pickers[0].limit');
      expectInvalid(await p([{ type: 'default', limit: '1' }]), 'pickers[0].limit');
      expectInvalid(await p([{ type: 'first_n', limit: 1.5 }]), 'pickers[0].limit');
      expectInvalid(await p([{ type: 'geodns', strict: 'yes' }]), 'pickers[0].strict');
      expectInvalid(await p('geodns'), 'pickers');
      expectInvalid(
        await p([
          { type: 'default' },
          { type: 'first_n', limit: 1 },
          { type: 'geodns' },
          { type: 'weighted_shuffle' },
          { type: 'healthcheck' },
          { type: 'ip' },
          { type: 'asn' },
          { type: 'geodistance' },
          { type: 'default' },
        ]),
        'pickers',
      );
    });
  });

  describe('failover settings', () => {
    const fo = (failover: Record<string, unknown>) => ({ ...rr(['192.0.2.1'], ['192.0.2.2']), meta: { failover } });
    const check = (failover: Record<string, unknown>) => post(`fo.${zone}`, 'A', fo(failover));
    const f = (key: string) => `meta.failover.${key}`;
    const http = { protocol: 'HTTP', frequency: 60, timeout: 5 };
    const tcp = { protocol: 'TCP', port: 443, frequency: 60, timeout: 5 };
    const icmp = { protocol: 'ICMP', frequency: 60, timeout: 5 };

    beforeAll(async () => {
      await api.grantFailover(accountId);
    });

    it('refuses bad protocol, port, frequency and timeout', async () => {
      expectInvalid(await check({ ...http, protocol: 'SCTP' }), f('protocol'));
      expectInvalid(await check({ ...http, protocol: 'http' }), f('protocol'));
      expectInvalid(await check({ frequency: 60, timeout: 5 }), f('protocol'));
      expectInvalid(await check({ ...tcp, port: 0 }), f('port'));
      expectInvalid(await check({ ...tcp, port: 65536 }), f('port'));
      expectInvalid(await check({ ...tcp, port: '443' }), f('port'));
      expectInvalid(await check({ ...tcp, port: undefined }), f('port'));
      expectInvalid(await check({ ...icmp, port: 80 }), f('port'));
      expectInvalid(await check({ ...http, frequency: 9 }), f('frequency'));
      expectInvalid(await check({ ...http, frequency: 3601 }), f('frequency'));
      expectInvalid(await check({ ...http, frequency: 30.5 }), f('frequency'));
      expectInvalid(await check({ ...http, frequency: undefined }), f('frequency'));
      expectInvalid(await check({ ...http, timeout: 0 }), f('timeout'));
      expectInvalid(await check({ ...http, timeout: 11 }), f('timeout'));
      expectInvalid(await check({ ...http, timeout: undefined }), f('timeout'));
      expect(expectInvalid(await check({ ...http, frequency: 10, timeout: 10 }), f('timeout'))).toContain('frequency');
    });

    it('takes the bounds of frequency and timeout', async () => {
      await put(`fo-min.${zone}`, 'A', fo({ ...icmp, frequency: 10, timeout: 9 })).expect(201);
      await put(`fo-max.${zone}`, 'A', fo({ ...icmp, frequency: 3600, timeout: 10 })).expect(201);
      await put(`fo-one.${zone}`, 'A', fo({ ...icmp, timeout: 1 })).expect(201);
    });

    it.each([
      ['method', 'GET'],
      ['url', '/health'],
      ['host', 'shop.example'],
      ['http_status_code', 200],
    ])('refuses the HTTP-only field %s on TCP and ICMP checks', async (key, value) => {
      expect(expectInvalid(await check({ ...tcp, [key]: value }), f(key))).toContain('HTTP');
      expectInvalid(await check({ ...icmp, [key]: value }), f(key));
    });

    it('refuses regexp on ICMP checks (HTTP, TCP and UDP match it against the reply)', async () => {
      expectInvalid(await check({ ...icmp, regexp: 'ok' }), f('regexp'));
      await put(`fo-tcp-re.${zone}`, 'A', fo({ ...tcp, regexp: 'ok' })).expect(201);
    });

    it('refuses tls and verify where they do not apply', async () => {
      // Gcore's way: HTTP with tls is HTTPS, so only HTTPS without TLS contradicts itself.
      expectInvalid(await check({ ...http, protocol: 'HTTPS', tls: false }), f('tls'));
      await put(`fo-http-tls.${zone}`, 'A', fo({ ...http, tls: true })).expect(201);
      expectInvalid(await check({ ...icmp, tls: true }), f('tls'));
      expectInvalid(await check({ ...http, verify: true }), f('verify'));
      expectInvalid(await check({ ...tcp, verify: true }), f('verify'));
      await put(`fo-tls.${zone}`, 'A', fo({ ...tcp, tls: true, verify: false })).expect(201);
    });

    it('refuses bad HTTP settings', async () => {
      expectInvalid(await check({ ...http, regexp: '(unclosed' }), f('regexp'));
      expectInvalid(await check({ ...http, regexp: 'x'.repeat(257) }), f('regexp'));
      expectInvalid(await check({ ...http, url: 'health' }), f('url'));
      expectInvalid(await check({ ...http, url: 'http://elsewhere.example/health' }), f('url'));
      expectInvalid(await check({ ...http, url: '/a path' }), f('url'));
      expectInvalid(await check({ ...http, url: `/${'x'.repeat(2048)}` }), f('url'));
      expectInvalid(await check({ ...http, method: 'FETCH' }), f('method'));
      expectInvalid(await check({ ...http, http_status_code: 99 }), f('http_status_code'));
      expectInvalid(await check({ ...http, http_status_code: 600 }), f('http_status_code'));
      expectInvalid(await check({ ...http, host: 'bad host!' }), f('host'));
      expectInvalid(await check({ ...http, port: 0 }), f('port'));
    });

    it('fills the defaults of HTTP and HTTPS checks', async () => {
      const https = await put(`fo-https.${zone}`, 'A', fo({ protocol: 'HTTPS', frequency: 30, timeout: 3 })).expect(201);
      expect(https.body.meta.failover).toEqual({
        protocol: 'HTTPS',
        frequency: 30,
        timeout: 3,
        port: 443,
        method: 'GET',
        url: '/',
        // Gcore's "leave it blank if any response is ok".
        http_status_code: null,
        tls: true,
        verify: true,
      });
      const plain = await put(`fo-http.${zone}`, 'A', fo({ ...http, regexp: '' })).expect(201);
      expect(plain.body.meta.failover).toEqual({
        ...http,
        regexp: '',
        port: 80,
        method: 'GET',
        url: '/',
        http_status_code: null,
        tls: false,
      });
      expect(
        (
          await api
            .http()
            .get(url(`fo-http.${zone}`, 'A'))
            .set(H)
            .expect(200)
        ).body,
      ).toEqual(plain.body);
    });

    it('is for A, AAAA and CNAME record sets, as in Gcore', async () => {
      expectInvalid(await post(`fo-txt.${zone}`, 'TXT', { ...rr(['t']), meta: { failover: icmp } }), 'meta.failover');
      await post(`fo-v6.${zone}`, 'AAAA', { ...rr(['2001:db8::1']), meta: { failover: icmp } }).expect(201);
      await post(`fo-cname.${zone}`, 'CNAME', { ...rr(['t.example']), meta: { failover: icmp } }).expect(201);
    });

    it('lets a CNAME record set with failover hold several targets, the candidates DNS answers one of', async () => {
      const targets = { resource_records: [{ content: ['a.example.net.'] }, { content: ['b.example.net.'], meta: { backup: true } }] };
      expectInvalid(await post(`fo-cnames.${zone}`, 'CNAME', targets), 'resource_records');
      const made = await post(`fo-cnames.${zone}`, 'CNAME', { ...targets, meta: { failover: icmp } }).expect(201);
      expect(made.body.resource_records.map((r: { content: string[] }) => r.content[0])).toEqual(['a.example.net.', 'b.example.net.']);
      // Taking failover off again would leave a name with two CNAMEs: refused, nothing changed.
      expectInvalid(await put(`fo-cnames.${zone}`, 'CNAME', targets), 'resource_records');
      const read = await api
        .http()
        .get(url(`fo-cnames.${zone}`, 'CNAME'))
        .set(H)
        .expect(200);
      expect(read.body.meta.failover).toBeDefined();
    });

    it('turns off with null, or when left out of a PUT', async () => {
      await put(`fo-off.${zone}`, 'A', fo(icmp)).expect(201);
      const nulled = await put(`fo-off.${zone}`, 'A', { ...rr(['192.0.2.1']), meta: { failover: null } }).expect(200);
      expect(nulled.body.meta).toEqual({});
      await put(`fo-off.${zone}`, 'A', fo(icmp)).expect(200);
      const left = await put(`fo-off.${zone}`, 'A', rr(['192.0.2.1'])).expect(200);
      expect(left.body.meta).toEqual({});
    });

    it('refuses a non-object failover', async () => {
      expectInvalid(await check('on' as unknown as Record<string, unknown>), 'meta.failover');
      expectInvalid(await post(`fo.${zone}`, 'A', { ...rr(['192.0.2.1']), meta: 'failover' }), 'meta');
    });
  });

  it('done when: an integrator with an API token alone hosts a zone and a failover record set, and finds it in the audit log', async () => {
    // The customer signs up in the panel and hands an API token to their integrator; from then on
    // the integrator uses nothing but that token.
    const customer = await api.customer('integrator');
    const secret = await api.token(customer.agent, 'ci-deploy');
    const T = apiKey(secret);
    const zoneName = 'integrator.example';
    const target = `/v2/zones/${zoneName}/www.${zoneName}/A`;

    await api.http().post('/v2/zones').set(T).send({ name: zoneName }).expect(201);
    const body = {
      ttl: 30,
      resource_records: [{ content: ['192.0.2.10'] }, { content: ['192.0.2.11'] }, { content: ['192.0.2.12'] }],
      pickers: [{ type: 'first_n', limit: 1 }],
      meta: {
        failover: {
          protocol: 'HTTPS',
          port: 443,
          frequency: 30,
          timeout: 5,
          url: '/healthz',
          host: `www.${zoneName}`,
          http_status_code: 200,
          regexp: 'ok',
          verify: true,
        },
      },
    };
    const denied = await api.http().put(target).set(T).send(body).expect(403);
    expect(denied.body).toMatchObject({ feature: 'failover' });
    expect(denied.body.error).toContain('POST /v2/account/feature-requests');

    const request = await api
      .http()
      .post('/v2/account/feature-requests')
      .set(T)
      .send({ feature: 'failover', message: 'we need failover for www' })
      .expect(201);
    expect(request.body).toMatchObject({ status: 'pending', requested_by: 'token:ci-deploy' });

    const support: TestAgent = await api.support();
    const pending = await support.get('/v2/admin/feature-requests?status=pending').expect(200);
    expect(pending.body.requests.map((r: { id: string }) => r.id)).toContain(request.body.id);
    await support.patch(`/v2/admin/feature-requests/${request.body.id}`).send({ status: 'granted' }).expect(200);

    expect((await api.http().get('/v2/account').set(T).expect(200)).body.features).toEqual({ failover: true });
    const created = await api.http().put(target).set(T).send(body).expect(201);
    const read = await api.http().get(target).set(T).expect(200);
    expect(read.body).toEqual(created.body);
    expect(read.body).toMatchObject({
      name: `www.${zoneName}`,
      type: 'A',
      ttl: 30,
      resource_records: body.resource_records.map((r) => ({ ...r, enabled: true, meta: {} })),
      pickers: body.pickers,
      meta: { failover: { ...body.meta.failover, method: 'GET' } },
    });
    const listed = await api.http().get(`/v2/zones/${zoneName}/rrsets`).set(T).expect(200);
    expect(listed.body.rrsets.find((r: { type: string }) => r.type === 'A')).toEqual(read.body);

    const audit = await api.http().get('/v2/account/audit-log').set(T).expect(200);
    const events = audit.body.events as {
      actor: string;
      action: string;
      target: string;
      details: Record<string, unknown>;
      created_at: string;
    }[];
    const change = events.find((e) => e.action === 'rrset.create' && e.target === `www.${zoneName}/A`);
    expect(change).toMatchObject({
      actor: 'token:ci-deploy',
      details: {
        // The audit log keeps records as stored; their ids are derived on output.
        after: { ttl: 30, resource_records: read.body.resource_records.map(withoutId), pickers: read.body.pickers, meta: read.body.meta },
      },
    });
    expect(Number.isNaN(Date.parse(change!.created_at))).toBe(false);
    expect(events.map((e) => `${e.actor} ${e.action} ${e.target}`)).toEqual(
      expect.arrayContaining([
        `token:ci-deploy zone.create ${zoneName}`,
        'token:ci-deploy feature.request failover',
        `support:${SUPPORT.email} feature.grant failover`,
        `token:ci-deploy rrset.create www.${zoneName}/A`,
      ]),
    );
    // Newest first: the record set came last.
    expect(events[0]).toBe(change);
  });
});
