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
  it('reads \\DDD in quoted strings as bytes of UTF-8 text, and refuses bytes that are not text', () => {
    const ok = parseZoneFile('t 300 IN TXT "caf\\195\\169 \\226\\156\\147" "plain"\n', 'example.com', 300);
    expect(ok.errors).toEqual([]);
    expect(ok.records[0]!.rdata).toEqual(['café ✓', 'plain']);
    const bad = parseZoneFile('ok 300 IN TXT "fine"\nt 300 IN TXT "\\200\\201"\n', 'example.com', 300);
    expect(bad.errors).toEqual([{ line: 2, reason: 'a quoted string has bytes that are not UTF-8 text' }]);
  });
});

describe('planImport', () => {
  it('groups records into record sets and skips the SOA, the apex NS and types Vigil does not serve', () => {
    const { records } = parseZoneFile(ZONE, 'example.com', 300);
    const plan = planImport(records, 'example.com');
    expect(plan.errors).toEqual([]);
    expect(plan.skipped).toBe(4);
    expect(plan.warnings.map((w) => w.text)).toEqual([
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
      {
        line: 5,
        reason:
          'd.example.com CNAME: a CNAME record set holds exactly one record, unless it has failover or pickers (DNS then answers with one of them)',
      },
      { line: 9, reason: 'f.example.com A: TTL must be from 0 to 604800' },
    ]);
    expect(plan.warnings.map((w) => w.text)).toEqual(['line 8: repeats a record of e.example.com A; imported once']);
  });
});

describe('SVCB and HTTPS in zone files', () => {
  const FILE = `$ORIGIN example.com.
_443._tcp.www 300 IN SVCB 1 . alpn="h3,h2" port=1443 ipv4hint=10.0.0.1
www      300 IN HTTPS 1 . alpn=h2 no-default-alpn ipv6hint=2001:DB8::1,2001:db8::2 ech="AAEC"
alias    IN HTTPS 0 www
svc      IN SVCB ( 16 pool.example.net.
                   alpn="f\\\\\\\\oo\\\\,bar,h2" key667="hello\\210qoo"
                   key65000 mandatory=alpn )
spaced   IN HTTPS 1 svc alpn= "with space" port=8443
`;

  it('reads priority, target (completed with $ORIGIN) and every SvcParam, quoted or not, escapes as RFC 9460 appendix A says', () => {
    const parsed = parseZoneFile(FILE, 'example.com', 300);
    expect(parsed.errors).toEqual([]);
    const plan = planImport(parsed.records, 'example.com');
    expect(plan.errors).toEqual([]);
    expect(plan.rrsets.map((r) => [r.name, r.type, r.body.resource_records.map((rec) => rec.content)])).toEqual([
      ['_443._tcp.www.example.com', 'SVCB', [[1, '.', ['alpn', 'h3', 'h2'], ['port', 1443], ['ipv4hint', '10.0.0.1']]]],
      [
        'www.example.com',
        'HTTPS',
        [[1, '.', ['alpn', 'h2'], ['no-default-alpn'], ['ech', 'AAEC'], ['ipv6hint', '2001:db8::1', '2001:db8::2']]],
      ],
      ['alias.example.com', 'HTTPS', [[0, 'www.example.com']]],
      [
        'svc.example.com',
        'SVCB',
        [[16, 'pool.example.net', ['mandatory', 'alpn'], ['alpn', 'f\\oo,bar', 'h2'], ['key667', 'hello\\210qoo'], ['key65000']]],
      ],
      ['spaced.example.com', 'HTTPS', [[1, 'svc.example.com', ['alpn', 'with space'], ['port', 8443]]]],
    ]);
  });

  it('names the line and the problem of a bad SvcParam', () => {
    const file = `$ORIGIN example.com.
a IN HTTPS 1 . port=99999
b IN HTTPS 1 . alpn=h2 alpn=h3
c IN HTTPS 0 . alpn=h2
d IN SVCB 1 . mandatory=port
e IN SVCB 1 . dohpath=/q{?dns}
f IN SVCB 1 . alpn=\\255
g IN SVCB 1 . "alpn=h2"
h IN SVCB 1 . ipv4hint=2001:db8::1
`;
    const parsed = parseZoneFile(file, 'example.com', 300);
    expect(parsed.errors).toEqual([]);
    expect(planImport(parsed.records, 'example.com').errors).toEqual([
      { line: 2, reason: 'HTTPS port: takes one port, an integer from 0 to 65535' },
      { line: 3, reason: 'HTTPS duplicate SvcParam key alpn: content[2] has it' },
      { line: 4, reason: 'HTTPS AliasMode (priority 0) takes no SvcParams: give a priority from 1 for ServiceMode' },
      { line: 5, reason: 'SVCB mandatory lists port, which this record does not have' },
      { line: 6, reason: expect.stringContaining('SVCB unknown SvcParam key "dohpath"') },
      { line: 7, reason: 'SVCB alpn: the value is not UTF-8 text' },
      { line: 8, reason: 'SVCB "\\"alpn=h2\\"" is not a SvcParam: write key=value, such as alpn=h2' },
      { line: 9, reason: 'SVCB ipv4hint: "2001:db8::1" is not an IPv4 address' },
    ]);
  });
});
