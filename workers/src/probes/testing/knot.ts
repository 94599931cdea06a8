// A real authoritative DNS server for the probe's CNAME tests: Knot DNS on a free loopback port
// (@vigil/stack's startKnotServer), and a slow resolver in front of a DNS server.
import { commandProblem, type KnotServer, knotdCommand, startKnotServer } from '@vigil/stack';
import { createSocket, type Socket } from 'node:dgram';

export type { KnotServer };

/**
 * Starts knotd serving `zones` (see startKnotServer). Never a skip: without knotd and kdig these
 * tests cannot tell anything, so they fail saying so.
 */
export function startKnot(zones: Record<string, string | null>): Promise<KnotServer> {
  if (commandProblem('kdig', ['--version'])) throw new Error('kdig is needed by the CNAME probe tests (apt-get install knot-dnsutils)');
  if (knotdCommand() === null) throw new Error('knotd is needed by the CNAME probe tests, which resolve through it (apt-get install knot)');
  return startKnotServer(zones);
}

/**
 * The zones of the CNAME tests: example.test's names resolve to loopback addresses (A only, AAAA
 * only, both), to a private address, to nothing (a TXT record only) or not at all (NXDOMAIN);
 * broken.test is SERVFAIL (its zone file is missing), and other names are REFUSED.
 */
export const TEST_ZONES: Record<string, string | null> = {
  'example.test': `$ORIGIN example.test.
$TTL 60
@       SOA   ns.example.test. hostmaster.example.test. 1 3600 600 86400 60
@       NS    ns
ns      A     127.0.0.1
lb1     A     127.0.0.2
lb2     A     127.0.0.3
dual    A     127.0.0.4
dual    AAAA  ::1
v6      AAAA  ::1
private A     10.0.0.5
empty   TXT   "no address records"
chain   CNAME lb1
`,
  'broken.test': null,
};

export interface SlowResolver {
  /** The server as PROBE_RESOLVERS names it. */
  resolver: string;
  /** Queries received so far. */
  queries: number;
  close(): Promise<void>;
}

/**
 * A resolver in front of the DNS server on 127.0.0.1:`upstreamPort` that holds each query
 * `delayMs` before passing it on, and counts them: a slow resolver, and a witness of how often
 * the probe asked.
 */
export async function startSlowResolver(upstreamPort: number, delayMs: number): Promise<SlowResolver> {
  const front = createSocket('udp4');
  const upstream = createSocket('udp4');
  const bind = (s: Socket) => new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  await Promise.all([bind(front), bind(upstream)]);
  // Query id → who asked: the answer goes back to them.
  const askers = new Map<number, { port: number; address: string }>();
  const timers = new Set<NodeJS.Timeout>();
  const r: SlowResolver = {
    resolver: `127.0.0.1:${front.address().port}`,
    queries: 0,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      await Promise.all([front, upstream].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
  front.on('message', (query, from) => {
    r.queries++;
    askers.set(query.readUInt16BE(0), { port: from.port, address: from.address });
    const t = setTimeout(() => {
      timers.delete(t);
      upstream.send(query, upstreamPort, '127.0.0.1');
    }, delayMs);
    timers.add(t);
  });
  upstream.on('message', (answer) => {
    const to = askers.get(answer.readUInt16BE(0));
    if (to) front.send(answer, to.port, to.address);
  });
  return r;
}
