import { parseTtl, parseZoneFile } from './zone-file';
import { planImport } from './zone-import';

const ZONE = `
$ORIGIN example.com.
$TTL 1h
@        IN SOA ns1.other.net. hostmaster.example.com. (
                2024010101 ; serial
                7200 3600 1209600 300 )
         IN NS  ns1.other.net.
         IN NS  ns2.other.net.
@        300 IN A 192.0.2.1
         IN A     192.0.2.2        ; same owner, default TTL
www      IN CNAME @
mail     IN 600 A 192.0.2.25
@        MX 10 mail
@        MX 20 mx.backup.net.
_sip._tcp SRV 10 60 5060 sip
txt      TXT "v=spf1 include:_spf.example.net ~all" "second \\"string\\""
caa      CAA 0 issue "ca.example.net"
v6       AAAA 2001:DB8::1
$ORIGIN sub.example.com.
host     A 198.51.100.7
dname    DNAME somewhere.example.net.
`;

describe('parseZoneFile', () => {
  it('reads owners, TTLs, classes in either order, parentheses, comments, quoted strings and $ORIGIN', () => {
    const { records, errors } = parseZoneFile(ZONE, 'example.com', 300);
    expect(errors).toEqual([]);
    const byLine = (type: string) => records.filter((r) => r.type === type).map((r) => [r.line, r.name, r.ttl, r.rdata]);
    expect(byLine('SOA')).toEqual([
      [4, 'example.com', 3600, ['ns1.other.net', 'hostmaster.example.com', '2024010101', '7200', '3600', '1209600', '300']],
    ]);
    expect(byLine('A')).toEqual([
      [9, 'example.com', 300, ['192.0.2.1']],
      [10, 'example.com', 3600, ['192.0.2.2']],
      [12, 'mail.example.com', 600, ['192.0.2.25']],
      [20, 'host.sub.example.com', 3600, ['198.51.100.7']],
    ]);
    expect(byLine('CNAME')).toEqual([[11, 'www.example.com', 3600, ['example.com']]]);
    expect(byLine('MX')).toEqual([
      [13, 'example.com', 3600, ['10', 'mail.example.com']],
      [14, 'example.com', 3600, ['20', 'mx.backup.net']],
    ]);
    expect(byLine('SRV')).toEqual([[15, '_sip._tcp.example.com', 3600, ['10', '60', '5060', 'sip.example.com']]]);
    expect(byLine('TXT')).toEqual([[16, 'txt.example.com', 3600, ['v=spf1 include:_spf.example.net ~all', 'second "string"']]]);
    expect(byLine('DNAME')).toEqual([[21, 'dname.sub.example.com', 3600, ['somewhere.example.net']]]);
  });

  it('takes BIND TTL units and refuses what is not a TTL', () => {
    expect(parseTtl('3600')).toBe(3600);
    expect(parseTtl('1h30m')).toBe(5400);
    expect(parseTtl('2W')).toBe(1209600);
    expect(parseTtl('1x')).toBeNull();
    expect(parseTtl('A')).toBeNull();
  });

  it('uses the SOA minimum as the default TTL when there is no $TTL', () => {
    const { records } = parseZoneFile('@ SOA ns hm 1 2 3 4 900\n@ A 192.0.2.1\n', 'example.com', 300);
    expect(records[1]).toMatchObject({ type: 'A', ttl: 900 });
  });

  it('names the line of every problem', () => {
    const { errors } = parseZoneFile(
      [
        '$INCLUDE other.zone',
        '  A 192.0.2.1',
        'ok A 192.0.2.2',
        'bad CH A 192.0.2.3',
        'txt TXT "never closed',
        '$TTL soon',
        'multi A (',
        '  192.0.2.4',
      ].join('\n'),
      'example.com',
      300,
    );
    expect(errors).toEqual([
      { line: 1, reason: '$INCLUDE is not supported: paste the included file in its place' },
      { line: 2, reason: 'the first record must name its owner' },
      { line: 4, reason: 'class CH is not served; only IN' },
      { line: 5, reason: 'a quoted string is not closed on its line' },
      { line: 6, reason: '$TTL takes one TTL, such as 3600 or 1h' },
      { line: 7, reason: '"(" is never closed' },
    ]);
  });

  it('reports a parenthesis never closed at the line that opened it', () => {
    const { errors } = parseZoneFile('ok A 192.0.2.2\nmulti A (\n  192.0.2.4\n', 'example.com', 300);
    expect(errors).toEqual([{ line: 2, reason: '"(" is never closed' }]);
  });
});

describe('planImport', () => {
  it('groups records into record sets and skips the SOA, the apex NS and types Vigil does not serve', () => {
    const { records } = parseZoneFile(ZONE, 'example.com', 300);
    const plan = planImport(records, 'example.com');
    expect(plan.errors).toEqual([]);
    expect(plan.skipped).toBe(4);
    expect(plan.warnings).toEqual([
      expect.stringContaining('line 4: the SOA is not imported'),
      expect.stringContaining('line 7: the apex NS record is not imported'),
      expect.stringContaining('line 8: the apex NS record is not imported'),
      expect.stringContaining('line 10: TTL 3600 differs from the 300 of example.com A above (line 9)'),
      expect.stringContaining('line 21: DNAME records are not served by Vigil'),
    ]);
    const sets = Object.fromEntries(
      plan.rrsets.map((r) => [`${r.name} ${r.type}`, [r.body.ttl, r.body.resource_records.map((x) => x.content)]]),
    );
    expect(sets).toEqual({
      'example.com A': [300, [['192.0.2.1'], ['192.0.2.2']]],
      'www.example.com CNAME': [3600, [['example.com']]],
      'mail.example.com A': [600, [['192.0.2.25']]],
      'example.com MX': [
        3600,
        [
          [10, 'mail.example.com'],
          [20, 'mx.backup.net'],
        ],
      ],
      '_sip._tcp.example.com SRV': [3600, [[10, 60, 5060, 'sip.example.com']]],
      'txt.example.com TXT': [3600, [['v=spf1 include:_spf.example.net ~all', 'second "string"']]],
      'caa.example.com CAA': [3600, [[0, 'issue', 'ca.example.net']]],
      'v6.example.com AAAA': [3600, [['2001:db8::1']]],
      'host.sub.example.com A': [3600, [['198.51.100.7']]],
    });
  });

  it('ties bad content, foreign owners and bad record sets to their lines', () => {
    const text = [
      '$ORIGIN example.com.',
      'a A 192.0.2.300',
      'b.other.org. A 192.0.2.1',
      'c MX ten mail',
      'd CNAME x',
      'd CNAME y',
      'e A 192.0.2.1',
      'e A 192.0.2.1',
      'f 999999999 A 192.0.2.1',
    ].join('\n');
    const plan = planImport(parseZoneFile(text, 'example.com', 300).records, 'example.com');
    expect(plan.errors).toEqual([
      { line: 2, reason: 'A must be an IPv4 address such as 192.0.2.1' },
      { line: 3, reason: 'owner b.other.org is not in the zone example.com' },
      { line: 4, reason: 'MX preference must be an integer from 0 to 65535' },
      { line: 5, reason: 'd.example.com CNAME: a CNAME record set holds exactly one record' },
      { line: 9, reason: 'f.example.com A: TTL must be from 0 to 604800' },
    ]);
    expect(plan.warnings).toEqual(['line 8: repeats a record of e.example.com A; imported once']);
  });
});
