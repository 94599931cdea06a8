// The TCP lock-out of issue 11, against the real server on loopback: clients from other loopback
// addresses (127.0.0.2, …) stand for other hosts.
import { connect, type Socket } from 'node:net';
import { query, tcpRaw, decode, until } from '../testing/client';
import { rr, zone } from '../testing/zones';
import { sample, scrape, startHarness, type Harness } from './harness';

/** An open connection from `localAddress` that sends nothing; `closed` once the server closes it. */
function idleConnection(port: number, localAddress: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** One TCP query from `localAddress`. */
const tcpFrom = async (port: number, localAddress: string, name: string) =>
  decode((await tcpRaw(port, [query(name, 'A')], { localAddress }))[0]!);

const closedBy = async (h: Harness, reason: string) =>
  Number(sample(await scrape(h.server.metricsPort), 'vigil_dns_tcp_closed_total', { reason }) ?? 0);

describe('DNS over TCP: no client can lock others out', () => {
  let h: Harness;
  const open: Socket[] = [];
  beforeAll(async () => {
    h = await startHarness((redis) => redis.putZone(zone('example.com', [rr('www.example.com', 'A', ['192.0.2.1'])])), {
      tcp: { maxConnections: 60, maxPerSource: 20, idleTimeoutMs: 5000, messageTimeoutMs: 600, maxLifetimeMs: 1500 },
    });
  });
  afterEach(async () => {
    for (const s of open.splice(0)) s.destroy();
    // Each test starts with no connection left over from the one before.
    await until(
      'the connections to close',
      async () => Number(sample(await scrape(h.server.metricsPort), 'vigil_dns_tcp_connections')) === 0,
    );
  });
  afterAll(() => h.stop());

  it('keeps one address to its share: 200 idle connections from it leave room for everyone else', async () => {
    const conns = [];
    for (let i = 0; i < 200; i++) conns.push(await idleConnection(h.port, '127.0.0.2'));
    open.push(...conns.map((c) => c.socket));
    // The address keeps its 20 newest; the older ones were closed to make room for its own.
    await until('the older connections closed', async () => (await closedBy(h, 'evicted')) >= 180);
    const m = await tcpFrom(h.port, '127.0.0.3', 'www.example.com');
    expect(m.rcode).toBe('NOERROR');
    expect(m.answers![0]).toMatchObject({ type: 'A', data: '192.0.2.1' });
  });

  it('when full, closes the oldest idle connection for a newcomer instead of refusing it', async () => {
    const before = await closedBy(h, 'evicted');
    const conns = [];
    for (const a of ['127.0.0.4', '127.0.0.5', '127.0.0.6']) for (let i = 0; i < 20; i++) conns.push(await idleConnection(h.port, a));
    open.push(...conns.map((c) => c.socket));
    const m = await tcpFrom(h.port, '127.0.0.7', 'www.example.com');
    expect(m.rcode).toBe('NOERROR');
    // The oldest of all (the first from 127.0.0.4) made room.
    await conns[0]!.closed;
    expect(await closedBy(h, 'evicted')).toBeGreaterThan(before);
  });

  it('closes a connection whose message trickles in a byte at a time, whatever the pace', async () => {
    const before = await closedBy(h, 'message_timeout');
    const { socket, closed } = await idleConnection(h.port, '127.0.0.8');
    open.push(socket);
    const msg = query('www.example.com', 'A');
    const framed = Buffer.concat([Buffer.from([0, msg.length]), msg]);
    let sent = 0;
    const started = Date.now();
    // A byte every 100 ms would take ~3.5 s; the deadline is 600 ms from the first byte.
    const drip = setInterval(() => sent < framed.length && socket.write(framed.subarray(sent, ++sent)), 100);
    await closed;
    clearInterval(drip);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(sent).toBeLessThan(framed.length);
    expect(await closedBy(h, 'message_timeout')).toBe(before + 1);
  });

  it('ends a busy connection after its lifetime, between answers, with every answer whole', async () => {
    const before = await closedBy(h, 'lifetime');
    const answers: Buffer[] = [];
    const socket = connect({ port: h.port, host: '127.0.0.1', localAddress: '127.0.0.9' });
    open.push(socket);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    let buf = Buffer.alloc(0);
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        answers.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
    });
    socket.on('error', () => undefined);
    let asked = 0;
    const msg = query('www.example.com', 'A');
    const framed = Buffer.concat([Buffer.from([0, msg.length]), msg]);
    const ask = setInterval(() => {
      if (!socket.destroyed) {
        socket.write(framed);
        asked++;
      }
    }, 200);
    const started = Date.now();
    await closed;
    clearInterval(ask);
    // Closed after 1.5 s, not by the 5 s idle timeout (it was never idle that long).
    expect(Date.now() - started).toBeLessThan(4000);
    expect(buf.length).toBe(0);
    expect(answers.length).toBeGreaterThanOrEqual(asked - 1);
    expect(answers.every((a) => decode(a).rcode === 'NOERROR')).toBe(true);
    expect(await closedBy(h, 'lifetime')).toBe(before + 1);
    // Ordinary clients still get their answers.
    expect(decode((await tcpRaw(h.port, [msg]))[0]!).rcode).toBe('NOERROR');
  });
});
