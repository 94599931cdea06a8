import { promises as dns } from 'node:dns';
import { isIPv4, isIPv6 } from 'node:net';
import { type CheckOutcome, type CheckProgress, failure, noVote } from '../result';

/**
 * Resolving a CNAME record set's target names, for checks of the address each resolves to:
 * c-ares (node:dns), one Resolver per check so that its deadline can cancel the queries.
 */

/** A check's context as resolving needs it: the deadline's abort and what the check waits for. */
export interface ResolveContext {
  signal: AbortSignal;
  progress: CheckProgress;
}

export type Resolution = { ok: true; address: string } | { ok: false; outcome: CheckOutcome };

const SERVER_EXAMPLES = '192.0.2.53, 192.0.2.53:5353, 2001:db8::53 or [2001:db8::53]:5353';

/** One PROBE_RESOLVERS entry in the `host:port` form c-ares takes, or null when it is not one. */
function resolverServer(raw: string): string | null {
  // Node drops an IPv6 zone id (fe80::1%eth0) without a word, so such a server would not be reached.
  if (raw.includes('%')) return null;
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(raw);
  const v4 = /^([^:]+)(?::(\d{1,5}))?$/.exec(raw);
  let host: string;
  let port = 53;
  if (bracketed && isIPv6(bracketed[1]!)) {
    host = `[${bracketed[1]}]`;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (isIPv6(raw)) {
    host = `[${raw}]`;
  } else if (v4 && isIPv4(v4[1]!)) {
    host = v4[1]!;
    if (v4[2] !== undefined) port = Number(v4[2]);
  } else {
    return null;
  }
  // Port 0 is no server, and Node's setServers() aborts the process on it rather than throwing.
  return port >= 1 && port <= 65535 ? `${host}:${port}` : null;
}

/**
 * Parses PROBE_RESOLVERS: comma-separated IP addresses of recursive resolvers, each with an
 * optional port (an IPv6 address with a port in brackets). Empty: the servers of the system's
 * /etc/resolv.conf. Throws a readable error on a bad entry.
 */
export function parseResolvers(spec: string | undefined): string[] {
  const servers: string[] = [];
  for (const raw of (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const server = resolverServer(raw);
    if (server === null) throw new Error(`"${raw}" is not a resolver address such as ${SERVER_EXAMPLES} (IP addresses, not names)`);
    servers.push(server);
  }
  return servers;
}

/**
 * c-ares's timeout of its first try at each server (it doubles with each try) and how often it
 * tries: a lost datagram is sent again within the check's deadline, and c-ares gives up only
 * after the deadline (7 first-try timeouts), so a resolver that does not answer is reported by
 * the deadline, which knows whether the probe itself was stalled.
 */
export function resolverOptions(timeoutMs: number): { timeout: number; tries: number } {
  return { timeout: Math.min(2000, Math.max(250, Math.floor(timeoutMs / 4))), tries: 3 };
}

/** The target's own failures, by c-ares's code: DNS said so about its name. */
const TARGET_FAILURES: Record<string, string> = {
  ENOTFOUND: 'NXDOMAIN',
  ESERVFAIL: 'SERVFAIL',
  EFORMERR: 'FORMERR',
  ENOTIMP: 'NOTIMP',
  EBADRESP: 'bad response',
  EBADNAME: 'not a valid name',
  EBADQUERY: 'not a valid name',
};

/**
 * The outcome of a failed resolution of `name` with c-ares's `code`. Whose fault is it?
 * - NXDOMAIN, no address records, SERVFAIL: the name's zone answered (or its servers failed, which
 *   a recursive resolver reports as SERVFAIL), so it is the target's: a vote down.
 * - A timeout (c-ares gave up): counted as the target's as well, since a recursive resolver that
 *   waits on a zone's dead servers may well stay silent; the runner still makes it no vote when
 *   the probe itself was stalled (timedOut), as it does for the deadline.
 * - Connection refused (every server of PROBE_RESOLVERS refused our datagrams: nothing listens)
 *   and REFUSED (the resolver does not serve this probe; recursive resolvers answer SERVFAIL, not
 *   REFUSED, for a zone whose servers refuse) say nothing about the target: the probe cannot
 *   resolve any name. Were they votes, a probe with a broken resolver would vote every CNAME
 *   target down at once, and enough such probes would fail them all over. So they are no vote,
 *   as are the probe's own resource limits.
 */
export function resolveFailure(name: string, code: string): CheckOutcome {
  const what = `resolve ${name}`;
  switch (code) {
    case 'ENODATA':
      return failure(`${what}: no A or AAAA records`);
    case 'ETIMEOUT':
      return { ...failure(`${what}: timeout`), timedOut: true };
    case 'ECONNREFUSED':
      return noVote('resolver', `probe resolver unreachable, no vote: ${what}: connection refused`);
    case 'EREFUSED':
      return noVote('resolver', `probe resolver refused, no vote: ${what}: REFUSED`);
    case 'ENOMEM':
    case 'EFILE':
    case 'EDESTRUCTION':
    case 'ENOTINITIALIZED':
      return { ...failure(`${what}: probe error (${code})`), probeFault: true };
    case 'ECANCELLED':
      return failure('aborted');
    default:
      return failure(`${what}: ${TARGET_FAILURES[code] ?? code}`);
  }
}

const codeOf = (e: unknown): unknown => (e as { code?: unknown } | null)?.code;

/**
 * Resolves `name` (without a trailing dot) to the address the check connects to: its first A
 * record, or its first AAAA record when it has no A records. The queries are cancelled when
 * `ctx.signal` aborts (the deadline); `servers` empty uses /etc/resolv.conf's.
 */
export async function resolveTarget(name: string, servers: readonly string[], timeoutMs: number, ctx: ResolveContext): Promise<Resolution> {
  const resolver = new dns.Resolver(resolverOptions(timeoutMs));
  if (servers.length > 0) resolver.setServers(servers);
  const cancel = () => resolver.cancel();
  ctx.signal.addEventListener('abort', cancel);
  ctx.progress.waitingFor = `resolve ${name}: no answer`;
  try {
    for (const type of ['A', 'AAAA'] as const) {
      if (ctx.signal.aborted) return { ok: false, outcome: failure('aborted') };
      try {
        const addresses = type === 'A' ? await resolver.resolve4(name) : await resolver.resolve6(name);
        if (addresses[0]) return { ok: true, address: addresses[0] };
      } catch (e) {
        // NODATA: the name exists without records of this type; AAAA is asked next.
        const code = codeOf(e);
        if (code !== 'ENODATA') return { ok: false, outcome: resolveFailure(name, typeof code === 'string' ? code : (e as Error).message) };
      }
    }
    return { ok: false, outcome: resolveFailure(name, 'ENODATA') };
  } finally {
    ctx.signal.removeEventListener('abort', cancel);
    ctx.progress.waitingFor = undefined;
  }
}
