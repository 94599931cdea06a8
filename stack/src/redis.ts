import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { type Service, startService, stopService } from './spawn';
import { freePort, until } from './wait';

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

export interface SentinelGroupOptions {
  /** Replicas of the primary (`--replicaof`); 2 unless told. */
  replicas?: number;
  /** Each replica's replica-priority (lower is promoted first; 0: never promoted). */
  priorities?: number[];
  /** Sentinels, 3 unless told; the quorum is a majority of them. */
  sentinels?: number;
  /** The master group's name (REDIS_SENTINEL_MASTER); `vigil` unless told. */
  master?: string;
  /** How long the primary must be silent before it counts as down; short for tests. */
  downAfterMs?: number;
  failoverTimeoutMs?: number;
}

/** One redis-server of a SentinelGroup. */
export interface GroupNode {
  readonly port: number;
  readonly url: string;
  service: Service | null;
}

/** Runs one command on a server at `port` with a connection of its own. */
async function ask(port: number, ...args: (string | number)[]): Promise<unknown> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await redis.call(String(args[0]), ...args.slice(1).map(String));
  } finally {
    redis.disconnect();
  }
}

const infoField = (info: string, field: string) => new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();

/**
 * A real Redis replication group on free loopback ports for tests: a primary, replicas
 * (`--replicaof`) and Sentinels (`redis-server --sentinel` on generated config files in a temp
 * dir), none persisting anything. `killPrimary()` SIGKILLs whichever server is primary now, and
 * `promoted()` waits until the Sentinels name another one.
 */
export class SentinelGroup {
  readonly master: string;
  readonly nodes: GroupNode[] = [];
  readonly sentinelPorts: number[] = [];
  private readonly sentinelServices: Service[] = [];
  private dir = '';

  constructor(private readonly opts: SentinelGroupOptions = {}) {
    this.master = opts.master ?? 'vigil';
  }

  /** REDIS_SENTINELS and REDIS_SENTINEL_MASTER for a process of this group. */
  get env(): { REDIS_SENTINELS: string; REDIS_SENTINEL_MASTER: string } {
    return { REDIS_SENTINELS: this.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','), REDIS_SENTINEL_MASTER: this.master };
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'vigil-sentinel-'));
    const replicas = this.opts.replicas ?? 2;
    const ports = await Promise.all(Array.from({ length: 1 + replicas + (this.opts.sentinels ?? 3) }, () => freePort()));
    const primaryPort = ports[0];
    try {
      for (let i = 0; i <= replicas; i++) {
        const port = ports[i];
        // Diskless sync without the default 5 s delay: replicas are in sync within moments.
        const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
        args.push('--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0');
        if (i > 0)
          args.push('--replicaof', '127.0.0.1', String(primaryPort), '--replica-priority', String(this.opts.priorities?.[i - 1] ?? 100));
        const node: GroupNode = { port, url: `redis://127.0.0.1:${port}`, service: null };
        node.service = await startService(`redis-server on port ${port}`, 'redis-server', args, () => redisAnswers(node.url));
        this.nodes.push(node);
      }
      await until(
        'the replicas in sync',
        async () => {
          for (const n of this.nodes.slice(1))
            if (infoField(String(await ask(n.port, 'INFO', 'replication')), 'master_link_status') !== 'up') return false;
          return true;
        },
        20_000,
      );
      const sentinels = ports.slice(1 + replicas);
      const quorum = Math.floor(sentinels.length / 2) + 1;
      for (const port of sentinels) {
        const conf = join(this.dir, `sentinel-${port}.conf`);
        await writeFile(
          conf,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${this.dir}`,
            `sentinel monitor ${this.master} 127.0.0.1 ${primaryPort} ${quorum}`,
            `sentinel down-after-milliseconds ${this.master} ${this.opts.downAfterMs ?? 1000}`,
            `sentinel failover-timeout ${this.master} ${this.opts.failoverTimeoutMs ?? 3000}`,
            `sentinel parallel-syncs ${this.master} ${replicas}`,
            '',
          ].join('\n'),
        );
        this.sentinelServices.push(
          await startService(`redis-sentinel on port ${port}`, 'redis-server', [conf, '--sentinel'], () =>
            redisAnswers(`redis://127.0.0.1:${port}`),
          ),
        );
        this.sentinelPorts.push(port);
      }
      // A failover needs a majority of Sentinels that know each other and every replica.
      await until(
        'the Sentinels to know each other and the replicas',
        async () => {
          for (const port of this.sentinelPorts) {
            const [master] = (await ask(port, 'SENTINEL', 'MASTERS')) as string[][];
            const f = new Map<string, string>();
            for (let i = 0; i + 1 < (master ?? []).length; i += 2) f.set(master[i], master[i + 1]);
            if (Number(f.get('num-slaves')) !== replicas || Number(f.get('num-other-sentinels')) !== sentinels.length - 1) return false;
          }
          return true;
        },
        30_000,
      );
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /** The port of the server the Sentinels name as primary now (the first that answers). */
  async primaryPort(): Promise<number> {
    for (const port of this.sentinelPorts) {
      try {
        const [, p] = (await ask(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.master)) as [string, string];
        return Number(p);
      } catch {
        // that Sentinel is down: ask the next
      }
    }
    throw new Error('no Sentinel answers');
  }

  node(port: number): GroupNode {
    const n = this.nodes.find((x) => x.port === port);
    if (!n) throw new Error(`no server of this group on port ${port}`);
    return n;
  }

  /** The servers that are running and not the primary. */
  async replicas(): Promise<GroupNode[]> {
    const primary = await this.primaryPort();
    return this.nodes.filter((n) => n.service && n.port !== primary);
  }

  /** SIGKILLs the primary now: gone at once, with whatever it had not sent to a replica. Returns its port. */
  async killPrimary(): Promise<number> {
    const port = await this.primaryPort();
    const node = this.node(port);
    await stopService(node.service, 'SIGKILL');
    node.service = null;
    return port;
  }

  /** Waits until every Sentinel names a primary other than `oldPort`, and that server says it is one. */
  async promoted(oldPort: number, ms = 60_000): Promise<number> {
    return until(
      `a replica promoted in place of 127.0.0.1:${oldPort}`,
      async () => {
        const named = new Set<number>();
        for (const port of this.sentinelPorts) {
          const [, p] = (await ask(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.master)) as [string, string];
          named.add(Number(p));
        }
        const [port] = [...named];
        if (named.size !== 1 || port === oldPort) return false;
        return infoField(String(await ask(port, 'INFO', 'replication')), 'role') === 'master' && port;
      },
      ms,
      100,
    );
  }

  /**
   * Cuts replicas (all, unless told which) off the primary (a wrong masterauth, then their link
   * dropped: they cannot sync again), so what the primary acknowledges next reaches none of them:
   * what a primary that dies before replicating loses. `reconnectReplicas()` undoes it.
   */
  async cutReplication(only?: GroupNode[]): Promise<void> {
    const all = await this.replicas();
    const replicas = only ?? all;
    for (const r of replicas) {
      await ask(r.port, 'CONFIG', 'SET', 'masterauth', 'cut-off-by-the-test');
      await ask(r.port, 'CLIENT', 'KILL', 'TYPE', 'master');
    }
    const primary = await this.primaryPort();
    await until(
      'the replicas cut off',
      async () => {
        for (const r of replicas)
          if (infoField(String(await ask(r.port, 'INFO', 'replication')), 'master_link_status') !== 'down') return false;
        return Number(infoField(String(await ask(primary, 'INFO', 'replication')), 'connected_slaves')) === all.length - replicas.length;
      },
      10_000,
    );
  }

  async reconnectReplicas(): Promise<void> {
    for (const n of this.nodes) if (n.service) await ask(n.port, 'CONFIG', 'SET', 'masterauth', '');
  }

  async stop(): Promise<void> {
    for (const s of this.sentinelServices.splice(0)) await stopService(s, 'SIGKILL');
    for (const n of this.nodes) {
      await stopService(n.service, 'SIGKILL');
      n.service = null;
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
