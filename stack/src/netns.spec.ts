import { execFileSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { netnsProblem, Topology } from './netns';
import { prerequisite } from './prerequisite';

const can = prerequisite('network namespaces (root, iproute2)', netnsProblem());
const namespaces = () => execFileSync('ip', ['netns', 'list']).toString();

/** Whether a TCP connection from `host`'s namespace to `to:port` opens within a second. */
async function reaches(t: Topology, from: string, to: string, port: number): Promise<boolean> {
  const script = `const s=require('net').connect(${port},'${to}');s.setTimeout(1000,()=>process.exit(1));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1))`;
  return t.exec(t.get(from), process.execPath, ['-e', script]).then(
    () => true,
    () => false,
  );
}

/** How a TCP connection from the core's `from` to port 9 of `to` ends: refused, or no answer. */
function coreReaches(to: string, from: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ port: 9, host: to, localAddress: from });
    s.setTimeout(1000, () => {
      s.destroy();
      resolve('blocked');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EINVAL' || e.code === 'ENETUNREACH' ? 'blocked' : (e.code ?? '')));
  });
}

(can ? describe : describe.skip)('Topology (network namespaces)', () => {
  it('connects hosts and the core over one switch, cuts a host off and back, and leaves nothing behind', async () => {
    const t = new Topology();
    const core = await t.create();
    try {
      const a = await t.host('a');
      const b = await t.host('b');
      expect(core.addresses).toEqual([`${t.subnet}.1`, `${t.subnet}.2`]);
      // A listener in the core (this process), that both hosts reach.
      const server = createServer((s) => s.end());
      const port = await new Promise<number>((resolve) => {
        server.listen(0, core.address, () => resolve((server.address() as { port: number }).port));
      });
      try {
        expect(await reaches(t, 'a', core.address, port)).toBe(true);
        expect(await reaches(t, 'b', core.address, port)).toBe(true);
        await t.isolate(a, [core.addresses[1]!]);
        expect(await reaches(t, 'a', core.address, port)).toBe(false);
        // Both ways: the core's own address does not reach a either, the kept one does.
        expect(await coreReaches(a.address, core.address)).toBe('blocked');
        expect(await coreReaches(a.address, core.addresses[1]!)).toBe('ECONNREFUSED');
        expect(await reaches(t, 'b', core.address, port)).toBe(true);
        await t.reconnect(a, [core.addresses[1]!]);
        expect(await reaches(t, 'a', core.address, port)).toBe(true);
        await t.block(b, core.address);
        expect(await reaches(t, 'b', core.address, port)).toBe(false);
      } finally {
        server.close();
      }
      // The core itself reaches a host (a connection refused is an answer: the path is there).
      expect(await coreReaches(a.address, core.address)).toBe('ECONNREFUSED');
    } finally {
      await t.destroy();
    }
    expect(namespaces()).not.toContain(`vg${t.id}`);
    expect(execFileSync('ip', ['-br', 'link']).toString()).not.toContain(`vg${t.id}`);
    expect(execFileSync('ip', ['rule']).toString()).not.toContain(t.subnet);
  }, 60_000);
});
