import { type HealthState, healthField, redisKeys } from '@vigil/contract';
import { appendFeed } from '@vigil/contract/redis';
import { TEST_REDIS_URL } from '@vigil/stack';
import Redis from 'ioredis';
import { aData, dig, kdig, query, tcp, udp, type ToolAnswer } from '../workers/src/dns/testing/client';
import { type ApiClient, customerWithFailover, Stack, until } from './stack';

/**
 * The DNS rules on data that went the whole way: saved through the REST API, compiled and
 * published to Redis by the api, loaded by the DNS server; queried with dns-packet, dig and kdig.
 */
describe('DNS rules on zones saved through the API (real processes)', () => {
  const stack = new Stack();
  let api: ApiClient;
  let port: number;
  let redis: Redis;
  let failoverId: string;
  const Z = '/v2/zones/rules.example';

  beforeAll(async () => {
    await stack.startApi();
    port = await stack.startDns();
    api = await customerWithFailover(stack.apiUrl);
    redis = new Redis(TEST_REDIS_URL, { keyPrefix: stack.prefix });
    await api.ok('POST', '/v2/zones', { name: 'rules.example', nx_ttl: 120 });
    const put = (name: string, type: string, body: object) => api.ok('PUT', `${Z}/${name}/${type}`, body);
    await put('www.rules.example', 'A', { ttl: 60, resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }] });
    await put('alias.rules.example', 'CNAME', { resource_records: [{ content: ['www.rules.example'] }] });
    await put('*.wild.rules.example', 'A', { resource_records: [{ content: ['192.0.2.50'] }] });
    await put('child.rules.example', 'NS', { resource_records: [{ content: ['ns1.child.rules.example'] }] });
    await put('ns1.child.rules.example', 'A', { resource_records: [{ content: ['192.0.2.53'] }] });
    await put('rules.example', 'MX', { resource_records: [{ content: [10, 'mx.rules.example'] }] });
    await put('rules.example', 'CAA', { resource_records: [{ content: [0, 'issue', 'letsencrypt.org'] }] });
    await put('big.rules.example', 'TXT', { resource_records: Array.from({ length: 8 }, (_, i) => ({ content: [`${i}`.repeat(250)] })) });
    await put('mixed.rules.example', 'A', { resource_records: [{ content: ['192.0.2.10'] }, { content: ['192.0.2.11'], enabled: false }] });
    await put('geo.rules.example', 'A', {
      resource_records: [
        { content: ['192.0.2.21'], meta: { countries: ['US'] } },
        { content: ['192.0.2.23'], meta: { continents: ['eu'] } },
        { content: ['192.0.2.29'], meta: { default: true } },
      ],
      pickers: [{ type: 'geodns' }],
    });
    const fo = await put('fo.rules.example', 'A', {
      resource_records: [
        { content: ['192.0.2.61'], meta: { countries: ['US'] } },
        { content: ['192.0.2.62'], meta: { countries: ['US'] } },
        { content: ['192.0.2.63'], meta: { default: true } },
      ],
      pickers: [{ type: 'geodns' }, { type: 'first_n', limit: 1 }],
      meta: { failover: { protocol: 'TCP', port: 443, frequency: 60, timeout: 5 } },
    });
    failoverId = fo.id;
    await until('the zone in DNS', async () => aData(await udp(port, query('fo.rules.example', 'A'))).length === 1);
  });

  afterAll(async () => {
    redis?.disconnect();
    await stack.stop();
  });

  const answers = (r: ToolAnswer, section = 'ANSWER') =>
    (r.sections[section] ?? []).map(([name, , type, data]) => `${name} ${type} ${data}`);

  describe.each([
    ['dig', dig],
    ['kdig', kdig],
  ] as const)('%s', (_tool, ask) => {
    it('answers authoritatively, and NXDOMAIN with the SOA at the negative TTL', async () => {
      const r = await ask(port, ['www.rules.example', 'A']);
      expect(r.flags).toContain('aa');
      expect(answers(r).sort()).toEqual(['www.rules.example. A 192.0.2.1', 'www.rules.example. A 192.0.2.2']);
      const nx = await ask(port, ['nope.rules.example', 'A']);
      expect(nx.status).toBe('NXDOMAIN');
      expect(nx.sections.AUTHORITY?.[0]?.[2]).toBe('SOA');
      expect(nx.sections.AUTHORITY?.[0]?.[1]).toBe(120);
    });

    it('follows a CNAME, matches a wildcard, refers a delegation with glue', async () => {
      expect(answers(await ask(port, ['alias.rules.example', 'A']))).toEqual(
        expect.arrayContaining(['alias.rules.example. CNAME www.rules.example.']),
      );
      expect(answers(await ask(port, ['any.thing.wild.rules.example', 'A']))).toEqual(['any.thing.wild.rules.example. A 192.0.2.50']);
      const ref = await ask(port, ['host.child.rules.example', 'A']);
      expect(ref.flags).not.toContain('aa');
      expect(answers(ref, 'AUTHORITY')).toEqual(['child.rules.example. NS ns1.child.rules.example.']);
      expect(answers(ref, 'ADDITIONAL')).toEqual(['ns1.child.rules.example. A 192.0.2.53']);
    });

    it('serves MX and CAA, never a disabled record, and retries a large answer over TCP', async () => {
      expect(answers(await ask(port, ['rules.example', 'MX']))).toEqual(['rules.example. MX 10 mx.rules.example.']);
      expect(answers(await ask(port, ['rules.example', 'CAA']))).toEqual(['rules.example. CAA 0 issue "letsencrypt.org"']);
      expect(answers(await ask(port, ['mixed.rules.example', 'A']))).toEqual(['mixed.rules.example. A 192.0.2.10']);
      const big = await ask(port, ['big.rules.example', 'TXT']);
      // The UDP answer was truncated, so the tool retried over TCP on its own.
      expect(big.text).toMatch(/\(TCP\)/);
      expect(answers(big)).toHaveLength(8);
    });

    it('picks by the client subnet: country, continent, default', async () => {
      const by = async (subnet: string) => answers(await ask(port, ['geo.rules.example', 'A', `+subnet=${subnet}`]));
      expect(await by('8.8.8.0/24')).toEqual(['geo.rules.example. A 192.0.2.21']);
      expect(await by('81.2.69.0/24')).toEqual(['geo.rules.example. A 192.0.2.23']);
      expect(await by('200.160.0.0/24')).toEqual(['geo.rules.example. A 192.0.2.29']);
    });
  });

  it('sets TC over UDP for the large answer and answers it in full over TCP (dns-packet)', async () => {
    const u = await udp(port, query('big.rules.example', 'TXT', { udpSize: 512 }));
    expect(u.flag_tc).toBe(true);
    const t = await tcp(port, query('big.rules.example', 'TXT'));
    expect(t.answers).toHaveLength(8);
  });

  it('fails open after the other pickers: all down → geodns and first_n still apply', async () => {
    const us = () => udp(port, query('fo.rules.example', 'A', { ecs: { ip: '8.8.8.0', prefix: 24 } }));
    expect(aData(await us())).toHaveLength(1);
    expect(['192.0.2.61', '192.0.2.62']).toContain(aData(await us())[0]);

    const down = async (address: string) => {
      const health: HealthState = { checkId: failoverId, address, state: 'unavailable', since: Date.now(), reasons: { x: 'timeout' } };
      await redis.hset(redisKeys.health, healthField(failoverId, address), JSON.stringify(health));
      await appendFeed(redis, { kind: 'health', health });
    };
    await down('192.0.2.61');
    await until('only the healthy US address', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) aData(await us()).forEach((a) => seen.add(a));
      return [...seen].join() === '192.0.2.62';
    });
    await down('192.0.2.62');
    // No US address is healthy: the default record (healthy) serves US clients now.
    await until('the healthy default', async () => aData(await us()).join() === '192.0.2.63');
    await down('192.0.2.63');
    // Nothing is healthy: every address is a candidate again, still narrowed by geo and first_n.
    await until('fail open with one US address', async () => {
      const a = aData(await us());
      return a.length === 1 && ['192.0.2.61', '192.0.2.62'].includes(a[0]!);
    });
  });
});
