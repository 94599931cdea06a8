import { connect } from 'node:net';
import { type Service, startService, stopService } from './spawn';

/**
 * Whether a Redis answers PING at `url` now: one plain connection (an ioredis client that fails
 * to connect leaves a timer behind, which keeps a test run from exiting).
 */
export function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
    socket.once('error', () => done(false));
  });
}

/**
 * A throwaway redis-server on a loopback port, without persistence, that a test may kill: the
 * tests that take Redis away use one of these, never the shared one. `start()` after `stop()`
 * brings it back empty, as a Redis restarted without its data.
 */
export class LocalRedis {
  private service: Service | null = null;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    this.service = await startService(`redis-server on port ${this.port}`, 'redis-server', args, () => redisAnswers(this.url));
  }

  /** SIGKILL: gone at once, and with it everything it held. */
  async stop(): Promise<void> {
    const s = this.service;
    this.service = null;
    await stopService(s, 'SIGKILL');
  }
}
