// The answer pipeline: parse → zone → lookup → health → pickers → rotation → encode.
// Synchronous and free of I/O: it reads the in-memory zones and health that the Redis sync keeps
// current, so a query never waits on Redis.
import { CLASS_IN, EDNS_UDP_SIZE, PLAIN_UDP_SIZE, QTYPE, RCODE, TCP, TCP_MAX_SIZE, UDP, type Protocol } from './constants';
import { emptyReply, encodeReply, encodeReplyInto, type EdnsReply, type Reply } from './encode';
import { addressInto, ecsInto, type Words } from './address';
import { ecsAddress, type GeoLocation, type GeoLookup } from './geo';
import type { AsnLookup, GeoPoint, PointLookup } from './geo-data';
import type { HealthView } from './health';
import { lookup } from './lookup';
import { isQuery, parseQuery, type Ecs } from './parse';
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
const NO_RECORDS: readonly ServedRecord[] = [];

export class DnsEngine {
  private readonly reply: Reply = emptyReply();
  private readonly ednsReply: EdnsReply = { dnssecOk: false, ecs: null, scope: 0 };
  private readonly ctx: QueryGeo;

  constructor(private readonly deps: EngineDeps) {
    this.ctx = new QueryGeo(deps.geo, deps.asn, deps.points, deps.random ?? Math.random, deps.rtt);
  }

  /** The alias a CNAME record set gives this query: its health filter and pickers, then the first left. */
  private readonly chooseCname = (rrset: ServedRrset): ServedRecord | null => {
    if (rrset.policy === null) return rrset.records[0]!;
    return pickRecords(rrset, this.deps.health, this.ctx)[0] ?? null;
  };

  /** The response to one message, or null when it deserves none. TCP answers carry their length prefix. */
  answer(msg: Buffer, protocol: Protocol, remote: string): Buffer | null {
    try {
      return this.prepare(msg, protocol, remote) ? encodeReply(msg, this.reply, protocol === TCP) : null;
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
      return this.prepare(msg, UDP, remote) ? encodeReplyInto(msg, this.reply, false, dst, at) : 0;
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
    r.aa = false;
    r.edns = null;
    r.id = p.id;
    r.opcode = p.opcode;
    r.rd = p.rd;
    r.cd = p.cd;
    if (!isQuery(p)) {
      r.rcode = p.rcode;
      r.questionEnd = 0;
      r.qname = '';
      r.maxSize = PLAIN_UDP_SIZE;
      return this.finish('', protocol);
    }
    const q = p;
    r.rcode = RCODE.NOERROR;
    r.questionEnd = q.questionEnd;
    r.qname = q.qname;
    const edns = q.edns;
    if (edns !== null) {
      const e = this.ednsReply;
      e.dnssecOk = edns.dnssecOk;
      e.ecs = edns.ecs;
      e.scope = 0;
      r.edns = e;
      if (edns.version > 0) {
        // RFC 6891 6.1.3: BADVERS, advertising the version we do speak (0).
        e.ecs = null;
        r.rcode = RCODE.BADVERS;
      }
    }
    // Respect the client's buffer, but never more than we advertise.
    r.maxSize = tcp ? TCP_MAX_SIZE : edns === null ? PLAIN_UDP_SIZE : Math.min(Math.max(edns.udpSize, PLAIN_UDP_SIZE), EDNS_UDP_SIZE);
    if (r.rcode !== RCODE.NOERROR) return this.finish('', protocol);
    if (q.opcode !== 0) {
      r.rcode = RCODE.NOTIMP;
      return this.finish('', protocol);
    }

    if (q.qclass !== CLASS_IN) {
      r.rcode = RCODE.REFUSED;
      return this.finish('', protocol);
    }
    const qtype = q.qtype;
    if (qtype === QTYPE.AXFR || qtype === QTYPE.IXFR || qtype === QTYPE.MAILA || qtype === QTYPE.MAILB) {
      r.rcode = RCODE.NOTIMP;
      return this.finish('', protocol);
    }

    const zone = this.deps.zones.find(q.qname);
    if (zone === undefined) {
      r.rcode = RCODE.REFUSED;
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
    if (r.edns !== null && ctx.fromEcs) r.edns.scope = edns!.ecs!.sourcePrefix;
    return this.finish(zone.name, protocol);
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
