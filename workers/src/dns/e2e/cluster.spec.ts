// DNS_PROCESSES=2: the built dns process (workers/dist/dns/main.js) as a cluster on one port,
// against real Redis, asked over UDP from many source ports (through each UDP path) and over TCP.
// The metrics endpoint shows both processes answered and that every query sent was counted; a
// worker killed is replaced while the port keeps answering; a port that cannot be had is a crash
// loop the primary gives up on; SIGTERM stops everything.
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { BUILT, freePort, LocalRedis, prerequisite, ROOT, type Running, startProcess, until, waitReady } from '@vigil/stack';
import { ensureBuilt } from '../../common/testing/processes';
import { aData, decode, query, tcpRaw, udpRaw } from '../testing/client';
import { RedisFixture } from '../testing/redis';
import { rr, zone } from '../testing/zones';
import { ADDON_PATH, loadBatchAddon } from '../udp-batch';
import { sample } from './harness';

const ZONE = 'cluster.example';
const NAME = `www.${ZONE}`;
// Under CI a missing addon fails here (as in udp-batch.spec.ts) rather than the batch path going untested.
const batchBuilt =
  process.platform === 'linux' &&
  prerequisite('the batched UDP addon', loadBatchAddon() === null ? `not built at ${ADDON_PATH} (npm install builds it)` : null);

beforeAll(() => ensureBuilt([BUILT.dns], ['dns', 'common']), 120_000);

interface Cluster {
  proc: Running;
  port: number;
  metricsPort: number;
  metrics(): Promise<string>;
  healthz(): Promise<{
    code: number;
    body: { status: string; processes: { process: number; pid: number; ready: boolean; zones?: number }[] };
  }>;
}

async function startCluster(env: Record<string, string>): Promise<Cluster> {
  const metricsPort = await freePort();
  const proc = startProcess({
    name: 'dns-cluster',
    args: [join(ROOT, BUILT.dns)],
    cwd: ROOT,
    // Port 0: the primary picks one free port for UDP and TCP and gives it to both workers.
    env: { DNS_PROCESSES: '2', DNS_HOST: '127.0.0.1', DNS_PORT: '0', METRICS_PORT: String(metricsPort), LOG_LEVEL: 'info', ...env },
    readyUrl: `http://127.0.0.1:${metricsPort}/healthz`,
  });
  const base = `http://127.0.0.1:${metricsPort}`;
  return {
    proc,
    metricsPort,
    port: await until('the port in the log', () => Number(/"port":(\d+),"processes":2/.exec(proc.output())?.[1] ?? 0), 20_000),
    metrics: async () => (await fetch(`${base}/metrics`)).text(),
    healthz: async () => {
      const res = await fetch(`${base}/healthz`);
      return { code: res.status, body: (await res.json()) as Awaited<ReturnType<Cluster['healthz']>>['body'] };
    },
  };
}

/** One query, from a socket (so a source port) of its own; retried as a stub resolver does. */
async function askUdp(port: number): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return aData(decode(await udpRaw(port, query(NAME, 'A'), 1000)));
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

/** Two queries on one connection of its own. */
async function askTcp(port: number): Promise<string[][]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const answers = await tcpRaw(port, [query(NAME, 'A'), query(NAME, 'A')], { timeoutMs: 2000 });
      return answers.map((b) => aData(decode(b)));
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

const perProcess = (text: string, process: number, protocol: string) =>
  sample(text, 'vigil_dns_process_queries_total', { process: String(process), protocol }) ?? 0;

describe.each([
  ['batch', batchBuilt],
  ['dgram', true],
] as const)('two DNS processes on one port, UDP through %s', (udpIo, runs) => {
  const maybe = runs ? it : it.skip;
  let redis: RedisFixture;
  let c: Cluster;
  const sent = { udp: 0, tcp: 0 };

  /** UDP queries from `n` source ports at once, each expected to get the zone's answer. */
  async function udpFromPorts(n: number): Promise<void> {
    const answers = await Promise.all(Array.from({ length: n }, () => askUdp(c.port)));
    sent.udp += n;
    expect(answers).toEqual(Array.from({ length: n }, () => ['192.0.2.1']));
  }

  /**
   * With SO_REUSEPORT the kernel hashes the sender onto a worker, so 64 source ports reach both;
   * dgram's one shared socket goes to whichever worker reads first, so rounds go on until both did.
   */
  async function untilBothAnswered(processes: number[], protocol = 'udp'): Promise<string> {
    for (let round = 0; ; round++) {
      await udpFromPorts(64);
      const text = await c.metrics();
      if (processes.every((p) => perProcess(text, p, protocol) > 0)) return text;
      if (round === 20) throw new Error(`not every process answered after ${round + 1} rounds:\n${text}`);
    }
  }

  beforeAll(async () => {
    if (!runs) return;
    redis = new RedisFixture();
    await redis.putZone(zone(ZONE, [rr(NAME, 'A', ['192.0.2.1'])]));
    c = await startCluster({ DNS_UDP_IO: udpIo, REDIS_KEY_PREFIX: redis.prefix });
    await waitReady(c.proc, 30_000);
  }, 60_000);

  afterAll(async () => {
    c?.proc.child.kill('SIGKILL');
    await redis?.close();
  });

  maybe(
    'answers queries from many source ports over UDP and TCP, counted once each, spread over both processes',
    async () => {
      await untilBothAnswered([1, 2]);
      const tcp = await Promise.all(Array.from({ length: 20 }, () => askTcp(c.port)));
      sent.tcp += 40;
      expect(tcp.flat()).toEqual(Array.from({ length: 40 }, () => ['192.0.2.1']));

      const text = await c.metrics();
      // TCP connections are dealt out in turn by the primary: 20 connections reach both.
      for (const p of [1, 2]) expect(perProcess(text, p, 'tcp')).toBeGreaterThan(0);
      expect(perProcess(text, 1, 'udp') + perProcess(text, 2, 'udp')).toBe(sent.udp);
      expect(perProcess(text, 1, 'tcp') + perProcess(text, 2, 'tcp')).toBe(sent.tcp);
      // Summed over the processes...
      expect(sample(text, 'vigil_dns_queries_total', { zone: ZONE, rcode: 'NOERROR', protocol: 'udp' })).toBe(sent.udp);
      expect(sample(text, 'vigil_dns_queries_total', { zone: ZONE, rcode: 'NOERROR', protocol: 'tcp' })).toBe(sent.tcp);
      expect(sample(text, 'vigil_dns_answer_duration_seconds_count')).toBe(sent.udp + sent.tcp);
      // ...but not what each process holds alike: one zone, not two.
      expect(sample(text, 'vigil_dns_zones_loaded')).toBe(1);
      expect(sample(text, 'vigil_dns_redis_connected')).toBe(1);
      expect(sample(text, 'vigil_dns_processes')).toBe(2);
      expect(sample(text, 'vigil_dns_processes_answering')).toBe(2);
    },
    60_000,
  );

  maybe('answers /healthz for both processes together', async () => {
    const h = await c.healthz();
    expect(h.code).toBe(200);
    expect(h.body.status).toBe('ok');
    expect(h.body.processes.map((p) => [p.process, p.ready, p.zones])).toEqual([
      [1, true, 1],
      [2, true, 1],
    ]);
    expect(new Set(h.body.processes.map((p) => p.pid)).size).toBe(2);
    expect(h.body.processes.map((p) => p.pid)).not.toContain(c.proc.child.pid);
  });

  maybe(
    'replaces a worker killed with SIGKILL while the port keeps answering',
    async () => {
      const before = (await c.healthz()).body.processes;
      const killed = before[1]!.pid;
      process.kill(killed, 'SIGKILL');
      // Right away, while the primary has not replaced it yet: every query still gets its answer.
      await udpFromPorts(64);
      const tcp = await Promise.all(Array.from({ length: 10 }, () => askTcp(c.port)));
      sent.tcp += 20;
      expect(tcp.flat()).toEqual(Array.from({ length: 20 }, () => ['192.0.2.1']));

      const after = await until(
        'process 2 replaced',
        async () => {
          const h = await c.healthz();
          const p2 = h.body.processes[1]!;
          return h.code === 200 && p2.ready && p2.pid !== killed && h.body.processes;
        },
        20_000,
      );
      expect(after[0]!.pid).toBe(before[0]!.pid);
      expect(() => process.kill(killed, 0)).toThrow();
      const text = await untilBothAnswered([1, 2]);
      expect(sample(text, 'vigil_dns_process_restarts_total', { process: '2' })).toBe(1);
      expect(sample(text, 'vigil_dns_process_restarts_total', { process: '1' })).toBeNull();
      expect(c.proc.output()).toContain('DNS process died; starting it again');
    },
    60_000,
  );

  maybe(
    'stops every process on SIGTERM',
    async () => {
      const pids = (await c.healthz()).body.processes.map((p) => p.pid);
      c.proc.child.kill('SIGTERM');
      expect(await c.proc.exited).toBe(0);
      for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
      await expect(udpRaw(c.port, query(NAME, 'A'), 500)).rejects.toThrow('timed out');
      await expect(tcpRaw(c.port, [query(NAME, 'A')], { timeoutMs: 1000 })).rejects.toThrow();
    },
    30_000,
  );
});

describe('the primary of DNS processes', () => {
  it('refuses a bad DNS_PROCESSES as a configuration error', async () => {
    const p = startProcess({ name: 'dns-cluster', args: [join(ROOT, BUILT.dns)], cwd: ROOT, env: { DNS_PROCESSES: 'two' } });
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain('DNS_PROCESSES: must be a positive integer');
  });

  it('gives up, stopping everything, when its processes crash again and again (their TCP port taken)', async () => {
    const local = new LocalRedis(await freePort());
    const dnsPort = await freePort();
    let squatter: Server | null = null;
    const c = await startCluster({ DNS_PORT: String(dnsPort), REDIS_URL: local.url });
    try {
      // The workers wait for Redis before they listen: the port is free when the primary checks it...
      await until('the Redis warning', () => c.proc.output().includes('does not answer'), 20_000);
      // ...and taken when they get to it.
      const s = createServer();
      squatter = s;
      await new Promise<void>((resolve) => s.listen(dnsPort, '127.0.0.1', resolve));
      await local.start();
      expect(await c.proc.exited).toBe(1);
      const out = c.proc.output();
      expect(out).toContain('Cannot listen for DNS');
      expect(out).toMatch(/DNS process [12] died 5 times within 60 s; stopping every DNS process/);
      expect(out.split('DNS process died; starting it again').length - 1).toBeGreaterThanOrEqual(4);
    } finally {
      c.proc.child.kill('SIGKILL');
      squatter?.close();
      await local.stop();
    }
  }, 90_000);
});
