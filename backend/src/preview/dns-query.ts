// One real query to a Vigil DNS server with an EDNS Client Subnet (RFC 7871) naming the client, so
// the answer is the one that server gives that client now: its pickers and health, not a copy of them.
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import * as packet from 'dns-packet';

export interface DnsServer {
  host: string;
  port: number;
}

export interface DnsAnswer {
  rcode: string;
  answers: packet.Answer[];
  /** The ECS scope the server echoed (the prefix the answer depended on), or null without one. */
  scope: number | null;
}

export class DnsQueryError extends Error {}

/** The query: no recursion asked (the server is authoritative), ECS for the whole client address. */
export function previewQuery(id: number, name: string, type: packet.RecordType, client: string): packet.Packet {
  const v6 = isIPv6(client);
  return {
    type: 'query',
    id,
    flags: 0,
    questions: [{ name, type, class: 'IN' }],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: 1232,
        options: [
          { code: 8, type: 'CLIENT_SUBNET', family: v6 ? 2 : 1, sourcePrefixLength: v6 ? 128 : 32, scopePrefixLength: 0, ip: client },
        ],
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0,
        flag_do: false,
      },
    ],
  };
}

function readAnswer(msg: Buffer, id: number): (DnsAnswer & { truncated: boolean }) | null {
  let p: packet.Packet;
  try {
    p = packet.decode(msg);
  } catch {
    throw new DnsQueryError('the DNS server sent a message that could not be read');
  }
  if (p.id !== id || p.type !== 'response') return null;
  const opt = (p.additionals ?? []).find((a) => a.type === 'OPT') as
    { options?: { code: number; scopePrefixLength?: number }[] } | undefined;
  const ecs = opt?.options?.find((o) => o.code === 8);
  return {
    rcode: (p as { rcode?: string }).rcode ?? 'NOERROR',
    answers: p.answers ?? [],
    scope: ecs?.scopePrefixLength ?? null,
    truncated: ((p.flags ?? 0) & packet.TRUNCATED_RESPONSE) !== 0,
  };
}

function udp(server: DnsServer, query: Buffer, id: number, timeoutMs: number): Promise<DnsAnswer & { truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const s = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    const done = (f: () => void) => {
      clearTimeout(timer);
      s.close();
      f();
    };
    const timer = setTimeout(() => done(() => reject(new DnsQueryError(`no answer within ${timeoutMs} ms`))), timeoutMs);
    s.on('error', (e) => done(() => reject(new DnsQueryError(e.message))));
    s.on('message', (m) => {
      try {
        const a = readAnswer(m, id);
        if (a) done(() => resolve(a));
      } catch (e) {
        done(() => reject(e as Error));
      }
    });
    s.send(query, server.port, server.host);
  });
}

function tcp(server: DnsServer, query: Buffer, id: number, timeoutMs: number): Promise<DnsAnswer> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: server.host, port: server.port });
    let buf = Buffer.alloc(0);
    const done = (f: () => void) => {
      clearTimeout(timer);
      sock.destroy();
      f();
    };
    const timer = setTimeout(() => done(() => reject(new DnsQueryError(`no answer over TCP within ${timeoutMs} ms`))), timeoutMs);
    sock.on('error', (e) => done(() => reject(new DnsQueryError(e.message))));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      try {
        const a = readAnswer(buf.subarray(2, 2 + buf.readUInt16BE(0)), id);
        done(() => (a ? resolve(a) : reject(new DnsQueryError('the DNS server answered another query'))));
      } catch (e) {
        done(() => reject(e as Error));
      }
    });
  });
}

/** Asks over UDP, and again over TCP when the answer did not fit (TC). */
export async function queryWithClientSubnet(
  server: DnsServer,
  name: string,
  type: packet.RecordType,
  client: string,
  timeoutMs = 2000,
): Promise<DnsAnswer> {
  const id = randomInt(1, 65536);
  const query = packet.encode(previewQuery(id, name, type, client));
  const first = await udp(server, query, id, timeoutMs);
  if (!first.truncated) return { rcode: first.rcode, answers: first.answers, scope: first.scope };
  return tcp(server, query, id, timeoutMs);
}
