import { checkRrsetForType, RrsetBodySchema } from './rrset';
import type { RecordType } from './records';

function check(type: RecordType, body: unknown) {
  const parsed = RrsetBodySchema.safeParse(body);
  if (!parsed.success) return { parseIssues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  return checkRrsetForType(type, parsed.data);
}

describe('record set bodies', () => {
  it('fills defaults and canonicalises addresses', () => {
    const r = check('AAAA', { resource_records: [{ content: ['2001:DB8:0:0::1'] }] });
    expect(r).toEqual({
      body: { ttl: 300, pickers: [], meta: {}, resource_records: [{ content: ['2001:db8::1'], enabled: true, meta: {} }] },
      issues: [],
    });
  });

  it.each<[RecordType, unknown[], string]>([
    ['A', ['256.1.1.1'], 'IPv4'],
    ['A', ['2001:db8::1'], 'IPv4'],
    ['AAAA', ['192.0.2.1'], 'IPv6'],
    ['MX', ['mail.example.com'], 'takes 2 values'],
    ['MX', [70000, 'mail.example.com'], 'preference'],
    ['SRV', [1, 2, 'x', 'sip.example.com'], 'port'],
    ['CAA', [0, 'is sue', 'ca.example'], 'tag'],
    ['CNAME', ['bad name.example'], 'domain name'],
    ['PTR', ['bad name.example'], 'domain name'],
    ['PTR', ['a.example', 'b.example'], 'takes 1 value'],
  ])('refuses %s content %j', (type, content, reason) => {
    const r = check(type, { resource_records: [{ content }] });
    expect('issues' in r && r.issues[0]?.message).toContain(reason);
  });

  it('refuses duplicate records and several CNAME targets', () => {
    const dup = check('A', { resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.01'.replace('01', '1')] }] });
    expect('issues' in dup && dup.issues).toEqual([
      { path: ['resource_records', 1, 'content'], message: 'duplicates resource_records[0]' },
    ]);
    const cname = check('CNAME', { resource_records: [{ content: ['a.example'] }, { content: ['b.example'] }] });
    expect('issues' in cname && cname.issues[0]?.message).toContain('exactly one record');
  });

  it('takes several CNAME targets as candidates when the record set has failover or pickers', () => {
    const two = [{ content: ['a.example'] }, { content: ['b.example'] }];
    const failover = check('CNAME', {
      resource_records: two,
      meta: { failover: { protocol: 'TCP', port: 80, frequency: 60, timeout: 5 } },
    });
    expect('body' in failover && failover.body.resource_records).toHaveLength(2);
    const pickers = check('CNAME', { resource_records: two, pickers: [{ type: 'first_n', limit: 1 }] });
    expect('body' in pickers && pickers.body.resource_records).toHaveLength(2);
  });

  it('refuses failover on a type other than A, AAAA and CNAME', () => {
    const r = check('TXT', {
      resource_records: [{ content: ['hello'] }],
      meta: { failover: { protocol: 'TCP', port: 80, frequency: 60, timeout: 5 } },
    });
    expect('issues' in r && r.issues[0]).toEqual({
      path: ['meta', 'failover'],
      message: 'failover is only for A, AAAA, CNAME record sets',
    });
  });

  it('names the field of a bad TTL, picker or country', () => {
    const r = check('A', {
      ttl: -1,
      resource_records: [{ content: ['192.0.2.1'], meta: { countries: ['FRA'] } }],
      pickers: [{ type: 'first_n', limit: 101 }, { type: 'nearest' }],
    });
    expect('parseIssues' in r && r.parseIssues).toEqual(
      expect.arrayContaining([
        'ttl: must be from 0 to 604800',
        'resource_records.0.meta.countries.0: must be an ISO 3166-1 alpha-2 country code such as FR',
        'pickers.0.limit: must be from 0 (no limit) to 100',
        'pickers.1.type: must be one of healthcheck, is_healthy, geodns, ip, asn, geodistance, weighted_shuffle, first_n, default',
      ]),
    );
  });

  describe('as Gcore clients send them', () => {
    const a = (extra: Record<string, unknown>, meta: unknown = undefined) =>
      check('A', { resource_records: [{ content: ['192.0.2.1'], meta }], ...extra });

    it('takes null meta at both levels as none, and the type when it agrees with the path', () => {
      for (const type of [undefined, '', 'A', 'a']) {
        expect(a({ type, meta: null, filters: null }, null)).toEqual({
          body: {
            ...(type !== undefined && { type }),
            ttl: 300,
            pickers: [],
            meta: {},
            resource_records: [{ content: ['192.0.2.1'], enabled: true, meta: {} }],
          },
          issues: [],
        });
      }
      expect(a({ type: 'AAAA' })).toMatchObject({
        issues: [{ path: ['type'], message: 'must be A, the type in the path (or be left out)' }],
      });
    });

    it('takes filters as pickers, both when they agree, and refuses both when they differ', () => {
      const filters = [{ type: 'geodns' }, { type: 'default', limit: 1, strict: false }, { type: 'first_n', limit: 1 }];
      const want = [
        { type: 'geodns', strict: false },
        { type: 'default', limit: 1, strict: false },
        { type: 'first_n', limit: 1 },
      ];
      expect(a({ filters })).toMatchObject({ body: { pickers: want } });
      expect(a({ filters, pickers: filters })).toMatchObject({ body: { pickers: want } });
      expect(a({ filters: null, pickers: filters })).toMatchObject({ body: { pickers: want } });
      expect(a({ filters, pickers: [{ type: 'first_n', limit: 2 }] })).toEqual({
        parseIssues: ['filters: differs from pickers; send one of them (filters is another name for pickers)'],
      });
    });

    it("geodistance's rtt option (Vigil's own) needs a failover check; a Gcore-shaped geodistance reads back as sent", () => {
      const failover = { protocol: 'HTTP', port: 80, frequency: 10, timeout: 2, url: '/' };
      const ranked = check('A', {
        resource_records: [{ content: ['192.0.2.1'] }],
        pickers: [{ type: 'geodistance', rtt: true }],
        meta: { failover },
      });
      expect('body' in ranked && ranked).toMatchObject({ body: { pickers: [{ type: 'geodistance', rtt: true }] }, issues: [] });
      const gcore = check('A', { resource_records: [{ content: ['192.0.2.1'] }], pickers: [{ type: 'geodistance', limit: 1 }] });
      expect('body' in gcore && gcore.body.pickers).toEqual([{ type: 'geodistance', limit: 1 }]);
      expect(
        check('A', { resource_records: [{ content: ['192.0.2.1'] }], pickers: [{ type: 'first_n' }, { type: 'geodistance', rtt: true }] }),
      ).toMatchObject({
        issues: [{ path: ['pickers', 1, 'rtt'], message: 'needs a failover check (meta.failover): its probes measure the RTT' }],
      });
      expect(check('A', { resource_records: [{ content: ['192.0.2.1'] }], pickers: [{ type: 'geodistance', rtt: 'yes' }] })).toEqual({
        parseIssues: ['pickers.0.rtt: must be true or false'],
      });
      expect(check('A', { resource_records: [{ content: ['192.0.2.1'] }], pickers: [{ type: 'asn', rtt: true }] })).toMatchObject({
        parseIssues: [expect.stringContaining('pickers.0')],
      });
    });

    it("takes Gcore's ip, asn and geodistance pickers, with limit and strict, each once", () => {
      const pickers = [
        { type: 'ip', strict: true },
        { type: 'asn', limit: 3 },
        { type: 'geodistance', limit: 1, strict: false },
      ];
      expect(a({ pickers })).toMatchObject({ body: { pickers } });
      expect(a({ filters: [{ type: 'geodistance' }, { type: 'first_n', limit: 1 }] })).toMatchObject({
        body: { pickers: [{ type: 'geodistance' }, { type: 'first_n', limit: 1 }] },
      });
      expect(a({ pickers: [{ type: 'geodistance' }, { type: 'geodistance' }] })).toEqual({
        parseIssues: ['pickers.1.type: picker geodistance is listed twice'],
      });
      expect(a({ pickers: [{ type: 'asn', limit: -1 }] })).toEqual({ parseIssues: ['pickers.0.limit: must be from 0 (no limit) to 100'] });
      expect(a({ pickers: [{ type: 'ip', strict: 1 }] })).toEqual({ parseIssues: ['pickers.0.strict: must be true or false'] });
      expect(a({ pickers: [{ type: 'geodistance', origin: 'paris' }] })).toMatchObject({
        parseIssues: [expect.stringMatching(/^pickers\.0/)],
      });
    });

    it('takes limit and strict on every picker, and the health filter under either name once', () => {
      const pickers = [
        { type: 'is_healthy', limit: 0, strict: true },
        { type: 'geodns', limit: 0, strict: false },
        { type: 'weighted_shuffle', limit: 0, strict: false },
        { type: 'default', limit: 2, strict: true },
        { type: 'first_n', limit: 0, strict: false },
      ];
      expect(a({ filters: pickers })).toMatchObject({ body: { pickers } });
      expect(a({ pickers: [{ type: 'healthcheck' }, { type: 'is_healthy' }] })).toEqual({
        parseIssues: ['pickers.1.type: picker is_healthy is listed twice'],
      });
      expect(a({ pickers: [{ type: 'healthcheck', strict: 'no' }] })).toEqual({ parseIssues: ['pickers.0.strict: must be true or false'] });
    });

    it('keeps the meta that clients send as sent: codes, decimal weights, notes, ip, asn, latlong, fallback, cidr_labels', () => {
      const meta = {
        countries: ['fr', 'De'],
        continents: ['eu', 'NA'],
        weight: 12.5,
        notes: [''],
        ip: ['192.0.2.0/24', '2001:db8::1'],
        asn: [64496],
        latlong: [48.85, 2.35],
        fallback: true,
        cidr_labels: { office: 10 },
      };
      expect(a({}, meta)).toMatchObject({ body: { resource_records: [{ meta }] } });
      expect(a({}, { notes: 'Miami DC' })).toMatchObject({ body: { resource_records: [{ meta: { notes: 'Miami DC' } }] } });
    });

    it.each<[string, string, unknown]>([
      ['notes', 'must be a string or a list of strings', 5],
      ['notes', 'must be at most 1024 characters', 'x'.repeat(1025)],
      ['ip', 'must be an address or network such as 192.0.2.0/24', ['192.0.2.0/33']],
      ['ip', 'must hold at most 100 networks', Array.from({ length: 101 }, (_, i) => `10.0.0.${i % 250}`)],
      ['asn', 'must be from 0 to 4294967295', [-1]],
      ['latlong', 'must be from -90 to 90', [91, 0]],
      ['latlong', 'must be [latitude, longitude]', [1]],
      ['latlong', 'must be from -180 to 180', [0, -180.5]],
      ['latlong', 'must be a number', ['48.8', 2.3]],
      ['ip', 'must be an address or network such as 192.0.2.0/24', ['2001:db8::/129']],
      ['ip', 'must be a list of addresses or networks', '192.0.2.0/24'],
      ['asn', 'must be an AS number', ['AS64496']],
      ['asn', 'must be from 0 to 4294967295', [4294967296]],
      ['asn', 'must hold at most 100 AS numbers', Array.from({ length: 101 }, (_, i) => i)],
      ['fallback', 'must be true or false', 'yes'],
      ['cidr_labels', 'must be an integer', { office: 'ten' }],
      ['weight', 'must be from 0 to 65535', -0.5],
      ['continents', 'must be one of af, an, as, eu, na, oc, sa', ['europe']],
    ])('refuses meta.%s that %s', (key, reason, value) => {
      const r = a({}, { [key]: value });
      expect('parseIssues' in r && r.parseIssues.some((i) => i.startsWith(`resource_records.0.meta.${key}`) && i.endsWith(reason))).toBe(
        true,
      );
    });
  });
});
