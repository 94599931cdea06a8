// The in-memory form of one zone, so the query path only does Map lookups and byte copies:
// names → node → its record sets (a short list) → records, each record a slice of the zone's
// record data, pre-encoded once. Built from a whole zone, then patched in place one record set
// at a time, in time independent of the zone's size; a build is itself that sequence of patches,
// so the two cannot disagree. Kept small on purpose (a few hundred bytes per record): no Buffer,
// Map or array per record beyond what answers need, versions on the record sets themselves.
import {
  DEFAULT_WEIGHT,
  healthField,
  isFailoverType,
  type CompiledRrset,
  type CompiledZone,
  type FeedEvent,
  type Picker,
  type PublishedOverride,
  type RecordType,
  type Soa,
} from '@vigil/contract';
import { DIGEST_FIELD, HEAD_FIELD, parsePlain, parseStoredRrset, rrsetField, type ZoneDigest } from '@vigil/contract/redis';
import { parseNetworks, type Networks } from './address';
import { QTYPE, TYPE_CODE } from './constants';
import { geoPoint, type GeoPoint } from './geo-data';
import { encodeRdata, nameToWire, soaRdata, wireToName, writeRrTail } from './rdata';

/** Record data of one zone, appended chunk by chunk; records point into it rather than owning a Buffer each. */
export class Arena {
  chunk: Buffer = Buffer.alloc(0);
  private used = 0;

  static readonly CHUNK = 64 * 1024;

  /** Writes TYPE..RDATA of one record; returns its offset in `chunk`, the buffer it was written to. */
  rr(type: number, ttl: number, rdata: Buffer): number {
    const len = 10 + rdata.length;
    if (this.used + len > this.chunk.length) {
      // A record larger than a chunk (a big TXT) gets a buffer of its own.
      this.chunk = Buffer.allocUnsafeSlow(Math.max(Arena.CHUNK, len));
      this.used = 0;
    }
    const off = this.used;
    writeRrTail(this.chunk, off, type, ttl, rdata);
    this.used += len;
    return off;
  }
}

/** What failover and the pickers read of a record; null on the (usual) record with none of it. */
export interface RecordExtra {
  /** Key of the record's address in the health hash; null when the rrset has no failover. */
  readonly healthKey: string | null;
  /** Upper-case ISO country codes (meta.countries). */
  readonly countries: readonly string[] | null;
  /** Lower-case continent codes (meta.continents). */
  readonly continents: readonly string[] | null;
  readonly weight: number;
  readonly isDefault: boolean;
  /** meta.backup: served only when every other record of the set is unavailable. */
  readonly isBackup: boolean;
  /** meta.ip, parsed (the ip picker). */
  readonly networks: Networks | null;
  /** meta.asn (the asn picker). */
  readonly asns: readonly number[] | null;
  /** meta.latlong (the geodistance picker). */
  readonly point: GeoPoint | null;
  /** The owner's drains and forced-ups of this address that have not ended. */
  readonly overrides: readonly PublishedOverride[] | null;
}

export class ServedRecord {
  constructor(
    /** TYPE..RDATA at data[off, off + len), ready to follow an owner name. */
    readonly data: Buffer,
    readonly off: number,
    readonly extra: RecordExtra | null,
  ) {}

  /** TYPE CLASS TTL RDLENGTH and RDLENGTH bytes, read from the record itself rather than kept beside it. */
  get len(): number {
    return 10 + ((this.data[this.off + 8]! << 8) | this.data[this.off + 9]!);
  }

  /** A copy-free view of the record's bytes (tests and glue; the encoder reads data/off/len). */
  get tail(): Buffer {
    return this.data.subarray(this.off, this.off + this.len);
  }

  get healthKey(): string | null {
    return this.extra === null ? null : this.extra.healthKey;
  }

  get countries(): readonly string[] | null {
    return this.extra === null ? null : this.extra.countries;
  }

  get continents(): readonly string[] | null {
    return this.extra === null ? null : this.extra.continents;
  }

  /** meta.weight; a record without one weighs DEFAULT_WEIGHT (Gcore's 50). */
  get weight(): number {
    return this.extra === null ? DEFAULT_WEIGHT : this.extra.weight;
  }

  get isDefault(): boolean {
    return this.extra !== null && this.extra.isDefault;
  }

  get isBackup(): boolean {
    return this.extra !== null && this.extra.isBackup;
  }

  get networks(): Networks | null {
    return this.extra === null ? null : this.extra.networks;
  }

  get asns(): readonly number[] | null {
    return this.extra === null ? null : this.extra.asns;
  }

  get point(): GeoPoint | null {
    return this.extra === null ? null : this.extra.point;
  }

  get overrides(): readonly PublishedOverride[] | null {
    return this.extra === null ? null : this.extra.overrides;
  }
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

/** How a record set is answered beyond its records; null for a plain one (most of them). */
export interface RrsetPolicy {
  readonly pickers: readonly Picker[];
  /** Set when failover applies: health then filters the records. */
  readonly checkId: string | null;
  /** False when weighted_shuffle or geodistance decides the order: rotating would undo it. */
  readonly rotate: boolean;
  /** Some records are backups (meta.backup). */
  readonly backups: boolean;
  /** Some records have drains or forced-ups: the health filter then reads the clock. */
  readonly overrides: boolean;
  /** The check's min_healthy (default 1): with fewer addresses up, the backups or every record. */
  readonly minHealthy: number;
}

const NO_PICKERS: readonly Picker[] = Object.freeze([]);
const TILDE = '~'.charCodeAt(0);
const DOT = '.'.charCodeAt(0);
/** The types of most record sets of a large zone, to name a field's type without a new string. */
const COMMON_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'PTR', 'SRV', 'CAA'] as const;

/** The type part of a `<name> <type>` field whose space is at `cut`. */
function fieldType(field: string, cut: number): string {
  const len = field.length - cut - 1;
  for (const t of COMMON_TYPES) if (t.length === len && field.endsWith(t)) return t;
  return field.slice(cut + 1);
}
const TYPE_NAME = new Map<number, RecordType | 'SOA'>([
  ...Object.entries(TYPE_CODE).map(([n, c]) => [c, n as RecordType] as const),
  [QTYPE.SOA, 'SOA'],
]);

export class ServedRrset {
  /** The node's next record set. */
  next: ServedRrset | null = null;
  /** Round-robin position, advanced on every answer of this rrset. */
  cursor = 0;

  constructor(
    readonly type: number,
    /** Enabled records only: disabled ones are never served. */
    readonly records: readonly ServedRecord[],
    readonly policy: RrsetPolicy | null,
    /** Version the record set was published at. */
    public version: number,
  ) {}

  get pickers(): readonly Picker[] {
    return this.policy === null ? NO_PICKERS : this.policy.pickers;
  }

  get checkId(): string | null {
    return this.policy === null ? null : this.policy.checkId;
  }

  get rotate(): boolean {
    return this.policy === null || this.policy.rotate;
  }

  get backups(): boolean {
    return this.policy !== null && this.policy.backups;
  }

  get overrides(): boolean {
    return this.policy !== null && this.policy.overrides;
  }

  get minHealthy(): number {
    return this.policy === null ? 1 : this.policy.minHealthy;
  }

  /** The TTL, as encoded in its records. */
  get ttl(): number {
    const r = this.records[0]!;
    return r.data.readUInt32BE(r.off + 4);
  }

  /** A contract record type, or SOA for the synthesised apex SOA set. */
  get typeName(): RecordType | 'SOA' {
    return TYPE_NAME.get(this.type)!;
  }
}

export interface Glue {
  readonly ownerWire: Buffer;
  readonly record: ServedRecord;
}

export interface Referral {
  readonly cut: string;
  readonly ns: ServedRrset;
  readonly glue: readonly Glue[];
  /** The NS rrset as the authority section of a referral. */
  readonly run: RecordRun;
}

export class ZoneNode {
  /** First record set, linked through `next`; null for an empty non-terminal (it blocks wildcards but owns no data). */
  first: ServedRrset | null = null;
  /** Set on an NS rrset below the apex: everything at and below it is delegated. */
  referral: Referral | null = null;
  /** Nodes one label below; a node with neither data nor children is removed. */
  children = 0;

  constructor(readonly name: string) {}

  get(type: number): ServedRrset | undefined {
    for (let r = this.first; r !== null; r = r.next) if (r.type === type) return r;
    return undefined;
  }

  get cname(): ServedRrset | null {
    return this.get(QTYPE.CNAME) ?? null;
  }

  get size(): number {
    let n = 0;
    for (let r = this.first; r !== null; r = r.next) n++;
    return n;
  }

  rrsets(): ServedRrset[] {
    const out: ServedRrset[] = [];
    for (let r = this.first; r !== null; r = r.next) out.push(r);
    return out;
  }

  /** Replaces the set of the same type, or adds it. */
  set(rrset: ServedRrset): void {
    this.delete(rrset.type);
    rrset.next = this.first;
    this.first = rrset;
  }

  delete(type: number): ServedRrset | undefined {
    let prev: ServedRrset | null = null;
    for (let r = this.first; r !== null; prev = r, r = r.next) {
      if (r.type !== type) continue;
      if (prev === null) this.first = r.next;
      else prev.next = r.next;
      r.next = null;
      return r;
    }
    return undefined;
  }
}

export interface ZoneIndex {
  readonly name: string;
  version: number;
  readonly nodes: Map<string, ZoneNode>;
  readonly arena: Arena;
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
  /**
   * Version of each published record set (`<name> <type>`) that is not served: deleted, or
   * serving nothing (every record disabled, outside the zone). Served ones carry their own.
   */
  readonly absent: Map<string, number>;
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
  const warnings: string[] = [];
  const index = emptyIndex(zone.name, zone.soa, zone.version);
  for (const rrset of zone.rrsets) upsert(index, rrset, zone.version, warnings, true);
  return { index, warnings };
}

/** An index holding only the apex and its SOA, at `version`: what a stored zone's fields are then added to. */
export function emptyIndex(name: string, soa: Soa, version: number): ZoneIndex {
  const apex = lower(name);
  const index: ZoneIndex = {
    name: apex,
    version,
    nodes: new Map(),
    arena: new Arena(),
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
    absent: new Map(),
    headVersion: version,
  };
  node(index, apex);
  setSoa(index, soa);
  return index;
}

/**
 * Adds one field of a stored zone (`<name> <type>` → `<version> <json>`) as read from Redis,
 * checking its envelope only: Redis is written by the api alone, and what an envelope lets
 * through that cannot be served is left out record by record with a warning.
 */
export function addStoredField(index: ZoneIndex, field: string, value: string, warnings: string[], digest?: ZoneDigest): void {
  if (field === HEAD_FIELD || field === DIGEST_FIELD) return;
  // Plain record sets (most of a large zone) go straight to the index, with no object between.
  const space = value.indexOf(' ');
  if (value.charCodeAt(space + 1) === TILDE) {
    const version = Number(value.slice(0, space));
    const plain = Number.isSafeInteger(version) ? parsePlain(value.slice(space + 1)) : null;
    const cut = field.indexOf(' ');
    if (plain !== null && cut > 0) {
      index.version = Math.max(index.version, version);
      const name = field.slice(0, cut);
      const typeName = fieldType(field, cut);
      const seen = place(index, name, typeName, version, warnings, false, field, (type) =>
        servePlain(index, name, type, typeName, plain.ttl, plain.contents, version, warnings),
      );
      if (!seen) digest?.add(field, version);
      return;
    }
  }
  const stored = parseStoredRrset(field, value);
  if (stored === null) {
    warnings.push(`field ${JSON.stringify(field)} is not a record set as the api publishes it; skipped`);
    digest?.add(field, -1);
    return;
  }
  index.version = Math.max(index.version, stored.version);
  // A field may come twice from HSCAN: the second replaces the first, which it equals, and the
  // digest counts it once.
  let seen: boolean;
  if (stored.rrset === null) {
    seen = index.absent.has(field);
    index.absent.set(field, stored.version);
  } else {
    seen = upsert(index, stored.rrset, stored.version, warnings, false, field);
  }
  if (!seen) digest?.add(field, stored.version);
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
    index.absent.set(rrsetField(d.name, d.type), delta.version);
  }
  for (const rrset of delta.upserts) upsert(index, rrset, delta.version, warnings, false);
  if (delta.soa) setSoa(index, delta.soa);
  index.version = Math.max(index.version, delta.version);
  return warnings;
}

/** Version the index holds of a record set (`<name> <type>`), served or not; -1 when it never saw it. */
export function versionOf(index: ZoneIndex, field: string): number {
  const space = field.indexOf(' ');
  const type = TYPE_CODE[field.slice(space + 1) as RecordType];
  const served = type === undefined ? undefined : index.nodes.get(lower(field.slice(0, space)))?.get(type);
  return served?.version ?? index.absent.get(field) ?? -1;
}

/**
 * Applies a change-feed delta: of its record sets only those newer than what the index holds
 * (a delta that comes again, or after a newer state was loaded, changes nothing), and the SOA
 * when its head is newer.
 */
export function applyFeedDelta(index: ZoneIndex, e: Pick<FeedDelta, 'version' | 'head' | 'upserts' | 'deletes'>): string[] {
  const newer = (key: string) => versionOf(index, key) < e.version;
  const upserts = e.upserts.filter((r) => newer(rrsetField(r.name, r.type)));
  const deletes = e.deletes.filter(newer);
  const soa = e.head && e.version > index.headVersion ? e.head.soa : null;
  if (soa) index.headVersion = e.version;
  const split = (k: string) => ({ name: k.slice(0, k.indexOf(' ')), type: k.slice(k.indexOf(' ') + 1) });
  return patchZoneIndex(index, { version: e.version, soa, upserts, deletes: deletes.map(split) });
}

/** Replaces what the index holds for the record set's name and type with it, at `version`. */
function upsert(
  index: ZoneIndex,
  rrset: CompiledRrset,
  version: number,
  warnings: string[],
  building: boolean,
  field = rrsetField(rrset.name, rrset.type),
): boolean {
  return place(index, rrset.name, rrset.type, version, warnings, building, field, (type, name) =>
    serve(index, name, type, rrset, version, warnings),
  );
}

/**
 * Replaces what the index holds at `name` and `typeName` with what `build` serves (given the type
 * code and the lower-case name); true when the index held something for that field before.
 */
function place(
  index: ZoneIndex,
  ownerName: string,
  typeName: string,
  version: number,
  warnings: string[],
  building: boolean,
  field: string,
  build: (type: number, name: string) => ServedRrset | null,
): boolean {
  const type = TYPE_CODE[typeName as RecordType];
  const name = lower(ownerName);
  const at = index.nodes.get(name);
  const held = type === undefined || at === undefined ? undefined : at.get(type);
  if (held !== undefined) {
    // Each record set once; the api never publishes two of one name and type.
    if (building) {
      warnings.push(`duplicate rrset ${name} ${typeName}; the first one is kept`);
      return true;
    }
    remove(index, name, type!);
  }
  let served: ServedRrset | null = null;
  const apex = index.name;
  if (name !== apex && !(name.endsWith(apex) && name.charCodeAt(name.length - apex.length - 1) === DOT)) {
    warnings.push(`rrset ${ownerName} ${typeName} is outside zone ${apex}; skipped`);
  } else if (type === undefined) {
    warnings.push(`rrset ${name} has unsupported type ${String(typeName)}; skipped`);
  } else {
    try {
      served = build(type, name);
    } catch (e) {
      // Only a record set the api could never publish gets here (Redis is trusted, not checked in depth).
      warnings.push(`rrset ${name} ${String(typeName)} skipped: ${(e as Error).message}`);
    }
  }
  // Most zones have nothing absent; hashing every field of a large load for nothing is not free.
  const wasAbsent = index.absent.size > 0 && index.absent.has(field);
  if (served) {
    if (wasAbsent) index.absent.delete(field);
    put(index, name, served);
  } else {
    index.absent.set(field, version);
  }
  return held !== undefined || wasAbsent;
}

/** Writes one record into the zone's arena; its offset there, or -1 (with a warning) when it cannot be served. */
function addRecord(
  index: ZoneIndex,
  name: string,
  type: number,
  typeName: string,
  ttl: number,
  content: Parameters<typeof encodeRdata>[1],
  warnings: string[],
): number {
  let rdata: Buffer;
  try {
    rdata = encodeRdata(typeName as RecordType, content);
    if (rdata.length > 65535) throw new Error('record data longer than 65535 bytes');
  } catch (e) {
    warnings.push(`record ${JSON.stringify(content)} of ${name} ${typeName} skipped: ${(e as Error).message}`);
    return -1;
  }
  return index.arena.rr(type, ttl, rdata);
}

/** `records` as a set keeps them: exactly as many slots as records (a million sets hold no spare room). */
const exactly = (records: ServedRecord[]) => (records.length === 1 ? [records[0]!] : records.slice());

/** A plain stored record set (see the contract's plain form) as served; null when no record can be. */
function servePlain(
  index: ZoneIndex,
  name: string,
  type: number,
  typeName: string,
  ttl: number,
  contents: readonly string[],
  version: number,
  warnings: string[],
): ServedRrset | null {
  const records: ServedRecord[] = [];
  for (const c of contents) {
    const off = addRecord(index, name, type, typeName, ttl, [c], warnings);
    if (off >= 0) records.push(new ServedRecord(index.arena.chunk, off, null));
  }
  return records.length === 0 ? null : new ServedRrset(type, exactly(records), null, version);
}

/** The record set as served, or null when it serves nothing (no enabled record). */
function serve(
  index: ZoneIndex,
  name: string,
  type: number,
  rrset: CompiledRrset,
  version: number,
  warnings: string[],
): ServedRrset | null {
  const checkId = rrset.failover && isFailoverType(rrset.type) ? rrset.failover.checkId : null;
  const records: ServedRecord[] = [];
  for (const rec of rrset.records) {
    if (!rec.enabled) continue;
    const off = addRecord(index, name, type, rrset.type, rrset.ttl, rec.content, warnings);
    if (off < 0) continue;
    const data = index.arena.chunk;
    const m = rec.meta;
    const healthKey = checkId === null ? null : healthField(checkId, String(rec.content[0]));
    const overrides = checkId === null ? null : overridesOf(rrset, String(rec.content[0]));
    const extra: RecordExtra | null =
      healthKey !== null ||
      m.countries?.length ||
      m.continents?.length ||
      m.weight !== undefined ||
      m.default === true ||
      m.backup === true ||
      m.ip?.length ||
      m.asn?.length ||
      m.latlong !== undefined
        ? {
            healthKey,
            countries: m.countries?.length ? m.countries.map((c) => c.toUpperCase()) : null,
            continents: m.continents?.length ? m.continents.map((c) => c.toLowerCase()) : null,
            weight: m.weight ?? DEFAULT_WEIGHT,
            isDefault: m.default === true,
            isBackup: m.backup === true,
            networks: m.ip?.length ? parseNetworks(m.ip) : null,
            asns: m.asn?.length ? m.asn : null,
            point: m.latlong ? geoPoint(m.latlong[0], m.latlong[1]) : null,
            overrides,
          }
        : null;
    records.push(new ServedRecord(data, off, extra));
  }
  // A set with every record disabled serves nothing, as if it did not exist.
  if (records.length === 0) return null;
  const exact = exactly(records);
  const backups = exact.some((r) => r.isBackup);
  const policy: RrsetPolicy | null =
    rrset.pickers.length === 0 && checkId === null && !backups
      ? null
      : {
          pickers: rrset.pickers,
          checkId,
          // A CNAME's candidates are in priority order: the first one left is the answer.
          rotate: type !== QTYPE.CNAME && !rrset.pickers.some((p) => p.type === 'weighted_shuffle' || p.type === 'geodistance'),
          backups,
          overrides: exact.some((r) => r.overrides !== null),
          minHealthy: (checkId !== null && rrset.failover?.check.min_healthy) || 1,
        };
  return new ServedRrset(type, exact, policy, version);
}

/** The address's published overrides, or null (the usual case: none). */
function overridesOf(rrset: CompiledRrset, address: string): readonly PublishedOverride[] | null {
  const all = rrset.failover?.overrides;
  if (!all || all.length === 0) return null;
  const mine = all.filter((o) => o.address === address);
  return mine.length === 0 ? null : mine;
}

/** The node of `name`, made with every missing ancestor up to the apex (RFC 4592 empty non-terminals). */
function node(index: ZoneIndex, name: string): ZoneNode {
  let n = index.nodes.get(name);
  if (!n) {
    n = new ZoneNode(name);
    index.nodes.set(name, n);
    if (name !== index.name) node(index, parent(name)).children++;
  }
  return n;
}

const parent = (name: string) => name.slice(name.indexOf('.') + 1);

function put(index: ZoneIndex, name: string, served: ServedRrset): void {
  const n = node(index, name);
  n.set(served);
  if (served.type === QTYPE.NS && n.name !== index.name) refer(index, n);
  if (served.type === QTYPE.A || served.type === QTYPE.AAAA) reglue(index, name);
}

function remove(index: ZoneIndex, name: string, type: number): void {
  const n = index.nodes.get(name);
  const gone = n?.delete(type);
  if (!n || !gone) return;
  if (type === QTYPE.NS && n.name !== index.name) refer(index, n);
  if (type === QTYPE.A || type === QTYPE.AAAA) reglue(index, name);
  prune(index, n);
}

/** Drops a node that holds nothing and has no children, then its ancestors likewise. */
function prune(index: ZoneIndex, n: ZoneNode): void {
  let at: ZoneNode | undefined = n;
  while (at && at.name !== index.name && at.first === null && at.children === 0) {
    index.nodes.delete(at.name);
    at = index.nodes.get(parent(at.name));
    if (at) at.children--;
  }
}

/** The name an NS or CNAME record points at, lower-case, from its encoded RDATA. */
export const targetOf = (r: ServedRecord): string => wireToName(r.data, r.off + 10).toLowerCase();

/** Rebuilds the referral of a cut from its NS records and the addresses of their targets. */
function refer(index: ZoneIndex, n: ZoneNode): void {
  const before = n.referral;
  for (const rec of before?.ns.records ?? []) index.glueTargets.get(targetOf(rec))?.delete(n.name);
  const ns = n.get(QTYPE.NS);
  if (!ns) {
    n.referral = null;
  } else {
    const glue: Glue[] = [];
    for (const rec of ns.records) {
      const target = targetOf(rec);
      const cuts = index.glueTargets.get(target) ?? index.glueTargets.set(target, new Set()).get(target)!;
      cuts.add(n.name);
      const t = index.nodes.get(target);
      if (!t) continue;
      const ownerWire = nameToWire(target);
      for (const type of [QTYPE.A, QTYPE.AAAA]) {
        for (const r of t.get(type)?.records ?? []) glue.push({ ownerWire, record: r });
      }
    }
    n.referral = { cut: n.name, ns, glue, run: { owner: n.name, ownerWire: null, records: ns.records, start: 0 } };
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

function standalone(type: number, ttl: number, rdata: Buffer): ServedRecord {
  const tail = Buffer.allocUnsafe(10 + rdata.length);
  writeRrTail(tail, 0, type, ttl, rdata);
  return new ServedRecord(tail, 0, null);
}

function setSoa(index: ZoneIndex, soa: Soa): void {
  const apex = index.name;
  const negativeTtl = Math.min(soa.ttl, soa.minimum);
  const soaData = soaRdata(soa);
  const answer = standalone(QTYPE.SOA, soa.ttl, soaData);
  const negative = standalone(QTYPE.SOA, negativeTtl, soaData);
  index.soaAnswer = answer.tail;
  index.soaNegative = negative.tail;
  index.negativeTtl = negativeTtl;
  index.soaTtl = soa.ttl;
  index.anyAnswer = [standalone(QTYPE.HINFO, soa.ttl, Buffer.from([7, ...Buffer.from('RFC8482'), 0]))];
  index.negativeSoaRun = { owner: apex, ownerWire: index.apexWire, records: [negative], start: 0 };
  // The SOA is an ordinary apex rrset to lookups, so SOA and ANY queries need no special path.
  index.nodes.get(apex)!.set(new ServedRrset(QTYPE.SOA, [answer], null, index.headVersion));
}
