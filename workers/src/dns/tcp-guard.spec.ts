import { sourceKey, TcpGuard, type TcpLimits, type Tracked } from './tcp-guard';

const limits: TcpLimits = { maxConnections: 4, maxPerSource: 2, idleTimeoutMs: 1000, messageTimeoutMs: 300, maxLifetimeMs: 5000 };
const conn = (source: string, name: string): Tracked & { name: string } => ({
  source,
  name,
  key: '',
  openedAt: 0,
  idleSince: 0,
  partialSince: -1,
});

type Conn = ReturnType<typeof conn>;
/** A guard with a connection per [source, opened at]. */
function guardWith(...opened: [string, number][]): { g: TcpGuard<Conn>; cs: Conn[] } {
  const g = new TcpGuard<Conn>(limits);
  const cs = opened.map(([source, at], i) => {
    const c = conn(source, `c${i}`);
    g.add(c, at);
    return c;
  });
  return { g, cs };
}

describe('TcpGuard', () => {
  it('makes room for a source at its limit by closing its own oldest idle connection, never another source’s', () => {
    const {
      g,
      cs: [, a1, a2],
    } = guardWith(['192.0.2.2', 0], ['192.0.2.1', 1], ['192.0.2.1', 2]);
    expect(g.admit('192.0.2.1')).toEqual([a1]);
    // A message in flight on a1: a2 is the oldest idle one now.
    g.messageStarted(a1, 3);
    expect(g.admit('192.0.2.1')).toEqual([a2]);
    g.messageStarted(a2, 3);
    expect(g.admit('192.0.2.1')).toBeNull();
    expect(g.admit('192.0.2.3')).toEqual([]);
  });

  it('when full, closes the oldest idle connection of all for a newcomer, and refuses it only when none is idle', () => {
    const { g, cs } = guardWith(['198.51.100.1', 0], ['198.51.100.2', 1], ['198.51.100.3', 2], ['198.51.100.4', 3]);
    expect(g.admit('203.0.113.9')).toEqual([cs[0]]);
    // c0 answered a message at 10: the most recently idle; c1 is the oldest idle now.
    g.messageStarted(cs[0]!, 9);
    g.messagesCompleted(cs[0]!, 10);
    expect(g.admit('203.0.113.9')).toEqual([cs[1]]);
    for (const c of cs) g.messageStarted(c, 11);
    expect(g.admit('203.0.113.9')).toBeNull();
    g.remove(cs[2]!);
    expect(g.admit('203.0.113.9')).toEqual([]);
    expect(g.size).toBe(3);
  });

  it('times a message from its first byte (bytes trickling in do not extend it), idleness between messages, and the lifetime at an idle moment', () => {
    const {
      g,
      cs: [slow, idle, old],
    } = guardWith(['192.0.2.1', 0], ['192.0.2.2', 0], ['192.0.2.3', 0]);
    g.messageStarted(slow, 100);
    for (let t = 150; t < 400; t += 50) g.messageStarted(slow, t);
    // old answers a message every 500 ms: never idle for long, but it lives past its lifetime.
    for (let t = 500; t <= 5500; t += 500) {
      g.messageStarted(old, t - 1);
      g.messagesCompleted(old, t);
    }
    expect(g.expired(399)).toEqual([]);
    expect(g.expired(400)).toEqual([[slow, 'message_timeout']]);
    expect(g.expired(1000)).toEqual([
      [slow, 'message_timeout'],
      [idle, 'idle'],
    ]);
    g.remove(slow);
    g.remove(idle);
    expect(g.expired(4999)).toEqual([]);
    expect(g.expired(5600)).toEqual([[old, 'lifetime']]);
    // In the middle of a message, the lifetime waits for its end (the message deadline bounds it).
    g.messageStarted(old, 5600);
    expect(g.expired(5700)).toEqual([]);
  });

  it('counts IPv6 clients per /64, and IPv4-mapped ones as IPv4', () => {
    expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe(sourceKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(sourceKey('2001:db8:1:2::1')).not.toBe(sourceKey('2001:db8:1:3::1'));
    expect(sourceKey('2001:0db8:0001:0002::')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
    expect(sourceKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(sourceKey('192.0.2.7')).toBe('192.0.2.7');
  });
});
