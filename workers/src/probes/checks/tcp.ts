import { connect as netConnect, isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { type CheckOutcome, errorOutcome, failure, success } from '../result';

export interface TlsOptions {
  /** SNI and the name the certificate must match; the address itself when unset. */
  servername?: string;
  verify: boolean;
}

/** SNI may only carry a host name (RFC 6066); Node warns and refuses IP literals. */
export const sniFor = (host: string | undefined) => (host && isIP(host) === 0 ? host : undefined);

/**
 * TCP connect, optionally followed by a TLS handshake. Resolves when the connection (and
 * handshake) is up, or with the failure; the connection is closed either way. `signal` aborts it.
 */
export function tcpCheck(address: string, port: number, tls: TlsOptions | null, signal: AbortSignal): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const start = performance.now();
    let secure: TLSSocket | null = null;
    let settled = false;
    const done = (outcome: CheckOutcome, graceful = false) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (graceful && secure) {
        // end(), not destroy(): our last handshake message (TLS 1.3 Finished) may still be
        // buffered, and the target should see a completed handshake and a close_notify, not an
        // aborted one. A target that never closes its side is cut off shortly after.
        const s = secure;
        s.end();
        setTimeout(() => s.destroy(), 1000).unref();
      } else {
        secure?.destroy();
        socket.destroy();
      }
      resolve(outcome);
    };
    const onAbort = () => done(failure('aborted'));
    const socket: Socket = netConnect({ host: address, port, noDelay: true });
    // Listeners stay attached after done(): a late error on a destroyed socket must not crash us.
    socket.on('error', (e) => done(errorOutcome(e)));
    socket.once('connect', () => {
      if (!tls) return done(success(performance.now() - start));
      const servername = sniFor(tls.servername);
      secure = tlsConnect({
        socket,
        // Identity is checked against servername, else `host`: the address (IP SANs) when no name is set.
        servername,
        host: servername ?? address,
        rejectUnauthorized: tls.verify,
      });
      secure.on('error', (e) => done(errorOutcome(e)));
      secure.once('secureConnect', () => done(success(performance.now() - start), true));
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort);
  });
}
