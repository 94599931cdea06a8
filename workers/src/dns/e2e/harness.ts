// Starts the real dns server in this process on a free loopback port, against real Redis under a
// key prefix of its own, and captures its log lines.
import { join } from 'node:path';
import pino from 'pino';
import { directRedis } from '@vigil/contract/redis';
import { type Env, startProcess } from '@vigil/stack';
import type { DnsConfig } from '../config';
import { startDnsServer, type DnsServer } from '../server';
import { TEST_REDIS_URL } from '../../common/testing/redis';
import { RedisFixture } from '../testing/redis';

export interface Harness {
  server: DnsServer;
  port: number;
  redis: RedisFixture;
  logs: string[];
  stop(): Promise<void>;
}

export function testConfig(overrides: Partial<DnsConfig> = {}): DnsConfig {
  return {
    dnsPort: 0,
    dnsHost: '127.0.0.1',
    redis: directRedis(TEST_REDIS_URL),
    redisKeyPrefix: '',
    metricsPort: 0,
    metricsHost: '127.0.0.1',
    tcp: { idleTimeoutMs: 2000, maxConnections: 100, maxPerSource: 64, messageTimeoutMs: 1000, maxLifetimeMs: 60_000 },
    udpIo: 'auto',
    logLevel: 'info',
    geoData: true,
    processes: 1,
    rttReloadSeconds: 1,
    ...overrides,
  };
}

export function captureLogger(logs: string[]) {
  return pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
}

/** `prepare` runs before the server starts, e.g. to publish zones for the initial load. */
export async function startHarness(prepare?: (redis: RedisFixture) => Promise<void>, overrides: Partial<DnsConfig> = {}): Promise<Harness> {
  const redis = new RedisFixture(overrides.redis?.url ?? TEST_REDIS_URL);
  if (prepare) await prepare(redis);
  const logs: string[] = [];
  // A short feed poll keeps the continuity checks frequent; answers never depend on it.
  const server = await startDnsServer(testConfig({ redisKeyPrefix: redis.prefix, ...overrides }), {
    logger: captureLogger(logs),
    blockMs: 500,
  });
  const { port } = await server.listening;
  return {
    server,
    port,
    redis,
    logs,
    async stop() {
      await server.stop();
      await redis.close();
    },
  };
}

const WORKERS = join(__dirname, '..', '..', '..');
const HOOK = join(WORKERS, 'src', 'dns', 'testing', 'ts-hook.js');
const MAIN = join(WORKERS, 'src', 'dns', 'main.ts');

/** The dns process run from the TypeScript sources (SWC on require), so no build is needed; its environment is `env` only. */
export const startDnsProcess = (env: Env, readyUrl?: string) =>
  startProcess({ name: 'dns', args: ['-r', HOOK, MAIN], cwd: WORKERS, env, readyUrl });

export async function scrape(metricsPort: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  return res.text();
}

/** The value of one sample in Prometheus text, e.g. metric('vigil_dns_redis_connected'). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) return Number(m[3]);
  }
  return null;
}
