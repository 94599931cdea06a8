// UDP and TCP listeners: move bytes between sockets and the engine, nothing else.
import { createSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../common/logger';
import { EDNS_UDP_SIZE, TCP, UDP } from './constants';
import type { DnsEngine } from './engine';
import { type CloseReason, TcpGuard, type TcpLimits, type Tracked } from './tcp-guard';
import { loadBatchAddon, type BatchAddon } from './udp-batch';

export interface TransportDeps {
  engine: DnsEngine;
  logger: Logger;
  /** Time to answer one query, in milliseconds. */
  observeLatency?: (ms: number) => void;
}

/** How UDP moves: Node's dgram, or the addon's recvmmsg/sendmmsg batches. */
export type UdpIo = 'dgram' | 'batch';

export interface UdpListener {
  readonly io: UdpIo;
  readonly port: number;
  /** Resolves once the port is released. */
  close(): Promise<void>;
}

// Absorb bursts; the kernel caps this at net.core.rmem_max.
const RECV_BUFFER_SIZE = 4 * 1024 * 1024;
// Datagrams per recvmmsg: dnsperf-like loads find tens waiting per wakeup.
const BATCH = 32;

/** 'auto' is the addon when it was built, else dgram; 'batch' without the addon is an error. */
export function resolveUdpIo(wanted: UdpIo | 'auto', addon: BatchAddon | null = loadBatchAddon()): UdpIo {
  if (wanted === 'batch' && addon === null) throw new Error('DNS_UDP_IO=batch, but the batched UDP addon (workers/native) is not built');
  return wanted === 'auto' ? (addon === null ? 'dgram' : 'batch') : wanted;
}

/**
 * `shared`: one of several DNS processes on the port (a cluster). dgram then binds through the
 * cluster's primary, which hands every worker the one socket; the addon's socket is a worker's
 * own, with SO_REUSEPORT, so the kernel spreads datagrams over the workers.
 */
export async function startUdp(host: string, port: number, deps: TransportDeps, io: UdpIo = 'dgram', shared = false): Promise<UdpListener> {
  return io === 'batch' ? startBatchUdp(loadBatchAddon()!, host, port, deps, shared) : startDgramUdp(host, port, deps, shared);
}

// dgram resolves the destination of every send through this; the default (dns.lookup) defers
// each one through process.nextTick even for an IP, and the address is always an IP here.
const ipLookup = (address: string, family: unknown, cb: (err: null, address: string, family: number) => void) =>
  cb(null, address, typeof family === 'number' ? family : isIPv6(address) ? 6 : 4);

async function startDgramUdp(host: string, port: number, deps: TransportDeps, shared: boolean): Promise<UdpListener> {
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', lookup: ipLookup as never });
  const { engine, observeLatency, logger } = deps;
  socket.on('message', (msg, rinfo) => {
    const t0 = observeLatency === undefined ? 0 : performance.now();
    const res = engine.answer(msg, UDP, rinfo.address);
    if (res !== null) socket.send(res, rinfo.port, rinfo.address);
    if (observeLatency !== undefined) observeLatency(performance.now() - t0);
  });
  socket.on('error', (err) => logger.error({ err: err.message }, 'UDP socket error'));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, address: host, exclusive: !shared }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  try {
    socket.setRecvBufferSize(RECV_BUFFER_SIZE);
  } catch {
    /* not fatal */
  }
  return {
    io: 'dgram',
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

const AF_INET6 = 10;

function startBatchUdp(addon: BatchAddon, host: string, port: number, deps: TransportDeps, shared: boolean): UdpListener {
  const { engine, observeLatency } = deps;
  let onBatch = (_n: number): void => undefined;
  const socket = addon.open(host, port, isIPv6(host), RECV_BUFFER_SIZE, BATCH, (n) => onBatch(n), shared);
  const { input, output, inSlot, outSlot } = socket;
  if (outSlot < EDNS_UDP_SIZE) throw new Error(`the UDP addon's answer slot (${outSlot} bytes) is smaller than ${EDNS_UDP_SIZE}`);
  const metaBytes = socket.meta;
  const meta32 = new Int32Array(metaBytes.buffer, metaBytes.byteOffset, metaBytes.length / 4);
  const metaInts = socket.metaSlot / 4;
  // The engine wants the sender as text (for geodns without ECS): build it only when the sender
  // differs from the previous datagram's, as it rarely does under load.
  let v4Key = 0;
  let v4Name = '';
  const v6Key = new Int32Array(4);
  let v6Name = '';
  const remoteOf = (i: number): string => {
    const m = i * metaInts;
    if (metaBytes.readUInt16LE(m * 4 + 8) === AF_INET6) {
      if (
        v6Name === '' ||
        v6Key[0] !== meta32[m + 4] ||
        v6Key[1] !== meta32[m + 5] ||
        v6Key[2] !== meta32[m + 6] ||
        v6Key[3] !== meta32[m + 7]
      ) {
        for (let k = 0; k < 4; k++) v6Key[k] = meta32[m + 4 + k]!;
        v6Name = socket.name(i);
      }
      return v6Name;
    }
    const key = meta32[m + 3]!;
    if (v4Name === '' || key !== v4Key) {
      const b = m * 4 + 12;
      v4Key = key;
      v4Name = `${metaBytes[b]}.${metaBytes[b + 1]}.${metaBytes[b + 2]}.${metaBytes[b + 3]}`;
    }
    return v4Name;
  };
  onBatch = (n) => {
    // One clock read per query: each answer is timed from the end of the previous one.
    let t0 = observeLatency === undefined ? 0 : performance.now();
    for (let i = 0; i < n; i++) {
      const m = i * metaInts;
      const at = i * inSlot;
      // Written straight into the send slot (its 4096 bytes hold any UDP answer); 0 sends nothing.
      meta32[m + 9] = engine.answerUdpInto(input.subarray(at, at + meta32[m]!), remoteOf(i), output, i * outSlot);
      if (observeLatency !== undefined) {
        const t1 = performance.now();
        observeLatency(t1 - t0);
        t0 = t1;
      }
    }
  };
  return {
    io: 'batch',
    port: socket.port,
    close: () => new Promise<void>((resolve) => socket.close(resolve)),
  };
}

export type TcpOptions = TcpLimits;

export interface TcpListener {
  server: Server;
  /** Connections closed by the server, by reason (refused ones as `refused`). */
  readonly closed: ReadonlyMap<CloseReason | 'refused', number>;
  /** Connections open now. */
  readonly open: number;
  close(): Promise<void>;
}

interface TcpConn extends Tracked {
  socket: Socket;
}

/**
 * DNS over TCP (RFC 7766): 2-byte length framing, any number of (pipelined) queries per
 * connection, messages split across reads, and backpressure when a client does not read its
 * answers. Who may hold a connection and for how long is TcpGuard's rule. `shared`: a cluster
 * worker, listening through the primary, which accepts the connections and deals them out in turn
 * (so the limits hold per process).
 */
export async function startTcp(host: string, port: number, deps: TransportDeps, opts: TcpOptions, shared = false): Promise<TcpListener> {
  const { engine, observeLatency, logger } = deps;
  const guard = new TcpGuard<TcpConn>(opts);
  const closed = new Map<CloseReason | 'refused', number>();
  const count = (why: CloseReason | 'refused') => closed.set(why, (closed.get(why) ?? 0) + 1);
  const drop = (c: TcpConn, why: CloseReason) => {
    guard.remove(c);
    count(why);
    c.socket.destroy();
  };
  // Deadlines are checked a few times per shortest timeout, not per byte.
  const sweepMs = Math.min(1000, Math.max(20, Math.floor(Math.min(opts.idleTimeoutMs, opts.messageTimeoutMs, opts.maxLifetimeMs) / 4)));
  const sweeper = setInterval(() => {
    for (const [c, why] of guard.expired(Date.now())) drop(c, why);
  }, sweepMs);
  sweeper.unref();

  const server = createServer({ noDelay: true }, (socket) => {
    const remote = socket.remoteAddress ?? '';
    const room = guard.admit(remote);
    if (room === null) {
      count('refused');
      socket.destroy();
      return;
    }
    for (const c of room) drop(c, 'evicted');
    const conn: TcpConn = { socket, source: remote, key: '', openedAt: 0, idleSince: 0, partialSince: -1 };
    guard.add(conn, Date.now());
    let pending: Buffer | null = null;
    socket.on('data', (chunk: Buffer) => {
      const buf: Buffer = pending === null ? chunk : Buffer.concat([pending, chunk]);
      let off = 0;
      let answered = false;
      // One clock read per query: each answer is timed from the end of the previous one.
      let t0 = observeLatency === undefined ? 0 : performance.now();
      while (buf.length - off >= 2) {
        const len = buf.readUInt16BE(off);
        if (buf.length - off - 2 < len) break;
        const msg = buf.subarray(off + 2, off + 2 + len);
        off += 2 + len;
        answered = true;
        const res = engine.answer(msg, TCP, remote);
        // Stop reading while the client is not reading what we send (RFC 7766 6.2.1.1 allows either order).
        if (res !== null && !socket.write(res)) socket.pause();
        if (observeLatency !== undefined) {
          const t1 = performance.now();
          observeLatency(t1 - t0);
          t0 = t1;
        }
      }
      // Keep only the incomplete tail; copy it so the whole chunk can be collected.
      pending = off === buf.length ? null : Buffer.from(buf.subarray(off));
      const now = Date.now();
      if (answered) guard.messagesCompleted(conn, now);
      // A message's deadline runs from its first byte; the bytes after it do not extend it.
      if (pending !== null) guard.messageStarted(conn, now);
    });
    socket.on('drain', () => socket.resume());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => guard.remove(conn));
  });
  server.on('error', (err) => logger.error({ err: err.message }, 'TCP server error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: !shared }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    closed,
    get open() {
      return guard.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(sweeper);
        for (const c of guard.connections()) c.socket.destroy();
        server.close(() => resolve());
      }),
  };
}
