import { checkRrsetForType, RrsetBodySchema } from './rrset';
import { parseContent } from './records';
import { escapeBytes, parseSvcParamText, svcParamText, unescapeText } from './svcb';

const ok = (type: 'SVCB' | 'HTTPS', content: unknown[]) => {
  const r = parseContent(type, content);
  if (!r.ok) throw new Error(`${r.index}: ${r.reason}`);
  return r.content;
};
const bad = (content: unknown[], type: 'SVCB' | 'HTTPS' = 'HTTPS') => {
  const r = parseContent(type, content);
  return r.ok ? 'accepted' : { index: r.index, reason: r.reason };
};

describe('SVCB and HTTPS content', () => {
  it("takes Gcore's shape and canonicalises it: keys by name in key order, hints canonical, numbers as numbers", () => {
    expect(ok('HTTPS', [1, '.', ['alpn', 'h3', 'h2'], ['port', 1443], ['ipv4hint', '10.0.0.1']])).toEqual([
      1,
      '.',
      ['alpn', 'h3', 'h2'],
      ['port', 1443],
      ['ipv4hint', '10.0.0.1'],
    ]);
    expect(
      ok('SVCB', [
        '16',
        'Pool.Example.NET.',
        ['IPV6HINT', '2001:DB8:0:0::1', '2001:db8::53:1'],
        ['port', '8443'],
        ['mandatory', 'port', 'alpn'],
        ['alpn', 'h2'],
      ]),
    ).toEqual([
      16,
      'pool.example.net',
      ['mandatory', 'alpn', 'port'],
      ['alpn', 'h2'],
      ['port', 8443],
      ['ipv6hint', '2001:db8::1', '2001:db8::53:1'],
    ]);
    // Comma-separated hints and mandatory keys are the same as one per element; alpn ids are taken whole.
    expect(ok('HTTPS', [1, '.', ['ipv4hint', '192.0.2.1,192.0.2.2'], ['alpn', 'a,b']])).toEqual([
      1,
      '.',
      ['alpn', 'a,b'],
      ['ipv4hint', '192.0.2.1', '192.0.2.2'],
    ]);
    expect(ok('HTTPS', [0, 'svc.example.com'])).toEqual([0, 'svc.example.com']);
    expect(ok('HTTPS', [0, '.'])).toEqual([0, '.']);
    expect(
      ok('HTTPS', [1, '.', ['alpn', 'h2'], ['no-default-alpn'], ['ech', 'AEP+DQA/BAA='], ['key65000'], ['key667', 'hello\\210qoo']]),
    ).toEqual([1, '.', ['alpn', 'h2'], ['no-default-alpn'], ['ech', 'AEP+DQA/BAA='], ['key667', 'hello\\210qoo'], ['key65000']]);
    // A generic key's value is presentation text: escapes canonical, empty is no value.
    expect(ok('SVCB', [1, '.', ['key9', '\\104i\\"'], ['key10', '']])).toEqual([1, '.', ['key9', 'hi\\"'], ['key10']]);
  });

  it.each<[string, unknown[], number | null, string]>([
    ['too short', [1], null, 'HTTPS content takes at least 2 values: [priority, target, [key, value, …], …]'],
    ['a bad priority', [65536, '.'], 0, 'priority must be an integer from 0 to 65535 (0 is AliasMode)'],
    ['a bad target', [1, 'a..b'], 1, 'target must be a domain name, or "."'],
    ['a list where a field is', [[1], '.'], 0, 'must be a string or a number'],
    ['a param that is not a list', [1, '.', 'alpn=h2'], 2, 'must be a SvcParam: [key, value, …] such as ["alpn", "h2"]'],
    [
      'an unknown key',
      [1, '.', ['alpn', 'h2'], ['dohpath', '/q{?dns}']],
      3,
      'unknown SvcParam key "dohpath": use mandatory, alpn, no-default-alpn, port, ipv4hint, ech, ipv6hint or keyNNNN (a number from 7 to 65534)',
    ],
    ['a known key by number', [1, '.', ['key1', 'h2']], 2, 'key1 is alpn: write it by its name'],
    ['key65535', [1, '.', ['key65535']], 2, 'key65535 is reserved ("invalid key", RFC 9460 §14.3.2)'],
    ['a key with leading zeros', [1, '.', ['key0667']], 2, expect.stringContaining('unknown SvcParam key "key0667"') as unknown as string],
    ['a duplicate key', [1, '.', ['port', 1], ['alpn', 'h2'], ['port', 2]], 4, 'duplicate SvcParam key port: content[2] has it'],
    ['a bad port', [1, '.', ['port', 65536]], 2, 'port: takes one port, an integer from 0 to 65535'],
    ['two ports', [1, '.', ['port', 1, 2]], 2, 'port: takes one port, an integer from 0 to 65535'],
    ['a bad IPv4 hint', [1, '.', ['ipv4hint', '10.0.0.1', '2001:db8::1']], 2, 'ipv4hint: "2001:db8::1" is not an IPv4 address'],
    ['a bad IPv6 hint', [1, '.', ['ipv6hint', '10.0.0.1']], 2, 'ipv6hint: "10.0.0.1" is not an IPv6 address'],
    ['no hints', [1, '.', ['ipv4hint']], 2, 'ipv4hint: takes one or more IPv4 addresses'],
    ['alpn without ids', [1, '.', ['alpn']], 2, 'alpn: takes one or more protocol ids, such as ["alpn", "h3", "h2"]'],
    ['an empty alpn id', [1, '.', ['alpn', 'h2', '']], 2, 'alpn: each protocol id is 1 to 255 bytes'],
    ['an alpn id too long', [1, '.', ['alpn', 'x'.repeat(256)]], 2, 'alpn: each protocol id is 1 to 255 bytes'],
    [
      'no-default-alpn with a value',
      [1, '.', ['alpn', 'h2'], ['no-default-alpn', 'x']],
      3,
      'no-default-alpn: takes no value: ["no-default-alpn"]',
    ],
    ['no-default-alpn without alpn', [1, '.', ['no-default-alpn']], 2, 'no-default-alpn needs alpn in the same record (RFC 9460 §7.1.1)'],
    ['mandatory listing itself', [1, '.', ['mandatory', 'mandatory']], 2, 'mandatory: must not list mandatory itself'],
    ['mandatory listing a key twice', [1, '.', ['mandatory', 'port', 'port'], ['port', 1]], 2, 'mandatory: lists port twice'],
    [
      'mandatory listing an absent key',
      [1, '.', ['mandatory', 'alpn', 'port'], ['alpn', 'h2']],
      2,
      'mandatory lists port, which this record does not have',
    ],
    ['mandatory listing nothing', [1, '.', ['mandatory']], 2, 'mandatory: lists one or more keys, such as ["mandatory", "alpn", "port"]'],
    ['mandatory listing a non-key', [1, '.', ['mandatory', 'nope']], 2, 'mandatory: "nope" is not a SvcParam key'],
    ['ech not base64', [1, '.', ['ech', 'not base64!']], 2, 'ech: takes one ECHConfigList in base64 (with its = padding)'],
    ['ech without padding', [1, '.', ['ech', 'AAE']], 2, 'ech: takes one ECHConfigList in base64 (with its = padding)'],
    ['ech empty', [1, '.', ['ech']], 2, 'ech: takes one ECHConfigList in base64 (with its = padding)'],
    [
      'AliasMode with params',
      [0, 'svc.example.com', ['alpn', 'h2']],
      2,
      'AliasMode (priority 0) takes no SvcParams: give a priority from 1 for ServiceMode',
    ],
    ['a generic key with two values', [1, '.', ['key667', 'a', 'b']], 2, 'key667: takes one value (its bytes, with \\DDD escapes), not 2'],
    [
      'a generic key with a bad escape',
      [1, '.', ['key667', 'a\\256']],
      2,
      'key667: has a bad escape: \\DDD from \\000 to \\255, or \\ and one character',
    ],
    ['a nested list in a value', [1, '.', ['alpn', ['h2']]], 2, 'alpn: values must be strings or numbers'],
    ['params too long', [1, '.', ['key667', 'x'.repeat(4100)]], 2, 'the SvcParams take more than 4096 bytes'],
  ])('refuses %s, naming the field', (_, content, index, reason) => {
    expect(bad(content)).toEqual({ index, reason });
  });

  it('takes lists in the content of SVCB and HTTPS only', () => {
    expect(bad([['10'], 'mx.example.com'])).toMatchObject({ index: 0 });
    for (const [type, content] of [
      ['MX', [10, ['mx.example.com']]],
      ['TXT', ['a', ['b']]],
      ['A', [['192.0.2.1']]],
    ] as const) {
      expect(parseContent(type, content as readonly unknown[] as unknown[])).toEqual({
        ok: false,
        index: type === 'A' ? 0 : 1,
        reason: 'must be a string or a number',
      });
    }
  });

  it('names the field of a bad record in a record set, and finds duplicates whatever the key order', () => {
    const body = RrsetBodySchema.parse({
      resource_records: [
        { content: [1, '.', ['port', 443], ['alpn', 'h2']] },
        { content: [1, '.', ['alpn', 'h2'], ['port', '443']] },
        { content: [1, '.', ['alpn', 'h2'], ['bogus']] },
      ],
    });
    expect(checkRrsetForType('HTTPS', body).issues).toEqual([
      { path: ['resource_records', 1, 'content'], message: 'duplicates resource_records[0]' },
      { path: ['resource_records', 2, 'content', 3], message: expect.stringContaining('unknown SvcParam key "bogus"') },
    ]);
    // The schema takes one level of lists, not more.
    expect(RrsetBodySchema.safeParse({ resource_records: [{ content: [1, '.', ['alpn', ['h2']]] }] }).success).toBe(false);
  });
});

describe('SvcParams in presentation form', () => {
  it('reads what BIND and Knot write: quoted or not, escapes and value lists (RFC 9460 appendix A)', () => {
    expect(parseSvcParamText('alpn="h3,h2"')).toEqual({ ok: true, param: ['alpn', 'h3', 'h2'] });
    expect(parseSvcParamText('alpn=h3,h2')).toEqual({ ok: true, param: ['alpn', 'h3', 'h2'] });
    expect(parseSvcParamText('alpn="f\\\\\\\\oo\\\\,bar,h2"')).toEqual({ ok: true, param: ['alpn', 'f\\oo,bar', 'h2'] });
    expect(parseSvcParamText('alpn=f\\\\\\092oo\\092,bar,h2')).toEqual({ ok: true, param: ['alpn', 'f\\oo,bar', 'h2'] });
    expect(parseSvcParamText('port=1443')).toEqual({ ok: true, param: ['port', '1443'] });
    expect(parseSvcParamText('no-default-alpn')).toEqual({ ok: true, param: ['no-default-alpn'] });
    expect(parseSvcParamText('IPv6Hint=2001:db8::1,2001:db8::2')).toEqual({ ok: true, param: ['ipv6hint', '2001:db8::1', '2001:db8::2'] });
    expect(parseSvcParamText('key667="hello\\210qoo"')).toEqual({ ok: true, param: ['key667', 'hello\\210qoo'] });
    expect(parseSvcParamText('key667=a\\044b')).toEqual({ ok: true, param: ['key667', 'a,b'] });
    expect(parseSvcParamText('key667=""')).toEqual({ ok: true, param: ['key667'] });
    expect(parseSvcParamText('alpn=\\255')).toEqual({ ok: false, reason: 'alpn: the value is not UTF-8 text' });
    expect(parseSvcParamText('=h2')).toMatchObject({ ok: false });
    expect(parseSvcParamText('alpn=a\\')).toEqual({ ok: false, reason: 'alpn: bad escape in "a\\"' });
  });

  it('writes canonical content back as text that reads back the same', () => {
    const params = [
      ['mandatory', 'alpn', 'port'],
      ['alpn', 'h3', 'h2'],
      ['alpn', 'f\\oo,bar', 'h2'],
      ['alpn', 'with space', 'é'],
      ['no-default-alpn'],
      ['port', 1443],
      ['ipv4hint', '10.0.0.1', '10.0.0.2'],
      ['ech', 'AEP+DQA/BAA='],
      ['ipv6hint', '2001:db8::1'],
      ['key667', 'hello\\210qoo'],
      ['key668', 'a b;c\\"'],
      ['key65000'],
    ];
    const texts = params.map((p) => svcParamText(p));
    expect(texts).toEqual([
      'mandatory=alpn,port',
      'alpn=h3,h2',
      'alpn=f\\\\\\\\oo\\\\,bar,h2',
      'alpn="with space,\\195\\169"',
      'no-default-alpn',
      'port=1443',
      'ipv4hint=10.0.0.1,10.0.0.2',
      'ech=AEP+DQA/BAA=',
      'ipv6hint=2001:db8::1',
      'key667=hello\\210qoo',
      'key668="a b;c\\""',
      'key65000',
    ]);
    for (const [i, t] of texts.entries()) expect(parseSvcParamText(t)).toEqual({ ok: true, param: params[i]!.map(String) });
  });

  it('escapes and unescapes bytes', () => {
    expect(escapeBytes(Uint8Array.from([0, 0x22, 0x41, 0x5c, 0xff]))).toBe('\\000\\"A\\\\\\255');
    expect([...unescapeText('\\000\\"A\\\\\\255é')!]).toEqual([0, 0x22, 0x41, 0x5c, 0xff, 0xc3, 0xa9]);
    expect([...unescapeText('😀')!]).toEqual([0xf0, 0x9f, 0x98, 0x80]);
    expect(unescapeText('\\256')).toBeNull();
  });
});
