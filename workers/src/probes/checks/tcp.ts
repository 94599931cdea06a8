import { connect as netConnect, isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { type CheckOutcome, errorOutcome, failure, success } from '../result';
import { type CheckContext, checkEnding } from './context';

/** A regexp sees at most this much of a TCP or UDP reply (as of an HTTP body); reading stops there. */
export const REPLY_LIMIT = 64 * 1024;

export interface TlsOptions {
  /** SNI and the name the certificate must match; the address itself when unset. */
  servername?: string;
  verify: boolean;
}

export interface TcpCheckOptions {
  address: string;
  port: number;
  tls: TlsOptions | null;
  /** Sent once connected (after the handshake with tls). */
  command?: string;
  /** The reply must match it: read until it does, the target closes, or REPLY_LIMIT. */
  regexp?: string;
}

/** SNI may only carry a host name (RFC 6066); Node warns and refuses IP literals. */
export const sniFor = (host: string | null | undefined) => (host && isIP(host) === 0 ? host : undefined);

export const replyMismatch = (regexp: string) => `reply does not match /${regexp}/`;

/**
 * TCP connect, optionally a TLS handshake, then the check's command and its reply: without a
 * regexp the check passes once connected and the command is sent; with one, once the reply read
 * so far matches it. The connection is closed either way. `signal` aborts it.
 */
export function tcpCheck(opts: TcpCheckOptions, { signal, matcher, progress }: CheckContext): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const start = performance.now();
    let secure: TLSSocket | null = null;
    const ending = checkEnding(signal, resolve, (graceful) => {
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
    });
    const done = ending.end;

    const exchange = (stream: Socket) => {
      const { command, regexp } = opts;
      if (!regexp) {
        if (!command) return done(success(performance.now() - start), true);
        // Passes when the command has left: flushed to the kernel, not necessarily read.
        stream.write(command, 'utf8', (e) => (e ? done(errorOutcome(e)) : done(success(performance.now() - start), true)));
        return;
      }
      if (command) stream.write(command, 'utf8');
      progress.waitingFor = 'no reply';
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        if (ending.ended) return;
        chunks.push(chunk);
        size += chunk.length;
        const reply = Buffer.concat(chunks, Math.min(size, REPLY_LIMIT)).toString('utf8');
        const r = matcher.match(regexp, reply);
        const latency = performance.now() - start;
        if ('error' in r) return done(failure(r.error, latency));
        if (r.matched) return done(success(latency), true);
        progress.waitingFor = replyMismatch(regexp);
        if (size >= REPLY_LIMIT) done(failure(replyMismatch(regexp), latency));
      });
      stream.once('end', () => done(failure(size > 0 ? replyMismatch(regexp) : 'connection closed without a reply')));
    };

    const socket: Socket = netConnect({ host: opts.address, port: opts.port, noDelay: true });
    // Listeners stay attached after done(): a late error on a destroyed socket must not crash us.
    socket.on('error', (e) => done(errorOutcome(e)));
    socket.once('connect', () => {
      const tls = opts.tls;
      if (!tls) return exchange(socket);
      const servername = sniFor(tls.servername);
      secure = tlsConnect({
        socket,
        // Identity is checked against servername, else `host`: the address (IP SANs) when no name is set.
        servername,
        host: servername ?? opts.address,
        rejectUnauthorized: tls.verify,
      });
      secure.on('error', (e) => done(errorOutcome(e)));
      const s = secure;
      secure.once('secureConnect', () => exchange(s));
    });
    ending.watchAbort();
  });
}
