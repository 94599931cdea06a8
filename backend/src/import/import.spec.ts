import { redisKeys } from '@vigil/contract';
import { compiledOf, readZone } from '@vigil/contract/redis';
import type Redis from 'ioredis';
import { checkzone, hasCheckzone } from '../testing/checkzone';
import { apiKey, expectError, expectInvalid, TestApi } from '../testing/test-app';

const FILE = `$ORIGIN shop.example.
$TTL 3600
@     IN SOA ns1.old-provider.net. hostmaster.shop.example. 2024010101 7200 3600 1209600 300
@     IN NS  ns1.old-provider.net.
@     300 IN A 192.0.2.1
      IN A 192.0.2.2
www   IN CNAME @
@     IN MX 10 mail
mail  IN A 192.0.2.25
txt   IN TXT "v=spf1 -all"
dname IN DNAME elsewhere.example.
`;

describe('zone import (real PostgreSQL and Redis)', () => {
  let api: TestApi;
  let redis: Redis;
  let H: { Authorization: string };
  let other: { Authorization: string };
  let accountId: string;

  beforeAll(async () => {
    api = await TestApi.start();
    redis = api.redis();
    const c = await api.customer();
    accountId = c.accountId;
    H = apiKey(await api.token(c.agent));
    other = apiKey(await api.token((await api.customer()).agent));
    await api.http().post('/v2/zones').set(H).send({ name: 'shop.example' }).expect(201);
  });
  afterAll(async () => {
    redis.disconnect();
    await api.close();
  });

  const importText = (zone: string, text: string, query = '') =>
    api.http().post(`/v2/zones/${zone}/import${query}`).set(H).set('Content-Type', 'text/plain').send(text);
  const rrsets = async (zone = 'shop.example') =>
    (await api.http().get(`/v2/zones/${zone}/rrsets`).query({ limit: 1000 }).set(H).expect(200)).body.rrsets as {
      name: string;
      type: string;
      ttl: number;
      resource_records: { content: unknown[]; enabled: boolean; meta: Record<string, unknown> }[];
      meta: Record<string, unknown>;
    }[];
  const names = async (zone = 'shop.example') => (await rrsets(zone)).map((r) => `${r.name} ${r.type}`).sort();

  it('dry run: says what would change, in Gcore’s shape, and changes nothing', async () => {
    const before = await names();
    const res = await importText('shop.example', FILE, '?dry_run=true').expect(200);
    expect(res.body).toEqual({
      imported: { qtype: 4, resource_records: 6, rrsets: 5, skipped_resource_records: 3 },
      success: true,
      // Gcore's shape, which its Go SDK decodes (map[string]map[string]string): name → type → what happened.
      warnings: {
        'shop.example': {
          SOA: expect.stringContaining('line 3: the SOA is not imported'),
          NS: expect.stringContaining('line 4: the apex NS record is not imported'),
          // Line 6 takes the $TTL, as in BIND, not the TTL of the line before.
          A: 'line 6: TTL 3600 differs from the 300 of shop.example A above (line 5); a record set has one TTL, 300',
        },
        'dname.shop.example': { DNAME: expect.stringContaining('line 11: DNAME records are not served by Vigil') },
      },
      dry_run: true,
      diff: {
        created: [
          { name: 'shop.example', type: 'A' },
          { name: 'www.shop.example', type: 'CNAME' },
          { name: 'shop.example', type: 'MX' },
          { name: 'mail.shop.example', type: 'A' },
          { name: 'txt.shop.example', type: 'TXT' },
        ],
        updated: [],
        unchanged: 0,
      },
    });
    expect(await names()).toEqual(before);
  });

  it('imports as the raw body, publishes the zone once, and writes one audit entry', async () => {
    const version = compiledOf((await readZone(redis, 'shop.example'))!).version;
    const upserts = async () =>
      (await redis.xrange(redisKeys.feed, '-', '+')).filter(
        ([, f]) => /"zone\.(upsert|delta)"/.test(f[1]!) && f[1]!.includes('"shop.example"'),
      ).length;
    const before = await upserts();
    const res = await importText('shop.example', FILE).expect(200);
    expect(await upserts()).toBe(before + 1);
    expect(res.body).toMatchObject({ success: true, dry_run: false, imported: { rrsets: 5 } });
    expect(await names()).toEqual([
      'mail.shop.example A',
      'shop.example A',
      'shop.example MX',
      'shop.example NS',
      'txt.shop.example TXT',
      'www.shop.example CNAME',
    ]);
    const apexA = (await rrsets()).find((r) => r.name === 'shop.example' && r.type === 'A')!;
    expect(apexA).toMatchObject({ ttl: 300, resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }] });
    const published = compiledOf((await readZone(redis, 'shop.example'))!);
    expect(published.version).toBeGreaterThan(version);
    expect(published.rrsets.map((r) => `${r.name} ${r.type}`)).toContain('www.shop.example CNAME');
    const audit = await api.http().get('/v2/account/audit-log').query({ action: 'zone.import' }).set(H).expect(200);
    expect(audit.body.events).toEqual([
      expect.objectContaining({ target: 'shop.example', details: { created: 5, updated: 0, unchanged: 0, skipped: 3 } }),
    ]);
  });

  it('takes Gcore SDK’s {"content": ...} form; a second import of the same file changes nothing', async () => {
    const res = await api.http().post('/v2/zones/shop.example/import').set(H).send({ content: FILE }).expect(200);
    expect(res.body.diff).toEqual({ created: [], updated: [], unchanged: 5 });
  });

  it('replaces record sets the file names, keeping their failover and the settings of records that stay', async () => {
    await api.grantFailover(accountId);
    const failover = { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 };
    await api
      .http()
      .put('/v2/zones/shop.example/shop.example/A')
      .set(H)
      .send({
        ttl: 300,
        resource_records: [{ content: ['192.0.2.1'], enabled: false, meta: { weight: 5 } }, { content: ['192.0.2.2'] }],
        meta: { failover },
      })
      .expect(200);
    const res = await importText('shop.example', '@ 120 A 192.0.2.1\n@ 120 A 192.0.2.3\n', '').expect(200);
    expect(res.body.diff).toEqual({ created: [], updated: [{ name: 'shop.example', type: 'A' }], unchanged: 0 });
    const a = (await rrsets()).find((r) => r.name === 'shop.example' && r.type === 'A')!;
    expect(a.ttl).toBe(120);
    expect(a.meta).toEqual({ failover: expect.objectContaining(failover) });
    expect(a.resource_records).toEqual([
      { id: expect.any(Number), content: ['192.0.2.1'], enabled: false, meta: { weight: 5 } },
      { id: expect.any(Number), content: ['192.0.2.3'], enabled: true, meta: {} },
    ]);
    // Record sets the file does not name stay.
    expect(await names()).toContain('txt.shop.example TXT');
  });

  it('refuses a file with bad lines, naming each, and changes nothing', async () => {
    const before = await rrsets();
    const bad = ['ok A 192.0.2.9', 'a A 192.0.2.300', 'b.elsewhere.example. A 192.0.2.1', 'www A 192.0.2.7', 'c CH A 192.0.2.1'].join('\n');
    const res = await importText('shop.example', bad);
    expect(expectInvalid(res, 'line 2')).toBe('A must be an IPv4 address such as 192.0.2.1');
    expect(expectInvalid(res, 'line 3')).toBe('owner b.elsewhere.example is not in the zone shop.example');
    expect(expectInvalid(res, 'line 4')).toContain('would have a CNAME beside A');
    expect(expectInvalid(res, 'line 5')).toBe('class CH is not served; only IN');
    expect(await rrsets()).toEqual(before);
  });

  it('refuses bodies that are not zone files, and other tenants’ zones as missing', async () => {
    expect(expectInvalid(await importText('shop.example', '; only a comment\n'), '(body)')).toContain('holds no records');
    expect(expectInvalid(await api.http().post('/v2/zones/shop.example/import').set(H).send({ text: 'x' }), 'text')).toBe(
      'is not a known field',
    );
    const form = await api.http().post('/v2/zones/shop.example/import').set(H).type('form').send('a=b');
    expect(expectInvalid(form, '(body)')).toContain('must be a zone file');
    expect(expectInvalid(await importText('shop.example', FILE, '?dry_run=maybe'), 'dry_run')).toBe('must be true or false');
    expectError(await api.http().post('/v2/zones/shop.example/import').set(other).set('Content-Type', 'text/plain').send(FILE), 404);
    expectError(await importText('nothere.example', FILE), 404);
  });

  it('imports a large zone in one request', async () => {
    await api.http().post('/v2/zones').set(H).send({ name: 'big.example' }).expect(201);
    const lines = Array.from({ length: 20_000 }, (_, i) => `h${i} 300 IN A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const res = await importText('big.example', `$ORIGIN big.example.\n${lines.join('\n')}\n`).expect(200);
    expect(res.body.imported).toEqual({ qtype: 1, resource_records: 20_000, rrsets: 20_000, skipped_resource_records: 0 });
    const zone = await api.http().get('/v2/zones/big.example').set(H).expect(200);
    expect(zone.body.rrsets_amount.total).toBe(20_001);
    const published = compiledOf((await readZone(redis, 'big.example'))!);
    expect(published.rrsets).toHaveLength(20_001);
  });

  it('exports the zone as a file named-checkzone loads, which imports back into the zone as it was, failover aside', async () => {
    await api.http().post('/v2/zones').set(H).send({ name: 'export.example' }).expect(201);
    await api.grantFailover(accountId);
    const put = (name: string, type: string, body: object) =>
      api.http().put(`/v2/zones/export.example/${name}/${type}`).set(H).send(body).expect(201);
    await put('export.example', 'A', {
      ttl: 120,
      resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'], enabled: false }],
      meta: { failover: { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 } },
    });
    await put('export.example', 'MX', { resource_records: [{ content: [10, 'mail.export.example'] }] });
    await put('mail.export.example', 'A', { resource_records: [{ content: ['192.0.2.25'] }] });
    await put('txt.export.example', 'TXT', { resource_records: [{ content: ['v=spf1 "quoted" -all', 'été'] }] });
    await put('_sip._tcp.export.example', 'SRV', { resource_records: [{ content: [10, 5, 5060, 'sip.export.example'] }] });
    await put('www.export.example', 'CNAME', { resource_records: [{ content: ['export.example'] }] });

    const res = await api.http().get('/v2/zones/export.example/export').set(H).expect(200);
    expect(Object.keys(res.body)).toEqual(['raw_zone']);
    const file = res.body.raw_zone as string;
    if (hasCheckzone) {
      const check = checkzone('export.example', file);
      expect(check.output).toContain('OK');
      expect(check.status).toBe(0);
    }
    expectError(await api.http().get('/v2/zones/export.example/export').set(other), 404);

    // Into the zone as it is: nothing changes.
    const same = await importText('export.example', file).expect(200);
    expect(same.body.diff).toEqual({ created: [], updated: [], unchanged: 6 });

    // Into the zone emptied of its record sets: the same record sets, failover aside.
    const shape = (rs: Awaited<ReturnType<typeof rrsets>>) =>
      rs
        .map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, records: r.resource_records.map((x) => [x.content, x.enabled]) }))
        .sort((a, b) => (`${a.name} ${a.type}` < `${b.name} ${b.type}` ? -1 : 1));
    const before = shape(await rrsets('export.example'));
    for (const r of await rrsets('export.example')) {
      if (r.type !== 'NS') await api.http().delete(`/v2/zones/export.example/${r.name}/${r.type}`).set(H).expect(204);
    }
    const back = await importText('export.example', file).expect(200);
    expect(back.body.diff.created).toHaveLength(6);
    expect(shape(await rrsets('export.example'))).toEqual(before);
  });
  it('exports a CNAME record set of candidates as one CNAME and the others behind markers, which import back where the record set has failover', async () => {
    await api.http().post('/v2/zones').set(H).send({ name: 'cdn.example' }).expect(201);
    await api.grantFailover(accountId);
    const target = '/v2/zones/cdn.example/www.cdn.example/CNAME';
    const failover = { protocol: 'HTTP', port: 80, frequency: 30, timeout: 5 };
    const put = (records: object[]) => api.http().put(target).set(H).send({ ttl: 60, resource_records: records, meta: { failover } });
    const all = [
      { content: ['a.cdn.example.net.'] },
      { content: ['b.cdn.example.net.'], meta: { backup: true } },
      { content: ['c.cdn.example.net.'], enabled: false },
    ];
    await put(all).expect(201);
    const file = (await api.http().get('/v2/zones/cdn.example/export').set(H).expect(200)).body.raw_zone as string;
    expect(file.split('\n').filter((l) => l.includes('IN CNAME'))).toEqual([
      'www.cdn.example. 60 IN CNAME a.cdn.example.net.',
      ';vigil:candidate www.cdn.example. 60 IN CNAME b.cdn.example.net.',
      ';vigil:disabled www.cdn.example. 60 IN CNAME c.cdn.example.net.',
    ]);
    if (hasCheckzone) expect(checkzone('cdn.example', file).status).toBe(0);

    expect((await importText('cdn.example', file).expect(200)).body.diff).toEqual({ created: [], updated: [], unchanged: 1 });
    const targets = async () => {
      const r = (await rrsets('cdn.example')).find((x) => x.type === 'CNAME')!;
      return {
        failover: r.meta.failover !== undefined,
        records: r.resource_records.map((x) => [x.content[0], x.enabled, x.meta.backup ?? false]),
      };
    };

    // The record set with one target left: the file's candidates come back, its failover stays.
    await put([all[0]!]).expect(200);
    expect((await importText('cdn.example', file).expect(200)).body.diff.updated).toEqual([{ name: 'www.cdn.example', type: 'CNAME' }]);
    expect(await targets()).toEqual({
      failover: true,
      records: [
        ['a.cdn.example.net.', true, false],
        // Names from a zone file are written in canonical form.
        ['b.cdn.example.net', true, false],
        ['c.cdn.example.net', false, false],
      ],
    });

    // Into a zone without it: one CNAME, as a zone file means, and the answer says what was left out.
    await api.http().delete(target).set(H).expect(204);
    const res = await importText('cdn.example', file).expect(200);
    expect(res.body.warnings['www.cdn.example'].CNAME).toMatch(/another target of a CNAME.*; skipped; line \d+: another target/);
    expect(await targets()).toEqual({ failover: false, records: [['a.cdn.example.net', true, false]] });
  });
});
