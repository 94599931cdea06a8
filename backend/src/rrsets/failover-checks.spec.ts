// Vigil's own check fields (issue 14) through the API: every bad value a 400 naming the field and
// the reason; a good check stored, read back and handed to the probes in the job data; a probe's
// certificate warning shown per location in the health read-out.
import { CheckJobSchema, type ProbeResult, probeQueueName, redisKeys } from '@vigil/contract';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { apiKey, expectInvalid, TestApi } from '../testing/test-app';

describe('richer failover checks through the API (real PostgreSQL, Redis and BullMQ)', () => {
  let api: TestApi;
  let redis: Redis;
  let token: string;
  let queue: Queue;
  const zone = 'checks.example';
  const base = { frequency: 30, timeout: 5 };
  const http = { protocol: 'HTTP', ...base };
  const dns = { protocol: 'DNS', ...base, dns: { name: 'www.example.com' } };

  beforeAll(async () => {
    api = await TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0' });
    redis = api.redis();
    ({ token } = await api.failoverZone(zone));
    await redis.zadd(redisKeys.locations, Date.now(), 'eu-1');
    queue = new Queue(probeQueueName('eu-1'), {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: `${api.config.REDIS_KEY_PREFIX}bull`,
    });
  });
  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await api?.close();
  });

  const put = (name: string, failover: object) =>
    api
      .http()
      .put(`/v2/zones/${zone}/${name}.${zone}/A`)
      .set(apiKey(token))
      .send({ resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }], meta: { failover } });

  it.each([
    ['dns', { ...base, protocol: 'DNS' }, 'is required for DNS checks'],
    ['dns', { ...http, dns: { name: 'a.example' } }, 'is only for DNS checks'],
    ['dns.name', { ...dns, dns: { name: 'bad..name' } }, 'must be a domain name'],
    ['dns.type', { ...dns, dns: { name: 'a.example', type: 'AXFR' } }, 'must be one of A, AAAA'],
    ['dns.transport', { ...dns, dns: { name: 'a.example', transport: 'doh' } }, 'must be udp or tcp'],
    ['dns.rcode', { ...dns, dns: { name: 'a.example', rcode: 'BADVERS' } }, 'must be one of NOERROR'],
    ['dns.answer', { ...dns, dns: { name: 'a.example', answer: 'x'.repeat(300) } }, 'must be at most 255 characters'],
    ['headers.Host', { ...http, headers: { Host: 'x.example' } }, 'host sets the Host header'],
    ['headers.X-A', { ...http, headers: { 'X-A': 'a\r\nb' } }, 'must not contain line breaks'],
    ['headers', { ...http, headers: ['X-A: 1'] }, 'must be an object of header names and values'],
    ['http_status_codes[0]', { ...http, http_status_codes: ['300-200'] }, 'must be from 100 to 599'],
    ['http_status_codes', { ...http, http_status_codes: [200], http_status_code: 200 }, 'cannot be given with http_status_code'],
    ['regexp_invert', { ...http, regexp_invert: true }, 'needs a regexp to invert'],
    ['max_response_ms', { ...http, max_response_ms: 5000 }, 'must be less than the timeout (5000 ms)'],
    ['cert_expiry_days', { ...http, cert_expiry_days: 10 }, 'is only for HTTPS checks'],
    ['cert_expiry_days', { ...http, protocol: 'HTTPS', cert_expiry_days: 0 }, 'must be at least 1 day'],
  ])('refuses a bad %s with 400 naming it and why', async (field, failover, reason) => {
    expect(expectInvalid(await put('bad', failover), `meta.failover.${field}`)).toContain(reason);
  });

  it('stores a DNS check with its defaults and hands it to the probes', async () => {
    const res = await put('dns', { ...dns, dns: { name: 'WWW.example.com', answer: '192.0.2.1' } }).expect(201);
    const stored = {
      ...dns,
      port: 53,
      dns: { name: 'WWW.example.com', answer: '192.0.2.1', type: 'A', transport: 'udp', rcode: 'NOERROR' },
    };
    expect(res.body.meta.failover).toEqual(stored);
    const read = await api.http().get(`/v2/zones/${zone}/dns.${zone}/A`).set(apiKey(token)).expect(200);
    expect(read.body.meta.failover).toEqual(stored);
    const job = (await queue.getJobSchedulers(0, -1)).find((s) => s.key === `check:${res.body.id}`);
    expect(CheckJobSchema.parse(job?.template?.data).check).toEqual(stored);
  });

  it('stores the HTTP fields as sent, and a check written the Gcore way gets none of them', async () => {
    const check = {
      protocol: 'HTTPS',
      ...base,
      headers: { 'X-Token': 'abc' },
      http_status_codes: ['200-299', 301],
      regexp: 'maintenance',
      regexp_invert: true,
      max_response_ms: 800,
      cert_expiry_days: 14,
    };
    const res = await put('web', check).expect(201);
    const expected = { ...check, port: 443, method: 'GET', url: '/', tls: true, http_status_code: null, verify: true };
    expect(res.body.meta.failover).toEqual(expected);
    const job = (await queue.getJobSchedulers(0, -1)).find((s) => s.key === `check:${res.body.id}`);
    expect(CheckJobSchema.parse(job?.template?.data).check).toEqual(expected);

    const gcore = await put('gcore', { protocol: 'HTTP', ...base, tls: true, http_status_code: 200 }).expect(201);
    expect(Object.keys(gcore.body.meta.failover).sort()).toEqual([
      'frequency',
      'http_status_code',
      'method',
      'port',
      'protocol',
      'timeout',
      'tls',
      'url',
    ]);
  });

  it("shows a location's certificate warning and days left in the health read-out, null where there is none", async () => {
    const res = await put('cert', { protocol: 'HTTPS', ...base, cert_expiry_days: 7 }).expect(201);
    const id = res.body.id as string;
    const now = Date.now();
    const result = (location: string, extra: Partial<ProbeResult>): ProbeResult => ({
      ok: true,
      latency_ms: 3,
      error: null,
      at: now,
      location,
      frequency: 30,
      ...extra,
    });
    await redis.hset(
      redisKeys.results(id, '192.0.2.1'),
      'eu-1',
      JSON.stringify(result('eu-1', { warning: 'certificate expires in 2 days (2026-12-06)', cert_days_left: 2 })),
      'us-1',
      JSON.stringify(result('us-1', {})),
    );
    const health = await api.http().get(`/v2/zones/${zone}/cert.${zone}/A/health`).set(apiKey(token)).expect(200);
    expect(health.body.addresses[0].locations).toEqual([
      expect.objectContaining({ location: 'eu-1', ok: true, warning: 'certificate expires in 2 days (2026-12-06)', cert_days_left: 2 }),
      expect.objectContaining({ location: 'us-1', ok: true, warning: null, cert_days_left: null }),
    ]);
  });
});
