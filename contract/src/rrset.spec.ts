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

  it('refuses failover on a type other than A and AAAA', () => {
    const r = check('TXT', {
      resource_records: [{ content: ['hello'] }],
      meta: { failover: { protocol: 'TCP', port: 80, frequency: 60, timeout: 5 } },
    });
    expect('issues' in r && r.issues[0]).toEqual({ path: ['meta', 'failover'], message: 'failover is only for A and AAAA record sets' });
  });

  it('names the field of a bad TTL, picker or country', () => {
    const r = check('A', {
      ttl: -1,
      resource_records: [{ content: ['192.0.2.1'], meta: { countries: ['FRA'] } }],
      pickers: [{ type: 'first_n', limit: 0 }, { type: 'nearest' }],
    });
    expect('parseIssues' in r && r.parseIssues).toEqual(
      expect.arrayContaining([
        'ttl: must be from 0 to 604800',
        'resource_records.0.meta.countries.0: must be an ISO 3166-1 alpha-2 country code such as FR',
        'pickers.0.limit: must be from 1 to 100',
        'pickers.1.type: must be one of geodns, weighted_shuffle, first_n, default',
      ]),
    );
  });
});
