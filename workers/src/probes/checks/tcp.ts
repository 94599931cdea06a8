import { connect as netConnect, isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { type CheckOutcome, errorOutcome, failure, success } from '../result';
import { matchOutcome } from './body-match';
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
export function tcpCheck(opts: TcpCheckOptions, { signal, matcher, owner, progress }: CheckContext): Promise<CheckOutcome> {
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
    // While a reply is being matched, an error after part of it arrived ends the reading, not the check.
    let replyError: (() => boolean) | null = null;
    const onError = (e: Error) => replyError?.() || done(errorOutcome(e));

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
      let closed = false;
      // The deadline passed: what arrives after it does not count.
      let final = false;
      let wake: (() => void) | null = null;
      const poke = () => {
        wake?.();
        wake = null;
      };
      stream.on('data', (chunk: Buffer) => {
        if (ending.ended || final || size >= REPLY_LIMIT) return;
        chunks.push(chunk);
        size += chunk.length;
        // Enough: stop the socket from reading more than the regexp will ever see.
        if (size >= REPLY_LIMIT) stream.pause();
        poke();
      });
      const close = () => {
        closed = true;
        poke();
      };
      stream.once('end', close);
      replyError = () => size > 0 && (close(), true);
      // One match at a time: chunks that arrive while one runs are matched together next, so a
      // target that sends its reply a byte at a time costs a match per turn, not one per byte.
      // Null: the deadline passed without a match.
      const verdict = (async (): Promise<CheckOutcome | null> => {
        let seen = 0;
        for (;;) {
          while (size === seen && !closed && !final) await new Promise<void>((r) => (wake = r));
          if (size === seen) {
            if (final) return null;
            return failure(size > 0 ? replyMismatch(regexp) : 'connection closed without a reply');
          }
          seen = size;
          const reply = Buffer.concat(chunks, Math.min(size, REPLY_LIMIT)).toString('utf8');
          const latency = performance.now() - start;
          const r = await matcher.match(regexp, reply, owner);
          if (!('matched' in r) || r.matched || seen >= REPLY_LIMIT) return matchOutcome(r, latency, replyMismatch(regexp));
          progress.waitingFor = replyMismatch(regexp);
        }
      })();
      void verdict.then((o) => o && done(o, o.ok));
      progress.settle = () => {
        final = true;
        poke();
        return verdict;
      };
    };

    const socket: Socket = netConnect({ host: opts.address, port: opts.port, noDelay: true });
    // Listeners stay attached after done(): a late error on a destroyed socket must not crash us.
    socket.on('error', onError);
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
      secure.on('error', onError);
      const s = secure;
      secure.once('secureConnect', () => exchange(s));
    });
    ending.watchAbort();
  });
}
