// Stage 5b: the additional section of RFC 1034 4.3.2 step 6. An answer of MX, SRV or NS records
// carries the addresses (A, then AAAA) the zone holds for the names they point at, as Knot, BIND
// and NSD add them, so a resolver need not ask again; SVCB and HTTPS records those of their
// TargetName (RFC 9460 4.2, as Knot does; "." adds nothing). Pure: it reads the index; the caller
// chooses each target's records (health and pickers, as an A query would get them).
import { QTYPE } from './constants';
import { findCut, nodeAt } from './lookup';
import { nameToWire, wireToName } from './rdata';
import type { Glue, ServedRecord, ServedRrset, ZoneIndex } from './zone-index';

/** The records of a target's address set that this client gets. */
export type AddressChoice = (rrset: ServedRrset) => readonly ServedRecord[];

/** Where the target name starts in a record's RDATA, or -1 for types without one to resolve. */
export function targetOffset(type: number): number {
  switch (type) {
    case QTYPE.NS:
      return 0;
    case QTYPE.MX:
      return 2; // preference
    case QTYPE.SRV:
      return 6; // priority, weight, port
    case QTYPE.SVCB:
    case QTYPE.HTTPS:
      return 2; // SvcPriority
    default:
      return -1;
  }
}

/**
 * The in-zone addresses of the names `records` (of type `type`) point at, each name once; empty
 * for other types, targets outside the zone or below one of its cuts, and the root ('.' as an
 * SRV target: no service; as an SVCB or HTTPS target: the owner, whose addresses the client asks
 * for anyway, and Knot adds none).
 */
export function additionalFor(zone: ZoneIndex, type: number, records: readonly ServedRecord[], choose: AddressChoice): readonly Glue[] {
  const at = targetOffset(type);
  if (at < 0) return NONE;
  const out: Glue[] = [];
  const seen: string[] = [];
  for (const rec of records) {
    const { target, wire } = targetOf(rec, at);
    if (seen.includes(target)) continue;
    seen.push(target);
    if (target !== zone.name && !target.endsWith(`.${zone.name}`)) continue;
    if (zone.hasCuts && findCut(zone, target, QTYPE.A) !== null) continue;
    const node = nodeAt(zone, target);
    if (node === undefined) continue;
    for (const t of ADDRESS_TYPES) {
      const rrset = node.get(t);
      if (rrset === undefined) continue;
      for (const r of choose(rrset)) out.push({ ownerWire: wire, record: r });
    }
  }
  return out;
}

/**
 * A record's target, read out of its RDATA and encoded as an owner once per record (records are
 * immutable and belong to one zone version), not on every answer; no memory until asked.
 */
const targets = new WeakMap<ServedRecord, { target: string; wire: Buffer }>();
function targetOf(rec: ServedRecord, at: number): { target: string; wire: Buffer } {
  let t = targets.get(rec);
  if (t === undefined) {
    const target = wireToName(rec.data, rec.off + 10 + at).toLowerCase();
    t = { target, wire: nameToWire(target) };
    targets.set(rec, t);
  }
  return t;
}

const ADDRESS_TYPES = [QTYPE.A, QTYPE.AAAA] as const;
const NONE: readonly Glue[] = [];
