import { QTYPE, RCODE } from './constants';
import { lookup, MAX_CHAIN, type LookupResult } from './lookup';
import { index, rr, zone } from './testing/zones';

const z = index(
  zone('example.com', [
    rr('example.com', 'A', ['192.0.2.1']),
    rr('www.example.com', 'A', ['192.0.2.10', '192.0.2.11']),
    rr('alias.example.com', 'CNAME', ['www.example.com']),
    rr('alias2.example.com', 'CNAME', ['alias.example.com']),
    rr('ext.example.com', 'CNAME', ['www.example.net']),
    rr('loop1.example.com', 'CNAME', ['loop2.example.com']),
    rr('loop2.example.com', 'CNAME', ['loop1.example.com']),
    rr('dangling.example.com', 'CNAME', ['nothing.example.com']),
    rr('tonodata.example.com', 'CNAME', ['www.example.com']),
    rr('*.wild.example.com', 'A', ['192.0.2.50']),
    rr('*.wild.example.com', 'CNAME', ['www.example.com']),
    rr('x.y.wild.example.com', 'A', ['192.0.2.51']),
    rr('*.cn.example.com', 'CNAME', ['www.example.com']),
    rr('*.txt.example.com', 'TXT', [['wild']]),
    rr('child.example.com', 'NS', ['ns1.child.example.com']),
    rr('ns1.child.example.com', 'A', ['192.0.2.53']),
    rr('tochild.example.com', 'CNAME', ['host.child.example.com']),
    ...Array.from({ length: MAX_CHAIN + 2 }, (_, i) => rr(`c${i}.example.com`, 'CNAME', [`c${i + 1}.example.com`])),
  ]),
);

const owners = (r: LookupResult) => r.answers.map((a) => `${a.owner} ${a.rrset.typeName}`);

describe('lookup', () => {
  it('answers an exact name and type with AA', () => {
    const r = lookup(z, 'www.example.com', QTYPE.A);
    expect(r).toMatchObject({ kind: 'data', rcode: RCODE.NOERROR, aa: true });
    expect(owners(r)).toEqual(['www.example.com A']);
  });

  it('answers SOA and NS at the apex from the zone', () => {
    expect(owners(lookup(z, 'example.com', QTYPE.SOA))).toEqual(['example.com SOA']);
    expect(owners(lookup(z, 'example.com', QTYPE.NS))).toEqual(['example.com NS']);
  });

  it('answers NODATA for a type the name lacks, and NXDOMAIN for a name that does not exist', () => {
    expect(lookup(z, 'www.example.com', QTYPE.MX)).toMatchObject({ kind: 'nodata', rcode: RCODE.NOERROR, answers: [] });
    expect(lookup(z, 'nope.example.com', QTYPE.A)).toMatchObject({ kind: 'nxdomain', rcode: RCODE.NXDOMAIN, aa: true });
    expect(lookup(z, 'www.example.com', QTYPE.SOA).kind).toBe('nodata');
  });

  it('follows CNAMEs inside the zone, through chains', () => {
    expect(owners(lookup(z, 'alias2.example.com', QTYPE.A))).toEqual([
      'alias2.example.com CNAME',
      'alias.example.com CNAME',
      'www.example.com A',
    ]);
    expect(owners(lookup(z, 'alias.example.com', QTYPE.CNAME))).toEqual(['alias.example.com CNAME']);
  });

  it('stops at a target outside the zone', () => {
    const r = lookup(z, 'ext.example.com', QTYPE.A);
    expect(r.kind).toBe('data');
    expect(owners(r)).toEqual(['ext.example.com CNAME']);
  });

  it('is safe from loops and long chains', () => {
    expect(owners(lookup(z, 'loop1.example.com', QTYPE.A))).toEqual(['loop1.example.com CNAME', 'loop2.example.com CNAME']);
    expect(lookup(z, 'c0.example.com', QTYPE.A).answers).toHaveLength(MAX_CHAIN);
  });

  it('gives the rcode of the last name in the chain (RFC 6604)', () => {
    const r = lookup(z, 'dangling.example.com', QTYPE.A);
    expect(r).toMatchObject({ kind: 'nxdomain', rcode: RCODE.NXDOMAIN });
    expect(owners(r)).toEqual(['dangling.example.com CNAME']);
    const n = lookup(z, 'tonodata.example.com', QTYPE.MX);
    expect(n.kind).toBe('nodata');
    expect(owners(n)).toEqual(['tonodata.example.com CNAME']);
  });

  it('synthesises wildcard answers with the queried name as owner (RFC 4592)', () => {
    const r = lookup(z, 'anything.wild.example.com', QTYPE.A);
    expect(owners(r)).toEqual(['anything.wild.example.com A']);
    expect(owners(lookup(z, 'a.b.wild.example.com', QTYPE.A))).toEqual(['a.b.wild.example.com A']);
    expect(lookup(z, 'anything.wild.example.com', QTYPE.MX).kind).toBe('nodata');
  });

  it('follows a wildcard CNAME', () => {
    expect(owners(lookup(z, 'q.cn.example.com', QTYPE.A))).toEqual(['q.cn.example.com CNAME', 'www.example.com A']);
  });

  it('does not apply a wildcard to an existing name, an empty non-terminal included', () => {
    expect(lookup(z, 'y.wild.example.com', QTYPE.A)).toMatchObject({ kind: 'nodata', rcode: RCODE.NOERROR });
    // Below an existing empty non-terminal the closest encloser is y.wild…, which has no wildcard.
    expect(lookup(z, 'q.y.wild.example.com', QTYPE.A).kind).toBe('nxdomain');
    expect(owners(lookup(z, 'x.y.wild.example.com', QTYPE.A))).toEqual(['x.y.wild.example.com A']);
  });

  it('refers names at and below a delegation, without AA, and hides occluded data', () => {
    for (const [name, type] of [
      ['child.example.com', QTYPE.NS],
      ['child.example.com', QTYPE.A],
      ['www.child.example.com', QTYPE.A],
      ['ns1.child.example.com', QTYPE.A],
    ] as const) {
      const r = lookup(z, name, type);
      expect(r).toMatchObject({ kind: 'referral', aa: false, rcode: RCODE.NOERROR });
      expect(r.referral!.cut).toBe('child.example.com');
    }
  });

  it('answers DS at the cut from the parent side', () => {
    expect(lookup(z, 'child.example.com', QTYPE.DS)).toMatchObject({ kind: 'nodata', aa: true });
  });

  it('keeps the CNAME and refers when a chain enters a delegation', () => {
    const r = lookup(z, 'tochild.example.com', QTYPE.A);
    expect(r).toMatchObject({ kind: 'referral', aa: true });
    expect(owners(r)).toEqual(['tochild.example.com CNAME']);
  });

  it('answers ANY minimally (RFC 8482) for names with data, NODATA for empty non-terminals', () => {
    expect(lookup(z, 'www.example.com', QTYPE.ANY)).toMatchObject({ kind: 'any', anyOwner: 'www.example.com', answers: [] });
    expect(lookup(z, 'anything.txt.example.com', QTYPE.ANY)).toMatchObject({ kind: 'any', anyOwner: 'anything.txt.example.com' });
    expect(lookup(z, 'y.wild.example.com', QTYPE.ANY).kind).toBe('nodata');
    expect(lookup(z, 'nope.example.com', QTYPE.ANY).kind).toBe('nxdomain');
  });

  it('answers ANY at a CNAME owner with its CNAME, not followed (RFC 1034 3.6.2: ANY matches the CNAME)', () => {
    const r = lookup(z, 'alias.example.com', QTYPE.ANY);
    expect(r).toMatchObject({ kind: 'data', anyOwner: null });
    expect(r.answers.map((a) => [a.owner, a.rrset.type, a.cname])).toEqual([['alias.example.com', QTYPE.CNAME, undefined]]);
    // Also where a wildcard supplies it: the owner is the queried name.
    expect(lookup(z, 'x.cn.example.com', QTYPE.ANY).answers.map((a) => a.owner)).toEqual(['x.cn.example.com']);
  });
});
