// The differential corpus of issue 15: one zone's content, given to Vigil through its API and to
// Knot as a zone file, some 2,600 queries over it (every owner × 15 types × UDP/TCP and EDNS
// variants, then odd and malformed messages), and the canonical form of an answer that the
// differential test (e2e/knot-differential.spec.ts) compares and bench/dns/sizes.mjs measures.
// Queries are written byte by byte, so malformed ones are exactly what they say.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { udpQuery } from './dns-client';
import { type KnotServer, startKnotServer } from './knot';

export const CORPUS_ZONE = 'diff.example';
const Z = CORPUS_ZONE;

/** A record's content as the API takes it; SVCB/HTTPS params are arrays (`['alpn', 'h2']`). */
export type Content = (string | number | (string | number)[])[];

export interface CorpusRrset {
  /** Fully qualified, no trailing dot. */
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'NS' | 'SRV' | 'CAA' | 'PTR' | 'SVCB' | 'HTTPS';
  ttl: number;
  contents: Content[];
}

const at = (label: string) => (label === '' ? Z : `${label}.${Z}`);

/** The zone's record sets besides its SOA and apex NS (which Vigil makes, and the test copies to Knot). */
export function corpusRrsets(): CorpusRrset[] {
  const rr = (label: string, type: CorpusRrset['type'], contents: Content[], ttl = 300): CorpusRrset => ({
    name: at(label),
    type,
    ttl,
    contents,
  });
  const glue = Array.from({ length: 8 }, (_, i) => `ns${i + 1}.deleg.${Z}`);
  return [
    rr('', 'A', [['192.0.2.1']]),
    rr('', 'AAAA', [['2001:db8::1']]),
    // In-zone exchanges get their addresses in the additional section; the third is elsewhere.
    rr('', 'MX', [
      [10, `mail.${Z}`],
      [20, `mail2.${Z}`],
      [30, 'mx.elsewhere.test'],
    ]),
    rr('', 'TXT', [['v=spf1 ip4:192.0.2.0/24 -all'], ['site-verification=0123456789abcdef']], 3600),
    rr('', 'CAA', [
      [0, 'issue', 'letsencrypt.org'],
      [0, 'iodef', `mailto:security@${Z}`],
    ]),
    rr('www', 'A', [['192.0.2.10'], ['192.0.2.11']], 60),
    rr('www', 'AAAA', [['2001:db8::10']], 60),
    // 60 addresses: 960 bytes of RDATA and owners, past 512 but within 1232.
    rr(
      'big',
      'A',
      Array.from({ length: 60 }, (_, i) => [`198.51.100.${i + 1}`]),
    ),
    rr('v6', 'AAAA', [['2001:db8::61'], ['2001:db8::62'], ['2001:db8::63']]),
    rr('mail', 'A', [['192.0.2.25']]),
    rr('mail', 'AAAA', [['2001:db8::25']]),
    rr('mail2', 'A', [['192.0.2.26']]),
    rr('alias', 'CNAME', [[`www.${Z}`]]),
    rr('chain1', 'CNAME', [[`chain2.${Z}`]]),
    rr('chain2', 'CNAME', [[`chain3.${Z}`]]),
    rr('chain3', 'CNAME', [[`www.${Z}`]]),
    rr('ext', 'CNAME', [['www.elsewhere.test']]),
    rr('dangling', 'CNAME', [[`nothing.${Z}`]]),
    rr('_sip._tcp', 'SRV', [
      [10, 60, 5060, `sip.${Z}`],
      [20, 10, 5060, `sip2.${Z}`],
      [30, 0, 5060, 'sip.elsewhere.test'],
    ]),
    rr('sip', 'A', [['192.0.2.30']]),
    rr('sip2', 'AAAA', [['2001:db8::31']]),
    // "." as the target: no such service (RFC 2782).
    rr('_xmpp._tcp', 'SRV', [[0, 0, 0, '.']]),
    // SVCB and HTTPS: the addresses of an in-zone TargetName come in the additional section ("."
    // and names elsewhere add none), in service and in alias form.
    rr('', 'HTTPS', [
      [1, `www.${Z}`, ['alpn', 'h2', 'h3']],
      [2, 'svc.elsewhere.test', ['port', 8443]],
    ]),
    rr('svc', 'HTTPS', [[0, `mail.${Z}`]]),
    rr('_8443._https.svc', 'SVCB', [[1, '.', ['port', 8443], ['ipv4hint', '192.0.2.80']]]),
    rr('txt', 'TXT', [['hello world'], ['x'.repeat(300)], ['a', 'b c']]),
    rr('caa', 'CAA', [[128, 'issue', 'ca.example.net']]),
    rr('1.ptr', 'PTR', [[`www.${Z}`]]),
    // A delegation to eight name servers inside it: the referral carries their glue.
    rr(
      'deleg',
      'NS',
      glue.map((n) => [n]),
    ),
    ...glue.map((n, i) => ({ name: n, type: 'A' as const, ttl: 300, contents: [[`192.0.2.${101 + i}`]] })),
    ...glue.slice(0, 2).map((n, i) => ({ name: n, type: 'AAAA' as const, ttl: 300, contents: [[`2001:db8::1${i + 1}`]] })),
    rr('*.wild', 'A', [['192.0.2.50']]),
    rr('*.wild', 'TXT', [['wildcard']]),
  ];
}

/** The apex as Vigil serves it, read from its answers, for the Knot zone file. */
export interface Apex {
  /** SOA RDATA in presentation form: mname rname serial refresh retry expire minimum. */
  soa: string;
  soaTtl: number;
  ns: string[];
  nsTtl: number;
}

const dot = (name: string) => (name === '.' || name.endsWith('.') ? name : `${name}.`);
const quote = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** One record's data as a zone file writes it. */
function zoneData(type: CorpusRrset['type'], c: Content): string {
  switch (type) {
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return dot(String(c[0]));
    case 'MX':
      return `${c[0]} ${dot(String(c[1]))}`;
    case 'SRV':
      return `${c[0]} ${c[1]} ${c[2]} ${dot(String(c[3]))}`;
    case 'CAA':
      return `${c[0]} ${c[1]} ${quote(String(c[2]))}`;
    case 'SVCB':
    case 'HTTPS':
      // Priority, target, then each param as key=v1,v2 (the corpus's values need no escapes).
      return [
        c[0],
        dot(String(c[1])),
        ...c.slice(2).map((p) => {
          const [key, ...values] = p as (string | number)[];
          return values.length ? `${key}=${values.join(',')}` : String(key);
        }),
      ].join(' ');
    case 'TXT':
      // Each string in character-strings of at most 255 bytes, as Vigil splits them (RFC 1035 3.3.14).
      return c
        .flatMap((s) => String(s).match(/[\s\S]{1,255}/g) ?? [''])
        .map(quote)
        .join(' ');
    default:
      return String(c[0]);
  }
}

/** The Knot zone file for the same content. */
export function knotZoneFile(apex: Apex): string {
  const lines = [`$ORIGIN ${Z}.`, `@ ${apex.soaTtl} IN SOA ${apex.soa}`, ...apex.ns.map((n) => `@ ${apex.nsTtl} IN NS ${dot(n)}`)];
  for (const r of corpusRrsets()) for (const c of r.contents) lines.push(`${r.name}. ${r.ttl} IN ${r.type} ${zoneData(r.type, c)}`);
  return `${lines.join('\n')}\n`;
}

/** The API calls that build the zone's record sets: PUT path and body (Gcore's shape). */
export function corpusPuts(): { path: string; body: { ttl: number; resource_records: { content: Content }[] } }[] {
  return corpusRrsets().map((r) => ({
    path: `/v2/zones/${Z}/${r.name}/${r.type}`,
    body: { ttl: r.ttl, resource_records: r.contents.map((content) => ({ content })) },
  }));
}

/** Whether Vigil on `port` serves the whole zone yet: the last record set written answers. */
export async function corpusServed(port: number): Promise<boolean> {
  // The wildcard's TXT, a type dns-packet names.
  const last = corpusRrsets().at(-1)! as CorpusRrset & { type: 'TXT' };
  const m = await udpQuery(port, last.name.replace('*', 'x'), last.type);
  return (m.answers ?? []).length === last.contents.length;
}

/**
 * Knot serving the corpus zone as Vigil on `vigilPort` does: its SOA and apex NS copied from
 * Vigil's answers (serial, ZONE_NAMESERVERS), the client subnet option read, no NSID sent.
 */
export async function startCorpusKnot(vigilPort: number): Promise<KnotServer> {
  const soa = (await udpQuery(vigilPort, Z, 'SOA')).answers![0]! as unknown as { ttl?: number; data: Record<string, string | number> };
  const ns = (await udpQuery(vigilPort, Z, 'NS')).answers! as unknown as { ttl?: number; data: string }[];
  const d = soa.data;
  const apex: Apex = {
    soa: `${d.mname}. ${d.rname}. ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`,
    soaTtl: soa.ttl!,
    ns: ns.map((n) => n.data),
    nsTtl: ns[0]!.ttl!,
  };
  return startKnotServer({ [Z]: knotZoneFile(apex) }, { ecs: true, noNsid: true });
}

// ---- Queries ----

export interface CorpusQuery {
  /** What it is, as 'owner type variant' or the odd kind's name. */
  label: string;
  /** The group the differential test's list of intentional differences names. */
  kind: string;
  tcp: boolean;
  /** Without the TCP length prefix. */
  bytes: Buffer;
  /** The question as asked (owner lower-case), when there is one. */
  qname?: string;
  qtype?: number;
  /** The UDP payload size the query offers (512 without EDNS). */
  udpSize: number;
}

export const QTYPES: Record<string, number> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  DS: 43,
  SVCB: 64,
  HTTPS: 65,
  ANY: 255,
  CAA: 257,
  TYPE65280: 65280,
};
const OPT = 41;

/** Owners asked about: data of every kind, CNAME chains, the cut and below it, wildcards, empty non-terminals, nothing. */
export const OWNERS = [
  '',
  'www',
  'big',
  'v6',
  'mail',
  'mail2',
  'alias',
  'chain1',
  'ext',
  'dangling',
  '_sip._tcp',
  '_tcp',
  '_xmpp._tcp',
  'svc',
  '_8443._https.svc',
  'sip',
  'txt',
  'caa',
  '1.ptr',
  'ptr',
  'deleg',
  'ns1.deleg',
  'host.deleg',
  'x.wild',
  'a.b.wild',
  'wild',
  'nx',
  'nx.www',
];

interface Variant {
  name: string;
  tcp: boolean;
  rd: boolean;
  /** EDNS: payload size, DO, and the ECS option to send. */
  edns: { size: number; dnssecOk?: boolean; ecs?: boolean } | null;
  /** Ask in mixed case (the question is echoed as asked). */
  mixedCase?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'udp', tcp: false, rd: true, edns: null },
  { name: 'udp-edns', tcp: false, rd: false, edns: { size: 1232 } },
  { name: 'udp-edns512-do', tcp: false, rd: true, edns: { size: 512, dnssecOk: true } },
  { name: 'udp-ecs-case', tcp: false, rd: true, edns: { size: 4096, ecs: true }, mixedCase: true },
  { name: 'tcp', tcp: true, rd: true, edns: null },
  { name: 'tcp-edns', tcp: true, rd: false, edns: { size: 1232 } },
];

/** A query's header: id 0 (the sender sets it), flags, then QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT. */
export function messageHeader(flags: number, qd = 1, an = 0, ns = 0, ar = 0): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(flags, 2);
  b.writeUInt16BE(qd, 4);
  b.writeUInt16BE(an, 6);
  b.writeUInt16BE(ns, 8);
  b.writeUInt16BE(ar, 10);
  return b;
}

function nameWire(name: string): Buffer {
  if (name === '') return Buffer.from([0]);
  return Buffer.concat([
    ...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0]),
  ]);
}

function question(name: string, qtype: number, qclass = 1): Buffer {
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(qtype, 0);
  tail.writeUInt16BE(qclass, 2);
  return Buffer.concat([nameWire(name), tail]);
}

/** An OPT record: payload size, version, DO, and options' bytes; `owner` for the malformed ones. */
function opt(size: number, options: Buffer = Buffer.alloc(0), o: { version?: number; dnssecOk?: boolean; owner?: Buffer } = {}): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(OPT, 0);
  fixed.writeUInt16BE(size, 2);
  fixed[5] = o.version ?? 0;
  fixed.writeUInt16BE(o.dnssecOk ? 0x8000 : 0, 6);
  fixed.writeUInt16BE(options.length, 8);
  return Buffer.concat([o.owner ?? Buffer.from([0]), fixed, options]);
}

function option(code: number, data: Buffer): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(code, 0);
  b.writeUInt16BE(data.length, 2);
  return Buffer.concat([b, data]);
}

/** An ECS option from its fields as sent (RFC 7871 6), malformed ones included. */
const ecs = (family: number, source: number, scope: number, address: number[]) =>
  option(8, Buffer.from([0, family, source, scope, ...address]));
const COOKIE = option(10, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));

/** Every other letter upper-case: a resolver's 0x20 bits. */
const mixed = (name: string) => [...name].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');

const RD = 0x0100;

/** The whole corpus, in a fixed order; ids are the queries' positions. */
export function corpusQueries(): CorpusQuery[] {
  const out: CorpusQuery[] = [];
  const push = (q: Omit<CorpusQuery, 'bytes'> & { parts: Buffer[] }) => {
    const bytes = Buffer.concat(q.parts);
    if (bytes.length >= 2) bytes.writeUInt16BE(out.length & 0xffff, 0);
    const { parts: _parts, ...rest } = q;
    out.push({ ...rest, bytes });
  };

  for (const owner of OWNERS) {
    for (const [typeName, qtype] of Object.entries(QTYPES)) {
      for (const v of VARIANTS) {
        const name = at(owner);
        const asked = v.mixedCase ? mixed(name) : name;
        const options = v.edns?.ecs ? ecs(1, 24, 0, [203, 0, 113]) : undefined;
        const parts = [messageHeader(v.rd ? RD : 0, 1, 0, 0, v.edns ? 1 : 0), question(asked, qtype)];
        if (v.edns) parts.push(opt(v.edns.size, options, { dnssecOk: v.edns.dnssecOk }));
        push({
          label: `${name} ${typeName} ${v.name}`,
          kind: typeName === 'ANY' ? 'any' : 'data',
          tcp: v.tcp,
          qname: name,
          qtype,
          udpSize: v.edns ? v.edns.size : 512,
          parts,
        });
      }
    }
  }

  const www = at('www');
  const odd = (label: string, kind: string, parts: Buffer[], o: { tcp?: boolean; qname?: string; qtype?: number; udpSize?: number } = {}) =>
    push({ label, kind, tcp: o.tcp ?? false, qname: o.qname, qtype: o.qtype, udpSize: o.udpSize ?? 512, parts });
  const plain = (name: string, qtype: number, flags = RD, qclass = 1) => [messageHeader(flags), question(name, qtype, qclass)];
  const withOpt = (name: string, qtype: number, options?: Buffer, flags = RD, qclass = 1) => [
    messageHeader(flags, 1, 0, 0, 1),
    question(name, qtype, qclass),
    opt(1232, options),
  ];

  // Opcodes other than QUERY: NOTIFY and UPDATE (NOTAUTH), the rest NOTIMP; with and without EDNS.
  for (let opcode = 1; opcode < 16; opcode++) {
    for (const edns of [false, true]) {
      const flags = (opcode << 11) | RD;
      odd(
        `opcode ${opcode}${edns ? ' edns' : ''}`,
        'opcode',
        edns ? withOpt(Z, QTYPES.SOA!, undefined, flags) : plain(Z, QTYPES.SOA!, flags),
        {
          qname: Z,
          qtype: QTYPES.SOA,
        },
      );
    }
  }
  for (const opcode of [4, 5])
    odd(`opcode ${opcode} elsewhere`, 'opcode', withOpt('other.test', QTYPES.SOA!, undefined, (opcode << 11) | RD));
  // Classes other than IN.
  for (const qclass of [3, 4, 254, 255]) {
    odd(`class ${qclass}`, 'class', plain(www, QTYPES.A!, RD, qclass));
    odd(`class ${qclass} edns`, 'class', withOpt(www, QTYPES.A!, undefined, RD, qclass));
  }
  // Names in no hosted zone: REFUSED (with Extended DNS Error 20 when there is EDNS).
  for (const name of ['other.test', `${Z}.other`, 'example', '']) {
    odd(`elsewhere ${name}`, 'refused', plain(name, QTYPES.A!));
    odd(`elsewhere ${name} edns`, 'refused', withOpt(name, QTYPES.A!));
    odd(`elsewhere ${name} edns tcp`, 'refused', withOpt(name, QTYPES.A!), { tcp: true });
  }
  // Transfers and meta types.
  for (const [typeName, qtype] of [
    ['AXFR', 252],
    ['IXFR', 251],
    ['MAILB', 253],
    ['MAILA', 254],
    ['TYPE0', 0],
  ] as const) {
    for (const tcp of [false, true]) {
      odd(`${typeName}${tcp ? ' tcp' : ''}`, 'meta', withOpt(Z, qtype), { tcp });
      odd(`${typeName} plain${tcp ? ' tcp' : ''}`, 'meta', plain(Z, qtype), { tcp });
    }
    odd(`${typeName} elsewhere`, 'meta', withOpt('other.test', qtype));
  }
  // No question: a bare FORMERR, with an OPT when the query had one (a DNS cookie probe, RFC 7873 5.4).
  odd('qdcount 0', 'no-question', [messageHeader(RD, 0)]);
  odd('qdcount 0 opt', 'no-question', [messageHeader(0, 0, 0, 0, 1), opt(1232)]);
  odd('qdcount 0 cookie', 'no-question', [messageHeader(0, 0, 0, 0, 1), opt(1232, COOKIE)]);
  odd('qdcount 0 cookie tcp', 'no-question', [messageHeader(0, 0, 0, 0, 1), opt(1232, COOKIE)], { tcp: true });
  odd('qdcount 0 bad ecs', 'no-question', [messageHeader(0, 0, 0, 0, 1), opt(1232, ecs(3, 0, 0, []))]);
  // Client subnet options both servers reject (FORMERR with an OPT, RFC 6891 7) ...
  odd('ecs family 3', 'ecs', withOpt(www, QTYPES.A!, ecs(3, 8, 0, [1])));
  odd('ecs prefix 33', 'ecs', withOpt(www, QTYPES.A!, ecs(1, 33, 0, [192, 0, 2, 1, 0])));
  odd('ecs v6 prefix 129', 'ecs', withOpt(www, QTYPES.A!, ecs(2, 129, 0, Array(17).fill(0))));
  odd('ecs short', 'ecs', withOpt(www, QTYPES.A!, option(8, Buffer.from([0, 1]))));
  // ... and those only Vigil rejects (RFC 7871 6 and 7.1.1).
  odd('ecs scope 8', 'ecs-strict', withOpt(www, QTYPES.A!, ecs(1, 24, 8, [192, 0, 2])));
  odd('ecs address longer than prefix', 'ecs-strict', withOpt(www, QTYPES.A!, ecs(1, 16, 0, [192, 0, 2])));
  odd('ecs bits past prefix', 'ecs-strict', withOpt(www, QTYPES.A!, ecs(1, 23, 0, [192, 0, 3])));
  odd('ecs twice', 'ecs-strict', withOpt(www, QTYPES.A!, Buffer.concat([ecs(1, 0, 0, []), ecs(1, 0, 0, [])])));
  // Client subnets both take.
  odd('ecs prefix 0', 'data', withOpt(www, QTYPES.A!, ecs(1, 0, 0, [])), { qname: www, qtype: 1, udpSize: 1232 });
  odd('ecs v6 /56', 'data', withOpt(www, QTYPES.AAAA!, ecs(2, 56, 0, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0])), {
    qname: www,
    qtype: 28,
    udpSize: 1232,
  });
  // Other options: a cookie, NSID asked (Knot sends none without an identity configured), padding.
  odd('cookie', 'data', withOpt(www, QTYPES.A!, COOKIE), { qname: www, qtype: 1, udpSize: 1232 });
  odd('nsid', 'data', withOpt(www, QTYPES.A!, option(3, Buffer.alloc(0))), { qname: www, qtype: 1, udpSize: 1232 });
  odd('padding', 'data', withOpt(www, QTYPES.A!, option(12, Buffer.alloc(40))), { qname: www, qtype: 1, udpSize: 1232 });
  // A broken OPT.
  odd('opt option cut short', 'opt-options', withOpt(www, QTYPES.A!, Buffer.from([0, 10, 0])));
  odd('two opts', 'opt', [messageHeader(RD, 1, 0, 0, 2), question(www, 1), opt(1232), opt(1232)]);
  odd('opt in the answer section', 'opt', [messageHeader(RD, 1, 1, 0, 0), question(www, 1), opt(1232)]);
  odd('opt in the authority section', 'opt', [messageHeader(RD, 1, 0, 1, 0), question(www, 1), opt(1232)]);
  odd('opt owned by a name', 'opt-owner', [
    messageHeader(RD, 1, 0, 0, 1),
    question(www, 1),
    opt(1232, undefined, { owner: nameWire('x') }),
  ]);
  odd('edns version 1', 'badvers', [messageHeader(RD, 1, 0, 0, 1), question(www, 1), opt(1232, undefined, { version: 1 })]);
  odd('edns version 1 elsewhere', 'badvers', [
    messageHeader(RD, 1, 0, 0, 1),
    question('other.test', 1),
    opt(1232, undefined, { version: 1 }),
  ]);
  odd('opt record past the end', 'truncated', [messageHeader(RD, 1, 0, 0, 1), question(www, 1), opt(1232).subarray(0, 6)]);
  odd('arcount 2, one record', 'truncated', [messageHeader(RD, 1, 0, 0, 2), question(www, 1), opt(1232)]);
  // Bytes past the last record.
  odd('trailing bytes', 'trailing', [...plain(www, 1), Buffer.from([0xde, 0xad, 0xbe, 0xef])]);
  odd('trailing bytes edns', 'trailing', [...withOpt(www, 1), Buffer.from([0xde, 0xad])]);
  // Questions that cannot be read.
  odd('qdcount 2', 'unreadable', [messageHeader(RD, 2), question(www, 1), question(Z, 1)]);
  odd('qdcount 2 edns', 'unreadable', [messageHeader(RD, 2, 0, 0, 1), question(www, 1), question(Z, 1), opt(1232)]);
  odd('question cut short', 'unreadable', [messageHeader(RD), question(www, 1).subarray(0, 8)]);
  odd('no type and class', 'unreadable', [messageHeader(RD), nameWire(www)]);
  odd('label of 64 bytes', 'unreadable', [messageHeader(RD), Buffer.from([64]), Buffer.alloc(64, 0x61), question(Z, 1)]);
  odd('pointer in the question', 'unreadable', [messageHeader(RD), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
  // QTYPE OPT.
  odd('qtype opt', 'qtype-opt', plain(www, OPT));
  // Header bits: CD and AD echoed or not; RD clear.
  odd('cd', 'cd', plain(www, 1, RD | 0x0010), { qname: www, qtype: 1 });
  odd('cd edns', 'cd', withOpt(www, 1, undefined, RD | 0x0010), { qname: www, qtype: 1, udpSize: 1232 });
  odd('ad', 'data', plain(www, 1, RD | 0x0020), { qname: www, qtype: 1 });
  odd('no rd', 'data', plain(www, 1, 0), { qname: www, qtype: 1 });
  // Messages that deserve no answer: a response, and less than a header.
  odd('a response', 'drop', plain(www, 1, 0x8000 | RD));
  odd('eleven bytes', 'drop', [messageHeader(RD).subarray(0, 11)]);
  return out;
}

// ---- Answers ----

/** An answer as the differential test compares it: header fields, raw question, sections as sorted sets. */
export interface Canonical {
  dropped: boolean;
  size: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  cd: boolean;
  /** The 12-bit RCODE (the upper bits from OPT). */
  rcode: number;
  /** QDCOUNT and the question's bytes as sent back (case kept). */
  question: string;
  answer: string[];
  authority: string[];
  additional: string[];
  /** OPT: payload size, version, DO, and its options as code:hex; null without one. */
  opt: string | null;
}

const DROPPED: Canonical = {
  dropped: true,
  size: 0,
  qr: false,
  opcode: 0,
  aa: false,
  tc: false,
  rd: false,
  ra: false,
  cd: false,
  rcode: 0,
  question: '',
  answer: [],
  authority: [],
  additional: [],
  opt: null,
};

/** A (possibly compressed) name at `off`: its text and the offset after it in place. */
function readName(b: Buffer, off: number): { name: string; next: number } {
  const labels: string[] = [];
  let next = -1;
  for (let hops = 0; hops < 128; hops++) {
    const len = b[off]!;
    if (len === undefined) throw new Error('a name past the end');
    if ((len & 0xc0) === 0xc0) {
      if (next < 0) next = off + 2;
      off = ((len & 0x3f) << 8) | b[off + 1]!;
      continue;
    }
    if (len === 0) return { name: labels.length ? `${labels.join('.')}.` : '.', next: next < 0 ? off + 1 : next };
    labels.push(b.toString('latin1', off + 1, off + 1 + len));
    off += 1 + len;
  }
  throw new Error('a compression loop');
}

/** RDATA in a form that does not depend on compression: names read out, the rest as hex or numbers. */
function rdataText(b: Buffer, type: number, off: number, len: number): string {
  const u16 = (o: number) => b.readUInt16BE(o);
  switch (type) {
    case 1:
      return [...b.subarray(off, off + 4)].join('.');
    case 2:
    case 5:
    case 12:
      return readName(b, off).name;
    case 15:
      return `${u16(off)} ${readName(b, off + 2).name}`;
    case 33:
      return `${u16(off)} ${u16(off + 2)} ${u16(off + 4)} ${readName(b, off + 6).name}`;
    case 6: {
      const m = readName(b, off);
      const r = readName(b, m.next);
      const nums = [0, 4, 8, 12, 16].map((i) => b.readUInt32BE(r.next + i));
      return `${m.name} ${r.name} ${nums.join(' ')}`;
    }
    default:
      return b.toString('hex', off, off + len);
  }
}

/** The canonical form of one answer (TCP answers without their length prefix); null: none came. */
export function canonical(b: Buffer | null): Canonical {
  if (b === null) return DROPPED;
  const flags = b.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((o) => b.readUInt16BE(o));
  let off = 12;
  for (let i = 0; i < counts[0]!; i++) off = readName(b, off).next + 4;
  const question = `${counts[0]} ${b.toString('hex', 12, off)}`;
  const sections: string[][] = [[], [], []];
  let opt: string | null = null;
  let extended = 0;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]!; i++) {
      const owner = readName(b, off);
      const type = b.readUInt16BE(owner.next);
      const klass = b.readUInt16BE(owner.next + 2);
      const ttl = b.readUInt32BE(owner.next + 4);
      const len = b.readUInt16BE(owner.next + 8);
      const data = owner.next + 10;
      if (type === OPT) {
        extended = b[owner.next + 4]!;
        const options: string[] = [];
        for (let o = data; o < data + len;) {
          const l = b.readUInt16BE(o + 2);
          options.push(`${b.readUInt16BE(o)}:${b.toString('hex', o + 4, o + 4 + l)}`);
          o += 4 + l;
        }
        opt = `size ${klass} version ${b[owner.next + 5]} do ${(b[owner.next + 6]! & 0x80) !== 0} options [${options.sort().join(' ')}]`;
      } else {
        sections[s]!.push(`${owner.name} ${ttl} ${klass} ${type} ${rdataText(b, type, data, len)}`);
      }
      off = data + len;
    }
  }
  return {
    dropped: false,
    size: b.length,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: (extended << 4) | (flags & 0xf),
    question,
    answer: sections[0]!.sort(),
    authority: sections[1]!.sort(),
    additional: sections[2]!.sort(),
    opt,
  };
}

/**
 * Sends one corpus query to 127.0.0.1:`port` (over TCP with its length prefix) and resolves with
 * the answer (without the prefix), or null when none came within `timeoutMs`.
 */
export function askRaw(port: number, q: Pick<CorpusQuery, 'bytes' | 'tcp'>, timeoutMs = 500): Promise<Buffer | null> {
  return new Promise((resolve) => {
    if (!q.tcp) {
      const s = createSocket('udp4');
      const t = setTimeout(() => {
        s.close();
        resolve(null);
      }, timeoutMs);
      s.once('message', (m) => {
        clearTimeout(t);
        s.close();
        resolve(m);
      });
      s.send(q.bytes, port, '127.0.0.1');
      return;
    }
    const sock = connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    const done = (answer: Buffer | null) => {
      clearTimeout(t);
      sock.destroy();
      resolve(answer);
    };
    const t = setTimeout(() => done(null), timeoutMs);
    sock.on('error', () => done(null));
    sock.on('close', () => done(null));
    sock.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) done(got.subarray(2, 2 + got.readUInt16BE(0)));
    });
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(q.bytes.length, 0);
    sock.write(Buffer.concat([prefix, q.bytes]));
  });
}
