// Knot DNS (knotd, Debian's `knot` package) on a free loopback port, with its configuration and
// zones in a temporary directory: the reference authoritative server of the probes' CNAME tests,
// the differential test of Vigil's DNS answers and the answer-size benchmark.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { udpQuery } from './dns-client';
import { commandProblem } from './prerequisite';
import { type Service, startService, stopService } from './spawn';
import { freePort } from './wait';

export interface KnotServer {
  port: number;
  /** The server as PROBE_RESOLVERS names it. */
  resolver: string;
  stop(): Promise<void>;
}

export interface KnotOptions {
  /** server.edns-client-subnet: read the client subnet option, echo it, and FORMERR a malformed one. */
  ecs?: boolean;
  /** server.nsid "": no NSID option in answers (by default Knot sends its host name when asked, RFC 5001). */
  noNsid?: boolean;
}

/** The knotd command (in /usr/sbin, which a user's PATH may lack), or null when it is not installed. */
export function knotdCommand(): string | null {
  for (const command of ['knotd', '/usr/sbin/knotd']) if (commandProblem(command, ['--version']) === null) return command;
  return null;
}

/**
 * Starts knotd serving `zones` (domain → zone file text; null: a zone whose file is missing, which
 * Knot answers with SERVFAIL) and resolves once the first zone's SOA is answered. Names outside
 * the zones are answered REFUSED. Throws when knotd is not installed.
 */
export async function startKnotServer(zones: Record<string, string | null>, options: KnotOptions = {}): Promise<KnotServer> {
  const knotd = knotdCommand();
  if (knotd === null) throw new Error('knotd is not installed (apt-get install knot)');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-knot-'));
  const port = await freePort();
  const zoneConf = Object.entries(zones).map(([domain, text]) => {
    const file = join(dir, `${domain}.zone`);
    if (text !== null) writeFileSync(file, text);
    return `  - domain: ${domain}\n    file: "${file}"\n`;
  });
  const conf = join(dir, 'knot.conf');
  writeFileSync(
    conf,
    `server:\n  rundir: "${dir}"\n  listen: 127.0.0.1@${port}\n  udp-workers: 1\n  tcp-workers: 1\n  background-workers: 1\n` +
      (options.ecs ? '  edns-client-subnet: on\n' : '') +
      (options.noNsid ? '  nsid: ""\n' : '') +
      `log:\n  - target: stderr\n    any: info\n` +
      `database:\n  storage: "${dir}"\n` +
      `template:\n  - id: default\n    storage: "${dir}"\n` +
      `zone:\n${zoneConf.join('')}`,
  );
  const first = Object.keys(zones)[0]!;
  let service: Service;
  try {
    service = await startService(`knotd on port ${port}`, knotd, ['-c', conf], async () => {
      const answer = await udpQuery(port, first, 'SOA', 500);
      return (answer as { rcode?: string }).rcode === 'NOERROR';
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    resolver: `127.0.0.1:${port}`,
    stop: async () => {
      await stopService(service, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
