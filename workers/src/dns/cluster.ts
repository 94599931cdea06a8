// N DNS processes on one UDP and TCP port (DNS_PROCESSES), through Node's cluster: Node 20 has no
// reusePort for dgram or net (it came in 22.12 and 23.1), so the primary holds the shared TCP and
// dgram sockets and each worker runs startDnsServer; the batched UDP addon opens a socket per
// worker with SO_REUSEPORT instead. The primary restarts workers that die, serves /metrics (the
// workers' registries merged by prom-client's AggregatorRegistry) and /healthz (their reports
// combined), and stops them all on SIGTERM/SIGINT.
import cluster, { type Worker } from 'node:cluster';
import { createSocket } from 'node:dgram';
import { createServer, isIPv6 } from 'node:net';
import { AggregatorRegistry, Counter, Gauge, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { HealthReport } from '../common/metrics';
import { boundPort, startMetricsServer } from '../common/metrics';
import type { Logger } from '../common/logger';
import { combineHealth, type ProcessReport, RestartPolicy } from './cluster-rules';
import type { DnsConfig } from './config';
import type { DnsServer } from './server';
import { resolveUdpIo } from './transport';

/** Set by the primary on each worker it forks: the worker's number, 1..N, kept by its replacements. */
export const WORKER_ENV = 'VIGIL_DNS_WORKER';

const HELLO = 'vigil-dns:hello';
const ASK = 'vigil-dns:ask';
const ANSWER = 'vigil-dns:answer';
/** A worker that does not answer in time is reported as not answering rather than holding up a scrape. */
const ASK_TIMEOUT_MS = 2000;
/** After SIGTERM, workers still running after this are killed; under stack's stopProcess grace (10 s). */
const STOP_GRACE_MS = 8000;

interface Answer {
  type: typeof ANSWER;
  id: number;
  listening: boolean;
  health: HealthReport;
  metrics: MetricObjectWithValues<MetricValue<string>>[];
}

/** This process's number when the primary of a DNS cluster forked it, else null. */
export function workerSlot(env: NodeJS.ProcessEnv = process.env): number | null {
  const n = Number(env[WORKER_ENV]);
  return cluster.isWorker && Number.isInteger(n) && n > 0 ? n : null;
}

/**
 * A worker's side: answers the primary's questions with its metrics (as JSON, for
 * AggregatorRegistry.aggregate) and its health report. Set up before the server starts, so the
 * primary can tell a starting worker from a silent one.
 */
export class PrimaryLink {
  server: DnsServer | null = null;
  listening = false;

  constructor() {
    process.on('message', (m: { type?: string; id?: number }) => {
      if (m?.type === ASK) void this.answer(m.id!);
    });
    process.send?.({ type: HELLO });
  }

  private async answer(id: number): Promise<void> {
    const s = this.server;
    const answer: Answer = {
      type: ANSWER,
      id,
      listening: this.listening,
      health: s ? s.healthReport() : { ready: false, status: 'starting' },
      metrics: s ? await s.metrics.registry.getMetricsAsJSON() : [],
    };
    process.send?.(answer);
  }
}

interface Slot {
  readonly n: number;
  worker: Worker | null;
  /** It said hello: its questions are answered. */
  linked: boolean;
  restartTimer: NodeJS.Timeout | null;
  /** Questions it has not answered yet: answered with null when it dies, not at their timeout. */
  readonly asking: Set<(a: Answer | null) => void>;
}

/** Runs the primary until it is stopped (exit 0) or its workers crash-loop (exit 1). */
export async function runPrimary(config: DnsConfig, log: Logger): Promise<void> {
  // What a worker would fail on, failed once here instead of in a crash loop of N processes.
  const udpIo = resolveUdpIo(config.udpIo);
  const port = await reservePort(config.dnsHost, config.dnsPort);

  const slots: Slot[] = Array.from({ length: config.processes }, (_, i) => ({
    n: i + 1,
    worker: null,
    linked: false,
    restartTimer: null,
    asking: new Set(),
  }));
  const policy = new RestartPolicy();
  const pending = new Map<number, (a: Answer | null) => void>();
  let nextId = 0;
  let stopping = false;

  const own = new Registry();
  new Gauge({ name: 'vigil_dns_processes', help: 'DNS processes configured on the port (DNS_PROCESSES)', registers: [own] }).set(
    config.processes,
  );
  const answering = new Gauge({
    name: 'vigil_dns_processes_answering',
    help: 'DNS processes whose metrics this scrape holds',
    registers: [own],
  });
  const restarts = new Counter({
    name: 'vigil_dns_process_restarts_total',
    help: 'DNS processes the primary started again after they died, by process number',
    labelNames: ['process'],
    registers: [own],
  });

  const ask = (s: Slot): Promise<Answer | null> => {
    const w = s.worker;
    if (w === null || !s.linked || !w.isConnected()) return Promise.resolve(null);
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(null), ASK_TIMEOUT_MS);
      const done = (a: Answer | null) => {
        clearTimeout(timer);
        pending.delete(id);
        s.asking.delete(done);
        resolve(a);
      };
      pending.set(id, done);
      s.asking.add(done);
      w.send({ type: ASK, id }, (err: Error | null) => err && done(null));
    });
  };

  const registry = {
    contentType: own.contentType,
    async metrics(): Promise<string> {
      const answers = (await Promise.all(slots.map(ask))).filter((a): a is Answer => a !== null);
      answering.set(answers.length);
      return Registry.merge([AggregatorRegistry.aggregate(answers.map((a) => a.metrics)), own]).metrics();
    },
  };
  const health = async (): Promise<HealthReport> =>
    combineHealth(
      await Promise.all(
        slots.map(async (s): Promise<ProcessReport> => {
          const a = await ask(s);
          const gone = s.worker === null ? { ready: false, status: 'restarting' } : null;
          return { process: s.n, pid: s.worker?.process.pid ?? null, listening: a?.listening ?? false, report: a?.health ?? gone };
        }),
      ),
    );
  const metricsServer = await startMetricsServer(registry, config.metricsPort, config.metricsHost, health, (err) =>
    log.error({ err: err.message }, 'Metrics server error'),
  );

  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const s of slots) if (s.restartTimer) clearTimeout(s.restartTimer);
    const live = slots.map((s) => s.worker).filter((w): w is Worker => w !== null);
    const killer = setTimeout(() => {
      for (const w of live) if (!w.isDead()) w.process.kill('SIGKILL');
    }, STOP_GRACE_MS);
    Promise.all(live.map((w) => (w.isDead() ? null : new Promise((r) => w.once('exit', r)))))
      .then(
        () =>
          new Promise<void>((r) => {
            metricsServer.close(() => r());
            // A scraper's kept-alive connection would hold the exit up.
            metricsServer.closeAllConnections();
          }),
      )
      .finally(() => {
        clearTimeout(killer);
        process.exit(code);
      });
    for (const w of live) if (!w.isDead()) w.process.kill('SIGTERM');
  };

  const fork = (s: Slot) => {
    // The port fixed here, so a port 0 means the same free port for every worker.
    const worker = cluster.fork({ [WORKER_ENV]: String(s.n), DNS_PORT: String(port) });
    s.worker = worker;
    s.linked = false;
    worker.on('message', (m: { type?: string; id?: number }) => {
      if (m?.type === HELLO) s.linked = true;
      else if (m?.type === ANSWER) pending.get(m.id!)?.(m as Answer);
    });
    worker.on('exit', (code, signal) => {
      if (s.worker === worker) s.worker = null;
      for (const done of [...s.asking]) done(null);
      if (stopping) return;
      // Not `process` and `pid`: this logger's own fields name the primary.
      const workerPid = worker.process.pid;
      // 2: its configuration is wrong, which a restart does not mend (the primary read the same one).
      const decision = code === 2 ? { giveUp: `DNS process ${s.n} refused its configuration` } : policy.exited(s.n, Date.now());
      if ('giveUp' in decision) {
        log.fatal({ worker: s.n, workerPid, code, signal }, `${decision.giveUp}; stopping every DNS process`);
        stop(1);
        return;
      }
      log.error({ worker: s.n, workerPid, code, signal, restartInMs: decision.restartInMs }, 'DNS process died; starting it again');
      s.restartTimer = setTimeout(() => {
        s.restartTimer = null;
        if (stopping) return;
        restarts.inc({ process: String(s.n) });
        fork(s);
      }, decision.restartInMs);
    });
  };

  process.on('SIGTERM', () => {
    log.info({ signal: 'SIGTERM' }, 'Stopping every DNS process');
    stop(0);
  });
  process.on('SIGINT', () => {
    log.info({ signal: 'SIGINT' }, 'Stopping every DNS process');
    stop(0);
  });
  for (const s of slots) fork(s);
  log.info(
    { host: config.dnsHost, port, processes: config.processes, udpIo, metricsPort: boundPort(metricsServer) },
    'DNS processes starting on one port; metrics of all of them on /metrics',
  );
}

/**
 * Checks that UDP and TCP `port` are free on `host`, or with 0 picks one free for both, and
 * releases it for the workers: a port in use fails here once, clearly, not as N crash loops.
 * (Between the release and the workers' binds another program could take a port 0 picked.)
 */
async function reservePort(host: string, port: number): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const udp = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ port, address: host, exclusive: true }, () => resolve());
      });
      const picked = udp.address().port;
      const tcp = createServer();
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen({ port: picked, host, exclusive: true }, () => resolve());
        });
        await new Promise<void>((r) => tcp.close(() => r()));
        return picked;
      } catch (err) {
        if (port !== 0 || attempt >= 20) throw err;
      }
    } finally {
      await new Promise<void>((r) => {
        try {
          udp.close(() => r());
        } catch {
          r(); // never bound
        }
      });
    }
  }
}
