// Patching an index in place must give exactly the index built from scratch: checked after every
// step of random sequences of record-set changes, over names that exercise empty non-terminals,
// wildcards, CNAMEs, delegations and their glue.
import type { CompiledRrset, CompiledZone, Soa } from '@vigil/contract';
import { zoneFields } from '@vigil/contract/redis';
import {
  addStoredField,
  applyFeedDelta,
  buildZoneIndex,
  emptyIndex,
  patchZoneIndex,
  versionOf,
  type ServedRrset,
  type ZoneIndex,
} from './zone-index';
import { seeded } from './testing/random';

const APEX = 'patch.example';
const NAMES = [
  APEX,
  `www.${APEX}`,
  `a.b.c.${APEX}`,
  `b.c.${APEX}`,
  `*.wild.${APEX}`,
  `x.wild.${APEX}`,
  `sub.${APEX}`,
  `ns1.sub.${APEX}`,
  `deep.ns1.sub.${APEX}`,
  `ns.${APEX}`,
  `other.sub2.${APEX}`,
  `sub2.${APEX}`,
];
const NS_TARGETS = [`ns1.sub.${APEX}`, `ns.${APEX}`, 'ns.elsewhere.example', `missing.${APEX}`];
const TYPES = ['A', 'AAAA', 'CNAME', 'NS', 'MX', 'TXT'] as const;

function soa(serial: number): Soa {
  return { mname: `ns1.${APEX}`, rname: `hostmaster.${APEX}`, serial, refresh: 3600, retry: 600, expire: 86400, minimum: 300, ttl: 3600 };
}

function randomRrset(next: () => number, name: string, type: (typeof TYPES)[number], id: number): CompiledRrset {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const count = type === 'CNAME' ? 1 : 1 + Math.floor(next() * 3);
  const contents = new Map<string, (string | number)[]>();
  for (let i = 0; i < count; i++) {
    const c: (string | number)[] =
      type === 'A'
        ? [`192.0.2.${1 + Math.floor(next() * 5)}`]
        : type === 'AAAA'
          ? [`2001:db8::${1 + Math.floor(next() * 5)}`]
          : type === 'CNAME'
            ? [pick(NAMES.filter((n) => !n.startsWith('*')))]
            : type === 'NS'
              ? [pick(NS_TARGETS)]
              : type === 'MX'
                ? [Math.floor(next() * 20), pick(NAMES.filter((n) => !n.startsWith('*')))]
                : [`text ${Math.floor(next() * 5)}`];
    contents.set(JSON.stringify(c), c);
  }
  return {
    id: `rr-${id}`,
    name,
    type,
    ttl: pick([60, 300, 3600]),
    records: [...contents.values()].map((content) => ({ content, enabled: next() > 0.15, meta: next() > 0.7 ? { weight: 3 } : {} })),
    pickers: next() > 0.8 ? [{ type: 'weighted_shuffle' }] : [],
    failover: type === 'A' && next() > 0.7 ? { checkId: `chk-${id}`, check: { protocol: 'ICMP', frequency: 60, timeout: 5 } } : null,
  } as CompiledRrset;
}

/** Everything a query can see of an index, in an order that does not depend on how it was made. */
function view(index: ZoneIndex) {
  const hex = (b: Buffer | null) => b?.toString('hex') ?? null;
  const rrset = (r: ServedRrset) => ({
    type: r.type,
    ttl: r.ttl,
    checkId: r.checkId,
    rotate: r.rotate,
    pickers: r.pickers,
    records: r.records.map((x) => [hex(x.tail), x.healthKey, x.weight, x.isDefault, x.countries, x.continents]),
  });
  const id = (r: ServedRrset | null | undefined) => r?.type ?? null;
  return {
    name: index.name,
    version: index.version,
    hasCuts: index.hasCuts,
    soa: [hex(index.soaAnswer), hex(index.soaNegative), index.negativeTtl, index.soaTtl],
    negative: index.negativeSoaRun.records.map((r) => hex(r.tail)),
    nodes: [...index.nodes.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((n) => ({
        name: n.name,
        rrsets: n
          .rrsets()
          .sort((a, b) => a.type - b.type)
          .map(rrset),
        cname: id(n.cname),
        referral: n.referral && {
          cut: n.referral.cut,
          ns: id(n.referral.ns),
          glue: n.referral.glue.map((g) => [hex(g.ownerWire), hex(g.record.tail)]),
          run: n.referral.run.records.map((r) => hex(r.tail)),
        },
      })),
  };
}

const zoneOf = (version: number, rrsets: Map<string, CompiledRrset>): CompiledZone => ({
  format: 1,
  name: APEX,
  version,
  soa: soa(version),
  rrsets: [...rrsets.values()],
});

describe('patchZoneIndex', () => {
  it.each(Array.from({ length: 40 }, (_, i) => 1000 + i))('matches a rebuild after every step (seed %i)', (seed) => {
    const next = seeded(seed);
    const state = new Map<string, CompiledRrset>();
    let id = 0;
    // Start from a zone that already has some of everything.
    for (let i = 0; i < 8; i++) {
      const name = NAMES[Math.floor(next() * NAMES.length)]!;
      const type = TYPES[Math.floor(next() * TYPES.length)]!;
      state.set(`${name} ${type}`, randomRrset(next, name, type, id++));
    }
    const index = buildZoneIndex(zoneOf(1, state)).index;
    for (let version = 2; version < 80; version++) {
      const upserts: CompiledRrset[] = [];
      const deletes: { name: string; type: string }[] = [];
      const changes = 1 + Math.floor(next() * 3);
      for (let c = 0; c < changes; c++) {
        const name = NAMES[Math.floor(next() * NAMES.length)]!;
        const type = TYPES[Math.floor(next() * TYPES.length)]!;
        const key = `${name} ${type}`;
        if (next() < 0.35) {
          // Deleting what is there, or what never was, which must be harmless.
          deletes.push({ name, type });
          state.delete(key);
          const u = upserts.findIndex((r) => `${r.name} ${r.type}` === key);
          if (u >= 0) upserts.splice(u, 1);
        } else {
          const r = randomRrset(next, name, type, id++);
          state.set(key, r);
          const u = upserts.findIndex((x) => `${x.name} ${x.type}` === key);
          if (u >= 0) upserts.splice(u, 1);
          upserts.push(r);
        }
      }
      patchZoneIndex(index, { version, soa: soa(version), upserts, deletes });
      expect(view(index)).toEqual(view(buildZoneIndex(zoneOf(version, state)).index));
    }
  });

  it('removes empty non-terminals when their last descendant goes, and keeps the apex', () => {
    const deep: CompiledRrset = {
      id: 'd',
      name: `a.b.c.${APEX}`,
      type: 'A',
      ttl: 60,
      records: [{ content: ['192.0.2.1'], enabled: true, meta: {} }],
      pickers: [],
      failover: null,
    };
    const index = buildZoneIndex(zoneOf(1, new Map([['d', deep]]))).index;
    expect([...index.nodes.keys()].sort()).toEqual([`a.b.c.${APEX}`, `b.c.${APEX}`, `c.${APEX}`, APEX]);
    patchZoneIndex(index, { version: 2, soa: soa(2), upserts: [], deletes: [{ name: deep.name, type: 'A' }] });
    expect([...index.nodes.keys()]).toEqual([APEX]);
    expect(index.nodes.get(APEX)!.children).toBe(0);
  });

  it('updates the glue of a delegation when its name server’s address changes', () => {
    const ns: CompiledRrset = {
      id: 'ns',
      name: `sub.${APEX}`,
      type: 'NS',
      ttl: 60,
      records: [{ content: [`ns1.sub.${APEX}`], enabled: true, meta: {} }],
      pickers: [],
      failover: null,
    };
    const index = buildZoneIndex(zoneOf(1, new Map([['ns', ns]]))).index;
    const cut = index.nodes.get(`sub.${APEX}`)!;
    expect(index.hasCuts).toBe(true);
    expect(cut.referral!.glue).toEqual([]);
    const glue: CompiledRrset = {
      id: 'g',
      name: `ns1.sub.${APEX}`,
      type: 'A',
      ttl: 60,
      records: [{ content: ['192.0.2.53'], enabled: true, meta: {} }],
      pickers: [],
      failover: null,
    };
    patchZoneIndex(index, { version: 2, soa: soa(2), upserts: [glue], deletes: [] });
    expect(cut.referral!.glue).toHaveLength(1);
    patchZoneIndex(index, { version: 3, soa: soa(3), upserts: [], deletes: [{ name: ns.name, type: 'NS' }] });
    expect(index.hasCuts).toBe(false);
    expect(index.nodes.get(`sub.${APEX}`)?.referral ?? null).toBeNull();
  });
});

describe('a zone read from Redis', () => {
  it('indexes its stored fields, tombstones included, as the compiled zone', () => {
    const next = seeded(11);
    const state = new Map<string, CompiledRrset>();
    for (let i = 0; i < 300; i++) {
      const r = randomRrset(next, `n${i}.${NAMES[i % NAMES.length]}`, TYPES[i % TYPES.length]!, i);
      state.set(`${r.name} ${r.type}`, r);
    }
    const zone = zoneOf(5, state);
    const fields = zoneFields(zone);
    // Both stored forms are read: plain record sets and JSON ones.
    const forms = new Set(fields.filter((_, i) => i % 2 === 1).map((v) => v[v.indexOf(' ') + 1]));
    expect(forms.has('~') && forms.has('{')).toBe(true);
    fields.push(`gone.${APEX} A`, '4 ');
    const index = emptyIndex(APEX, zone.soa, 5);
    const warnings: string[] = [];
    for (let i = 0; i < fields.length; i += 2) addStoredField(index, fields[i]!, fields[i + 1]!, warnings);
    expect(view(index)).toEqual(view(buildZoneIndex(zone).index));
    expect(versionOf(index, `gone.${APEX} A`)).toBe(4);
    expect(versionOf(index, `never.${APEX} A`)).toBe(-1);
  });

  it('leaves out a field that is not a record set as published, and says so', () => {
    const index = emptyIndex(APEX, soa(1), 1);
    const warnings: string[] = [];
    const good = randomRrset(seeded(3), `www.${APEX}`, 'A', 1);
    addStoredField(index, `www.${APEX} A`, `2 ${JSON.stringify({ ...good, name: `other.${APEX}` })}`, warnings);
    addStoredField(index, `x.${APEX} A`, '2 {not json', warnings);
    addStoredField(index, `y.${APEX} A`, 'no version', warnings);
    // Plain form: a TTL that is not a number, an address that is not one, a name outside the zone.
    addStoredField(index, `p.${APEX} A`, '2 ~ttl id 192.0.2.1', warnings);
    addStoredField(index, `q.${APEX} A`, '2 ~300 id not-an-address', warnings);
    addStoredField(index, `r.other.example A`, '2 ~300 id 192.0.2.1', warnings);
    expect(warnings).toHaveLength(6);
    expect([...index.nodes.keys()]).toEqual([APEX]);
  });
});

describe('applyFeedDelta', () => {
  const a = (name: string, address: string): CompiledRrset => ({
    id: name,
    name,
    type: 'A',
    ttl: 60,
    records: [{ content: [address], enabled: true, meta: {} }],
    pickers: [],
    failover: null,
  });
  const served = (index: ZoneIndex, name: string) =>
    index.nodes
      .get(name)
      ?.get(1)
      ?.records.map((r) => r.tail.subarray(10).join('.')) ?? null;
  const head = (version: number) => ({ format: 1 as const, name: APEX, version, soa: soa(version) });

  it('applies each record set and the head only when newer than what the index holds', () => {
    const index = buildZoneIndex(zoneOf(5, new Map([['w', a(`www.${APEX}`, '192.0.2.1')]]))).index;
    applyFeedDelta(index, { version: 4, head: head(4), upserts: [a(`www.${APEX}`, '192.0.2.4')], deletes: [] });
    expect(served(index, `www.${APEX}`)).toEqual(['192.0.2.1']);
    const serial = () => index.soaAnswer.readUInt32BE(index.soaAnswer.length - 20);
    expect(serial()).toBe(5);
    applyFeedDelta(index, { version: 6, head: head(6), upserts: [a(`www.${APEX}`, '192.0.2.6')], deletes: [] });
    expect(served(index, `www.${APEX}`)).toEqual(['192.0.2.6']);
    expect(serial()).toBe(6);
    // The same delta again, and a delete older than the upsert held: nothing changes.
    applyFeedDelta(index, { version: 6, head: head(6), upserts: [a(`www.${APEX}`, '192.0.2.66')], deletes: [] });
    applyFeedDelta(index, { version: 5, head: null, upserts: [], deletes: [`www.${APEX} A`] });
    expect(served(index, `www.${APEX}`)).toEqual(['192.0.2.6']);
    // A delete, then an older upsert that arrives late, stays deleted.
    applyFeedDelta(index, { version: 8, head: null, upserts: [], deletes: [`www.${APEX} A`] });
    applyFeedDelta(index, { version: 7, head: head(7), upserts: [a(`www.${APEX}`, '192.0.2.7')], deletes: [] });
    expect(served(index, `www.${APEX}`)).toBeNull();
    expect(serial()).toBe(7);
    expect(versionOf(index, `www.${APEX} A`)).toBe(8);
  });
});
