// A DNS client over UDP for the system tests and the benchmarks (the workers' own tests have
// richer helpers beside the server, in workers/src/dns/testing).
import { createSocket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';

/** Where a query goes, and from which local address (a test's client address on a namespace network). */
export interface Peer {
  host?: string;
  from?: string;
}

/** One query; rejects after `timeoutMs` without an answer. */
export function udpQuery(
  port: number,
  name: string,
  type: dnsPacket.RecordType = 'A',
  timeoutMs = 1000,
  { host = '127.0.0.1', from }: Peer = {},
): Promise<dnsPacket.Packet> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    if (from) s.bind(0, from);
    const t = setTimeout(() => {
      s.close();
      reject(new Error(`no answer for ${name} ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(dnsPacket.decode(m));
    });
    s.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type, name }] }), port, host);
  });
}

export interface SteadyResult {
  /** The longest time without an answer, in milliseconds. */
  longestGapMs: number;
  answered: number;
  /** Queries still unanswered half a second after the last was sent. */
  lost: number;
}

/**
 * A client that asks every `everyMs` and remembers when answers came, so a test or benchmark can
 * tell how long the server kept it waiting. `stop()` ends it and says.
 */
export function steadyClient(
  port: number,
  name: string,
  everyMs = 5,
  { host = '127.0.0.1', from }: Peer = {},
): { stop(): Promise<SteadyResult> } {
  const socket = createSocket('udp4');
  if (from) socket.bind(0, from);
  const sent = new Set<number>();
  let id = 0;
  let last = performance.now();
  let longest = 0;
  let answered = 0;
  socket.on('message', (msg) => {
    const r = dnsPacket.decode(msg);
    if (r.id === undefined || !sent.delete(r.id)) return;
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    answered++;
  });
  const timer = setInterval(() => {
    id = (id + 1) % 65536;
    sent.add(id);
    socket.send(dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name }] }), port, host);
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      // Answers still on their way arrive first.
      await new Promise((r) => setTimeout(r, 500));
      socket.close();
      return { longestGapMs: Math.round(longest * 10) / 10, answered, lost: sent.size };
    },
  };
}
