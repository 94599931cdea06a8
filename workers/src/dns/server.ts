// Wires the dns process together: memory state, Redis sync, metrics, engine and listeners.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Server } from 'node:http';
import type { Logger } from '../common/logger';
import type { DnsConfig } from './config';
import { DnsEngine } from './engine';
import { geoipCountryLookup, type GeoLookup } from './geo';
import { HealthTable } from './health';
import { boundPort, startMetricsServer } from '../common/metrics';
import { DnsMetrics } from './metrics';
import { RedisSync } from './sync';
import { resolveUdpIo, startTcp, startUdp, type TcpListener, type UdpIo, type UdpListener } from './transport';
import { ZoneStore } from './zone-store';

export interface DnsServerOptions {
  logger: Logger;
  geo?: GeoLookup;
  /** Feed poll period; tests shorten it. */
  blockMs?: number;
}

export interface DnsServer {
  /** Resolves once the first load is done and UDP and TCP listen. */
  readonly listening: Promise<{ port: number }>;
  readonly metricsPort: number;
  readonly zones: ZoneStore;
  readonly health: HealthTable;
  readonly sync: RedisSync;
  readonly metrics: DnsMetrics;
  /** How UDP moves in this process (DNS_UDP_IO, 'auto' resolved). */
  readonly udpIo: UdpIo;
  stop(): Promise<void>;
}

export async function startDnsServer(config: DnsConfig, opts: DnsServerOptions): Promise<DnsServer> {
  const log = opts.logger;
  // Before anything starts, so a DNS_UDP_IO=batch without the addon fails at once.
  const udpIo = resolveUdpIo(config.udpIo);
  const zones = new ZoneStore();
  const health = new HealthTable();
  const sync = new RedisSync({
    redisUrl: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    zones,
    health,
    logger: log,
    blockMs: opts.blockMs,
  });
  let tcp: TcpListener | null = null;
  const metrics = new DnsMetrics({
    zonesLoaded: () => zones.size,
    unavailableAddresses: () => health.unavailableCount,
    sync,
    tcpClosed: () => tcp?.closed ?? new Map(),
    tcpOpen: () => tcp?.open ?? 0,
  });
  const engine = new DnsEngine({
    zones,
    health,
    geo: opts.geo ?? geoipCountryLookup,
    observer: metrics,
    onError: (err) => log.error({ err: err instanceof Error ? err.stack : String(err) }, 'Query failed; answered SERVFAIL'),
  });
  const metricsServer: Server = await startMetricsServer(
    metrics.registry,
    config.metricsPort,
    config.metricsHost,
    () => sync.loaded,
    (err) => log.error({ err: err.message }, 'Metrics server error'),
  );
  log.info({ host: config.metricsHost, port: boundPort(metricsServer) }, 'Metrics listening on /metrics');

  let udp: UdpListener | null = null;
  let stopped = false;
  sync.start();
  const listening = (async () => {
    await sync.firstLoad;
    if (stopped) throw new Error('stopped before listening');
    collectLoadGarbage();
    const deps = { engine, logger: log, observeLatency: (ms: number) => metrics.observeLatency(ms) };
    // Port 0 picks a free UDP port, then TCP must get the same one: retry if it is taken.
    for (let attempt = 0; ; attempt++) {
      udp = await startUdp(config.dnsHost, config.dnsPort, deps, udpIo);
      const port = udp.port;
      try {
        tcp = await startTcp(config.dnsHost, port, deps, config.tcp);
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
    metricsPort: boundPort(metricsServer),
    zones,
    health,
    sync,
    metrics,
    udpIo,
    async stop() {
      stopped = true;
      await sync.stop();
      const u = udp as UdpListener | null;
      if (u) await u.close();
      const t = tcp as TcpListener | null;
      if (t) await t.close();
      await new Promise<void>((r) => metricsServer.close(() => r()));
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
