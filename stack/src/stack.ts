import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import pg from 'pg';
import { aggregatorProcess, apiProcess, dnsProcess, type Env, panelProcess, probeProcess, type ProcessSpec } from './processes';
import { type Running, type StartOptions, startProcess, stopProcess, waitReady } from './spawn';
import { freePort } from './wait';

/**
 * The PostgreSQL (an admin connection: runs create and drop their databases) and Redis that every
 * test and benchmark uses, from TEST_DATABASE_ADMIN_URL and TEST_REDIS_URL, else this machine's.
 */
export const TEST_DATABASE_ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface StackOptions extends Pick<StartOptions, 'logDir' | 'echo'> {
  /** Names the run: database `vigil_<kind>_<id>`, Redis key prefix `vigil-<kind>-<id>:`. */
  kind: string;
  pgAdminUrl?: string;
  redisUrl?: string;
  /** LOG_LEVEL of every process; default warn. */
  logLevel?: string;
}

/**
 * One run of Vigil's processes on loopback, for tests and benchmarks: they share a fresh database
 * (the api creates it when it starts) and a Redis key prefix no other run uses, and see nothing
 * of this process's environment but PATH and HOME. `stop()` ends them and removes both.
 */
export class Stack {
  readonly id = randomBytes(5).toString('hex');
  readonly dbName: string;
  readonly prefix: string;
  readonly pgAdminUrl: string;
  readonly redisUrl: string;
  readonly procs: Running[] = [];
  apiUrl = '';
  dnsPort = 0;

  constructor(readonly options: StackOptions) {
    this.dbName = `vigil_${options.kind}_${this.id}`;
    this.prefix = `vigil-${options.kind}-${this.id}:`;
    this.pgAdminUrl = options.pgAdminUrl ?? TEST_DATABASE_ADMIN_URL;
    this.redisUrl = options.redisUrl ?? TEST_REDIS_URL;
  }

  get databaseUrl(): string {
    const u = new URL(this.pgAdminUrl);
    u.pathname = `/${this.dbName}`;
    return u.toString();
  }

  start(spec: ProcessSpec): Running {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REDIS_URL: this.redisUrl,
      REDIS_KEY_PREFIX: this.prefix,
      LOG_LEVEL: this.options.logLevel ?? 'warn',
    };
    const p = startProcess(spec, { env, logDir: this.options.logDir, echo: this.options.echo });
    this.procs.push(p);
    return p;
  }

  /** The api on a free port and the run's database; resolves with its URL once /healthz answers. */
  async startApi(env: Env = {}): Promise<string> {
    const port = await freePort();
    await waitReady(this.start(apiProcess(port, { DATABASE_URL: this.databaseUrl, ...env })));
    return (this.apiUrl = `http://127.0.0.1:${port}`);
  }

  /**
   * The DNS server on free loopback ports (or DNS on `dnsPort`, chosen before the api that
   * previews against it); resolves with its DNS port once it has loaded the zones.
   */
  async startDns(env: Env = {}, dnsPort?: number): Promise<number> {
    const port = dnsPort ?? (await freePort());
    const metricsPort = await freePort();
    await waitReady(this.start(dnsProcess(port, metricsPort, { DNS_HOST: '127.0.0.1', ...env })));
    return (this.dnsPort = port);
  }

  /** A probe that may check loopback addresses, where the tests' and benchmarks' backends are. */
  startProbe(location: string, env: Env = {}): Running {
    return this.start(probeProcess(location, { ALLOW_PRIVATE_TARGETS: '127.0.0.0/8', ...env }));
  }

  startAggregator(env: Env = {}): Running {
    return this.start(aggregatorProcess(env));
  }

  /** The built panel proxying to `apiUrl`; resolves with its URL once it answers. */
  async startPanel(apiUrl: string, port?: number): Promise<string> {
    const p = port ?? (await freePort());
    await waitReady(this.start(panelProcess(p, apiUrl)));
    return `http://127.0.0.1:${p}`;
  }

  /** Stops every process (SIGTERM, SIGKILL after `graceMs`), then drops the database and the keys. */
  async stop(graceMs = 10_000): Promise<void> {
    await Promise.all(this.procs.map((p) => stopProcess(p, graceMs)));
    const cleanups = await Promise.allSettled([dropDatabase(this.pgAdminUrl, this.dbName), deleteKeys(this.redisUrl, this.prefix)]);
    for (const c of cleanups) if (c.status === 'rejected') throw c.reason;
  }
}

export async function dropDatabase(pgAdminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgAdminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Deletes every key under `prefix`: zones, health, feeds and BullMQ's queues. */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
