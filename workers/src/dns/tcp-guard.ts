// Who may hold a DNS-over-TCP connection, and for how long: the bookkeeping only (no sockets, a
// clock passed in), so one client can no longer hold the server's connections (RFC 7766 §6.2.3,
// RFC 9210 §3.4): a limit per source, a deadline per message that trickled bytes do not extend,
// a lifetime, and when full the oldest idle connection makes room instead of the new one being
// refused.
import { isIPv6 } from 'node:net';

export interface TcpLimits {
  maxConnections: number;
  /** Per source address (per /64 for IPv6: one host usually holds a whole /64). */
  maxPerSource: number;
  /** Between messages. */
  idleTimeoutMs: number;
  /** From a message's first byte to its last. */
  messageTimeoutMs: number;
  /** From the connection's start; it is closed at its next idle moment after that. */
  maxLifetimeMs: number;
}

export type CloseReason = 'idle' | 'message_timeout' | 'lifetime' | 'evicted';

export interface Tracked {
  readonly source: string;
  /** sourceKey(source), set by `add`. */
  key: string;
  openedAt: number;
  /** When it last became idle (opened, or a message completed); -1 while a message is partial. */
  idleSince: number;
  /** When the partial message's first byte came; -1 when none is partial. */
  partialSince: number;
}

/** The key a source's connections are counted under. */
export function sourceKey(address: string): string {
  if (!isIPv6(address)) return address;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return v4[1]!;
  // The first four groups, expanded, are the /64.
  const [head, tail = ''] = address.toLowerCase().split('::');
  const h = head === '' ? [] : head!.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class TcpGuard<C extends Tracked> {
  private readonly all = new Set<C>();
  /** Idle connections, oldest idle first (a Map keeps insertion order). */
  private readonly idle = new Map<C, true>();
  private readonly bySource = new Map<string, { count: number; idle: Map<C, true> }>();

  constructor(private readonly limits: TcpLimits) {}

  get size(): number {
    return this.all.size;
  }

  connections(): Iterable<C> {
    return this.all;
  }

  /**
   * Makes room for a new connection from `address`: the connections to close first (the oldest
   * idle one of its source, or of all, when a limit is reached), or null when it must be refused
   * because every connection in its way is in the middle of a message.
   */
  admit(address: string): C[] | null {
    const src = this.bySource.get(sourceKey(address));
    const evict: C[] = [];
    if (src && src.count >= this.limits.maxPerSource) {
      const oldest = first(src.idle);
      if (oldest === undefined) return null;
      evict.push(oldest);
    } else if (this.all.size >= this.limits.maxConnections) {
      const oldest = first(this.idle);
      if (oldest === undefined) return null;
      evict.push(oldest);
    }
    return evict;
  }

  add(conn: C, now: number): void {
    conn.openedAt = now;
    const key = (conn.key = sourceKey(conn.source));
    this.all.add(conn);
    const src = this.bySource.get(key) ?? this.bySource.set(key, { count: 0, idle: new Map() }).get(key)!;
    src.count++;
    this.becomeIdle(conn, now);
  }

  remove(conn: C): void {
    if (!this.all.delete(conn)) return;
    this.idle.delete(conn);
    const src = this.bySource.get(conn.key)!;
    src.idle.delete(conn);
    if (--src.count === 0) this.bySource.delete(conn.key);
  }

  /** The first bytes of a message came (its length, or part of it). */
  messageStarted(conn: C, now: number): void {
    if (conn.partialSince >= 0) return;
    conn.partialSince = now;
    conn.idleSince = -1;
    this.idle.delete(conn);
    this.bySource.get(conn.key)?.idle.delete(conn);
  }

  /** Every buffered byte formed whole messages: the connection waits for the next one. */
  messagesCompleted(conn: C, now: number): void {
    conn.partialSince = -1;
    this.becomeIdle(conn, now);
  }

  /** The connections past one of their deadlines at `now`, with the reason. */
  expired(now: number): [C, CloseReason][] {
    const out: [C, CloseReason][] = [];
    const l = this.limits;
    for (const c of this.all) {
      if (c.partialSince >= 0) {
        if (now - c.partialSince >= l.messageTimeoutMs) out.push([c, 'message_timeout']);
      } else if (now - c.idleSince >= l.idleTimeoutMs) {
        out.push([c, 'idle']);
      } else if (now - c.openedAt >= l.maxLifetimeMs) {
        out.push([c, 'lifetime']);
      }
    }
    return out;
  }

  private becomeIdle(conn: C, now: number): void {
    conn.idleSince = now;
    // Re-inserted: it is now the most recently idle.
    this.idle.delete(conn);
    this.idle.set(conn, true);
    const src = this.bySource.get(conn.key)!;
    src.idle.delete(conn);
    src.idle.set(conn, true);
  }
}

function first<C>(m: Map<C, true>): C | undefined {
  for (const k of m.keys()) return k;
  return undefined;
}
