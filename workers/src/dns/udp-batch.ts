// The batched UDP addon (workers/native): one recvmmsg and one sendmmsg per event-loop wakeup
// instead of a recvmsg and a sendmsg per query. Built at `npm install` when it can be; absent
// (another OS, no compiler), the DNS server uses Node's dgram.
import { join } from 'node:path';

/** A socket opened by the addon; slot i of each buffer belongs to the i-th datagram of a batch. */
export interface BatchSocket {
  readonly port: number;
  /** Received datagrams, one per `inSlot` bytes. */
  readonly input: Buffer;
  /** Per slot: int32 length, int32 address length, sockaddr (28 bytes), int32 answer length. */
  readonly meta: Buffer;
  /** Answers, one per `outSlot` bytes, sent back to the address of the same slot. */
  readonly output: Buffer;
  readonly inSlot: number;
  readonly outSlot: number;
  readonly metaSlot: number;
  /** Stops reading; `done` runs once the port is free again. */
  close(done?: () => void): void;
  /** The sender's address of slot i, as text (inet_ntop, as Node's rinfo.address). */
  name(slot: number): string;
  stats(): { received: number; sent: number; dropped: number };
}

export interface BatchAddon {
  /**
   * `onBatch(n)` runs per wakeup with n datagrams in slots 0..n-1; it writes the answers' lengths.
   * `reusePort` sets SO_REUSEPORT: each DNS process of a cluster opens a socket of its own on the
   * one port, and the kernel spreads datagrams over them by the sender's address and port.
   */
  open(
    host: string,
    port: number,
    ipv6: boolean,
    recvBufferSize: number,
    batch: number,
    onBatch: (n: number) => void,
    reusePort?: boolean,
  ): BatchSocket;
}

/** Where node-gyp leaves the addon; the same from workers/src/dns (tests) and workers/dist/dns. */
export const ADDON_PATH = join(__dirname, '..', '..', 'native', 'build', 'Release', 'dns_udp.node');

let cached: BatchAddon | null | undefined;

/** The addon, or null when it was not built (or cannot load here). */
export function loadBatchAddon(): BatchAddon | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (process.platform === 'linux') {
    try {
      const m = { exports: {} };
      process.dlopen(m, ADDON_PATH);
      cached = m.exports as BatchAddon;
    } catch {
      /* not built: dgram it is */
    }
  }
  return cached;
}
