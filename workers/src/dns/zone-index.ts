// The in-memory form of one zone, so the query path only does Map lookups and buffer copies:
// names → node → type → rrset with every record's RR pre-encoded. Built from a whole zone, then
// patched in place one record set at a time, in time independent of the zone's size; a build is
// itself that sequence of patches, so the two cannot disagree.
import {
  healthField,
  type CompiledRrset,
  type CompiledZone,
  type FeedEvent,
  type Picker,
  type RecordType,
  type Soa,
} from '@vigil/contract';
import { compiledOf, type StoredZone } from '@vigil/contract/redis';
import { QTYPE, TYPE_CODE } from './constants';
import { encodeRdata, nameToWire, rrTail, soaRdata } from './rdata';

export interface ServedRecord {
  readonly content: readonly (string | number)[];
  /** TYPE..RDATA, ready to follow an owner name. */
  readonly tail: Buffer;
  /** Key of the record's address in the health hash; null when the rrset has no failover. */
  readonly healthKey: string | null;
  /** Upper-case ISO country codes (meta.countries). */
  readonly countries: readonly string[] | null;
  /** Lower-case continent codes (meta.continents). */
  readonly continents: readonly string[] | null;
  /** meta.weight; a record without one weighs 1. */
  readonly weight: number;
  readonly isDefault: boolean;
}

/** Records of one owner as the encoder writes them. */
export interface RecordRun {
  /** Lower-case owner name. */
  owner: string;
  /** Uncompressed owner, used when the owner is not the question name or one of its suffixes. */
  ownerWire: Buffer | null;
  records: readonly ServedRecord[];
  /** Round-robin: records are written from this index, wrapping. */
  start: number;
}

export interface ServedRrset {
  readonly id: string;
  readonly name: string;
  readonly type: number;
  /** A contract record type, or SOA for the synthesised apex SOA set. */
  readonly typeName: RecordType | 'SOA';
  readonly ttl: number;
  /** Enabled records only: disabled ones are never served. */
  readonly records: readonly ServedRecord[];
  readonly pickers: readonly Picker[];
  /** Set when failover applies: health then filters the records. */
  readonly checkId: string | null;
  /** False when weighted_shuffle decides the order: rotating would undo its weighting. */
  readonly rotate: boolean;
  readonly ownerWire: Buffer;
  /** Round-robin position, advanced on every answer of this rrset. */
  cursor: number;
}

export interface Glue {
  readonly ownerWire: Buffer;
  readonly tail: Buffer;
}

export interface Referral {
  readonly cut: string;
  readonly ns: ServedRrset;
  readonly glue: readonly Glue[];
  /** The NS rrset as the authority section of a referral. */
  readonly run: RecordRun;
}

export interface ZoneNode {
  readonly name: string;
  /** Empty for an empty non-terminal: the name exists (it blocks wildcards) but owns no data. */
  readonly rrsets: Map<number, ServedRrset>;
  cname: ServedRrset | null;
  /** Set on an NS rrset below the apex: everything at and below it is delegated. */
  referral: Referral | null;
  /** Nodes one label below; a node with neither data nor children is removed. */
  children: number;
}

export interface ZoneIndex {
  readonly name: string;
  version: number;
  readonly nodes: Map<string, ZoneNode>;
  /** Nodes below the apex with a referral; lookups skip the search for cuts while there are none. */
  cuts: number;
  hasCuts: boolean;
  /** SOA RR tail with the SOA's own TTL (answers to SOA queries). */
  soaAnswer: Buffer;
  /** SOA RR tail with the negative TTL, min(SOA ttl, SOA minimum) per RFC 2308 3. */
  soaNegative: Buffer;
  negativeTtl: number;
  soaTtl: number;
  readonly apexWire: Buffer;
  /** RFC 8482 4.2 answer to ANY: HINFO "RFC8482" "". */
  anyAnswer: readonly ServedRecord[];
  /** The apex SOA with the negative TTL as the authority section of NXDOMAIN and NODATA. */
  negativeSoaRun: RecordRun;
  /** Name → the cuts whose NS records point at it, so a change of its addresses updates their glue. */
  readonly glueTargets: Map<string, Set<string>>;
  /** Version each record set (`<name> <type>` as published) was last written or deleted at. */
  readonly rrsetVersions: Map<string, number>;
  /** Version of the SOA held. */
  headVersion: number;
}

export interface BuildResult {
  index: ZoneIndex;
  /** What was left out and why: logged by the caller, never fatal for the zone. */
  warnings: string[];
}

/** One published change of a zone: its new version and SOA (null: unchanged), record sets upserted and deleted. */
export interface ZoneDelta {
  version: number;
  soa: Soa | null;
  upserts: readonly CompiledRrset[];
  deletes: readonly { name: string; type: string }[];
}

type FeedDelta = Extract<FeedEvent, { kind: 'zone.delta' }>;

const lower = (name: string) => (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();

export function buildZoneIndex(zone: CompiledZone): BuildResult {
  const { index, warnings } = emptyIndex(zone);
  for (const rrset of zone.rrsets) add(index, rrset, warnings);
  return { index, warnings };
}

/**
 * As buildZoneIndex, awaiting `pause()` every `every` record sets: a large zone is built beside
 * the one being served, with queries answered in between, and swapped in by the caller.
 */
export async function buildZoneIndexChunked(zone: CompiledZone, pause: () => Promise<void>, every = 200): Promise<BuildResult> {
  const { index, warnings } = emptyIndex(zone);
  for (let i = 0; i < zone.rrsets.length; i++) {
    add(index, zone.rrsets[i]!, warnings);
    if (i % every === every - 1) await pause();
  }
  return { index, warnings };
}

function emptyIndex(zone: CompiledZone): BuildResult {
  const apex = lower(zone.name);
  const index: ZoneIndex = {
    name: apex,
    version: zone.version,
    nodes: new Map(),
    cuts: 0,
    hasCuts: false,
    soaAnswer: Buffer.alloc(0),
    soaNegative: Buffer.alloc(0),
    negativeTtl: 0,
    soaTtl: 0,
    apexWire: nameToWire(apex),
    anyAnswer: [],
    negativeSoaRun: { owner: apex, ownerWire: null, records: [], start: 0 },
    glueTargets: new Map(),
    rrsetVersions: new Map(),
    headVersion: zone.version,
  };
  node(index, apex);
  setSoa(index, zone.soa);
  return { index, warnings: [] };
}

function add(index: ZoneIndex, rrset: CompiledRrset, warnings: string[]): void {
  const served = serve(index, rrset, warnings);
  if (!served) return;
  // Each record set once; the api never publishes two of one name and type.
  if (index.nodes.get(served.name)?.rrsets.has(served.type)) {
    warnings.push(`duplicate rrset ${served.name} ${rrset.type}; the first one is kept`);
    return;
  }
  put(index, served);
}

/**
 * Applies a delta to the index in place: work in proportion to the record sets it names. The
 * caller decides whether the delta is newer than the index (its version), and applies it between
 * queries, which therefore see the zone before or after, never half of it.
 */
export function patchZoneIndex(index: ZoneIndex, delta: ZoneDelta): string[] {
  const warnings: string[] = [];
  for (const d of delta.deletes) {
    const type = TYPE_CODE[d.type as RecordType];
    if (type !== undefined) remove(index, lower(d.name), type);
  }
  for (const rrset of delta.upserts) {
    const type = TYPE_CODE[rrset.type];
    if (type !== undefined) remove(index, lower(rrset.name), type);
    const served = serve(index, rrset, warnings);
    if (served) put(index, served);
  }
  if (delta.soa) setSoa(index, delta.soa);
  index.version = Math.max(index.version, delta.version);
  return warnings;
}

/**
 * A zone as Redis stores it, with the version of every record set and deletion it holds; with
 * `pause`, built in chunks (see buildZoneIndexChunked).
 */
export async function buildStoredZoneIndex(stored: StoredZone, pause?: () => Promise<void>): Promise<BuildResult> {
  // An index does not depend on the order of record sets, and sorting a large zone would hold up queries.
  const zone = compiledOf(stored, { sorted: false });
  const built = pause ? await buildZoneIndexChunked(zone, pause) : buildZoneIndex(zone);
  for (const [key, e] of stored.rrsets) built.index.rrsetVersions.set(key, e.version);
  built.index.headVersion = stored.head.version;
  return built;
}

/**
 * Applies a change-feed delta: of its record sets only those newer than what the index holds
 * (a delta that comes again, or after a newer state was loaded, changes nothing), and the SOA
 * when its head is newer.
 */
export function applyFeedDelta(index: ZoneIndex, e: Pick<FeedDelta, 'version' | 'head' | 'upserts' | 'deletes'>): string[] {
  const newer = (key: string) => (index.rrsetVersions.get(key) ?? -1) < e.version;
  const upserts = e.upserts.filter((r) => newer(`${r.name} ${r.type}`));
  const deletes = e.deletes.filter(newer);
  for (const r of upserts) index.rrsetVersions.set(`${r.name} ${r.type}`, e.version);
  for (const k of deletes) index.rrsetVersions.set(k, e.version);
  const soa = e.head && e.version > index.headVersion ? e.head.soa : null;
  if (soa) index.headVersion = e.version;
  const split = (k: string) => ({ name: k.slice(0, k.indexOf(' ')), type: k.slice(k.indexOf(' ') + 1) });
  return patchZoneIndex(index, { version: e.version, soa, upserts, deletes: deletes.map(split) });
}

/** The record set as served, or null when it serves nothing (outside the zone, no enabled record). */
function serve(index: ZoneIndex, rrset: CompiledRrset, warnings: string[]): ServedRrset | null {
  const apex = index.name;
  const name = lower(rrset.name);
  if (name !== apex && !name.endsWith(`.${apex}`)) {
    warnings.push(`rrset ${rrset.name} ${rrset.type} is outside zone ${apex}; skipped`);
    return null;
  }
  const type = TYPE_CODE[rrset.type];
  if (type === undefined) {
    warnings.push(`rrset ${name} has unsupported type ${String(rrset.type)}; skipped`);
    return null;
  }
  const checkId = rrset.failover && (rrset.type === 'A' || rrset.type === 'AAAA') ? rrset.failover.checkId : null;
  const records: ServedRecord[] = [];
  for (const rec of rrset.records) {
    if (!rec.enabled) continue;
    let tail: Buffer;
    try {
      tail = rrTail(type, rrset.ttl, encodeRdata(rrset.type, rec.content));
    } catch (e) {
      warnings.push(`record ${JSON.stringify(rec.content)} of ${name} ${rrset.type} skipped: ${(e as Error).message}`);
      continue;
    }
    records.push({
      content: rec.content,
      tail,
      healthKey: checkId === null ? null : healthField(checkId, String(rec.content[0])),
      countries: rec.meta.countries?.length ? rec.meta.countries.map((c) => c.toUpperCase()) : null,
      continents: rec.meta.continents?.length ? rec.meta.continents.map((c) => c.toLowerCase()) : null,
      weight: rec.meta.weight ?? 1,
      isDefault: rec.meta.default === true,
    });
  }
  // A set with every record disabled serves nothing, as if it did not exist.
  if (records.length === 0) return null;
  return {
    id: rrset.id,
    name,
    type,
    typeName: rrset.type,
    ttl: rrset.ttl,
    records,
    pickers: rrset.pickers,
    checkId,
    rotate: !rrset.pickers.some((p) => p.type === 'weighted_shuffle'),
    ownerWire: nameToWire(name),
    cursor: 0,
  };
}

/** The node of `name`, made with every missing ancestor up to the apex (RFC 4592 empty non-terminals). */
function node(index: ZoneIndex, name: string): ZoneNode {
  let n = index.nodes.get(name);
  if (!n) {
    n = { name, rrsets: new Map(), cname: null, referral: null, children: 0 };
    index.nodes.set(name, n);
    if (name !== index.name) node(index, parent(name)).children++;
  }
  return n;
}

const parent = (name: string) => name.slice(name.indexOf('.') + 1);

function put(index: ZoneIndex, served: ServedRrset): void {
  const n = node(index, served.name);
  n.rrsets.set(served.type, served);
  if (served.type === QTYPE.CNAME) n.cname = served;
  if (served.type === QTYPE.NS && n.name !== index.name) refer(index, n);
  if (served.type === QTYPE.A || served.type === QTYPE.AAAA) reglue(index, served.name);
}

function remove(index: ZoneIndex, name: string, type: number): void {
  const n = index.nodes.get(name);
  if (!n?.rrsets.has(type)) return;
  n.rrsets.delete(type);
  if (type === QTYPE.CNAME) n.cname = null;
  if (type === QTYPE.NS && n.name !== index.name) refer(index, n);
  if (type === QTYPE.A || type === QTYPE.AAAA) reglue(index, name);
  prune(index, n);
}

/** Drops a node that holds nothing and has no children, then its ancestors likewise. */
function prune(index: ZoneIndex, n: ZoneNode): void {
  let at: ZoneNode | undefined = n;
  while (at && at.name !== index.name && at.rrsets.size === 0 && at.children === 0) {
    index.nodes.delete(at.name);
    at = index.nodes.get(parent(at.name));
    if (at) at.children--;
  }
}

/** Rebuilds the referral of a cut from its NS records and the addresses of their targets. */
function refer(index: ZoneIndex, n: ZoneNode): void {
  const before = n.referral;
  for (const rec of before?.ns.records ?? []) index.glueTargets.get(String(rec.content[0]).toLowerCase())?.delete(n.name);
  const ns = n.rrsets.get(QTYPE.NS);
  if (!ns) {
    n.referral = null;
  } else {
    const glue: Glue[] = [];
    for (const rec of ns.records) {
      const target = String(rec.content[0]).toLowerCase();
      const cuts = index.glueTargets.get(target) ?? index.glueTargets.set(target, new Set()).get(target)!;
      cuts.add(n.name);
      const t = index.nodes.get(target);
      if (!t) continue;
      const ownerWire = nameToWire(target);
      for (const type of [QTYPE.A, QTYPE.AAAA]) {
        for (const r of t.rrsets.get(type)?.records ?? []) glue.push({ ownerWire, tail: r.tail });
      }
    }
    n.referral = { cut: n.name, ns, glue, run: { owner: n.name, ownerWire: ns.ownerWire, records: ns.records, start: 0 } };
  }
  index.cuts += (n.referral ? 1 : 0) - (before ? 1 : 0);
  index.hasCuts = index.cuts > 0;
}

/** The glue of every cut whose NS records name `name` follows its addresses. */
function reglue(index: ZoneIndex, name: string): void {
  const cuts = index.glueTargets.get(name);
  if (!cuts) return;
  for (const cut of [...cuts]) {
    const n = index.nodes.get(cut);
    if (n) refer(index, n);
  }
  if (cuts.size === 0) index.glueTargets.delete(name);
}

function setSoa(index: ZoneIndex, soa: Soa): void {
  const apex = index.name;
  const negativeTtl = Math.min(soa.ttl, soa.minimum);
  const soaData = soaRdata(soa);
  index.soaAnswer = rrTail(QTYPE.SOA, soa.ttl, soaData);
  index.soaNegative = rrTail(QTYPE.SOA, negativeTtl, soaData);
  index.negativeTtl = negativeTtl;
  index.soaTtl = soa.ttl;
  index.anyAnswer = [plainRecord(['RFC8482', ''], rrTail(QTYPE.HINFO, soa.ttl, Buffer.from([7, ...Buffer.from('RFC8482'), 0])))];
  index.negativeSoaRun = { owner: apex, ownerWire: index.apexWire, records: [plainRecord([], index.soaNegative)], start: 0 };
  // The SOA is an ordinary apex rrset to lookups, so SOA and ANY queries need no special path.
  index.nodes.get(apex)!.rrsets.set(QTYPE.SOA, {
    id: 'soa',
    name: apex,
    type: QTYPE.SOA,
    typeName: 'SOA',
    ttl: soa.ttl,
    records: [plainRecord([], index.soaAnswer)],
    pickers: [],
    checkId: null,
    rotate: false,
    ownerWire: index.apexWire,
    cursor: 0,
  });
}

function plainRecord(content: (string | number)[], tail: Buffer): ServedRecord {
  return { content, tail, healthKey: null, countries: null, continents: null, weight: 1, isDefault: false };
}
