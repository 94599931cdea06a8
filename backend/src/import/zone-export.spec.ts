import type { Content, Soa } from '@vigil/contract';
import { checkzone, hasCheckzone, hasKzonecheck, kzonecheck } from '../testing/checkzone';

const withCheckzone = hasCheckzone ? it : it.skip;
const withKzonecheck = hasKzonecheck ? it : it.skip;
import { type ExportedRrset, exportZoneFile } from './zone-export';
import { parseZoneFile } from './zone-file';
import { type HeldRrset, planImport } from './zone-import';

const soa: Soa = {
  mname: 'ns1.vigil.example',
  rname: 'dns\\.admin.shop.example',
  serial: 2026120201,
  refresh: 7200,
  retry: 900,
  expire: 1209600,
  minimum: 300,
  ttl: 3600,
};
const recs = (...contents: Content[]) => contents.map((content) => ({ content, enabled: true }));
const rrset = (name: string, type: string, ttl: number, records: ExportedRrset['resource_records'], dynamic = false): ExportedRrset => ({
  name,
  type,
  ttl,
  resource_records: records,
  dynamic,
});

const RRSETS: ExportedRrset[] = [
  rrset('shop.example', 'NS', 3600, recs(['ns1.vigil.example'], ['ns2.vigil.example'])),
  rrset(
    'shop.example',
    'A',
    300,
    [
      { content: ['192.0.2.1'], enabled: true },
      { content: ['192.0.2.9'], enabled: false },
    ],
    true,
  ),
  rrset('shop.example', 'MX', 300, recs([10, 'mail.shop.example'], [20, 'mx.elsewhere.example'])),
  rrset('shop.example', 'CAA', 300, recs([0, 'issue', 'ca.example; account="a b"'], [128, 'iodef', 'mailto:sec@shop.example'])),
  rrset('shop.example', 'TXT', 300, recs(['v=spf1 -all'], ['quote " backslash \\ tab\tend', 'été ✓'], [''])),
  rrset('mail.shop.example', 'A', 60, recs(['192.0.2.25'])),
  rrset('v6.shop.example', 'AAAA', 60, recs(['2001:db8::1'])),
  rrset('www.shop.example', 'CNAME', 300, recs(['shop.example'])),
  rrset('_sip._tcp.shop.example', 'SRV', 300, recs([10, 5, 5060, 'sip.elsewhere.example'], [0, 0, 0, '.'])),
  rrset('*.apps.shop.example', 'A', 300, recs(['192.0.2.50'])),
  rrset('1.2.0.192.shop.example', 'PTR', 300, recs(['host.shop.example'])),
  rrset('none.shop.example', 'MX', 300, recs([0, '.'])),
  rrset(
    'shop.example',
    'HTTPS',
    300,
    recs(
      [1, '.', ['alpn', 'h3', 'h2'], ['port', 1443], ['ipv4hint', '10.0.0.1']],
      [
        2,
        'pool.elsewhere.example',
        ['mandatory', 'alpn'],
        ['alpn', 'f\\oo,bar', 'with space'],
        ['no-default-alpn'],
        ['ech', 'AAEC'],
        ['ipv6hint', '2001:db8::1'],
      ],
    ),
  ),
  rrset('alias.shop.example', 'HTTPS', 300, recs([0, 'shop.example'])),
  rrset(
    '_443._tcp.www.shop.example',
    'SVCB',
    300,
    recs([16, 'svc.shop.example', ['key667', 'hello\\210qoo'], ['key668', 'a b;c\\"'], ['key65000']]),
  ),
];

describe('exportZoneFile', () => {
  const text = exportZoneFile({ name: 'shop.example', version: 42, soa }, RRSETS);

  withCheckzone('writes a zone file named-checkzone loads, every record in it', () => {
    const r = checkzone('shop.example', text);
    expect(r.output).toContain('OK');
    expect(r.status).toBe(0);
    expect(r.output).toContain(`loaded serial ${soa.serial}`);
  });

  withKzonecheck('writes a zone file kzonecheck (Knot) loads too', () => {
    const r = kzonecheck('shop.example', text);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('reads back through the import as the same record sets, disabled records disabled', () => {
    const parsed = parseZoneFile(text, 'shop.example', 300);
    expect(parsed.errors).toEqual([]);
    const plan = planImport(parsed.records, 'shop.example');
    expect(plan.errors).toEqual([]);
    // The SOA and the apex NS are the zone's own: skipped by the import, as it says.
    expect(plan.skipped).toBe(3);
    const back = plan.rrsets.map((r) => ({ name: r.name, type: r.type, ttl: r.body.ttl, records: r.body.resource_records }));
    const want = RRSETS.filter((r) => !(r.type === 'NS' && r.name === 'shop.example')).map((r) => ({
      name: r.name,
      type: r.type,
      ttl: r.ttl,
      records: r.resource_records.map((rec) => ({ content: rec.content, enabled: rec.enabled })),
    }));
    const key = (r: { name: string; type: string }) => `${r.name} ${r.type}`;
    expect(
      back
        .map((r) => ({ ...r, records: r.records.map(({ content, enabled }) => ({ content, enabled })) }))
        .sort((a, b) => (key(a) < key(b) ? -1 : 1)),
    ).toEqual(want.sort((a, b) => (key(a) < key(b) ? -1 : 1)));
  });

  it('writes SVCB and HTTPS in presentation form', () => {
    const lines = text.split('\n').filter((l) => / IN (SVCB|HTTPS) /.test(l));
    expect(lines).toEqual([
      '_443._tcp.www.shop.example. 300 IN SVCB 16 svc.shop.example. key667=hello\\210qoo key668="a b;c\\"" key65000',
      'alias.shop.example. 300 IN HTTPS 0 shop.example.',
      'shop.example. 300 IN HTTPS 1 . alpn=h3,h2 port=1443 ipv4hint=10.0.0.1',
      'shop.example. 300 IN HTTPS 2 pool.elsewhere.example. mandatory=alpn alpn="f\\\\\\\\oo\\\\,bar,with space" no-default-alpn ech=AAEC ipv6hint=2001:db8::1',
    ]);
  });

  withCheckzone('reads back what named-checkzone writes of SVCB and HTTPS', () => {
    // BIND's own rendering of the zone (quoted alpn, its escapes) imports as the same records.
    const dumped = checkzone('shop.example', text, ['-D', '-o', '-']);
    expect(dumped.status).toBe(0);
    const svc = (t: string) =>
      planImport(parseZoneFile(t, 'shop.example', 300).records, 'shop.example')
        .rrsets.filter((r) => r.type === 'SVCB' || r.type === 'HTTPS')
        .map((r) => JSON.stringify([r.name, r.type, r.body.resource_records.map((rec) => rec.content).sort()]))
        .sort();
    expect(dumped.output).toContain('alpn="h3,h2"');
    expect(svc(dumped.output)).toEqual(svc(text));
    expect(svc(text)).toHaveLength(3);
  });

  it('keeps disabled records out of what other servers read, and marks the record sets whose settings do not travel', () => {
    expect(text).toContain(';vigil:disabled shop.example. 300 IN A 192.0.2.9\n');
    expect(text).toContain('; shop.example A: failover, pickers or record meta set in Vigil\n');
    expect(text.split('\n').filter((l) => l.startsWith('shop.example. 300 IN A '))).toEqual(['shop.example. 300 IN A 192.0.2.1']);
  });

  it('cuts a TXT string longer than 255 bytes between characters, as the wire does in bytes', () => {
    const long = 'é'.repeat(200);
    const t = exportZoneFile({ name: 'shop.example', version: 1, soa }, [RRSETS[0]!, rrset('t.shop.example', 'TXT', 60, recs([long]))]);
    const line = t.split('\n').find((l) => l.startsWith('t.shop.example.'))!;
    // Each é is two bytes, written as \DDD (a zone file is ASCII).
    const e = '\\195\\169';
    expect(line).toBe(`t.shop.example. 60 IN TXT "${e.repeat(127)}" "${e.repeat(73)}"`);
    const back = planImport(parseZoneFile(t, 'shop.example', 300).records, 'shop.example').rrsets.find((r) => r.type === 'TXT');
    expect(back!.body.resource_records[0]!.content).toEqual(['é'.repeat(127), 'é'.repeat(73)]);
  });

  withCheckzone('writes the cut TXT so that named-checkzone loads it', () => {
    const t = exportZoneFile({ name: 'shop.example', version: 1, soa }, [
      RRSETS[0]!,
      rrset('t.shop.example', 'TXT', 60, recs(['é'.repeat(200)])),
    ]);
    expect(checkzone('shop.example', t).status).toBe(0);
  });
});

describe('a CNAME record set of candidate targets (failover or pickers)', () => {
  const cdn = rrset(
    'cdn.shop.example',
    'CNAME',
    60,
    [
      { content: ['a.cdn.example.net'], enabled: true },
      { content: ['b.cdn.example.net'], enabled: true },
      { content: ['c.cdn.example.net'], enabled: false },
    ],
    true,
  );
  const text = exportZoneFile({ name: 'shop.example', version: 1, soa }, [RRSETS[0]!, cdn]);
  const failover: HeldRrset = { pickers: [], meta: { failover: { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 } } };
  const plan = (held?: HeldRrset) =>
    planImport(parseZoneFile(text, 'shop.example', 300).records, 'shop.example', (name, type) =>
      name === 'cdn.shop.example' && type === 'CNAME' ? held : undefined,
    );
  const targets = (p: ReturnType<typeof plan>) =>
    p.rrsets.find((r) => r.type === 'CNAME')!.body.resource_records.map((r) => [r.content[0], r.enabled]);

  it('writes the first enabled target as the CNAME, the other targets behind markers', () => {
    expect(text.split('\n').filter((l) => l.includes(' IN CNAME '))).toEqual([
      'cdn.shop.example. 60 IN CNAME a.cdn.example.net.',
      ';vigil:candidate cdn.shop.example. 60 IN CNAME b.cdn.example.net.',
      ';vigil:disabled cdn.shop.example. 60 IN CNAME c.cdn.example.net.',
    ]);
  });

  withCheckzone('writes one CNAME at the name for named-checkzone', () => {
    const r = checkzone('shop.example', text);
    expect(r.output).toContain('OK');
    expect(r.status).toBe(0);
  });

  withKzonecheck('writes one CNAME at the name for kzonecheck', () => {
    expect(kzonecheck('shop.example', text)).toEqual({ status: 0, output: '' });
  });

  it('reads every target back into a record set that has failover (or pickers) in the zone', () => {
    const p = plan(failover);
    expect(p.errors).toEqual([]);
    expect(p.warnings.filter((w) => w.type === 'CNAME')).toEqual([]);
    expect(targets(p)).toEqual([
      ['a.cdn.example.net', true],
      ['b.cdn.example.net', true],
      ['c.cdn.example.net', false],
    ]);
    // The file carries no failover: the import keeps the zone's, it does not write one.
    expect(p.rrsets.find((r) => r.type === 'CNAME')!.body.meta).toEqual({});
    expect(targets(plan({ pickers: [{ type: 'first_n', limit: 1, strict: false }], meta: {} }))).toHaveLength(3);
  });

  it('keeps the CNAME alone where the record set has neither, and says which lines it left out', () => {
    const p = plan();
    expect(p.errors).toEqual([]);
    expect(targets(p)).toEqual([['a.cdn.example.net', true]]);
    const cnameWarnings = (q: ReturnType<typeof plan>) => q.warnings.filter((w) => w.type === 'CNAME').map((w) => w.text);
    expect(cnameWarnings(p)).toEqual([
      'line 10: another target of a CNAME, which only a record set with failover or pickers holds; skipped',
      'line 11: another target of a CNAME, which only a record set with failover or pickers holds; skipped',
    ]);
    expect(cnameWarnings(plan({ pickers: [], meta: {} }))).toHaveLength(2);
  });
});
