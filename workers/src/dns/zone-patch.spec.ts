// Patching an index in place must give exactly the index built from scratch: checked after every
// step of random sequences of record-set changes, over names that exercise empty non-terminals,
// wildcards, CNAMEs, delegations and their glue.
import type { CompiledRrset, CompiledZone, Soa } from '@vigil/contract';
import { buildZoneIndex, buildZoneIndexChunked, patchZoneIndex, type ZoneIndex } from './zone-index';
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
  const rrset = (r: {
    id: string;
    type: number;
    ttl: number;
    records: readonly { tail: Buffer; healthKey: string | null; weight: number }[];
  }) => ({
    id: r.id,
    type: r.type,
    ttl: r.ttl,
    records: r.records.map((x) => [hex(x.tail), x.healthKey, x.weight]),
  });
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
        rrsets: [...n.rrsets.values()].sort((a, b) => a.type - b.type).map(rrset),
        cname: n.cname?.id ?? null,
        referral: n.referral && {
          cut: n.referral.cut,
          ns: n.referral.ns.id,
          glue: n.referral.glue.map((g) => [hex(g.ownerWire), hex(g.tail)]),
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

  it('builds a large zone in chunks, pausing between them, into the same index', async () => {
    const next = seeded(7);
    const state = new Map<string, CompiledRrset>();
    for (let i = 0; i < 5000; i++) state.set(`n${i}`, randomRrset(next, `n${i}.${NAMES[i % NAMES.length]}`, TYPES[i % TYPES.length]!, i));
    const zone = zoneOf(1, state);
    let pauses = 0;
    const chunked = await buildZoneIndexChunked(zone, async () => void pauses++, 1000);
    expect(pauses).toBe(5);
    expect(view(chunked.index)).toEqual(view(buildZoneIndex(zone).index));
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
