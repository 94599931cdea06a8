import { createServer } from 'node:net';
import { type ProcessSpec, ROOT } from './processes';
import { startProcess, stopProcess, waitReady } from './spawn';
import { freePort, until } from './wait';

const script = (name: string, code: string, readyUrl?: string): ProcessSpec => ({ name, args: ['-e', code], cwd: ROOT, env: {}, readyUrl });

describe('until', () => {
  it('resolves with the first truthy value, retrying throws', async () => {
    let n = 0;
    expect(await until('three', () => (++n < 3 ? Promise.reject(new Error('no')) : n), 1000, 1)).toBe(3);
  });

  it('names what it waited for and the last error', async () => {
    await expect(until('the moon', () => Promise.reject(new Error('cloudy')), 50, 10)).rejects.toThrow(
      'timed out after 50 ms waiting for the moon (last error: cloudy)',
    );
  });
});

it('freePort gives a port that can be bound', async () => {
  const port = await freePort();
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
  await new Promise((resolve) => s.close(resolve));
});

describe('a started process', () => {
  it('keeps its output and exit code', async () => {
    const p = startProcess(script('talker', 'console.log("out"); console.error("err"); process.exit(3)'));
    expect(await p.exited).toBe(3);
    await until('both lines', () => p.output().includes('out') && p.output().includes('err'), 2000);
  });

  it('is killed when it ignores SIGTERM for longer than the grace period', async () => {
    const p = startProcess(script('stubborn', 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'));
    await until('it to start', () => p.output().includes('up'), 5000);
    expect(await stopProcess(p, 200)).toBeNull();
    expect(p.child.signalCode).toBe('SIGKILL');
  });

  it('fails to become ready as soon as it exits, with its output', async () => {
    const p = startProcess(script('dies', 'console.error("no config"); process.exit(1)', 'http://127.0.0.1:9/'));
    await expect(waitReady(p, 30_000)).rejects.toThrow(/dies exited \(1\) before dies at http:\/\/127\.0\.0\.1:9\/[\s\S]*no config/);
  });
});
