import { QTYPE } from './constants';
import { dataOf, rr, zone } from './testing/zones';
import { buildZoneIndex } from './zone-index';
import { ZoneStore } from './zone-store';

describe('buildZoneIndex', () => {
  const z = zone(
    'example.com',
    [
      rr('www.example.com', 'A', [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'], enabled: false }]),
      rr('off.example.com', 'A', [{ content: ['192.0.2.3'], enabled: false }]),
      rr('a.b.c.example.com', 'TXT', ['deep']),
      rr('Mixed.Example.COM.', 'A', ['192.0.2.4'], { failover: 'check-1', pickers: [{ type: 'weighted_shuffle' }] }),
      rr('child.example.com', 'NS', ['ns1.child.example.com', 'ns.elsewhere.net']),
      rr('ns1.child.example.com', 'A', ['192.0.2.53']),
      rr('ns1.child.example.com', 'AAAA', ['2001:db8::53']),
      rr('www.example.org', 'A', ['192.0.2.9']),
      rr('www.example.com', 'A', ['192.0.2.99']),
      rr('bad.example.com', 'MX', [
        [10, 'ok.example.com'],
        [99999, 'x.example.com'],
      ]),
    ],
    { version: 7, soaTtl: 3600, minimum: 60 },
  );
  const { index, warnings } = buildZoneIndex(z);

  it('keeps only enabled records, and leaves out sets with none', () => {
    expect(index.nodes.get('www.example.com')!.get(QTYPE.A)!.records.map(dataOf)).toEqual(['192.0.2.1']);
    expect(index.nodes.has('off.example.com')).toBe(false);
  });

  it('creates every ancestor as an empty non-terminal', () => {
    expect(index.nodes.get('b.c.example.com')!.size).toBe(0);
    expect(index.nodes.get('c.example.com')!.size).toBe(0);
  });

  it('lower-cases names and drops trailing dots', () => {
    const mixed = index.nodes.get('mixed.example.com')!.get(QTYPE.A)!;
    expect(mixed.checkId).toBe('check-1');
    expect(mixed.records[0]!.healthKey).toBe('check-1/192.0.2.4');
    expect(mixed.rotate).toBe(false);
  });

  it('turns NS below the apex into a referral with in-zone glue', () => {
    const ref = index.nodes.get('child.example.com')!.referral!;
    expect(ref.cut).toBe('child.example.com');
    expect(ref.glue).toHaveLength(2);
    expect(index.hasCuts).toBe(true);
    expect(index.nodes.get('example.com')!.referral).toBeNull();
  });

  it('synthesises the apex SOA with its TTL and the negative TTL min(ttl, minimum)', () => {
    expect(index.nodes.get('example.com')!.get(QTYPE.SOA)!.ttl).toBe(3600);
    expect(index.negativeTtl).toBe(60);
    expect(index.soaNegative.readUInt32BE(4)).toBe(60);
    expect(index.soaAnswer.readUInt32BE(4)).toBe(3600);
    expect(index.version).toBe(7);
  });

  it('reports what it left out instead of failing the zone', () => {
    expect(warnings).toEqual([
      'rrset www.example.org A is outside zone example.com; skipped',
      'duplicate rrset www.example.com A; the first one is kept',
      expect.stringContaining('record [99999,"x.example.com"] of bad.example.com MX skipped'),
    ]);
    expect(index.nodes.get('bad.example.com')!.get(QTYPE.MX)!.records).toHaveLength(1);
  });
});

describe('ZoneStore', () => {
  const store = new ZoneStore();
  store.set(buildZoneIndex(zone('example.com', [])).index);
  store.set(buildZoneIndex(zone('sub.example.com', [])).index);
  store.set(buildZoneIndex(zone('com.au', [])).index);

  it('finds the zone by the longest hosted suffix', () => {
    expect(store.find('example.com')!.name).toBe('example.com');
    expect(store.find('www.example.com')!.name).toBe('example.com');
    expect(store.find('sub.example.com')!.name).toBe('sub.example.com');
    expect(store.find('a.b.sub.example.com')!.name).toBe('sub.example.com');
    expect(store.find('xsub.example.com')!.name).toBe('example.com');
    expect(store.find('x.com.au')!.name).toBe('com.au');
  });

  it('finds nothing for names in no hosted zone', () => {
    expect(store.find('example.net')).toBeUndefined();
    expect(store.find('com')).toBeUndefined();
    expect(store.find('')).toBeUndefined();
    expect(store.find('notexample.com')).toBeUndefined();
    expect(new ZoneStore().find('example.com')).toBeUndefined();
  });

  it('replaces, deletes and swaps whole sets', () => {
    const s = new ZoneStore();
    s.set(buildZoneIndex(zone('a.test', [])).index);
    expect(s.size).toBe(1);
    s.replaceAll(new Map([['b.test', buildZoneIndex(zone('b.test', [])).index]]));
    expect(s.find('x.a.test')).toBeUndefined();
    expect(s.find('x.b.test')!.name).toBe('b.test');
    expect(s.delete('b.test')).toBe(true);
    expect(s.size).toBe(0);
  });
});
