// The batched UDP addon on real loopback sockets: every datagram of a burst is handed over and
// answered to its own sender, across more senders than one batch holds.
import { createSocket, type Socket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { prerequisite } from '@vigil/stack';
import { resolveUdpIo } from './transport';
import { ADDON_PATH, loadBatchAddon, type BatchSocket } from './udp-batch';

const addon = loadBatchAddon();
const problem =
  process.platform !== 'linux'
    ? null // dgram only, by design
    : addon === null
      ? `not built at ${ADDON_PATH} (npm install builds it with node-gyp: needs python3, make and a C compiler)`
      : null;
// Under CI a Linux build without the addon fails here, instead of the DNS tests quietly covering dgram alone.
const built = process.platform === 'linux' && prerequisite('the batched UDP addon', problem);
const maybe = built ? describe : describe.skip;
// Known before the tests run, so a machine without it skips (counted), and CI fails here.
const ipv6 = prerequisite(
  'IPv6 on loopback',
  Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === '::1')) ? null : 'no ::1 on any interface',
);

it('chooses the path: auto is the addon when built, batch without it is an error', () => {
  expect(resolveUdpIo('auto', null)).toBe('dgram');
  expect(resolveUdpIo('dgram', null)).toBe('dgram');
  expect(() => resolveUdpIo('batch', null)).toThrow('DNS_UDP_IO=batch, but the batched UDP addon');
  if (addon !== null) expect(resolveUdpIo('auto', addon)).toBe('batch');
});

maybe('the addon', () => {
  const opened: BatchSocket[] = [];
  const clients: Socket[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => new Promise<void>((r) => s.close(r))));
    await Promise.all(clients.splice(0).map((c) => new Promise<void>((r) => c.close(() => r()))));
  });

  /** A server that answers each datagram with "<sender address>|<payload>". */
  function echo(host: string, ipv6: boolean, batches: number[]): BatchSocket {
    const s: BatchSocket = addon!.open(host, 0, ipv6, 1 << 20, 8, (n) => {
      batches.push(n);
      const meta = new Int32Array(s.meta.buffer, s.meta.byteOffset, s.meta.length / 4);
      for (let i = 0; i < n; i++) {
        const m = (i * s.metaSlot) / 4;
        const msg = s.input.subarray(i * s.inSlot, i * s.inSlot + meta[m]!);
        meta[m + 9] = s.output.write(`${s.name(i)}|${msg.toString()}`, i * s.outSlot);
      }
    });
    opened.push(s);
    return s;
  }

  async function client(type: 'udp4' | 'udp6', host: string): Promise<Socket> {
    const c = createSocket(type);
    clients.push(c);
    await new Promise<void>((r) => c.bind(0, host, () => r()));
    return c;
  }

  it('answers every datagram of bursts from many senders, each to its own sender', async () => {
    const batches: number[] = [];
    const s = echo('127.0.0.1', false, batches);
    const senders = await Promise.all(Array.from({ length: 5 }, () => client('udp4', '127.0.0.1')));
    const got = new Map<Socket, string[]>(senders.map((c) => [c, []]));
    for (const c of senders) c.on('message', (m) => got.get(c)!.push(m.toString()));
    const per = 40;
    // Sent back to back, so the server finds many waiting per wakeup (more than its batch of 8).
    for (let k = 0; k < per; k++) for (const c of senders) c.send(`q${k}`, s.port, '127.0.0.1');
    await waitFor(() => [...got.values()].every((g) => g.length === per));
    for (const g of got.values()) expect(g.sort()).toEqual(Array.from({ length: per }, (_, k) => `127.0.0.1|q${k}`).sort());
    expect(batches.every((n) => n >= 1 && n <= 8)).toBe(true);
    expect(s.stats()).toEqual({ received: per * senders.length, sent: per * senders.length, dropped: 0 });
  });

  it('sends nothing for a datagram left unanswered, and takes the largest UDP payload whole', async () => {
    const s = addon!.open('127.0.0.1', 0, false, 1 << 20, 4, (n) => {
      const meta = new Int32Array(s.meta.buffer, s.meta.byteOffset, s.meta.length / 4);
      for (let i = 0; i < n; i++) {
        const m = (i * s.metaSlot) / 4;
        const len = meta[m]!;
        if (len > 100) meta[m + 9] = s.output.write(`len=${len}`, i * s.outSlot);
      }
    });
    opened.push(s);
    const c = await client('udp4', '127.0.0.1');
    const got: string[] = [];
    c.on('message', (m) => got.push(m.toString()));
    c.send(Buffer.alloc(10), s.port, '127.0.0.1');
    c.send(Buffer.alloc(65507, 1), s.port, '127.0.0.1');
    await waitFor(() => got.length === 1);
    expect(got).toEqual(['len=65507']);
    await waitFor(() => s.stats().received === 2);
  });

  (ipv6 ? it : it.skip)('serves IPv6, naming the sender as Node does', async () => {
    const s = echo('::1', true, []);
    const c = await client('udp6', '::1');
    const got: string[] = [];
    c.on('message', (m) => got.push(m.toString()));
    c.send('six', s.port, '::1');
    await waitFor(() => got.length === 1);
    expect(got).toEqual(['::1|six']);
  });

  it('with reusePort, spreads the senders of one port over the sockets on it; without, the port stays taken', async () => {
    /** A socket on `port` (with SO_REUSEPORT) that answers every datagram with its own name. */
    const named = (name: string, port: number): BatchSocket => {
      const s: BatchSocket = addon!.open(
        '127.0.0.1',
        port,
        false,
        1 << 20,
        8,
        (n) => {
          const meta = new Int32Array(s.meta.buffer, s.meta.byteOffset, s.meta.length / 4);
          for (let i = 0; i < n; i++) meta[(i * s.metaSlot) / 4 + 9] = s.output.write(name, i * s.outSlot);
        },
        true,
      );
      opened.push(s);
      return s;
    };
    const a = named('a', 0);
    const b = named('b', a.port);
    expect(b.port).toBe(a.port);
    expect(() => addon!.open('127.0.0.1', a.port, false, 0, 4, () => undefined)).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
    // The kernel picks a socket by a hash of the sender: 64 source ports land on both.
    const senders = await Promise.all(Array.from({ length: 64 }, () => client('udp4', '127.0.0.1')));
    const got = await Promise.all(
      senders.map(
        (c) => new Promise<string>((resolve) => (c.once('message', (m) => resolve(m.toString())), c.send('q', a.port, '127.0.0.1'))),
      ),
    );
    expect(new Set(got)).toEqual(new Set(['a', 'b']));
    expect(a.stats().received + b.stats().received).toBe(senders.length);
  });

  it('frees its port on close, and reports a port in use as EADDRINUSE', async () => {
    const s = echo('127.0.0.1', false, []);
    const port = s.port;
    expect(() => addon!.open('127.0.0.1', port, false, 0, 4, () => undefined)).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
    await new Promise<void>((r) => s.close(r));
    opened.length = 0;
    s.close(); // a second close is a no-op
    const again = echo('127.0.0.1', false, []);
    expect(again).toBeDefined();
    const other = addon!.open('127.0.0.1', port, false, 0, 4, () => undefined);
    opened.push(other);
    expect(other.port).toBe(port);
  });
});

async function waitFor(ok: () => boolean): Promise<void> {
  for (let i = 0; !ok(); i++) {
    if (i > 1000) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
