import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type CheckOutcome, errorOutcome, failure, success } from '../result';
import { matchOutcome } from './body-match';
import { type CheckContext, checkEnding } from './context';
import { REPLY_LIMIT, replyMismatch } from './tcp';

export interface UdpCheckOptions {
  address: string;
  port: number;
  /** The datagram sent; empty without one. */
  command?: string;
  /** The reply must match it; without one any reply passes. */
  regexp?: string;
}

/**
 * One datagram out, the first reply back: UDP has no connection, so only a reply shows that
 * something listens. The socket is connected, so the kernel hands over only the target's
 * datagrams, and an ICMP port unreachable from the target comes back as ECONNREFUSED at once.
 * No reply by the deadline fails (the runner says "timeout after Ns: no reply").
 */
export function udpCheck(opts: UdpCheckOptions, { signal, matcher, owner, progress, exchangeDone }: CheckContext): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const start = performance.now();
    const { end: done, watchAbort } = checkEnding(signal, resolve, () => {
      try {
        socket.close();
      } catch {
        // Already closed (a failed bind closes it).
      }
    });

    const socket: Socket = createSocket({ type: isIPv6(opts.address) ? 'udp6' : 'udp4' });
    let replied = false;
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (!replied) done(e.code === 'ECONNREFUSED' ? failure('port unreachable') : errorOutcome(e));
    });
    socket.on('message', (msg: Buffer) => {
      const latency = performance.now() - start;
      const regexp = opts.regexp;
      if (!regexp) return done(success(latency));
      // The first reply decides; the match is ours, outside the deadline.
      if (replied) return;
      replied = true;
      exchangeDone();
      void matcher
        .match(regexp, msg.subarray(0, REPLY_LIMIT).toString('utf8'), owner)
        .then((r) => done(matchOutcome(r, latency, replyMismatch(regexp))));
    });
    socket.connect(opts.port, opts.address, () => {
      socket.send(Buffer.from(opts.command ?? '', 'utf8'), (e) => {
        if (e) done(errorOutcome(e));
        else progress.waitingFor = 'no reply';
      });
    });
    watchAbort();
  });
}
