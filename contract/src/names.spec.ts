import { isInZone, normalizeName } from './names';

describe('normalizeName', () => {
  it('lower-cases and drops the trailing dot', () => {
    expect(normalizeName('WWW.Example.COM.')).toEqual({ ok: true, name: 'www.example.com' });
  });

  it('converts internationalised labels to punycode', () => {
    expect(normalizeName('bücher.example')).toEqual({ ok: true, name: 'xn--bcher-kva.example' });
    expect(normalizeName('пример.рф')).toEqual({ ok: true, name: 'xn--e1afmkfd.xn--p1ai' });
  });

  it('refuses URL syntax beside non-ASCII characters instead of rewriting the name', () => {
    for (const input of ['ü@www.shop.example', 'bücher/x.example', 'ü%41.example', 'ü:80.example', 'ü b.example']) {
      expect(normalizeName(input).ok).toBe(false);
    }
    expect(normalizeName('Bü_cher-1.example')).toEqual({ ok: true, name: 'xn--b_cher-1-65a.example' });
  });

  it('accepts underscores for service labels', () => {
    expect(normalizeName('_sip._tcp.example.com')).toEqual({ ok: true, name: '_sip._tcp.example.com' });
  });

  it.each([
    ['', 'must not be empty'],
    ['a..b', 'empty label'],
    ['-a.example', 'not at its ends'],
    ['a b.example', 'may contain only'],
    [`${'a'.repeat(64)}.example`, 'longer than 63'],
    [Array(60).fill('abcd').join('.'), 'longer than 253'],
  ])('refuses %j', (input, reason) => {
    const r = normalizeName(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });

  it('allows a wildcard only as the leftmost label and only when asked', () => {
    expect(normalizeName('*.example.com', { allowWildcard: true })).toEqual({ ok: true, name: '*.example.com' });
    expect(normalizeName('*.example.com').ok).toBe(false);
    expect(normalizeName('a.*.example.com', { allowWildcard: true }).ok).toBe(false);
  });
});

describe('isInZone', () => {
  it('matches the apex and names below it, not look-alikes', () => {
    expect(isInZone('example.com', 'example.com')).toBe(true);
    expect(isInZone('a.b.example.com', 'example.com')).toBe(true);
    expect(isInZone('badexample.com', 'example.com')).toBe(false);
  });
});
