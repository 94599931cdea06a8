import { redisKeys } from '@vigil/contract';
import { compiledOf, readZone } from '@vigil/contract/redis';
import type Redis from 'ioredis';
import { apiKey, expectError, expectInvalid, TestApi } from '../testing/test-app';

describe('record set batches (real PostgreSQL and Redis)', () => {
  let api: TestApi;
  let redis: Redis;
  let H: { Authorization: string };
  let other: { Authorization: string };
  const zone = 'batch.example';

  beforeAll(async () => {
    api = await TestApi.start();
    redis = api.redis();
    H = apiKey(await api.token((await api.customer()).agent));
    other = apiKey(await api.token((await api.customer()).agent));
    await api.http().post('/v2/zones').set(H).send({ name: zone }).expect(201);
    await api
      .http()
      .put(`/v2/zones/${zone}/old.${zone}/TXT`)
      .set(H)
      .send({ resource_records: [{ content: ['old'] }] })
      .expect(201);
  });
  afterAll(async () => {
    redis.disconnect();
    await api.close();
  });

  const patch = (body: unknown, as = H) =>
    api
      .http()
      .patch(`/v2/zones/${zone}/rrsets`)
      .set(as)
      .send(body as object);
  const names = async () =>
    ((await api.http().get(`/v2/zones/${zone}/rrsets`).set(H).expect(200)).body.rrsets as { name: string; type: string }[])
      .map((r) => `${r.name} ${r.type}`)
      .sort();
  const a = (ip: string) => ({ resource_records: [{ content: [ip] }] });

  it('creates, replaces and deletes in one request, published once, with an audit entry each', async () => {
    const upserts = async () =>
      (await redis.xrange(redisKeys.feed, '-', '+')).filter(([, f]) => /"zone\.(upsert|delta)"/.test(f[1]!) && f[1]!.includes(`"${zone}"`))
        .length;
    const before = await upserts();
    const res = await patch({
      upserts: [
        { name: `www.${zone}`, type: 'A', ...a('192.0.2.1') },
        { name: `api.${zone}`, type: 'a', ttl: 60, ...a('192.0.2.2') },
      ],
      deletes: [{ name: `old.${zone}`, type: 'TXT' }],
    }).expect(200);
    expect(res.body.upserted.map((r: { name: string; type: string; ttl: number }) => [r.name, r.type, r.ttl])).toEqual([
      [`www.${zone}`, 'A', 300],
      [`api.${zone}`, 'A', 60],
    ]);
    expect(res.body.deleted).toEqual([{ name: `old.${zone}`, type: 'TXT' }]);
    expect(await names()).toEqual([`api.${zone} A`, `batch.example NS`, `www.${zone} A`]);
    expect(await upserts()).toBe(before + 1);
    const published = compiledOf((await readZone(redis, zone))!);
    expect(published.rrsets.map((r) => `${r.name} ${r.type}`).sort()).toEqual(await names());
    const audit = (await api.http().get('/v2/account/audit-log').set(H).expect(200)).body.events as { action: string; target: string }[];
    expect(audit.slice(0, 3).map((e) => `${e.action} ${e.target}`)).toEqual([
      `rrset.delete old.${zone}/TXT`,
      `rrset.create api.${zone}/A`,
      `rrset.create www.${zone}/A`,
    ]);
  });

  it('is all or nothing: one bad change names its field and changes nothing', async () => {
    const before = await names();
    const res = await patch({
      upserts: [
        { name: `ok.${zone}`, type: 'A', ...a('192.0.2.9') },
        { name: `bad.${zone}`, type: 'A', ...a('192.0.2.300') },
        { name: `www.${zone}`, type: 'CNAME', resource_records: [{ content: [`api.${zone}`] }] },
        { name: 'elsewhere.example', type: 'A', ...a('192.0.2.1') },
        { name: `ok.${zone}`, type: 'A', ...a('192.0.2.10') },
      ],
      deletes: [
        { name: zone, type: 'NS' },
        { name: `gone.${zone}`, type: 'MX' },
      ],
    });
    expect(expectInvalid(res, 'upserts[1].resource_records[0].content[0]')).toBe('must be an IPv4 address such as 192.0.2.1');
    expect(expectInvalid(res, 'upserts[3].name')).toBe('must be batch.example or a name below it');
    expect(expectInvalid(res, 'upserts[4]')).toBe(`changes ok.${zone} A again, after upserts[0]`);
    expect(expectInvalid(res, 'deletes[0].type')).toContain('apex NS');
    expect(await names()).toEqual(before);

    // The checks against what the zone holds come once the batch itself is well formed.
    const second = await patch({
      upserts: [{ name: `www.${zone}`, type: 'CNAME', resource_records: [{ content: [`api.${zone}`] }] }],
      deletes: [{ name: `gone.${zone}`, type: 'MX' }],
    });
    expect(expectInvalid(second, 'upserts[0].type')).toContain('would have a CNAME beside A');
    expect(expectInvalid(second, 'deletes[0]')).toBe(`there is no record set gone.${zone} MX`);
    expect(await names()).toEqual(before);
  });

  it('lets a batch replace an A with a CNAME at the same name by deleting it', async () => {
    await patch({
      upserts: [{ name: `www.${zone}`, type: 'CNAME', resource_records: [{ content: [`api.${zone}`] }] }],
      deletes: [{ name: `www.${zone}`, type: 'A' }],
    }).expect(200);
    expect(await names()).toContain(`www.${zone} CNAME`);
    expect(await names()).not.toContain(`www.${zone} A`);
  });

  it('refuses an empty batch, unknown fields, failover without the beta feature, and other tenants’ zones', async () => {
    expect(expectInvalid(await patch({}), 'upserts')).toBe('must change at least one record set');
    expect(expectInvalid(await patch({ upserts: [], removes: [] }), 'removes')).toBe('is not a known field');
    const failover = { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 };
    expectError(await patch({ upserts: [{ name: `fo.${zone}`, type: 'A', ...a('192.0.2.5'), meta: { failover } }] }), 403);
    expectError(await patch({ upserts: [{ name: `x.${zone}`, type: 'A', ...a('192.0.2.5') }] }, other), 404);
  });
});
