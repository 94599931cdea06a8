// Gcore's own clients against the real api: the bodies and call sequences of the Go SDK
// (gcore-dns-sdk-go, under Terraform, DNSControl, external-dns and lego), the Terraform provider's
// v0 bodies and octoDNS, as ../shared/gcore/sdk-compat.md lists them, and what each client needs
// to decode from the answers (checked against the Go structs' field types).
import type TestAgent from 'supertest/lib/agent';
import { apiKey, expectError, expectInvalid, TestApi } from '../testing/test-app';

/** A Go struct field's type, as encoding/json decodes into it. */
type GoType = 'uint64' | 'int64' | 'string' | 'bool' | 'map' | 'any' | { [field: string]: GoType } | [GoType];

/**
 * Where `value` would fail encoding/json's Unmarshal into a struct of `spec` (absent fields and
 * null are fine for Go; a wrong type is an error). Returns the paths that would fail.
 */
function goDecodeErrors(value: unknown, spec: GoType, path = '$'): string[] {
  if (value === null || value === undefined || spec === 'any') return [];
  if (spec === 'uint64') return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? [] : [`${path}: not a uint64`];
  if (spec === 'int64') return typeof value === 'number' && Number.isInteger(value) ? [] : [`${path}: not an int64`];
  if (spec === 'string') return typeof value === 'string' ? [] : [`${path}: not a string`];
  if (spec === 'bool') return typeof value === 'boolean' ? [] : [`${path}: not a bool`];
  if (spec === 'map') return typeof value === 'object' && !Array.isArray(value) ? [] : [`${path}: not an object`];
  if (Array.isArray(spec)) {
    if (!Array.isArray(value)) return [`${path}: not an array`];
    return value.flatMap((v, i) => goDecodeErrors(v, spec[0], `${path}[${i}]`));
  }
  if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: not an object`];
  return Object.entries(spec).flatMap(([k, t]) => goDecodeErrors((value as Record<string, unknown>)[k], t, `${path}.${k}`));
}

// The Go SDK's structs (client_dto.go), field by field.
const GO_ZONE: GoType = {
  name: 'string',
  client_id: 'uint64',
  contact: 'string',
  dnssec_enabled: 'bool',
  expiry: 'uint64',
  id: 'uint64',
  meta: 'map',
  nx_ttl: 'uint64',
  primary_server: 'string',
  records: [{ name: 'string', type: 'string', ttl: 'uint64', short_answers: ['string'] }],
  refresh: 'uint64',
  retry: 'uint64',
  rrsets_amount: { dynamic: { healthcheck: 'int64', total: 'int64' }, static: 'int64', total: 'int64' },
  serial: 'uint64',
  status: 'string',
};
const GO_LIST_ZONES: GoType = { zones: [GO_ZONE], total_amount: 'int64', error: 'string' };
const GO_CREATE_RESPONSE: GoType = { id: 'uint64', error: 'string' };
const GO_FILTER: GoType = { limit: 'uint64', type: 'string', strict: 'bool' };
const GO_RRSET: GoType = {
  type: 'string',
  ttl: 'int64',
  resource_records: [{ content: ['any'], meta: 'map', enabled: 'bool' }],
  filters: [GO_FILTER],
  meta: 'map',
};
const GO_RRSETS: GoType = { rrsets: [GO_RRSET] };
const GO_API_ERROR: GoType = { error: 'string' };

function expectDecodes(body: unknown, spec: GoType) {
  expect(goDecodeErrors(body, spec)).toEqual([]);
}

/** The SDK's RRSet as json.Marshal writes it (no omitempty: every field, null when unset). */
function sdkRrset(r: {
  type?: string;
  ttl: number;
  records: { content: unknown[]; meta?: object | null; enabled?: boolean }[];
  filters?: object[] | null;
  meta?: object | null;
}) {
  return {
    type: r.type ?? '',
    ttl: r.ttl,
    resource_records: r.records.map((x) => ({ content: x.content, meta: x.meta ?? null, enabled: x.enabled ?? true })),
    filters: r.filters ?? null,
    meta: r.meta ?? null,
  };
}

/** What the SDK keeps of a record set it read (RRSet's fields only), to send it back. */
function sdkRoundTrip(read: {
  type: string;
  ttl: number;
  resource_records: { content: unknown[]; meta: object; enabled: boolean }[];
  filters?: { type: string; limit?: number; strict?: boolean }[];
  meta: object;
}) {
  return sdkRrset({
    type: read.type,
    ttl: read.ttl,
    records: read.resource_records.map((r) => ({ content: r.content, meta: r.meta, enabled: r.enabled })),
    // RecordFilter has no omitempty: a filter read without limit or strict goes back with 0 and false.
    filters: read.filters?.map((f) => ({ limit: f.limit ?? 0, type: f.type, strict: f.strict ?? false })) ?? null,
    meta: read.meta,
  });
}

describe("Gcore's clients against Vigil (real api, PostgreSQL and Redis)", () => {
  let api: TestApi;
  let token: string;
  let accountId: string;
  let H: { Authorization: string };

  beforeAll(async () => {
    api = await TestApi.start();
    const c = await api.customer('gcore');
    accountId = c.accountId;
    token = await api.token(c.agent);
    H = apiKey(token);
  });
  afterAll(() => api.close());

  // The SDK joins BaseURL.Path with /v2/...: "" for Vigil's root, "/dns" for Gcore's.
  const sdk = (root: '' | '/dns' = '') => {
    const http = api.http();
    const json = (req: ReturnType<TestAgent['get']>) => req.set(H).set('Content-Type', 'application/json');
    return {
      get: (uri: string) => json(http.get(`${root}${uri}`)),
      post: (uri: string, body: object) => json(http.post(`${root}${uri}`)).send(body),
      put: (uri: string, body: object) => json(http.put(`${root}${uri}`)).send(body),
      patch: (uri: string) => json(http.patch(`${root}${uri}`)),
      delete: (uri: string) => json(http.delete(`${root}${uri}`)),
    };
  };

  describe('Go SDK (gcore-dns-sdk-go), zones', () => {
    it('CreateZone decodes a numeric id, with serial and meta too; Zone, Zones and ZonesWithParam decode', async () => {
      const go = sdk();
      const created = await go.post('/v2/zones', { name: 'sdk.example' });
      expect(created.status).toBeLessThan(300);
      expectDecodes(created.body, GO_CREATE_RESPONSE);
      expect(created.body.id).toEqual(expect.any(Number));

      // AddZone with omitempty: only what was set.
      const withMeta = await go.post('/v2/zones', {
        meta: { webhook: 'https://hook.example/dns' },
        name: 'sdk-meta.example',
        serial: 1614752868,
      });
      expect(withMeta.status).toBeLessThan(300);
      expectDecodes(withMeta.body, GO_CREATE_RESPONSE);

      const zone = await go.get('/v2/zones/sdk-meta.example').expect(200);
      expectDecodes(zone.body, GO_ZONE);
      expect(zone.body).toMatchObject({
        id: withMeta.body.id,
        name: 'sdk-meta.example',
        serial: 1614752868,
        meta: { webhook: 'https://hook.example/dns' },
        rrsets_amount: { total: 1, static: 1, dynamic: { total: 0, healthcheck: 0 } },
      });

      // Zones(): "?limit=100&" plus its name filter; AllZones pages at 1000 with the names.
      const all = await go.get('/v2/zones?limit=100&').expect(200);
      expectDecodes(all.body, GO_LIST_ZONES);
      expect(all.body.zones.map((z: { name: string }) => z.name)).toEqual(['sdk-meta.example', 'sdk.example']);
      const named = await go.get('/v2/zones?limit=100&name=sdk.example').expect(200);
      expect(named.body.zones.map((z: { name: string }) => z.name)).toEqual(['sdk.example']);
      const param = await go
        .get('/v2/zones?limit=1000&name=sdk.example&name=sdk-meta.example&order_by=name&order_direction=desc')
        .expect(200);
      expectDecodes(param.body, GO_LIST_ZONES);
      expect(param.body.zones.map((z: { name: string }) => z.name)).toEqual(['sdk.example', 'sdk-meta.example']);
      expect(param.body.total_amount).toBe(2);
    });

    it('ZonesWithParam filters by id, dynamic and healthcheck (what ZonesParam sends), as rrsets_amount counts', async () => {
      const go = sdk();
      const names = ['zp-plain.example', 'zp-geo.example', 'zp-check.example'];
      const ids: number[] = [];
      for (const name of names) ids.push((await go.post('/v2/zones', { name }).expect(201)).body.id);
      const a = sdkRrset({ ttl: 60, records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }] });
      await go
        .post('/v2/zones/zp-geo.example/www.zp-geo.example/A', { ...a, filters: [{ limit: 1, type: 'first_n', strict: false }] })
        .expect(201);
      await api.grantFailover(accountId);
      const failover = { protocol: 'TCP', port: 443, frequency: 60, timeout: 5, command: null };
      await go.post('/v2/zones/zp-check.example/www.zp-check.example/A', { ...a, meta: { failover } }).expect(201);
      const list = async (query: string) => {
        const res = await go.get(`/v2/zones?name=${names.join('&name=')}&${query}`).expect(200);
        expectDecodes(res.body, GO_LIST_ZONES);
        expect(res.body.total_amount).toBe(res.body.zones.length);
        return res.body.zones.map((z: { name: string }) => z.name);
      };
      // ZonesParam{ID: ...}: repeated id; a comma list works too.
      expect(await list(`id=${ids[0]}&id=${ids[2]}`)).toEqual(['zp-check.example', 'zp-plain.example']);
      expect(await list(`id=${ids[1]},${ids[2]}`)).toEqual(['zp-check.example', 'zp-geo.example']);
      expect(await list('dynamic=true')).toEqual(['zp-check.example', 'zp-geo.example']);
      expect(await list('healthcheck=true')).toEqual(['zp-check.example']);
      expect(await list('healthcheck=false')).toEqual(['zp-geo.example', 'zp-plain.example']);
      expect(await list('dynamic=false')).toEqual(['zp-plain.example']);
      expectInvalid(await go.get('/v2/zones?id=first'), 'id[0]');
      for (const name of names) await go.delete(`/v2/zones/${name}`).expect(204);
    });

    it('UpdateZone (PUT with the name again), DisableZone and EnableZone (PATCH, no body), DeleteZone', async () => {
      const go = sdk();
      await go.post('/v2/zones', { name: 'sdk-update.example' }).expect(201);
      const updated = await go.put('/v2/zones/sdk-update.example', {
        contact: 'admin@sdk-update.example',
        name: 'sdk-update.example',
        nx_ttl: 600,
      });
      expect(updated.status).toBe(200);
      expectDecodes(updated.body, GO_CREATE_RESPONSE);
      expect((await go.get('/v2/zones/sdk-update.example').expect(200)).body).toMatchObject({
        contact: 'admin@sdk-update.example',
        nx_ttl: 600,
      });

      expect((await go.patch('/v2/zones/sdk-update.example/disable')).status).toBe(200);
      expect((await go.get('/v2/zones/sdk-update.example').expect(200)).body.enabled).toBe(false);
      expect((await go.patch('/v2/zones/sdk-update.example/enable')).status).toBe(200);
      expect((await go.get('/v2/zones/sdk-update.example').expect(200)).body.enabled).toBe(true);

      expect((await go.delete('/v2/zones/sdk-update.example')).status).toBe(204);
      const gone = await go.get('/v2/zones/sdk-update.example').expect(404);
      expectDecodes(gone.body, GO_API_ERROR);
      expect(gone.body.error).toBe('zone not found');
    });

    it("answers the same under /dns/v2, the root of Gcore's generated SDKs, with the APIKey or Bearer scheme", async () => {
      const go = sdk('/dns');
      const created = await go.post('/v2/zones', { name: 'root.example' });
      expect(created.status).toBe(201);
      const zone = await go.get('/v2/zones/root.example').expect(200);
      expect(zone.body.id).toBe(created.body.id);
      await go.put('/v2/zones/root.example/www.root.example/A', sdkRrset({ ttl: 60, records: [{ content: ['192.0.2.1'] }] })).expect(201);
      expect((await go.get('/v2/zones/root.example/rrsets?all=true').expect(200)).body.total_amount).toBe(2);
      // The import route keeps its own body limit and zone-file types under the other root.
      const imported = await api
        .http()
        .post('/dns/v2/zones/root.example/import')
        .set(H)
        .set('Content-Type', 'text/plain')
        .send('$ORIGIN root.example.\nmail 300 IN A 192.0.2.9\n');
      expect(imported.status).toBeLessThan(300);

      for (const scheme of ['Bearer', 'apikey', 'APIKEY']) {
        await api.http().get('/dns/v2/zones/root.example').set('Authorization', `${scheme} ${token}`).expect(200);
      }
      expectError(await api.http().get('/v2/zones').set('Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x'), 401);
      // Not a prefix match: /dnsx/v2 and /dns/v20 are not Gcore's root.
      expect((await api.http().get('/dnsx/v2/zones').set(H)).status).toBe(404);
      expect((await api.http().get('/dns/v20/zones').set(H)).status).toBe(404);
    });

    it('answers what Vigil lacks (DNSSEC, network mappings, statistics, …) with 501 in the error shape, and unknown routes with JSON', async () => {
      await api.http().post('/v2/zones').set(H).send({ name: 'lacks.example' }).expect(201);
      const calls: [string, string][] = [
        ['get', '/v2/zones/lacks.example/dnssec'],
        ['patch', '/v2/zones/lacks.example/dnssec'],
        ['get', '/v2/zones/lacks.example/dnssec/parent-ds'],
        ['get', '/dns/v2/zones/lacks.example/dnssec'],
        ['get', '/v2/zones/lacks.example/statistics'],
        ['get', '/v2/zones/lacks.example/www.lacks.example/A/failover/log'],
        ['get', '/v2/network-mappings'],
        ['post', '/v2/network-mappings'],
        ['get', '/v2/network-mappings/7'],
        ['put', '/v2/network-mappings/7'],
        ['delete', '/v2/network-mappings/7'],
        ['get', '/v2/secondary-zones'],
        ['get', '/v2/monitor/metrics'],
        ['get', '/v2/pickers'],
        ['get', '/v2/locations/countries'],
        ['get', '/v2/platform/info'],
      ];
      for (const [method, path] of calls) {
        const res = await (api.http() as unknown as Record<string, (p: string) => ReturnType<TestAgent['get']>>)[method]!(path)
          .set(H)
          .send({ enabled: true });
        expect([path, res.status, res.headers['content-type']]).toEqual([path, 501, expect.stringContaining('application/json')]);
        expectDecodes(res.body, GO_API_ERROR);
        expect(res.body.error).toContain('is not supported by Vigil');
      }
      expect((await api.http().get('/v2/zones/lacks.example/dnssec').set(H)).body.error).toBe(
        'DNSSEC is not supported by Vigil; zones are served unsigned',
      );
      // Without credentials, as every route: 401 first.
      expectError(await api.http().get('/v2/zones/lacks.example/dnssec'), 401);
      for (const path of ['/v2/nothing-here', '/dns/v2/zones/lacks.example/a/b/c/d/e']) {
        const res = await api.http().get(path).set(H);
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toContain('application/json');
        expect(res.text).not.toContain('<html');
        expectDecodes(res.body, GO_API_ERROR);
      }
    });
  });

  describe('Go SDK, record sets (also what Terraform and DNSControl send through it)', () => {
    const zone = 'sdk-rr.example';
    const rrUrl = (name: string, type: string) => `/v2/zones/${zone}/${name}/${type}`;
    beforeAll(async () => {
      await api.http().post('/v2/zones').set(H).send({ name: zone }).expect(201);
    });

    it.each<[string, unknown[][]]>([
      ['A', [['192.0.2.1'], ['192.0.2.2']]],
      ['AAAA', [['2001:db8::1']]],
      ['CNAME', [['target.example.com']]],
      ['MX', [[10, 'mail.example.com']]],
      ['TXT', [['v=spf1 -all']]],
      ['SRV', [[10, 20, 5060, 'sip.example.com']]],
      ['CAA', [[0, 'issue', 'ca.example']]],
    ])('CreateRRSet and UpdateRRSet of %s (type "", meta and filters null) succeed, and RRSet decodes', async (type, contents) => {
      const go = sdk();
      const name = `${type.toLowerCase()}.${zone}`;
      const body = sdkRrset({ ttl: 300, records: contents.map((content) => ({ content })) });
      expect((await go.post(rrUrl(name, type), body)).status).toBe(201);
      expect((await go.put(rrUrl(name, type), { ...body, ttl: 600 })).status).toBe(200);
      const read = await go.get(`${rrUrl(name, type)}?limit=10&offset=0`).expect(200);
      expectDecodes(read.body, GO_RRSET);
      expect(read.body).toMatchObject({ type, ttl: 600 });
      expect(read.body.resource_records.map((r: { content: unknown[] }) => r.content)).toEqual(contents);
      for (const r of read.body.resource_records) expect(Number.isSafeInteger(r.id)).toBe(true);
    });

    it('WithFilters sends filters (limit 0, strict false on each); they come back as filters and pickers', async () => {
      const go = sdk();
      const filters = [
        { limit: 0, type: 'geodns', strict: false },
        { limit: 1, type: 'default', strict: false },
        { limit: 1, type: 'first_n', strict: false },
      ];
      const records = [
        { content: ['192.0.2.10'], meta: { countries: ['fr'], notes: ['Paris'] } },
        { content: ['192.0.2.11'], meta: { default: true, weight: 12.5 } },
      ];
      expect((await go.post(rrUrl(`geo.${zone}`, 'A'), sdkRrset({ ttl: 120, records, filters }))).status).toBe(201);
      const read = await go.get(rrUrl(`geo.${zone}`, 'A')).expect(200);
      expectDecodes(read.body, GO_RRSET);
      expect(read.body.filters).toEqual(filters);
      expect(read.body.pickers).toEqual(filters);
      expect(read.body.resource_records.map((r: { meta: object }) => r.meta)).toEqual(records.map((r) => r.meta));
    });

    it("DNSControl's proximity shape (healthcheck, geodistance, first_n 2) and the ip and asn filters with NewResourceMeta* meta", async () => {
      const go = sdk();
      const filters = [
        { limit: 0, type: 'healthcheck', strict: false },
        { limit: 0, type: 'geodistance', strict: false },
        { limit: 2, type: 'first_n', strict: false },
      ];
      const records = [
        { content: ['192.0.2.30'], meta: { latlong: [50.11, 8.68], notes: [''] } },
        { content: ['192.0.2.31'], meta: { latlong: [1.35, 103.82], notes: [''] } },
      ];
      expect((await go.post(rrUrl(`near.${zone}`, 'A'), sdkRrset({ ttl: 60, records, filters }))).status).toBe(201);
      const read = (await go.get(rrUrl(`near.${zone}`, 'A')).expect(200)).body;
      expectDecodes(read, GO_RRSET);
      expect(read.filters).toEqual(filters);
      expect(read.resource_records.map((r: { meta: object }) => r.meta)).toEqual(records.map((r) => r.meta));
      const byNet = [
        { limit: 0, type: 'ip', strict: false },
        { limit: 0, type: 'asn', strict: true },
      ];
      const netRecords = [
        { content: ['192.0.2.40'], meta: { ip: ['198.51.100.0/24'], asn: [64496] } },
        { content: ['192.0.2.41'], meta: { default: true } },
      ];
      expect((await go.post(rrUrl(`net.${zone}`, 'A'), sdkRrset({ ttl: 60, records: netRecords, filters: byNet }))).status).toBe(201);
      const net = (await go.get(rrUrl(`net.${zone}`, 'A')).expect(200)).body;
      expectDecodes(net, GO_RRSET);
      expect(net.pickers).toEqual(byNet);
    });

    it('AddZoneRRSet (GET, 404 → create; then GET and PUT of both) and DeleteRRSetRecord (GET, PUT back) to the last record (DELETE)', async () => {
      const go = sdk();
      const name = `add.${zone}`;
      // AddZoneRRSet: GET first; a 404 means create.
      const missing = await go.get(rrUrl(name, 'A')).expect(404);
      expectDecodes(missing.body, GO_API_ERROR);
      await go.post(rrUrl(name, 'A'), sdkRrset({ ttl: 300, records: [{ content: ['192.0.2.1'] }] })).expect(201);
      const first = (await go.get(rrUrl(name, 'A')).expect(200)).body;
      const merged = sdkRrset({
        ttl: 300,
        records: [
          { content: ['192.0.2.2'] },
          ...first.resource_records.map((r: { content: unknown[]; meta: object; enabled: boolean }) => r),
        ],
      });
      await go.put(rrUrl(name, 'A'), merged).expect(200);

      // DeleteRRSetRecord: the RRSet as read (type "A", meta {}, filters absent → null) goes back without the record.
      const read = (await go.get(rrUrl(name, 'A')).expect(200)).body;
      expect(read.resource_records).toHaveLength(2);
      const back = sdkRoundTrip({
        ...read,
        resource_records: read.resource_records.filter((r: { content: string[] }) => r.content[0] !== '192.0.2.1'),
      });
      expect(back).toMatchObject({ type: 'A', filters: null, meta: {} });
      await go.put(rrUrl(name, 'A'), back).expect(200);
      const left = (await go.get(rrUrl(name, 'A')).expect(200)).body;
      expect(left.resource_records.map((r: { content: string[] }) => r.content[0])).toEqual(['192.0.2.2']);
      // The same round trip of a record set with filters and failover.
      await api.grantFailover(accountId);
      const failover = { protocol: 'HTTPS', port: 443, frequency: 60, timeout: 5, url: '/health' };
      await go
        .put(
          rrUrl(`rt.${zone}`, 'A'),
          sdkRrset({
            ttl: 60,
            records: [{ content: ['192.0.2.5'] }, { content: ['192.0.2.6'] }],
            filters: [{ limit: 0, type: 'is_healthy', strict: false }],
            meta: { failover },
          }),
        )
        .expect(201);
      const rt = (await go.get(rrUrl(`rt.${zone}`, 'A')).expect(200)).body;
      await go.put(rrUrl(`rt.${zone}`, 'A'), sdkRoundTrip({ ...rt, resource_records: rt.resource_records.slice(1) })).expect(200);
      expect((await go.get(rrUrl(`rt.${zone}`, 'A')).expect(200)).body).toMatchObject({
        filters: [{ limit: 0, type: 'is_healthy', strict: false }],
        meta: { failover: { ...failover, method: 'GET', verify: true } },
      });

      // The last record: DeleteRRSet (204), and again on a missing one (404, which the SDK takes as done).
      expect((await go.delete(rrUrl(name, 'A'))).status).toBe(204);
      const again = await go.delete(rrUrl(name, 'A'));
      expect(again.status).toBe(404);
      expectDecodes(again.body, GO_API_ERROR);
    });

    it('names in content come back as sent (trailing dot, case), so DeleteRRSetRecord finds the record by its string', async () => {
      const go = sdk();
      // ContentFromValue("MX", "10 mx1.example.org.") and the other types, as DNSControl and Terraform write them.
      const sent: [string, string, unknown[][]][] = [
        [
          `mx-dot.${zone}`,
          'MX',
          [
            [10, 'mx1.example.org.'],
            [20, 'mx2.example.org.'],
          ],
        ],
        [`cname-dot.${zone}`, 'CNAME', [['Target.Example.COM.']]],
        [`_sip._tcp.${zone}`, 'SRV', [[10, 20, 5060, 'sip.example.org.']]],
        [`ns-dot.${zone}`, 'NS', [['ns1.example.org.'], ['ns2.example.org']]],
        [`ptr-dot.${zone}`, 'PTR', [['host.example.org.']]],
      ];
      for (const [name, type, contents] of sent) {
        await go.post(rrUrl(name, type), sdkRrset({ ttl: 300, records: contents.map((content) => ({ content })) })).expect(201);
        const read = (await go.get(rrUrl(name, type)).expect(200)).body;
        expect([type, read.resource_records.map((r: { content: unknown[] }) => r.content)]).toEqual([type, contents]);
      }
      // A name differing only in case or dot is still the same record.
      const dup = await go.post(
        rrUrl(`mx-dup.${zone}`, 'MX'),
        sdkRrset({ ttl: 300, records: [{ content: [10, 'mx.example.org.'] }, { content: [10, 'MX.example.org'] }] }),
      );
      expectInvalid(dup, 'resource_records[1].content');

      // DeleteRRSetRecord(ctx, zone, name, "MX", "10 mx1.example.org."): GET, drop the record whose
      // ContentToString (the fields joined by spaces) is the value, PUT the rest back.
      const mx = `mx-dot.${zone}`;
      const read = (await go.get(rrUrl(mx, 'MX')).expect(200)).body;
      const toString = (r: { content: unknown[] }) => r.content.map(String).join(' ');
      const rest = read.resource_records.filter((r: { content: unknown[] }) => toString(r) !== '10 mx1.example.org.');
      expect(rest).toHaveLength(1);
      await go.put(rrUrl(mx, 'MX'), sdkRoundTrip({ ...read, resource_records: rest })).expect(200);
      const left = (await go.get(rrUrl(mx, 'MX')).expect(200)).body;
      expect(left.resource_records.map(toString)).toEqual(['20 mx2.example.org.']);
      // The record keeps its id whichever form of its name was sent last.
      expect(left.resource_records[0].id).toBe(read.resource_records[1].id);
      await go.put(rrUrl(mx, 'MX'), sdkRrset({ ttl: 300, records: [{ content: [20, 'mx2.example.org'] }] })).expect(200);
      const plain = (await go.get(rrUrl(mx, 'MX')).expect(200)).body;
      expect(plain.resource_records).toEqual([
        { id: read.resource_records[1].id, content: [20, 'mx2.example.org'], enabled: true, meta: {} },
      ]);
      for (const [name, type] of sent) await go.delete(rrUrl(name, type)).expect(204);
    });

    it('an ICMP failover check reads back with the port 0 the SDK sent (NewRRSetMetaMetaFailoverFromIcmp)', async () => {
      const go = sdk();
      await api.grantFailover(accountId);
      const name = `icmp.${zone}`;
      const failover = { protocol: 'ICMP', port: 0, frequency: 60, timeout: 5, command: null };
      await go.post(rrUrl(name, 'A'), { ...sdkRrset({ ttl: 300, records: [{ content: ['192.0.2.1'] }] }), meta: { failover } }).expect(201);
      const read = (await go.get(rrUrl(name, 'A')).expect(200)).body;
      expect(read.meta.failover).toMatchObject(failover);
      await go.delete(rrUrl(name, 'A')).expect(204);
    });

    it('ZoneNameservers (?all=true&type=NS) gets the name servers only', async () => {
      const go = sdk();
      const res = await go.get(`/v2/zones/${zone}/rrsets?all=true&type=NS`).expect(200);
      expectDecodes(res.body, GO_RRSETS);
      const contents = res.body.rrsets.flatMap((r: { resource_records: { content: unknown[] }[] }) =>
        r.resource_records.flatMap((x) => x.content),
      );
      expect(contents).toEqual(['ns1.vigil.localhost', 'ns2.vigil.localhost']);
    });

    it('a conflict, a bad body and a missing zone decode as APIError with its message', async () => {
      const go = sdk();
      const dup = await go.post('/v2/zones', { name: zone });
      expect(dup.status).toBe(409);
      expectDecodes(dup.body, GO_API_ERROR);
      const bad = await go.post(rrUrl(`bad.${zone}`, 'A'), sdkRrset({ ttl: 300, records: [{ content: ['not-an-ip'] }] }));
      expect(expectInvalid(bad, 'resource_records[0].content[0]')).toBe('must be an IPv4 address such as 192.0.2.1');
      const wrongType = await go.post(rrUrl(`bad.${zone}`, 'A'), {
        ...sdkRrset({ ttl: 300, records: [{ content: ['192.0.2.1'] }] }),
        type: 'TXT',
      });
      expect(expectInvalid(wrongType, 'type')).toBe('must be A, the type in the path (or be left out)');
    });
  });

  describe('Terraform provider v0 (gcore_dns_zone_record through the SDK)', () => {
    const zone = 'tf.example';
    const rrUrl = (name: string, type: string) => `/v2/zones/${zone}/${name}/${type}`;
    beforeAll(async () => {
      await api.http().post('/v2/zones').set(H).send({ name: zone }).expect(201);
    });

    it('a plain A: Zone() then CreateRRSet, then the read gives back what the plan has (no drift)', async () => {
      const go = sdk();
      expectDecodes((await go.get(`/v2/zones/${zone}`).expect(200)).body, GO_ZONE);
      const body = sdkRrset({ ttl: 120, records: [{ content: ['192.0.2.1'], enabled: true }] });
      expect((await go.post(rrUrl(`www.${zone}`, 'A'), body)).status).toBe(201);
      const read = (await go.get(rrUrl(`www.${zone}`, 'A')).expect(200)).body;
      expectDecodes(read, GO_RRSET);
      expect(read).toMatchObject({ ttl: 120, resource_records: [{ content: ['192.0.2.1'], enabled: true, meta: {} }] });
      // No filters in the plan, none read back (the provider sets filters only when some come).
      expect(read.filters).toBeUndefined();
    });

    it('a geo record: filter blocks and meta blocks (notes [""] in every one), codes read back as written', async () => {
      const go = sdk();
      const body = sdkRrset({
        ttl: 300,
        filters: [
          { limit: 0, type: 'geodns', strict: true },
          { limit: 1, type: 'first_n', strict: false },
        ],
        records: [
          { content: ['192.0.2.20'], meta: { countries: ['fr', 'de'], notes: [''] } },
          {
            content: ['192.0.2.21'],
            meta: { continents: ['eu'], asn: [64496], ip: ['198.51.100.0/24'], latlong: [48.85, 2.35], notes: [''] },
          },
          { content: ['192.0.2.22'], meta: { default: true, weight: 10, cidr_labels: { office: 1 }, notes: [''] } },
        ],
      });
      expect((await go.put(rrUrl(`geo.${zone}`, 'A'), body)).status).toBe(201);
      const read = (await go.get(rrUrl(`geo.${zone}`, 'A')).expect(200)).body;
      expectDecodes(read, GO_RRSET);
      expect(read.filters).toEqual(body.filters);
      expect(read.resource_records.map((r: { meta: object }) => r.meta)).toEqual(body.resource_records.map((r) => r.meta));
    });

    it('the failover example: is_healthy filter (strict), meta.failover with meta.healthchecks, a backup record', async () => {
      await api.grantFailover(accountId);
      const go = sdk();
      // TF drops zero values ("", 0, false) from the failover map before sending it.
      const failover = { frequency: 60, method: 'GET', port: 80, protocol: 'HTTP', timeout: 10, url: '/health' };
      const body = sdkRrset({
        ttl: 120,
        filters: [{ limit: 0, type: 'is_healthy', strict: true }],
        records: [
          { content: ['192.0.2.30'], meta: { notes: [''] } },
          { content: ['192.0.2.31'], meta: { notes: [''] } },
          { content: ['192.0.2.32'], meta: { backup: true, notes: [''] } },
        ],
        meta: { failover, healthchecks: failover },
      });
      const whole = await go.put(rrUrl(`fo-whole.${zone}`, 'A'), body);
      expect(whole.status).toBe(201);
      expect(whole.body.meta.failover).toMatchObject(failover);
      expect(whole.body.resource_records[2].meta).toEqual({ backup: true, notes: [''] });

      const accepted = { ...body, resource_records: body.resource_records.slice(0, 2), meta: { failover } };
      expect((await go.put(rrUrl(`fo.${zone}`, 'A'), accepted)).status).toBe(201);
      const read = (await go.get(rrUrl(`fo.${zone}`, 'A')).expect(200)).body;
      expect(read.filters).toEqual([{ limit: 0, type: 'is_healthy', strict: true }]);
      expect(read.meta.failover).toMatchObject(failover);
      expect((await go.get(`/v2/zones/${zone}`).expect(200)).body.rrsets_amount).toEqual({
        total: 5,
        static: 2,
        dynamic: { total: 3, healthcheck: 2 },
      });
      // The two names of the check must agree.
      const differ = await go.put(rrUrl(`fo-differ.${zone}`, 'A'), {
        ...body,
        meta: { failover, healthchecks: { ...failover, port: 81 } },
      });
      expect(expectInvalid(differ, 'meta.healthchecks')).toContain('another name for failover');
    });
  });

  describe('octoDNS (octodns-gcore)', () => {
    const zone = 'octo.example';
    // octoDNS names record sets by their FQDN with the trailing dot.
    const rrUrl = (name: string, type: string) => `/v2/zones/${zone}/${name}.${zone}./${type}`;
    const octo = () => ({
      post: (uri: string, body: object) => api.http().post(uri).set(H).send(body),
      put: (uri: string, body: object) => api.http().put(uri).set(H).send(body),
      get: (uri: string) => api.http().get(uri).set(H),
      delete: (uri: string) => api.http().delete(uri).set(H),
    });
    /** octoDNS's _should_ignore: a record set with filters is read only in one of the two shapes it writes. */
    const ignoredByOctodns = (r: { filters?: { type: string; limit?: number }[] }) => {
      if (r.filters == null) return false;
      const types = r.filters.map((f) => f.type);
      if (types.includes('healthcheck')) return false;
      if (types.join() !== 'geodns,default,first_n') return true;
      return (r.filters[1]!.limit ?? 1) !== (r.filters[2]!.limit ?? 1);
    };

    it('creates the zone, writes plain, geo and healthcheck record sets, reads them all with all=true', async () => {
      const o = octo();
      expect((await o.post('/v2/zones', { name: zone })).status).toBeLessThan(300);
      const plain: [string, string, object][] = [
        ['www', 'A', { ttl: 300, resource_records: [{ content: ['1.2.3.4'] }, { content: ['1.2.3.5'] }] }],
        ['alias', 'CNAME', { ttl: 300, resource_records: [{ content: ['target.octo.example.'] }] }],
        ['mx', 'MX', { ttl: 300, resource_records: [{ content: [10, 'mx1.octo.example.'] }] }],
        ['txt', 'TXT', { ttl: 300, resource_records: [{ content: ['v=spf1 -all'] }] }],
        ['_sip._tcp', 'SRV', { ttl: 300, resource_records: [{ content: [10, 20, 5060, 'sip.octo.example.'] }] }],
        ['caa', 'CAA', { ttl: 300, resource_records: [{ content: [0, 'issue', 'ca.example'] }] }],
      ];
      for (const [name, type, body] of plain) expect([name, (await o.post(rrUrl(name, type), body)).status]).toEqual([name, 201]);
      // The geo shape it writes (records_per_response 1), GeoCodes' upper-case codes.
      const geo = {
        ttl: 300,
        resource_records: [
          { content: ['1.2.3.4'], meta: { countries: ['FR'] } },
          { content: ['5.6.7.8'], meta: { continents: ['EU'] } },
          { content: ['9.9.9.9'], meta: { default: true } },
        ],
        filters: [{ type: 'geodns' }, { type: 'default', limit: 1, strict: false }, { type: 'first_n', limit: 1 }],
      };
      expect((await o.post(rrUrl('geo', 'A'), geo)).status).toBe(201);

      // The healthcheck shape: the pickers pass; only the failover field tls (the other part of issue 10) is refused.
      await api.grantFailover(accountId);
      const check = {
        host: 'octo.example',
        port: 80,
        protocol: 'HTTP',
        frequency: 60,
        http_status_code: 200,
        method: 'GET',
        regexp: 'ok',
        timeout: 10,
        tls: false,
        url: '/health',
      };
      const hc = {
        ttl: 60,
        meta: { failover: check },
        pickers: [
          { type: 'healthcheck', strict: false },
          { type: 'weighted_shuffle', strict: false },
        ],
        resource_records: [
          { content: ['1.2.3.4'], enabled: true, meta: {} },
          { content: ['1.2.3.5'], enabled: true, meta: {} },
        ],
      };
      const whole = await o.post(rrUrl('hc-whole', 'A'), hc);
      expect(whole.status).toBe(201);
      // octoDNS compares what it reads back with what it sent: tls comes back as sent.
      expect(whole.body.meta.failover).toMatchObject(check);
      const { tls: _tls, ...withoutTls } = check;
      expect((await o.post(rrUrl('hc', 'A'), { ...hc, meta: { failover: withoutTls } })).status).toBe(201);

      // More than a page of record sets: all=true must return every one.
      const many = Array.from({ length: 110 }, (_, i) => ({
        name: `h${i}.${zone}`,
        type: 'A',
        resource_records: [{ content: ['192.0.2.1'] }],
      }));
      await api.http().patch(`/v2/zones/${zone}/rrsets`).set(H).send({ upserts: many }).expect(200);
      const read = await o.get(`/v2/zones/${zone}/rrsets?all=true`).expect(200);
      const rrsets = read.body.rrsets as {
        name: string;
        type: string;
        filters?: { type: string; limit?: number }[];
        resource_records: { meta: object }[];
      }[];
      expect(rrsets).toHaveLength(1 + plain.length + 2 + 1 + 110);
      expect(read.body.total_amount).toBe(rrsets.length);
      const byName = new Map(rrsets.map((r) => [`${r.name} ${r.type}`, r]));
      // Plain record sets have no filters key: octoDNS reads them as plain values.
      for (const [name, type] of plain) expect(byName.get(`${name}.${zone} ${type}`)).not.toHaveProperty('filters');
      const geoRead = byName.get(`geo.${zone} A`)!;
      expect(geoRead.filters).toEqual([
        { type: 'geodns', strict: false },
        { type: 'default', limit: 1, strict: false },
        { type: 'first_n', limit: 1 },
      ]);
      expect(geoRead.resource_records.map((r) => r.meta)).toEqual(geo.resource_records.map((r) => r.meta));
      expect(rrsets.filter(ignoredByOctodns).map((r) => r.name)).toEqual([]);
      expect(byName.get(`hc.${zone} A`)!.filters!.map((f) => f.type)).toEqual(['healthcheck', 'weighted_shuffle']);
    });

    it('updates with PUT and deletes with DELETE at the trailing-dot names', async () => {
      const o = octo();
      expect((await o.put(rrUrl('www', 'A'), { ttl: 600, resource_records: [{ content: ['1.2.3.6'] }] })).status).toBe(200);
      expect((await o.get(rrUrl('www', 'A'))).body).toMatchObject({ ttl: 600, resource_records: [{ content: ['1.2.3.6'] }] });
      expect((await o.delete(rrUrl('www', 'A'))).status).toBe(204);
      expect((await o.get(rrUrl('www', 'A'))).status).toBe(404);
    });
  });
});
