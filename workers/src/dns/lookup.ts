// Stage 3: find what a name holds inside its zone (RFC 1034 4.3.2 for one authoritative zone):
// delegations first, then the exact name, then a wildcard (RFC 4592), following CNAMEs inside
// the zone. Pure: it reads the index and returns which rrsets to answer with.
import { QTYPE, RCODE } from './constants';
import { targetOf, type Referral, type ServedRecord, type ServedRrset, type ZoneIndex, type ZoneNode } from './zone-index';

export interface AnswerHop {
  /** Owner to write: the queried (or CNAME target) name, also for wildcard-synthesised records. */
  owner: string;
  rrset: ServedRrset;
  /**
   * On a CNAME hop of the chain: its one record, chosen during the lookup (null: none is left for
   * this client). Undefined on the hop that answers the question: the engine picks its records.
   */
  cname: ServedRecord | null | undefined;
}

/**
 * Which of a CNAME record set's records is the alias: with failover or pickers it holds several
 * candidates, and the choice (health, then pickers) decides which target the chain follows.
 * Null when none is left for this client (a strict geodns without a match).
 */
export type CnameChoice = (rrset: ServedRrset) => ServedRecord | null;

const firstRecord: CnameChoice = (rrset) => rrset.records[0] ?? null;

export type LookupKind = 'data' | 'nodata' | 'nxdomain' | 'referral' | 'any';

export interface LookupResult {
  kind: LookupKind;
  rcode: number;
  /** False only for a referral straight from the question (the child zone is authoritative). */
  aa: boolean;
  /** CNAMEs followed, then the final rrset for kind 'data'. */
  answers: AnswerHop[];
  referral: Referral | null;
  /** Owner of the RFC 8482 HINFO for kind 'any'. */
  anyOwner: string | null;
}

/** Longest CNAME chain followed inside a zone; beyond it the resolver continues. */
export const MAX_CHAIN = 8;

export function lookup(zone: ZoneIndex, qname: string, qtype: number, chooseCname: CnameChoice = firstRecord): LookupResult {
  const answers: AnswerHop[] = [];
  let name = qname;
  for (let hop = 0; ; hop++) {
    if (zone.hasCuts) {
      const referral = findCut(zone, name, qtype);
      if (referral) return result('referral', RCODE.NOERROR, hop > 0, answers, referral);
    }
    const node = nodeAt(zone, name);
    if (node === undefined) return result('nxdomain', RCODE.NXDOMAIN, true, answers);
    if (qtype === QTYPE.ANY) {
      if (node.first === null) return result('nodata', RCODE.NOERROR, true, answers);
      // A CNAME owner holds nothing else: its CNAME is the whole answer, as Knot and BIND give it.
      if (node.cname !== null) {
        answers.push({ owner: name, rrset: node.cname, cname: undefined });
        return result('data', RCODE.NOERROR, true, answers);
      }
      const r = result('any', RCODE.NOERROR, true, answers);
      r.anyOwner = name;
      return r;
    }
    const rrset = node.get(qtype);
    if (rrset !== undefined) {
      answers.push({ owner: name, rrset, cname: undefined });
      return result('data', RCODE.NOERROR, true, answers);
    }
    const cname = node.cname;
    if (cname === null || qtype === QTYPE.CNAME) return result('nodata', RCODE.NOERROR, true, answers);
    const chosen = chooseCname(cname);
    answers.push({ owner: name, rrset: cname, cname: chosen });
    if (chosen === null) return result('data', RCODE.NOERROR, true, answers);
    const target = targetOf(chosen);
    const inZone = target === zone.name || target.endsWith(`.${zone.name}`);
    // Outside the zone, or a loop, or too long: hand the chain to the resolver as it stands.
    if (!inZone || hop + 1 >= MAX_CHAIN || answers.some((a) => a.owner === target)) {
      return result('data', RCODE.NOERROR, true, answers);
    }
    name = target;
  }
}

function result(kind: LookupKind, rcode: number, aa: boolean, answers: AnswerHop[], referral: Referral | null = null): LookupResult {
  return { kind, rcode, aa, answers, referral, anyOwner: null };
}

/** The node that answers for `name` inside the zone: the name itself, else its wildcard. */
export function nodeAt(zone: ZoneIndex, name: string): ZoneNode | undefined {
  return zone.nodes.get(name) ?? findWildcard(zone, name);
}

/**
 * The highest zone cut at or above `name` (below the apex). A DS query at the cut itself belongs
 * to the parent side (RFC 4035 3.1.4.1), so it is not referred.
 */
export function findCut(zone: ZoneIndex, name: string, qtype: number): Referral | null {
  let found: Referral | null = null;
  let n = name;
  while (n !== zone.name) {
    const node = zone.nodes.get(n);
    if (node?.referral && !(n === name && qtype === QTYPE.DS)) found = node.referral;
    const dot = n.indexOf('.');
    if (dot < 0) break;
    n = n.slice(dot + 1);
  }
  return found;
}

/**
 * RFC 4592 4.1: the wildcard "*.<closest encloser>" where the closest encloser is the longest
 * existing ancestor; an existing name (empty non-terminals included) never matches a wildcard
 * because it was found by the exact lookup before this runs.
 */
function findWildcard(zone: ZoneIndex, name: string): ZoneNode | undefined {
  let n = name;
  for (;;) {
    const dot = n.indexOf('.');
    if (dot < 0) return undefined;
    n = n.slice(dot + 1);
    if (zone.nodes.has(n)) return zone.nodes.get(`*.${n}`);
  }
}
