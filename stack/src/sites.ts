import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { udpQuery } from './dns-client';
import { type Host, Topology } from './netns';
import { aggregatorProcess, dnsProcess, type Env, probeProcess } from './processes';
import { type Running, type Service, startService, stopProcess, stopService, waitReady } from './spawn';
import { dropDatabase, Stack, type StackOptions } from './stack';
import { freePort, until } from './wait';

const MASTER = 'vigil';
/** Redis with a password, as in production: the URLs carry it, Sentinel's auth-pass too. */
const PASSWORD = 'site-secret-1';
const REDIS_ARGS = ['--save', '', '--appendonly', 'no', '--requirepass', PASSWORD, '--masterauth', PASSWORD];
const redisUrl = (address: string) => `redis://:${PASSWORD}@${address}`;

/** Whether the Redis (or Sentinel) at `address` answers PING. */
async function answers(address: string, password?: string): Promise<boolean> {
  const [host, port] = address.split(':');
  const r = new Redis({ host, port: Number(port), password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined); // the failed connect rejects below; the event would be logged as unhandled
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export interface Site {
  n: number;
  host: Host;
  /** The probe's LOCATION. */
  location: string;
  /** Its Redis replica (or, after a failover, perhaps the primary); null while stopped. */
  redis: Service | null;
  sentinel: Service;
  dns: Running;
  probe: Running;
  snapshot: string;
  dnsProcesses: number;
}

export interface SitesOptions extends Pick<StackOptions, 'kind' | 'logLevel' | 'echo'> {
  sites?: number;
  backends?: number;
  /** DNS processes of site `n` (1-based); default one. */
  dnsProcesses?: (n: number) => number;
  /** Added to the api's environment (its support user, rate limits). */
  apiEnv?: Env;
}

/**
 * Vigil across sites, on namespaces made here (see Topology): a core (this machine's namespace:
 * PostgreSQL, the api, the Redis primary, an aggregator) and `sites` sites, each with a DNS
 * server on port 53 of its address, a probe, a Redis replica and a Sentinel, and HTTP backends
 * answering `ok` on port 80, each in a namespace of its own. The DNS servers read their site's
 * replica (`REDIS_READ_URL`); everything writes to the primary the Sentinels name. For the
 * multi-site system test and its benchmark.
 */
export class Sites {
  readonly topology = new Topology();
  readonly dir = mkdtempSync(join(tmpdir(), 'vigil-sites-'));
  readonly sites: Site[] = [];
  readonly backends: { host: Host; server: Running }[] = [];
  core!: Host;
  /** The address queries are sent from: the core's second one, which a cut-off site still reaches. */
  client = '';
  primary: Service | null = null;
  primaryPort = 0;
  /** The run's processes; made once the primary's port is known. */
  stack!: Stack;

  constructor(private readonly options: SitesOptions) {}

  get redisEnv(): Env {
    return { REDIS_SENTINELS: this.sites.map((s) => `${s.host.address}:26379`).join(','), REDIS_SENTINEL_MASTER: MASTER };
  }

  /** Builds the network and starts everything; resolves with the api's URL once every DNS server answers. */
  async start(): Promise<string> {
    const t = this.topology;
    this.core = await t.create();
    this.client = this.core.addresses[1]!;
    this.primaryPort = await freePort(this.core.address);
    const primaryAt = `${this.core.address}:${this.primaryPort}`;
    this.primary = await startService(
      'redis primary',
      'redis-server',
      ['--bind', this.core.address, '--port', String(this.primaryPort), ...REDIS_ARGS, '--dir', this.dir],
      () => answers(primaryAt, PASSWORD),
    );
    const count = this.options.sites ?? 3;
    for (let n = 1; n <= count; n++) {
      const host = await t.host(`site${n}`);
      const site = { n, host, location: `site-${n}`, redis: null, snapshot: join(this.dir, `site-${n}.snapshot`) };
      this.sites.push({
        ...site,
        sentinel: null as never,
        dns: null as never,
        probe: null as never,
        dnsProcesses: this.options.dnsProcesses?.(n) ?? 1,
      });
    }
    for (const s of this.sites) {
      await this.startRedis(s, primaryAt);
      s.sentinel = await this.startSentinel(s, primaryAt);
    }
    // Every sentinel knows the others before anything depends on a failover.
    await until(
      'the sentinels to find each other',
      async () => {
        const r = new Redis({ host: this.sites[0]!.host.address, port: 26379, maxRetriesPerRequest: 0 });
        try {
          const info = (await r.call('SENTINEL', 'master', MASTER)) as string[];
          return Number(info[info.indexOf('num-other-sentinels') + 1]) === count - 1;
        } finally {
          r.disconnect();
        }
      },
      30_000,
      200,
    );

    // Its Redis URL is the primary's only for the login: with Sentinel the host is not used.
    this.stack = new Stack({ ...this.options, redisUrl: redisUrl(primaryAt) });
    const api = await this.stack.startApi({ ...this.options.apiEnv, ...this.redisEnv, RECONCILE_INTERVAL_SECONDS: '2' });
    this.stack.start(aggregatorProcess(this.redisEnv));
    for (const s of this.sites) {
      const spec = probeProcess(s.location, { ALLOW_PRIVATE_TARGETS: `${t.subnet}.0/24`, ...this.redisEnv });
      s.probe = this.stack.start({ ...spec, netns: s.host.netns! });
    }
    for (let n = 1; n <= (this.options.backends ?? 2); n++) {
      const host = await t.host(`backend${n}`);
      this.backends.push({ host, server: this.serve(n, host) });
    }
    for (const s of this.sites) s.dns = await this.startDns(s);
    return api;
  }

  /** What site `s`'s DNS answers for `name` A, sorted and joined, asked from the client address. */
  async answer(s: Site, name: string): Promise<string> {
    const r = await udpQuery(53, name, 'A', 1000, { host: s.host.address, from: this.client });
    return (r.answers ?? [])
      .flatMap((a) => (a.type === 'A' ? [a.data] : []))
      .sort()
      .join(',');
  }

  /** Waits until every site answers `want` for `name`; resolves with when each first did (ms from the call). */
  async everySite(what: string, name: string, want: string, ms = 60_000): Promise<number[]> {
    const started = Date.now();
    const at: (number | undefined)[] = this.sites.map(() => undefined);
    let last: string[] = [];
    try {
      await until(
        `${what}: every site's DNS answers ${want}`,
        async () => {
          last = await Promise.all(this.sites.map((s) => this.answer(s, name).catch(() => 'none')));
          last.forEach((a, i) => (at[i] ??= a === want ? Date.now() - started : undefined));
          return last.every((a) => a === want);
        },
        ms,
        200,
      );
    } catch (e) {
      const behind = this.sites.filter((_, i) => last[i] !== want);
      const logs = behind.map((s) => `--- ${s.location}'s DNS ---\n${s.dns.output().slice(-3000)}`).join('\n');
      throw new Error(`${(e as Error).message}; sites answered ${JSON.stringify(last)}\n${logs}`);
    }
    return at as number[];
  }

  /** `host:port` of the primary as the first Sentinel that answers names it. */
  async masterAddress(): Promise<string> {
    for (const s of this.sites) {
      const r = new Redis({ host: s.host.address, port: 26379, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined); // a Sentinel away rejects below; the next one is asked
      try {
        await r.connect();
        const [host, port] = (await r.call('SENTINEL', 'get-master-addr-by-name', MASTER)) as [string, string];
        return `${host}:${port}`;
      } catch {
        /* try the next one */
      } finally {
        r.disconnect();
      }
    }
    throw new Error('no sentinel answers');
  }

  /** The site whose Redis is the primary now, if one is. */
  async primarySite(): Promise<Site | undefined> {
    const master = await this.masterAddress();
    return this.sites.find((s) => `${s.host.address}:6379` === master);
  }

  /** A site whose Redis is a replica now (cutting off the primary's own would start another failover). */
  async replicaSite(): Promise<Site> {
    const primary = await this.primarySite();
    return this.sites.filter((s) => s !== primary && s.redis !== null).at(-1)!;
  }

  /** SIGKILLs whichever Redis is the primary now; resolves with its address. */
  async killPrimary(): Promise<string> {
    const address = await this.masterAddress();
    const site = await this.primarySite();
    if (site) {
      await stopService(site.redis, 'SIGKILL');
      site.redis = null;
    } else {
      await stopService(this.primary, 'SIGKILL');
      this.primary = null;
    }
    return address;
  }

  /** Waits until the Sentinels name a primary other than `old`; resolves with it. */
  promoted(old: string, ms = 30_000): Promise<string> {
    return until(
      'Sentinel to promote a replica',
      async () => {
        const now = await this.masterAddress();
        return now !== old && now;
      },
      ms,
      100,
    );
  }

  async startRedis(s: Site, replicaOf: string): Promise<void> {
    const [host, port] = replicaOf.split(':');
    // A replica keeps the dataset it receives in a file of its directory even without `save`.
    const dir = join(this.dir, s.location);
    mkdirSync(dir, { recursive: true });
    const args = ['--bind', s.host.address, '--port', '6379', ...REDIS_ARGS, '--dir', dir, '--replicaof', host!, port!];
    s.redis = await startService(`redis replica in ${s.location}`, 'ip', ['netns', 'exec', s.host.netns!, 'redis-server', ...args], () =>
      answers(`${s.host.address}:6379`, PASSWORD),
    );
  }

  async startDns(s: Site): Promise<Running> {
    const spec = dnsProcess(53, 9153, {
      DNS_HOST: s.host.address,
      METRICS_HOST: s.host.address,
      DNS_PROCESSES: String(s.dnsProcesses),
      REDIS_READ_URL: redisUrl(`${s.host.address}:6379`),
      DNS_SNAPSHOT_FILE: s.snapshot,
      DNS_SNAPSHOT_INTERVAL_SECONDS: '1',
      DNS_SNAPSHOT_WAIT_SECONDS: '2',
      ...this.redisEnv,
    });
    const p = this.stack.start({ ...spec, name: `dns-${s.location}`, netns: s.host.netns!, readyUrl: this.metricsUrl(s, '/healthz') });
    await waitReady(p);
    return p;
  }

  metricsUrl(s: Site, path: string): string {
    return `http://${s.host.address}:9153${path}`;
  }

  /** An HTTP backend answering `ok` on port 80 of its own namespace. */
  serve(n: number, host: Host): Running {
    const script = `require('http').createServer((q,s)=>s.end('ok')).listen(80,'${host.address}')`;
    return this.stack.start({ name: `backend-${n}`, args: ['-e', script], cwd: this.dir, env: {}, netns: host.netns! });
  }

  /** Stops everything, drops the database, removes the namespaces (also when a start failed half way). */
  async stop(): Promise<void> {
    try {
      const procs = this.stack?.procs ?? [];
      await Promise.all(procs.map((p) => stopProcess(p, 5000)));
      for (const s of this.sites) {
        await stopService(s.sentinel, 'SIGKILL');
        await stopService(s.redis, 'SIGKILL');
      }
      await stopService(this.primary, 'SIGKILL');
      if (procs.length > 0) await dropDatabase(this.stack.pgAdminUrl, this.stack.dbName);
    } finally {
      await this.topology.destroy();
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async startSentinel(s: Site, primaryAt: string): Promise<Service> {
    const [host, port] = primaryAt.split(':');
    const conf = join(this.dir, `sentinel-${s.n}.conf`);
    const lines = [
      `bind ${s.host.address}`,
      'port 26379',
      // Reached on these namespaces only; the data nodes have a password.
      'protected-mode no',
      `dir ${this.dir}`,
      `sentinel monitor ${MASTER} ${host} ${port} 2`,
      `sentinel auth-pass ${MASTER} ${PASSWORD}`,
      `sentinel down-after-milliseconds ${MASTER} 1000`,
      `sentinel failover-timeout ${MASTER} 5000`,
      `sentinel parallel-syncs ${MASTER} 2`,
    ];
    writeFileSync(conf, `${lines.join('\n')}\n`);
    return startService(`sentinel in ${s.location}`, 'ip', ['netns', 'exec', s.host.netns!, 'redis-server', conf, '--sentinel'], () =>
      answers(`${s.host.address}:26379`),
    );
  }
}
