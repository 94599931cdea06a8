// UDP and TCP listeners: move bytes between sockets and the engine, nothing else.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../common/logger';
import { TCP, UDP } from './constants';
import type { DnsEngine } from './engine';

export interface TransportDeps {
  engine: DnsEngine;
  logger: Logger;
  observeLatency?: (seconds: number) => void;
}

export async function startUdp(host: string, port: number, deps: TransportDeps): Promise<UdpSocket> {
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  const { engine, observeLatency, logger } = deps;
  socket.on('message', (msg, rinfo) => {
    const t0 = performance.now();
    const res = engine.answer(msg, UDP, rinfo.address);
    if (res !== null) socket.send(res, rinfo.port, rinfo.address);
    observeLatency?.((performance.now() - t0) / 1000);
  });
  socket.on('error', (err) => logger.error({ err: err.message }, 'UDP socket error'));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  try {
    // Absorb bursts; the kernel caps this at net.core.rmem_max.
    socket.setRecvBufferSize(4 * 1024 * 1024);
  } catch {
    /* not fatal */
  }
  return socket;
}

export interface TcpOptions {
  idleTimeoutMs: number;
  maxConnections: number;
}

export interface TcpListener {
  server: Server;
  close(): Promise<void>;
}

/**
 * DNS over TCP (RFC 7766): 2-byte length framing, any number of (pipelined) queries per
 * connection, messages split across reads, an idle timeout, and backpressure when a client does
 * not read its answers.
 */
export async function startTcp(host: string, port: number, deps: TransportDeps, opts: TcpOptions): Promise<TcpListener> {
  const { engine, observeLatency, logger } = deps;
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    if (sockets.size >= opts.maxConnections) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.setTimeout(opts.idleTimeoutMs, () => socket.destroy());
    const remote = socket.remoteAddress ?? '';
    let pending: Buffer | null = null;
    socket.on('data', (chunk: Buffer) => {
      const buf: Buffer = pending === null ? chunk : Buffer.concat([pending, chunk]);
      let off = 0;
      while (buf.length - off >= 2) {
        const len = buf.readUInt16BE(off);
        if (buf.length - off - 2 < len) break;
        const msg = buf.subarray(off + 2, off + 2 + len);
        off += 2 + len;
        const t0 = performance.now();
        const res = engine.answer(msg, TCP, remote);
        // Stop reading while the client is not reading what we send (RFC 7766 6.2.1.1 allows either order).
        if (res !== null && !socket.write(res)) socket.pause();
        observeLatency?.((performance.now() - t0) / 1000);
      }
      // Keep only the incomplete tail; copy it so the whole chunk can be collected.
      pending = off === buf.length ? null : Buffer.from(buf.subarray(off));
    });
    socket.on('drain', () => socket.resume());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('error', (err) => logger.error({ err: err.message }, 'TCP server error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
