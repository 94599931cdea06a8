import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type * as NetPing from 'net-ping';
import { type CheckOutcome, describeError, errorOutcome, failure, success, timeoutFailure } from '../result';

/** A probe-side fault: the probe cannot run the check at all, so it must not vote against the target. */
export class ProbeFault extends Error {}

type Family = 'ipv4' | 'ipv6';

/**
 * ICMP echo through net-ping, with one raw-socket session per address family shared by every
 * check (a session demultiplexes replies by identifier and sequence number, so one is enough).
 */
export class IcmpPinger {
  private readonly sessions = new Map<Family, NetPing.Session>();
  private netPing: typeof NetPing | null = null;

  /**
   * net-ping (and its native raw-socket addon) loads on first use, so a probe that never runs
   * ICMP checks, or a host without the addon, still starts.
   */
  private session(family: Family): NetPing.Session {
    const existing = this.sessions.get(family);
    if (existing) return existing;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.netPing ??= require('net-ping') as typeof NetPing;
      const session = this.netPing.createSession({
        networkProtocol: family === 'ipv6' ? this.netPing.NetworkProtocol.IPv6 : this.netPing.NetworkProtocol.IPv4,
        retries: 0,
        timeout: 10_000,
      });
      // A socket error would otherwise be an unhandled 'error' event; the session is rebuilt on next use.
      session.on('error', () => this.drop(family, session));
      session.on('close', () => this.drop(family, session));
      this.sessions.set(family, session);
      return session;
    } catch (e) {
      throw new ProbeFault(`this probe cannot send ICMP (${describeError(e)}; raw sockets need root or CAP_NET_RAW)`);
    }
  }

  private drop(family: Family, session: NetPing.Session) {
    if (this.sessions.get(family) === session) this.sessions.delete(family);
  }

  /** Throws ProbeFault when ICMP cannot be used here (checked at start, for a clear log line). */
  selfTest(family: Family = 'ipv4'): void {
    this.session(family);
  }

  ping(address: string, timeoutSeconds: number, signal: AbortSignal): Promise<CheckOutcome> {
    const session = this.session(isIPv6(address) ? 'ipv6' : 'ipv4');
    return new Promise((resolve) => {
      const start = performance.now();
      // pingHost() copies the session's timeout into the request it queues, so setting it just
      // before the call gives this request its own deadline and net-ping forgets it in time.
      session.timeout = timeoutSeconds * 1000;
      session.pingHost(address, (error) => {
        if (signal.aborted) return;
        if (!error) return resolve(success(performance.now() - start));
        resolve(icmpFailure(error, timeoutSeconds));
      });
    });
  }

  close(): void {
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }
}

function icmpFailure(error: Error, timeoutSeconds: number): CheckOutcome {
  const source = (error as Error & { source?: string }).source;
  const from = source ? ` (from ${source})` : '';
  switch (error.name) {
    case 'RequestTimedOutError':
      return timeoutFailure(timeoutSeconds);
    case 'DestinationUnreachableError':
      return failure(`destination unreachable${from}`);
    case 'TimeExceededError':
      return failure(`time to live exceeded${from}`);
    case 'PacketTooBigError':
      return failure(`packet too big${from}`);
    case 'ParameterProblemError':
      return failure(`parameter problem${from}`);
    case 'RedirectReceivedError':
      return failure(`redirect received${from}`);
    case 'SourceQuenchError':
      return failure(`source quench${from}`);
    default:
      return errorOutcome(error);
  }
}
