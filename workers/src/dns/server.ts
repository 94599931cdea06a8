// Wires the dns process together: memory state, Redis sync, metrics, engine and listeners.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Server } from 'node:http';
import type { Logger } from '../common/logger';
import type { DnsConfig } from './config';
import { DnsEngine } from './engine';
import { geoipCountryLookup, type GeoLookup } from './geo';
import { sharedAsnTable, sharedCityPoints, type AsnLookup, type PointLookup } from './geo-data';
import { HealthTable } from './health';
import { boundPort, type HealthReport, startMetricsServer } from '../common/metrics';
import { DnsMetrics } from './metrics';
import { RttSync } from './rtt-sync';
import { RttTable } from './rtt';
import { RedisSync } from './sync';
import { resolveUdpIo, startTcp, startUdp, type TcpListener, type UdpIo, type UdpListener } from './transport';
import { ZoneStore } from './zone-store';

export interface DnsServerOptions {
  logger: Logger;
  geo?: GeoLookup;
  /** The asn picker's database; default: @ip-location-db/asn, loaded at start. */
  asn?: AsnLookup;
  /** The geodistance picker's database; default: DB-IP's city database, loaded at start. */
  points?: PointLookup;
  /** Feed poll period; tests shorten it. */
  blockMs?: number;
  /**
   * This process's number when it is one of a cluster's DNS processes on one port (cluster.ts):
   * its sockets are shared with the others, and the primary serves the metrics port for all.
   */
  worker?: number;
  /** Whether this process writes the local snapshot file: one process of a cluster does. Default true. */
  snapshotWriter?: boolean;
}

export interface DnsServer {
  /** Resolves once the first load is done and UDP and TCP listen. */
  readonly listening: Promise<{ port: number }>;
  /** 0 in a cluster worker, which serves no metrics port of its own. */
  readonly metricsPort: number;
  readonly zones: ZoneStore;
  readonly health: HealthTable;
  readonly sync: RedisSync;
  /** The probes' measured RTTs, reloaded every DNS_RTT_RELOAD_SECONDS. */
  readonly rtt: RttTable;
  readonly rttSync: RttSync;
  readonly metrics: DnsMetrics;
  /** How UDP moves in this process (DNS_UDP_IO, 'auto' resolved). */
  readonly udpIo: UdpIo;
  /** What /healthz answers for this process (the cluster's primary combines its workers'). */
  healthReport(): HealthReport;
  stop(): Promise<void>;
}

export async function startDnsServer(config: DnsConfig, opts: DnsServerOptions): Promise<DnsServer> {
  const log = opts.logger;
  // Before anything starts, so a DNS_UDP_IO=batch without the addon fails at once.
  const udpIo = resolveUdpIo(config.udpIo);
  const zones = new ZoneStore();
  const health = new HealthTable();
  // Both databases are read into memory before anything listens: a query never waits on a lookup's I/O.
  let asn = opts.asn;
  let points = opts.points;
  if (config.geoData) {
    const loadStart = Date.now();
    asn ??= sharedAsnTable().lookup;
    points ??= sharedCityPoints().lookup;
    log.info({ ms: Date.now() - loadStart }, 'ASN and city databases loaded');
  }
  const sync = new RedisSync({
    redis: config.redis,
    keyPrefix: config.redisKeyPrefix,
    zones,
    health,
    logger: log,
    blockMs: opts.blockMs,
    snapshot: config.snapshot && {
      path: config.snapshot.path,
      waitMs: config.snapshot.waitSeconds * 1000,
      intervalMs: config.snapshot.intervalSeconds * 1000,
      writer: opts.snapshotWriter ?? true,
    },
  });
  const rtt = new RttTable();
  const rttSync = new RttSync({
    redis: config.redis,
    keyPrefix: config.redisKeyPrefix,
    table: rtt,
    intervalMs: config.rttReloadSeconds * 1000,
    logger: log,
  });
  let tcp: TcpListener | null = null;
  const metrics = new DnsMetrics({
    zonesLoaded: () => zones.size,
    unavailableAddresses: () => health.unavailableCount,
    sync,
    tcpClosed: () => tcp?.closed ?? new Map(),
    tcpOpen: () => tcp?.open ?? 0,
    process: String(opts.worker ?? 1),
  });
  const engine = new DnsEngine({
    zones,
    health,
    geo: opts.geo ?? geoipCountryLookup,
    asn,
    points,
    rtt,
    observer: metrics,
    onError: (err) => log.error({ err: err instanceof Error ? err.stack : String(err) }, 'Query failed; answered SERVFAIL'),
  });
  // Synchronous and cheap: a cluster's primary asks every process on each /healthz.
  const healthReport = (): HealthReport => {
    const snap = sync.snapshot && {
      file: sync.snapshot.path,
      writtenAt: new Date(sync.snapshot.writtenAt).toISOString(),
      ageSeconds: Math.round((Date.now() - sync.snapshot.writtenAt) / 1000),
      feedId: sync.snapshot.feedId,
    };
    if (sync.source === 'redis') return { ready: true, status: 'ok', detail: { zones: zones.size, source: 'redis', snapshot: snap } };
    // Answering from the local snapshot: ready (it answers), but what it answers may be out of date.
    if (sync.source === 'snapshot') {
      return {
        ready: true,
        status: 'stale',
        detail: { zones: zones.size, source: 'snapshot', redisConnected: sync.connected, snapshot: snap },
      };
    }
    return { ready: false, status: 'loading' };
  };
  const shared = opts.worker !== undefined;
  let metricsServer: Server | null = null;
  if (!shared) {
    metricsServer = await startMetricsServer(metrics.registry, config.metricsPort, config.metricsHost, healthReport, (err) =>
      log.error({ err: err.message }, 'Metrics server error'),
    );
    log.info({ host: config.metricsHost, port: boundPort(metricsServer) }, 'Metrics listening on /metrics');
  }

  let udp: UdpListener | null = null;
  let stopped = false;
  sync.start();
  rttSync.start();
  const listening = (async () => {
    await sync.firstLoad;
    if (stopped) throw new Error('stopped before listening');
    collectLoadGarbage();
    const deps = { engine, logger: log, observeLatency: (ms: number) => metrics.observeLatency(ms) };
    // Port 0 picks a free UDP port, then TCP must get the same one: retry if it is taken.
    for (let attempt = 0; ; attempt++) {
      udp = await startUdp(config.dnsHost, config.dnsPort, deps, udpIo, shared);
      const port = udp.port;
      try {
        tcp = await startTcp(config.dnsHost, port, deps, config.tcp, shared);
        log.info({ host: config.dnsHost, port, zones: zones.size, udpIo }, 'DNS listening on UDP and TCP');
        return { port };
      } catch (err) {
        await udp.close();
        udp = null;
        if (config.dnsPort !== 0 || attempt >= 20) throw err;
      }
    }
  })();
  // The caller awaits `listening`; this keeps an early stop from surfacing as unhandled.
  listening.catch(() => undefined);

  return {
    listening,
    metricsPort: metricsServer ? boundPort(metricsServer) : 0,
    zones,
    health,
    sync,
    rtt,
    rttSync,
    metrics,
    udpIo,
    healthReport,
    async stop() {
      stopped = true;
      await sync.stop();
      await rttSync.stop();
      const u = udp as UdpListener | null;
      if (u) await u.close();
      const t = tcp as TcpListener | null;
      if (t) await t.close();
      const m = metricsServer as Server | null;
      if (m) await new Promise<void>((r) => m.close(() => r()));
    },
  };
}

/**
 * One full collection after the first load, while nothing is served yet so no query waits on it:
 * reading a large zone grows the heap with the chunks it parsed, which V8 would otherwise keep
 * for as long as the process runs.
 */
function collectLoadGarbage(): void {
  setFlagsFromString('--expose-gc');
  // Compacting moves what survived onto as few pages as it fills, so the rest go back to the OS.
  setFlagsFromString('--compact-on-every-full-gc');
  (runInNewContext('gc') as () => void)();
  setFlagsFromString('--no-compact-on-every-full-gc');
}
