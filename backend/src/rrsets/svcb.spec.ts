// SVCB and HTTPS through the API (real PostgreSQL): Gcore's content shape in, canonical out,
// 400s naming the field, and the zone file the export writes of them.
import { checkzone, hasCheckzone } from '../testing/checkzone';
import { apiKey, expectInvalid, TestApi } from '../testing/test-app';

describe('SVCB and HTTPS record sets (real PostgreSQL)', () => {
  let api: TestApi;
  let H: { Authorization: string };
  const zone = 'svcb.example';

  beforeAll(async () => {
    api = await TestApi.start();
    const c = await api.customer();
    H = apiKey(await api.token(c.agent));
    await api.http().post('/v2/zones').set(H).send({ name: zone }).expect(201);
  });
  afterAll(() => api.close());

  const put = (name: string, type: string, ...contents: unknown[][]) =>
    api
      .http()
      .put(`/v2/zones/${zone}/${name}/${type}`)
      .set(H)
      .send({ ttl: 300, resource_records: contents.map((content) => ({ content })) });

  it("takes Gcore's shape, answers it canonical, and lists the types", async () => {
    const res = await put(
      zone,
      'HTTPS',
      [1, '.', ['port', '1443'], ['alpn', 'h3', 'h2'], ['ipv4hint', '10.0.0.1']],
      [2, 'Pool.Example.NET.', ['ipv6hint', '2001:DB8::0:1'], ['mandatory', 'ipv6hint']],
    ).expect(201);
    expect(res.body.type).toBe('HTTPS');
    expect(res.body.resource_records.map((r: { content: unknown }) => r.content)).toEqual([
      [1, '.', ['alpn', 'h3', 'h2'], ['port', 1443], ['ipv4hint', '10.0.0.1']],
      // The target name as sent (as every name in content), the rest canonical.
      [2, 'Pool.Example.NET.', ['mandatory', 'ipv6hint'], ['ipv6hint', '2001:db8::1']],
    ]);
    await put(`_443._tcp.www.${zone}`, 'svcb', [0, `svc.${zone}`]).expect(201);
    const got = await api.http().get(`/v2/zones/${zone}/_443._tcp.www.${zone}/SVCB`).set(H).expect(200);
    expect(got.body.resource_records[0].content).toEqual([0, `svc.${zone}`]);
    const list = await api.http().get(`/v2/zones/${zone}/rrsets?type=HTTPS,SVCB`).set(H).expect(200);
    expect(list.body.rrsets.map((r: { type: string }) => r.type).sort()).toEqual(['HTTPS', 'SVCB']);
  });

  it.each<[string, unknown[], string, string]>([
    ['an unknown key', [1, '.', ['alpn', 'h2'], ['nope', 'x']], 'content[3]', 'unknown SvcParam key "nope"'],
    ['a duplicate key', [1, '.', ['port', 1], ['port', 2]], 'content[3]', 'duplicate SvcParam key port'],
    ['a bad port', [1, '.', ['port', 'https']], 'content[2]', 'port: takes one port'],
    ['a bad IPv4 hint', [1, '.', ['ipv4hint', '10.0.0']], 'content[2]', 'ipv4hint: "10.0.0" is not an IPv4 address'],
    ['a bad IPv6 hint', [1, '.', ['ipv6hint', '2001:db8::g']], 'content[2]', 'ipv6hint: "2001:db8::g" is not an IPv6 address'],
    ['an empty alpn id', [1, '.', ['alpn', '']], 'content[2]', 'alpn: each protocol id is 1 to 255 bytes'],
    ['mandatory naming an absent key', [1, '.', ['mandatory', 'port']], 'content[2]', 'mandatory lists port'],
    ['mandatory naming itself', [1, '.', ['mandatory', 'mandatory']], 'content[2]', 'must not list mandatory itself'],
    ['AliasMode with params', [0, 'svc.example', ['alpn', 'h2']], 'content[2]', 'AliasMode (priority 0) takes no SvcParams'],
    ['a known key by number', [1, '.', ['key3', '\\000\\001']], 'content[2]', 'key3 is port'],
    ['ech that is not base64', [1, '.', ['ech', 'not base64']], 'content[2]', 'ech: takes one ECHConfigList in base64'],
    ['no-default-alpn with a value', [1, '.', ['alpn', 'h2'], ['no-default-alpn', 'yes']], 'content[3]', 'takes no value'],
    ['a param that is not a list', [1, '.', 'alpn=h2'], 'content[2]', 'must be a SvcParam'],
    ['a bad priority', ['high', '.'], 'content[0]', 'priority must be an integer'],
    ['a bad target', [1, 'not a name'], 'content[1]', 'target must be a domain name'],
  ])('refuses %s with 400 naming the field', async (_, content, field, reason) => {
    expect(expectInvalid(await put(`bad.${zone}`, 'HTTPS', content), `resource_records[0].${field}`)).toContain(reason);
  });

  it('refuses lists in the content of the other types', async () => {
    expect(expectInvalid(await put(`mx.${zone}`, 'MX', [10, ['mx.example']]), 'resource_records[0].content[1]')).toBe(
      'must be a string or a number',
    );
    expectInvalid(await put(`a.${zone}`, 'A', [['192.0.2.1']]), 'resource_records[0].content[0]');
    // One level of lists only.
    expect(expectInvalid(await put(`bad.${zone}`, 'HTTPS', [1, '.', ['alpn', ['h2']]]), 'resource_records[0].content[2]')).toBe(
      'must be a string, a number, or (a SvcParam of SVCB and HTTPS) a list of them',
    );
  });

  (hasCheckzone ? it : it.skip)('exports them as a zone file named-checkzone loads, which imports back unchanged', async () => {
    const res = await api.http().get(`/v2/zones/${zone}/export`).set(H).expect(200);
    const file = res.body.raw_zone as string;
    expect(file).toContain(`${zone}. 300 IN HTTPS 1 . alpn=h3,h2 port=1443 ipv4hint=10.0.0.1\n`);
    expect(file).toContain(`_443._tcp.www.${zone}. 300 IN SVCB 0 svc.${zone}.\n`);
    expect(checkzone(zone, file).status).toBe(0);
    const back = await api.http().post(`/v2/zones/${zone}/import`).set(H).set('Content-Type', 'text/plain').send(file).expect(200);
    expect(back.body.diff).toEqual({ created: [], updated: [], unchanged: 2 });
  });
});
