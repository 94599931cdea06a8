// Issue 11's fuzz test: the real dns process (from source) gets 100,000 malformed UDP datagrams
// and over 10,000 TCP messages built from a fixed seed, quickly, and must stay up, answer only
// the sender, never answer a malformed datagram with more bytes than it got, answer each with the
// error that fits, keep its TCP framing in step with the bytes sent, and then answer well-formed
// queries as before. FUZZ_SEED=<n> replays another run; the seed is printed either way.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { freePort, type Running, stopProcess, waitReady } from '@vigil/stack';
import { RCODE, RCODE_NAMES } from '../constants';
import { aData, decode, query, tcp, udp } from '../testing/client';
import { ANY_ERROR, type Case, fullRcode, Gen, HOSTED, malformed, validCase } from '../testing/malformed';
import { seeded } from '../testing/random';
import { RedisFixture } from '../testing/redis';
import { rr, zone } from '../testing/zones';
import { startDnsProcess } from './harness';

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_111);
const UDP_MALFORMED = 100_000;
/** Of those, the 65,507-byte ones (sent in small bursts of their own). */
const UDP_MAX_SIZE = 200;
const TCP_MESSAGES = 10_000;
const SOCKETS = 8;
const BURST = 1024;

const ANSWERS: Record<string, (m: dnsPacket.Packet) => unknown> = {
  A: (m) => aData(m),
  AAAA: (m) => aData(m),
  TXT: (m) => (m.answers ?? []).map((a) => String((a as { data: Buffer[] }).data)),
};
const EXPECTED: Record<string, unknown> = { A: ['192.0.2.1'], AAAA: ['2001:db8::1'], TXT: ['fuzz'] };

interface Stats {
  sent: number;
  answered: number;
  rcodes: Record<string, number>;
}

/** Everything the run saw go wrong, with enough to replay it. */
class Findings {
  readonly problems: string[] = [];
  readonly stats = new Map<string, Stats>();

  of(kind: string): Stats {
    let s = this.stats.get(kind);
    if (!s) this.stats.set(kind, (s = { sent: 0, answered: 0, rcodes: {} }));
    return s;
  }

  problem(what: string, c?: Case, sent?: Buffer, answer?: Buffer): void {
    if (this.problems.length >= 50) return;
    const hex = (b?: Buffer) => (b ? `${b.subarray(0, 80).toString('hex')}${b.length > 80 ? '…' : ''} (${b.length} bytes)` : '');
    this.problems.push(`${what}${c ? ` [${c.kind}]` : ''}${sent ? `\n  sent ${hex(sent)}` : ''}${answer ? `\n  got  ${hex(answer)}` : ''}`);
  }

  /** Checks one answer to one message against what its kind allows. */
  check(c: Case, sent: Buffer, answer: Buffer, via: string, misframed = false): void {
    const s = this.of(`${via} ${misframed ? 'misframed' : c.kind}`);
    s.answered++;
    if (c.expect === 'drop') return this.problem(`${via}: answered a message that deserves no answer`, c, sent, answer);
    let m: dnsPacket.Packet & { flag_qr?: boolean };
    try {
      m = dnsPacket.decode(answer);
    } catch (e) {
      return this.problem(`${via}: an answer that does not decode (${(e as Error).message})`, c, sent, answer);
    }
    const rcode = fullRcode(m, answer);
    const name = RCODE_NAMES[rcode] ?? String(rcode);
    s.rcodes[name] = (s.rcodes[name] ?? 0) + 1;
    if (!m.flag_qr) this.problem(`${via}: an answer without QR`, c, sent, answer);
    if (m.id !== sent.readUInt16BE(0)) this.problem(`${via}: an answer with another id`, c, sent, answer);
    if (c.valid) {
      const got = ANSWERS[c.valid.type]!(m);
      if (rcode !== 0 || JSON.stringify(got) !== JSON.stringify(EXPECTED[c.valid.type]))
        this.problem(`${via}: a wrong answer to ${c.valid.name} ${c.valid.type}: ${name} ${JSON.stringify(got)}`, c, sent, answer);
      return;
    }
    // Misframed TCP messages are whatever bytes the framing cut out: only no crash and no SERVFAIL is asked.
    const allowed = misframed ? [...ANY_ERROR, RCODE.NOERROR, RCODE.NXDOMAIN] : c.expect;
    if (!allowed.includes(rcode))
      this.problem(`${via}: ${name}, where ${allowed.map((r) => RCODE_NAMES[r]).join('/')} fits`, c, sent, answer);
    if (!misframed && answer.length > sent.length + edeBytes(rcode, answer))
      this.problem(`${via}: a ${answer.length}-byte answer to ${sent.length} bytes`, c, sent, answer);
  }

  summary(): string {
    return [...this.stats.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([k, s]) =>
          `${k.padEnd(30)} ${String(s.sent).padStart(6)} sent ${String(s.answered).padStart(6)} answered ${JSON.stringify(s.rcodes)}`,
      )
      .join('\n');
  }
}

interface Sender {
  socket: UdpSocket;
  /** What this socket sent in the current burst, by id. */
  pending: Map<number, { c: Case; bytes: Buffer }>;
  /** The id of the query that closes the burst on this socket, and who waits for its answer. */
  sentinel: { id: number; done: () => void } | null;
}

async function openSocket(onMessage: (msg: Buffer, from: { address: string; port: number }) => void): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  socket.on('message', onMessage);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.setRecvBufferSize(4 * 1024 * 1024);
  socket.setSendBufferSize(4 * 1024 * 1024);
  return socket;
}

/**
 * Sends cases over UDP from several sockets in bursts. A burst ends with one well-formed query per
 * socket: the server answers in order, so once that answer is back every answer of the burst is.
 */
class UdpFuzzer {
  private readonly senders: Sender[] = [];
  private readonly retired = new Set<number>();
  private nextId = 0;
  bystanderGot = 0;
  private bystander: UdpSocket | null = null;

  constructor(
    private readonly port: number,
    private readonly findings: Findings,
    /** Names this run in the findings: udp-batch, udp-dgram. */
    private readonly via: string,
  ) {}

  async open(): Promise<void> {
    // Sends nothing: anything it receives went to someone who did not ask.
    this.bystander = await openSocket(() => this.bystanderGot++);
    for (let i = 0; i < SOCKETS; i++) {
      const sender: Sender = { socket: null as unknown as UdpSocket, pending: new Map(), sentinel: null };
      sender.socket = await openSocket((msg, from) => this.received(sender, msg, from));
      this.senders.push(sender);
    }
  }

  close(): void {
    for (const s of this.senders) s.socket.close();
    this.bystander?.close();
  }

  private id(): number {
    const id = this.nextId;
    this.nextId = (this.nextId + 1) & 0xffff;
    return id;
  }

  private received(s: Sender, msg: Buffer, from: { address: string; port: number }): void {
    if (from.port !== this.port || from.address !== '127.0.0.1')
      return this.findings.problem(`${this.via}: a datagram from ${from.address}:${from.port}`);
    if (msg.length < 12) return this.findings.problem(`${this.via}: an answer shorter than a header`, undefined, undefined, msg);
    const id = msg.readUInt16BE(0);
    if (s.sentinel?.id === id) {
      const m = decode(msg);
      if (m.rcode !== 'NOERROR' || aData(m)[0] !== '192.0.2.1')
        this.findings.problem(`${this.via}: a wrong answer to the end-of-burst query`, undefined, undefined, msg);
      s.sentinel.done();
      return;
    }
    const sent = s.pending.get(id);
    if (sent === undefined) {
      if (!this.retired.has(id))
        this.findings.problem(`${this.via}: an answer (id ${id}) to nothing this socket has waiting`, undefined, undefined, msg);
      return;
    }
    s.pending.delete(id);
    this.findings.check(sent.c, sent.bytes, msg, this.via);
  }

  async burst(cases: Case[]): Promise<void> {
    cases.forEach((c, i) => {
      const s = this.senders[i % SOCKETS]!;
      const bytes = Buffer.from(c.bytes);
      if (bytes.length >= 2) {
        const id = this.id();
        bytes.writeUInt16BE(id, 0);
        s.pending.set(id, { c, bytes });
      }
      this.findings.of(`${this.via} ${c.kind}`).sent++;
      s.socket.send(bytes, this.port, '127.0.0.1');
    });
    await Promise.all(this.senders.map((s) => this.drain(s)));
    this.retired.clear();
    for (const s of this.senders) s.pending.clear();
  }

  /** Resolves once this socket's end-of-burst query is answered; asks again (new id) if it got lost. */
  private async drain(s: Sender): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const id = this.id();
      const answered = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 1000);
        s.sentinel = { id, done: () => (clearTimeout(timer), resolve(true)) };
      });
      s.socket.send(query(`www.${HOSTED}`, 'A', { id }), this.port, '127.0.0.1');
      const ok = await answered;
      s.sentinel = null;
      if (ok) return;
      this.retired.add(id);
    }
    throw new Error('the end-of-burst query got no answer in 10 tries');
  }
}

/** How the server frames a TCP byte stream (RFC 1035 4.2.2): each complete length-prefixed message. */
/**
 * The one allowance on "never more bytes than it got": a REFUSED may end with the 6 bytes of an
 * Extended DNS Error 20, Not Authoritative (RFC 8914), as Knot's does: at most 6 bytes over a
 * query that had an OPT (11 bytes or more), never a reflection worth the name.
 */
function edeBytes(rcode: number, answer: Buffer): number {
  const edeNotAuthoritative = Buffer.from([0x00, 0x0f, 0x00, 0x02, 0x00, 0x14]);
  return rcode === RCODE.REFUSED && answer.subarray(answer.length - 6).equals(edeNotAuthoritative) ? 6 : 0;
}

function frames(stream: Buffer): { at: number; msg: Buffer }[] {
  const out: { at: number; msg: Buffer }[] = [];
  let off = 0;
  while (stream.length - off >= 2) {
    const len = stream.readUInt16BE(off);
    if (stream.length - off - 2 < len) break;
    out.push({ at: off, msg: stream.subarray(off + 2, off + 2 + len) });
    off += 2 + len;
  }
  return out;
}

const frame = (msg: Buffer, len = msg.length) => Buffer.concat([Buffer.from([len >> 8, len & 0xff]), msg]);

type Ending = 'fin' | 'partial-fin' | 'stall' | 'idle';

interface Conversation {
  stream: Buffer;
  ending: Ending;
  /** The case framed at each stream offset, for the messages sent whole. */
  cases: Map<number, Case>;
}

/** One connection's bytes: many messages, some framed wrong, some zero-length, some garbage between. */
function conversation(g: Gen, n = g.between(1, 120)): Conversation {
  const parts: Buffer[] = [];
  const cases = new Map<number, Case>();
  let at = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    at += b.length;
  };
  for (let i = 0; i < n; i++) {
    const r = g.rand();
    const c = r < 0.08 ? validCase(g) : malformed(g);
    if (c.bytes.length >= 2) c.bytes.writeUInt16BE(i, 0);
    if (r < 0.9) {
      cases.set(at, c);
      push(frame(c.bytes));
    } else if (r < 0.94) {
      // A length that does not match: the server reads past it (or stops short) and frames on from there.
      push(frame(c.bytes, Math.max(0, c.bytes.length + g.between(-20, 20))));
    } else if (r < 0.97) {
      push(frame(Buffer.alloc(0)));
    } else {
      push(g.bytes(g.between(1, 40)));
    }
  }
  const e = g.rand();
  const ending: Ending = e < 0.82 ? 'fin' : e < 0.97 ? 'partial-fin' : e < 0.985 ? 'stall' : 'idle';
  // A length promising more than follows.
  if (ending === 'partial-fin' || ending === 'stall') push(Buffer.concat([Buffer.from([0xff, g.int(256)]), g.bytes(g.int(100))]));
  return { stream: Buffer.concat(parts), ending, cases };
}

/** Sends one conversation on a new connection; resolves with the answers once the server closes it. */
function converse(port: number, conv: Conversation): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const answers: Buffer[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TCP (${conv.ending}): the server kept the connection open for 10 s`));
    }, 10_000);
    socket.on('connect', () => {
      socket.write(conv.stream);
      // Half-close: the server answers what came whole and closes its side too.
      if (conv.ending === 'fin' || conv.ending === 'partial-fin') socket.end();
    });
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      let used = 0;
      for (const f of frames(buf)) {
        answers.push(Buffer.from(f.msg));
        used = f.at + 2 + f.msg.length;
      }
      buf = buf.subarray(used);
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (buf.length) reject(new Error(`TCP: ${buf.length} bytes of an unfinished answer when the server closed`));
      else resolve(answers);
    });
  });
}

/** One dns process under fuzz, per way of moving UDP (the addon's batches and Node's dgram). */
interface Target {
  io: 'batch' | 'dgram';
  proc: Running;
  port: number;
}

describe(`DNS fuzz (seed ${SEED}): malformed UDP and TCP, then well-formed queries`, () => {
  const redis = new RedisFixture();
  const findings = new Findings();
  const targets: Target[] = [];
  const g = new Gen(seeded(SEED));

  const start = async (io: Target['io']): Promise<Target> => {
    const port = await freePort();
    const metricsPort = await freePort();
    const proc = startDnsProcess(
      {
        PATH: process.env.PATH,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.prefix,
        DNS_HOST: '127.0.0.1',
        DNS_PORT: String(port),
        METRICS_PORT: String(metricsPort),
        // batch fails at start when the addon was not built: that is a failure here, not a skip.
        DNS_UDP_IO: io,
        // One process: a burst is known to be answered once its last query is, because one server
        // answers a socket's datagrams in order. Two processes reading dgram's one shared socket
        // answer them in any order (as UDP may); cluster.spec.ts covers several processes.
        DNS_PROCESSES: '1',
        DNS_TCP_MESSAGE_TIMEOUT_MS: '1000',
        DNS_TCP_IDLE_TIMEOUT_MS: '1000',
        LOG_LEVEL: 'warn',
      },
      `http://127.0.0.1:${metricsPort}/healthz`,
    );
    const t = { io, proc, port };
    targets.push(t);
    await waitReady(proc, 60_000);
    return t;
  };

  beforeAll(async () => {
    console.log(`DNS fuzz seed ${SEED}: FUZZ_SEED=${SEED} replays this run`);
    await redis.putZone(
      zone(HOSTED, [
        rr(`www.${HOSTED}`, 'A', ['192.0.2.1']),
        rr(`www.${HOSTED}`, 'AAAA', ['2001:db8::1']),
        rr(`txt.${HOSTED}`, 'TXT', ['fuzz']),
      ]),
    );
    await Promise.all([start('batch'), start('dgram')]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(targets.map((t) => stopProcess(t.proc)));
    await redis.close();
    // What each kind got, when something went wrong (FUZZ_SEED=<n> replays the run).
    if (findings.problems.length) console.log(`DNS fuzz seed ${SEED}\n${findings.summary()}`);
  });

  const alive = (t: Target) => {
    const c = t.proc.child;
    if (c.exitCode !== null || c.signalCode !== null)
      throw new Error(`the dns process (${t.io}) died (${c.signalCode ?? c.exitCode}):\n${t.proc.output().slice(-4000)}`);
  };

  it.each(['batch', 'dgram'] as const)(
    `survives ${UDP_MALFORMED} malformed UDP datagrams (%s), answering only the sender, never with more bytes, with the error that fits`,
    async (io) => {
      const t = targets.find((x) => x.io === io)!;
      const fuzzer = new UdpFuzzer(t.port, findings, `udp-${io}`);
      await fuzzer.open();
      const started = Date.now();
      try {
        let sent = 0;
        while (sent < UDP_MAX_SIZE) {
          const n = Math.min(16, UDP_MAX_SIZE - sent);
          await fuzzer.burst(Array.from({ length: n }, () => malformed(g, 'max-size')));
          sent += n;
        }
        while (sent < UDP_MALFORMED) {
          const cases: Case[] = [];
          for (let i = 0; i < BURST && sent < UDP_MALFORMED; i++) {
            if (g.rand() < 0.02) cases.push(validCase(g));
            else {
              cases.push(malformed(g));
              sent++;
            }
          }
          await fuzzer.burst(cases);
          alive(t);
        }
      } finally {
        fuzzer.close();
      }
      console.log(`UDP (${io}): ${UDP_MALFORMED} malformed datagrams in ${Date.now() - started} ms`);
      alive(t);
      expect(fuzzer.bystanderGot).toBe(0);
      expect(findings.problems).toEqual([]);
      // Most of what deserves an answer got one (a busy machine may drop a few datagrams).
      let answerable = 0;
      let answered = 0;
      for (const [kind, s] of findings.stats) {
        if (!kind.startsWith(`udp-${io} `) || ['short', 'empty', 'truncated-header', 'response'].some((k) => kind.endsWith(` ${k}`)))
          continue;
        answerable += s.sent;
        answered += s.answered;
        expect([kind, s.answered > 0]).toEqual([kind, true]);
      }
      expect(answered / answerable).toBeGreaterThan(0.5);
    },
    60_000,
  );

  it(`keeps its TCP framing in step over ${TCP_MESSAGES}+ messages: bad lengths, zero lengths, garbage, half-closes and stalls`, async () => {
    const t = targets[0]!;
    // Two long pipelines first, then connections of up to 120 messages.
    const convs: Conversation[] = [conversation(g, 1500), conversation(g, 1500)];
    let messages = convs.reduce((n, c) => n + frames(c.stream).length, 0);
    while (messages < TCP_MESSAGES) {
      const c = conversation(g);
      convs.push(c);
      messages += frames(c.stream).length;
    }
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < convs.length) {
        const conv = convs[next++]!;
        const answers = await converse(t.port, conv);
        // What deserves an answer, in the order sent: every whole message of at least a header that is not a response.
        const due = frames(conv.stream).filter((f) => f.msg.length >= 12 && !(f.msg[2]! & 0x80));
        for (const f of frames(conv.stream)) findings.of(`tcp ${conv.cases.get(f.at)?.kind ?? 'misframed'}`).sent++;
        if (answers.length !== due.length) {
          findings.problem(`tcp (${conv.ending}): ${answers.length} answers to ${due.length} messages that deserve one`);
          continue;
        }
        due.forEach((f, i) => {
          const c = conv.cases.get(f.at);
          findings.check(c ?? { kind: 'misframed', bytes: f.msg, expect: ANY_ERROR }, f.msg, answers[i]!, 'tcp', c === undefined);
        });
        alive(t);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    console.log(`TCP: ${messages} messages on ${convs.length} connections in ${Date.now() - started} ms`);
    alive(t);
    expect(findings.problems).toEqual([]);
  }, 60_000);

  it('then answers well-formed queries over UDP and TCP as before', async () => {
    for (const t of targets) {
      alive(t);
      for (const ask of [udp, tcp]) {
        const a = await ask(t.port, query(`www.${HOSTED}`, 'A'));
        expect([a.rcode, a.flag_aa, aData(a)]).toEqual(['NOERROR', true, ['192.0.2.1']]);
        const aaaa = await ask(t.port, query(`www.${HOSTED}`, 'AAAA', { edns: true }));
        expect([aaaa.rcode, aData(aaaa)]).toEqual(['NOERROR', ['2001:db8::1']]);
        const nx = await ask(t.port, query(`nx.${HOSTED}`, 'A'));
        expect([nx.rcode, nx.answers, nx.authorities?.[0]?.type]).toEqual(['NXDOMAIN', [], 'SOA']);
        expect((await ask(t.port, query('www.nothere.test', 'A'))).rcode).toBe('REFUSED');
      }
      // No query made the engine fail (it would have answered SERVFAIL and logged it).
      expect(t.proc.output()).not.toContain('Query failed');
    }
  });
});
