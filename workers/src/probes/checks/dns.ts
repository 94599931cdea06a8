import { canonicalIPv6 } from '@vigil/contract';
import { randomInt } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as netConnect, isIPv6, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import * as packet from 'dns-packet';
import { type CheckOutcome, errorOutcome, failure, success } from '../result';
import { type CheckContext, checkEnding } from './context';

export interface DnsCheckOptions {
  address: string;
  port: number;
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
  /** The response code the answer must have. */
  rcode: string;
  /** A record in the answer section must have this data (presentation form). */
  answer?: string;
}

/** A DNS answer larger than this over TCP is not read further (a check needs its head and a few records). */
const TCP_ANSWER_LIMIT = 64 * 1024;

const name = (n: unknown) => String(n).toLowerCase().replace(/\.$/, '');

/** A record's data in presentation form, as a check's `answer` is written (names without the trailing dot). */
export function rdataText(a: packet.Answer): string {
  const d = (a as { data?: unknown }).data as Record<string, unknown> | string | Buffer[] | Buffer | undefined;
  switch (a.type) {
    case 'A':
      return String(d);
    case 'AAAA':
      return canonicalIPv6(String(d)) ?? String(d);
    case 'CNAME':
    case 'NS':
    case 'PTR':
    case 'DNAME':
      return name(d);
    case 'TXT': {
      const parts = Array.isArray(d) ? d : [d as Buffer | string];
      return parts.map((p) => (Buffer.isBuffer(p) ? p.toString('utf8') : String(p))).join('');
    }
    case 'MX': {
      const mx = d as { preference: number; exchange: string };
      return `${mx.preference} ${name(mx.exchange)}`;
    }
    case 'SRV': {
      const srv = d as { priority: number; weight: number; port: number; target: string };
      return `${srv.priority} ${srv.weight} ${srv.port} ${name(srv.target)}`;
    }
    case 'SOA': {
      const soa = d as { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
      return `${name(soa.mname)} ${name(soa.rname)} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`;
    }
    case 'CAA': {
      const caa = d as { flags: number; tag: string; value: string };
      return `${caa.flags} ${caa.tag} "${caa.value}"`;
    }
    default:
      return Buffer.isBuffer(d) ? d.toString('hex') : JSON.stringify(d);
  }
}

/** The expected `answer` in the form rdataText gives, for comparing: names and addresses without case or a trailing dot. */
function comparable(type: string, text: string): string {
  if (type === 'TXT') return text;
  if (type === 'CAA')
    return text
      .trim()
      .replace(/\s+/g, ' ')
      .replace(/^(\d+) (\S+) ([^"].*)$/, '$1 $2 "$3"')
      .toLowerCase();
  const collapsed = text.trim().replace(/\s+/g, ' ');
  if (type === 'AAAA') return canonicalIPv6(collapsed) ?? collapsed.toLowerCase();
  return collapsed
    .split(' ')
    .map((t) => t.toLowerCase().replace(/\.$/, ''))
    .join(' ');
}

/** The verdict on a decoded answer: its rcode, then (when set) the expected record data. */
export function judgeAnswer(res: packet.Packet, opts: Pick<DnsCheckOptions, 'type' | 'rcode' | 'answer'>, latency: number): CheckOutcome {
  const rcode = (res as { rcode?: string }).rcode ?? 'NOERROR';
  if (rcode !== opts.rcode) return failure(`rcode ${rcode}, expected ${opts.rcode}`, latency);
  if (opts.answer === undefined) return success(latency);
  const answers = res.answers ?? [];
  const found = answers.some((a) => comparable(a.type, rdataText(a)) === comparable(a.type, opts.answer!));
  if (found) return success(latency);
  if ((res.flags ?? 0) & packet.TRUNCATED_RESPONSE && answers.length === 0) {
    return failure('answer truncated (TC) over UDP; use transport tcp', latency);
  }
  const got = answers.length === 0 ? 'an empty answer section' : answers.map((a) => `${a.type} ${rdataText(a)}`).join(', ');
  const shown = got.length > 100 ? `${got.slice(0, 99)}…` : got;
  return failure(`answer has no ${opts.type} ${opts.answer} (got ${shown})`, latency);
}

/**
 * One DNS query to the address, over UDP (a connected socket, so only the target's datagrams
 * come in and an ICMP port unreachable fails at once) or TCP (two-byte length prefix, RFC 1035
 * 4.2.2). The reply must carry the query's id and question; its rcode and (when set) an expected
 * record decide. Recursion is not asked for: the address is checked as the authoritative it is.
 */
export function dnsCheck(opts: DnsCheckOptions, { signal, progress }: CheckContext): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const start = performance.now();
    const id = randomInt(0, 65536);
    const query = packet.encode({ type: 'query', id, flags: 0, questions: [{ type: opts.type as packet.RecordType, name: opts.name }] });
    let udp: UdpSocket | null = null;
    let tcp: Socket | null = null;
    const { end: done, watchAbort } = checkEnding(signal, resolve, () => {
      tcp?.destroy();
      try {
        udp?.close();
      } catch {
        // Already closed.
      }
    });

    /** A reply: null when it is not the answer to this query (another id, a garbled datagram), which is ignored over UDP. */
    const decode = (buf: Buffer): packet.Packet | null => {
      try {
        const res = packet.decode(buf);
        if (res.id !== id || res.type !== 'response') return null;
        const q = res.questions?.[0];
        if (q && (name(q.name) !== name(opts.name) || q.type !== opts.type)) return null;
        return res;
      } catch {
        return null;
      }
    };

    if (opts.transport === 'udp') {
      udp = createSocket({ type: isIPv6(opts.address) ? 'udp6' : 'udp4' });
      const socket = udp;
      socket.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? failure('port unreachable') : errorOutcome(e)));
      socket.on('message', (msg: Buffer) => {
        const res = decode(msg);
        if (res === null) {
          progress.waitingFor = 'no valid DNS answer (a reply that was not one came)';
          return;
        }
        done(judgeAnswer(res, opts, performance.now() - start));
      });
      socket.connect(opts.port, opts.address, () => {
        socket.send(query, (e) => {
          if (e) done(errorOutcome(e));
          else progress.waitingFor = 'no answer';
        });
      });
    } else {
      tcp = netConnect({ host: opts.address, port: opts.port, noDelay: true });
      const socket = tcp;
      let chunks: Buffer[] = [];
      let size = 0;
      socket.on('error', (e) => done(errorOutcome(e)));
      socket.once('connect', () => {
        progress.waitingFor = 'no answer';
        const framed = Buffer.alloc(2 + query.length);
        framed.writeUInt16BE(query.length, 0);
        query.copy(framed, 2);
        socket.write(framed);
      });
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size < 2) return;
        const all = Buffer.concat(chunks, size);
        chunks = [all];
        const length = all.readUInt16BE(0);
        if (length > TCP_ANSWER_LIMIT) return done(failure(`DNS answer of ${length} bytes, over ${TCP_ANSWER_LIMIT}`));
        if (size < 2 + length) return;
        const res = decode(all.subarray(2, 2 + length));
        done(
          res === null
            ? failure('invalid DNS answer (another id or question, or not a DNS message)')
            : judgeAnswer(res, opts, performance.now() - start),
        );
      });
      socket.once('end', () =>
        done(failure(size > 0 ? 'connection closed in the middle of the answer' : 'connection closed without an answer')),
      );
    }
    watchAbort();
  });
}
