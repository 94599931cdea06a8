// The in-memory form of one zone, built once per published version so the query path only does
// Map lookups and buffer copies: names → node → type → rrset with every record's RR pre-encoded.
import { healthField, type CompiledZone, type Picker, type RecordType } from '@vigil/contract';
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
}

export interface ZoneIndex {
  readonly name: string;
  readonly version: number;
  readonly nodes: Map<string, ZoneNode>;
  readonly hasCuts: boolean;
  /** SOA RR tail with the SOA's own TTL (answers to SOA queries). */
  readonly soaAnswer: Buffer;
  /** SOA RR tail with the negative TTL, min(SOA ttl, SOA minimum) per RFC 2308 3. */
  readonly soaNegative: Buffer;
  readonly negativeTtl: number;
  readonly soaTtl: number;
  readonly apexWire: Buffer;
  /** RFC 8482 4.2 answer to ANY: HINFO "RFC8482" "". */
  readonly anyAnswer: readonly ServedRecord[];
  /** The apex SOA with the negative TTL as the authority section of NXDOMAIN and NODATA. */
  readonly negativeSoaRun: RecordRun;
}

export interface BuildResult {
  index: ZoneIndex;
  /** What was left out and why: logged by the caller, never fatal for the zone. */
  warnings: string[];
}

const lower = (name: string) => (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();

export function buildZoneIndex(zone: CompiledZone): BuildResult {
  const warnings: string[] = [];
  const apex = lower(zone.name);
  const nodes = new Map<string, ZoneNode>();

  const node = (name: string): ZoneNode => {
    let n = nodes.get(name);
    if (!n) {
      n = { name, rrsets: new Map(), cname: null, referral: null };
      nodes.set(name, n);
      // Every ancestor up to the apex exists too (RFC 4592 empty non-terminals).
      if (name !== apex) node(name.slice(name.indexOf('.') + 1));
    }
    return n;
  };
  node(apex);

  for (const rrset of zone.rrsets) {
    const name = lower(rrset.name);
    if (name !== apex && !name.endsWith(`.${apex}`)) {
      warnings.push(`rrset ${rrset.name} ${rrset.type} is outside zone ${apex}; skipped`);
      continue;
    }
    const type = TYPE_CODE[rrset.type];
    if (type === undefined) {
      warnings.push(`rrset ${name} has unsupported type ${String(rrset.type)}; skipped`);
      continue;
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
    if (records.length === 0) continue;
    const n = node(name);
    if (n.rrsets.has(type)) {
      warnings.push(`duplicate rrset ${name} ${rrset.type}; the first one is kept`);
      continue;
    }
    const served: ServedRrset = {
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
    n.rrsets.set(type, served);
    if (type === QTYPE.CNAME) n.cname = served;
  }

  let hasCuts = false;
  for (const n of nodes.values()) {
    const ns = n.rrsets.get(QTYPE.NS);
    if (!ns || n.name === apex) continue;
    hasCuts = true;
    const glue: Glue[] = [];
    for (const rec of ns.records) {
      const target = String(rec.content[0]).toLowerCase();
      const t = nodes.get(target);
      if (!t) continue;
      const ownerWire = nameToWire(target);
      for (const type of [QTYPE.A, QTYPE.AAAA]) {
        for (const r of t.rrsets.get(type)?.records ?? []) glue.push({ ownerWire, tail: r.tail });
      }
    }
    n.referral = { cut: n.name, ns, glue, run: { owner: n.name, ownerWire: ns.ownerWire, records: ns.records, start: 0 } };
  }

  const soa = zone.soa;
  const negativeTtl = Math.min(soa.ttl, soa.minimum);
  const soaData = soaRdata(soa);
  const soaAnswer = rrTail(QTYPE.SOA, soa.ttl, soaData);
  const soaNegative = rrTail(QTYPE.SOA, negativeTtl, soaData);
  // The SOA is an ordinary apex rrset to lookups, so SOA and ANY queries need no special path.
  nodes.get(apex)!.rrsets.set(QTYPE.SOA, {
    id: 'soa',
    name: apex,
    type: QTYPE.SOA,
    typeName: 'SOA',
    ttl: soa.ttl,
    records: [plainRecord([], soaAnswer)],
    pickers: [],
    checkId: null,
    rotate: false,
    ownerWire: nameToWire(apex),
    cursor: 0,
  });
  return {
    index: {
      name: apex,
      version: zone.version,
      nodes,
      hasCuts,
      soaAnswer,
      soaNegative,
      negativeTtl,
      soaTtl: soa.ttl,
      apexWire: nameToWire(apex),
      anyAnswer: [plainRecord(['RFC8482', ''], rrTail(QTYPE.HINFO, soa.ttl, Buffer.from([7, ...Buffer.from('RFC8482'), 0])))],
      negativeSoaRun: { owner: apex, ownerWire: nameToWire(apex), records: [plainRecord([], soaNegative)], start: 0 },
    },
    warnings,
  };
}

function plainRecord(content: (string | number)[], tail: Buffer): ServedRecord {
  return { content, tail, healthKey: null, countries: null, continents: null, weight: 1, isDefault: false };
}
