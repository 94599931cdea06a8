// The answer pipeline: parse → zone → lookup → health → pickers → rotation → additional → encode.
// Synchronous and free of I/O: it reads the in-memory zones and health that the Redis sync keeps
// current, so a query never waits on Redis.
import { additionalFor } from './additional';
import { CLASS_ANY, CLASS_IN, EDE, EDNS_UDP_SIZE, PLAIN_UDP_SIZE, QTYPE, RCODE, TCP, TCP_MAX_SIZE, UDP, type Protocol } from './constants';
import { appendEde } from './ede';
import { emptyReply, encodeReply, encodeReplyInto, type EdnsReply, type Reply } from './encode';
import { addressInto, ecsInto, type Words } from './address';
import { ecsAddress, type GeoLocation, type GeoLookup } from './geo';
import type { AsnLookup, GeoPoint, PointLookup } from './geo-data';
import type { HealthView } from './health';
import { lookup } from './lookup';
import { isQuery, parseQuery, type Ecs, type Edns } from './parse';
import { pickRecords, type PickContext } from './pickers';
import { rotationStart } from './rotate';
import type { RttSite, RttView } from './rtt';
import type { ServedRecord, ServedRrset } from './zone-index';
import type { ZoneStore } from './zone-store';

export interface QueryObserver {
  /** One answered query; `zone` is '' when the name is in no hosted zone (or unparsable). */
  count(zone: string, rcode: number, protocol: Protocol): void;
}

export interface EngineDeps {
  zones: ZoneStore;
  health: HealthView;
  geo: GeoLookup;
  /** IP → AS number for the asn picker; without it no client has one. */
  asn?: AsnLookup;
  /** IP → latitude/longitude for the geodistance picker; without it no client has one. */
  points?: PointLookup;
  /** Probe locations' measured RTTs for geodistance's `rtt` option; without it that option is plain geodistance. */
  rtt?: RttView;
  random?: () => number;
  observer?: QueryObserver;
  /** A bug on the query path: the engine answers SERVFAIL and reports it here. */
  onError?: (err: unknown) => void;
}

/** Resolves what the pickers ask of the client at most once per query, and only when one asks. */
class QueryGeo implements PickContext {
  ecs: Ecs | null = null;
  remote = '';
  /** Set when an answer depended on the ECS address (its scope is then the source prefix). */
  fromEcs = false;
  private resolved = 0;
  private loc: GeoLocation | null = null;
  private readonly words: Words = new Uint32Array(4);
  private hasWords = false;
  private asnValue: number | null = null;
  private pointValue: GeoPoint | null = null;
  private siteValue: RttSite | null = null;

  constructor(
    private readonly geo: GeoLookup,
    private readonly asnLookup: AsnLookup | undefined,
    private readonly pointLookup: PointLookup | undefined,
    readonly random: () => number,
    private readonly rttView: RttView | undefined,
  ) {}

  reset(ecs: Ecs | null, remote: string): void {
    this.ecs = ecs;
    this.remote = remote;
    this.resolved = 0;
    this.fromEcs = false;
    this.loc = null;
  }

  /** RFC 7871 7.1.2: a source prefix of 0 asks us not to use client information. */
  private get useEcs(): boolean {
    const ecs = this.ecs;
    return ecs !== null && ecs.sourcePrefix > 0;
  }

  location(): GeoLocation | null {
    if ((this.resolved & LOCATION) === 0) {
      this.resolved |= LOCATION;
      if (this.useEcs) {
        this.fromEcs = true;
        this.loc = this.geo(ecsAddress(this.ecs!));
      } else {
        this.loc = this.geo(this.remote);
      }
    }
    return this.loc;
  }

  address(): Words | null {
    if ((this.resolved & ADDRESS) === 0) {
      this.resolved |= ADDRESS;
      if (this.useEcs) {
        this.fromEcs = true;
        this.hasWords = ecsInto(this.ecs!, this.words);
      } else {
        this.hasWords = addressInto(this.remote, this.words);
      }
    }
    return this.hasWords ? this.words : null;
  }

  asn(): number | null {
    if ((this.resolved & ASN) === 0) {
      this.resolved |= ASN;
      const w = this.address();
      this.asnValue = w === null || this.asnLookup === undefined ? null : this.asnLookup(w);
    }
    return this.asnValue;
  }

  point(): GeoPoint | null {
    if ((this.resolved & POINT) === 0) {
      this.resolved |= POINT;
      const w = this.address();
      this.pointValue = w === null || this.pointLookup === undefined ? null : this.pointLookup(w);
    }
    return this.pointValue;
  }

  rttSite(): RttSite | null {
    if ((this.resolved & SITE) === 0) {
      this.resolved |= SITE;
      const p = this.point();
      this.siteValue = p === null || this.rttView === undefined ? null : this.rttView.nearest(p);
    }
    return this.siteValue;
  }
}

const LOCATION = 1;
const ADDRESS = 2;
const ASN = 4;
const POINT = 8;
const SITE = 16;

const NO_GLUE: readonly never[] = [];
/** Room for an answer that gets an Extended DNS Error: a question, an OPT and the option. */
const edeScratch = Buffer.allocUnsafe(2 + 512 + 64);
const OPCODE_NOTIFY = 4;
const OPCODE_UPDATE = 5;
/** TYPE0, reserved (RFC 6895 3.1). */
const QTYPE_RESERVED = 0;

/** Respect the client's buffer, but never more than we advertise. */
function maxSize(edns: Edns | null, tcp: boolean): number {
  if (tcp) return TCP_MAX_SIZE;
  return edns === null ? PLAIN_UDP_SIZE : Math.min(Math.max(edns.udpSize, PLAIN_UDP_SIZE), EDNS_UDP_SIZE);
}
const NO_RECORDS: readonly ServedRecord[] = [];

export class DnsEngine {
  private readonly reply: Reply = emptyReply();
  private readonly ednsReply: EdnsReply = { dnssecOk: false, ecs: null, scope: 0 };
  /** An Extended DNS Error for this reply's OPT (RFC 8914), or -1: only on answers of a question and OPT alone. */
  private ede = -1;
  private readonly ctx: QueryGeo;

  constructor(private readonly deps: EngineDeps) {
    this.ctx = new QueryGeo(deps.geo, deps.asn, deps.points, deps.random ?? Math.random, deps.rtt);
  }

  /** The alias a CNAME record set gives this query: its health filter and pickers, then the first left. */
  private readonly chooseCname = (rrset: ServedRrset): ServedRecord | null => {
    if (rrset.policy === null) return rrset.records[0]!;
    return pickRecords(rrset, this.deps.health, this.ctx)[0] ?? null;
  };

  /** The addresses of an MX, SRV or NS target that the additional section carries: what an A or AAAA query gets. */
  private readonly chooseAddresses = (rrset: ServedRrset): readonly ServedRecord[] => pickRecords(rrset, this.deps.health, this.ctx);

  /** The response to one message, or null when it deserves none. TCP answers carry their length prefix. */
  answer(msg: Buffer, protocol: Protocol, remote: string): Buffer | null {
    try {
      if (!this.prepare(msg, protocol, remote)) return null;
      if (this.ede < 0) return encodeReply(msg, this.reply, protocol === TCP);
      const len = this.encodeInto(msg, protocol === TCP, edeScratch, 0);
      return Buffer.from(edeScratch.subarray(0, len));
    } catch (err) {
      this.deps.onError?.(err);
      return this.servfail(msg, protocol);
    }
  }

  /**
   * The UDP response to one message written into `dst` at `at` (room for EDNS_UDP_SIZE bytes):
   * its length, or 0 when it deserves none.
   */
  answerUdpInto(msg: Buffer, remote: string, dst: Buffer, at: number): number {
    try {
      return this.prepare(msg, UDP, remote) ? this.encodeInto(msg, false, dst, at) : 0;
    } catch (err) {
      this.deps.onError?.(err);
      const res = this.servfail(msg, UDP);
      return res === null ? 0 : res.copy(dst, at);
    }
  }

  /** Runs the pipeline into this.reply; false when the message deserves no response. */
  private prepare(msg: Buffer, protocol: Protocol, remote: string): boolean {
    const tcp = protocol === TCP;
    const p = parseQuery(msg);
    if (p === null) return false;
    const r = this.reply;
    r.answer.length = 0;
    r.authority.length = 0;
    r.additional = NO_GLUE;
    r.extra = NO_GLUE;
    this.ede = -1;
    r.aa = false;
    r.edns = null;
    r.id = p.id;
    r.opcode = p.opcode;
    r.rd = p.rd;
    r.cd = p.cd;
    if (!isQuery(p)) {
      // FORMERR echoes the question when it could be read, and the OPT when there was one to
      // read (RFC 6891 7: also when its options were what was wrong).
      r.rcode = p.rcode;
      r.questionEnd = p.questionEnd;
      r.qname = '';
      const e = this.useEdns(p.edns);
      if (e !== null) e.ecs = null;
      r.maxSize = maxSize(p.edns, tcp);
      return this.finish('', protocol);
    }
    const q = p;
    r.rcode = RCODE.NOERROR;
    r.questionEnd = q.questionEnd;
    r.qname = q.qname;
    const edns = q.edns;
    const e = this.useEdns(edns);
    if (edns !== null && e !== null) {
      if (edns.version > 0) {
        // RFC 6891 6.1.3: BADVERS, advertising the version we do speak (0).
        e.ecs = null;
        r.rcode = RCODE.BADVERS;
      }
    }
    r.maxSize = maxSize(edns, tcp);
    if (r.rcode !== RCODE.NOERROR) return this.finish('', protocol);
    if (q.opcode !== 0) {
      // Vigil takes no NOTIFY or UPDATE (it is no secondary and takes changes through its API).
      r.rcode = q.opcode === OPCODE_NOTIFY || q.opcode === OPCODE_UPDATE ? RCODE.NOTAUTH : RCODE.NOTIMP;
      return this.finish('', protocol);
    }

    // QCLASS * (RFC 1035 3.2.5) asks for any class: IN is the only one there is here.
    if (q.qclass !== CLASS_IN && q.qclass !== CLASS_ANY) {
      r.rcode = RCODE.REFUSED;
      return this.finish('', protocol);
    }
    const qtype = q.qtype;
    if (qtype === QTYPE.IXFR || (qtype === QTYPE.AXFR && tcp)) {
      // Vigil transfers its zones to no one: not authorised (RFC 5936 4.2, as Knot answers without an ACL).
      r.rcode = RCODE.NOTAUTH;
      return this.finish('', protocol);
    }
    if (qtype === QTYPE.AXFR || qtype === QTYPE_RESERVED) {
      // AXFR over UDP does not exist (RFC 5936 4.2); TYPE0 is reserved (RFC 6895 3.1). MAILA and
      // MAILB (the mail records' meta types) are answered as any type: no zone here holds MB, MG,
      // MR or MD records, so NODATA or NXDOMAIN, as Knot and BIND answer them.
      r.rcode = RCODE.NOTIMP;
      return this.finish('', protocol);
    }

    const zone = this.deps.zones.find(q.qname);
    if (zone === undefined) {
      r.rcode = RCODE.REFUSED;
      // RFC 8914 4.21: say why, for the resolver's logs and its user.
      if (e !== null) this.ede = EDE.NOT_AUTHORITATIVE;
      return this.finish('', protocol);
    }

    const ctx = this.ctx;
    ctx.reset(edns === null ? null : edns.ecs, remote);
    const res = lookup(zone, q.qname, qtype, this.chooseCname);
    r.aa = res.aa;
    r.rcode = res.rcode;
    let emptied = false;
    const health = this.deps.health;
    for (let i = 0; i < res.answers.length; i++) {
      const hop = res.answers[i]!;
      const rrset = hop.rrset;
      const cname = hop.cname;
      let records: readonly ServedRecord[];
      if (cname === undefined) {
        records = pickRecords(rrset, health, ctx);
        // A name has one CNAME: of a record set of candidates, the first left is the answer.
        if (rrset.type === QTYPE.CNAME && records.length > 1) records = records.slice(0, 1);
      } else {
        records = cname === null ? NO_RECORDS : [cname];
      }
      if (records.length === 0) {
        // A strict geodns or default with no match: the name has data, just none for this client.
        emptied = true;
        break;
      }
      r.answer.push({
        owner: hop.owner,
        ownerWire: null,
        records,
        start: rotationStart(rrset, records.length),
      });
      if (cname === undefined) r.extra = additionalFor(zone, rrset.type, records, this.chooseAddresses);
    }
    switch (res.kind) {
      case 'referral':
        r.authority.push(res.referral!.run);
        r.additional = res.referral!.glue;
        break;
      case 'any':
        r.answer.push({ owner: res.anyOwner!, ownerWire: null, records: zone.anyAnswer, start: 0 });
        break;
      case 'nxdomain':
      case 'nodata':
        r.authority.push(zone.negativeSoaRun);
        break;
      case 'data':
        if (emptied) r.authority.push(zone.negativeSoaRun);
        break;
    }
    // RFC 7871 7.2.1: scope 0 unless the answer depended on the client subnet.
    if (e !== null && ctx.fromEcs) e.scope = edns!.ecs!.sourcePrefix;
    return this.finish(zone.name, protocol);
  }

  /** Writes this.reply into `dst` at `at`, with the Extended DNS Error when there is one. */
  private encodeInto(msg: Buffer, tcp: boolean, dst: Buffer, at: number): number {
    const len = encodeReplyInto(msg, this.reply, tcp, dst, at);
    if (this.ede < 0) return len;
    // Nothing but the question precedes the OPT in these answers.
    const optAt = at + (tcp ? 2 : 0) + Math.max(this.reply.questionEnd, 12);
    return appendEde(dst, at, len, tcp, optAt, this.ede);
  }

  /** Answers with an OPT when the query had one (no ECS scope, no EDE until the pipeline sets them). */
  private useEdns(edns: Edns | null): EdnsReply | null {
    if (edns === null) return null;
    const e = this.ednsReply;
    e.dnssecOk = edns.dnssecOk;
    e.ecs = edns.ecs;
    e.scope = 0;
    this.reply.edns = e;
    return e;
  }

  private finish(zone: string, protocol: Protocol): true {
    this.deps.observer?.count(zone, this.reply.rcode, protocol);
    return true;
  }

  /** A bare SERVFAIL echoing the header, for when the pipeline itself failed. */
  private servfail(msg: Buffer, protocol: Protocol): Buffer | null {
    if (msg.length < 12 || msg[2]! & 0x80) return null;
    const r = emptyReply();
    r.id = msg.readUInt16BE(0);
    r.opcode = (msg[2]! >> 3) & 0xf;
    r.rd = (msg[2]! & 1) !== 0;
    r.rcode = RCODE.SERVFAIL;
    this.deps.observer?.count('', RCODE.SERVFAIL, protocol);
    return encodeReply(msg, r, protocol === TCP);
  }
}
