// Prometheus metrics of the dns process. Query counts are kept in plain typed arrays and handed
// to prom-client only when scraped: a labelled Counter.inc() costs more than answering a query.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PROTOCOL_NAMES, RCODE_NAMES, type Protocol } from './constants';
import type { QueryObserver } from './engine';

const RCODE_SLOTS = 32;

export interface SyncStatus {
  readonly connected: boolean;
  /** ms since epoch of the last confirmed-current read of the feed, or null before the first. */
  readonly lastSyncAt: number | null;
  readonly loaded: boolean;
  readonly feedEvents: ReadonlyMap<string, number>;
  readonly reloads: ReadonlyMap<string, number>;
}

export interface MetricsSources {
  zonesLoaded: () => number;
  unavailableAddresses: () => number;
  sync: SyncStatus;
}

export class DnsMetrics implements QueryObserver {
  readonly registry = new Registry();
  private readonly counts = new Map<string, Float64Array>();
  private readonly latency: Histogram;
  private readonly startedAt = Date.now();

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    const counts = this.counts;
    collectDefaultMetrics({ register: this.registry, prefix: 'vigil_dns_' });

    new Counter({
      name: 'vigil_dns_queries_total',
      help: 'DNS queries answered, by zone ("" when in no hosted zone), rcode and protocol',
      labelNames: ['zone', 'rcode', 'protocol'],
      registers,
      collect() {
        this.reset();
        for (const [zone, a] of counts) {
          for (let i = 0; i < a.length; i++) {
            if (a[i] === 0) continue;
            const protocol = PROTOCOL_NAMES[Math.floor(i / RCODE_SLOTS)]!;
            const code = i % RCODE_SLOTS;
            this.inc({ zone, rcode: RCODE_NAMES[code] ?? String(code), protocol }, a[i]);
          }
        }
      },
    });
    this.latency = new Histogram({
      name: 'vigil_dns_answer_duration_seconds',
      help: 'Time to compute one answer, from the received message to the encoded response',
      buckets: [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.01],
      registers,
    });
    const startedAt = this.startedAt;
    new Gauge({
      name: 'vigil_dns_redis_sync_age_seconds',
      help: 'Seconds since the server last confirmed its zones and health are current with Redis (since start when never)',
      registers,
      collect() {
        this.set((Date.now() - (sources.sync.lastSyncAt ?? startedAt)) / 1000);
      },
    });
    new Gauge({
      name: 'vigil_dns_redis_connected',
      help: '1 when the connection to Redis is up; 0 means answers come from memory only',
      registers,
      collect() {
        this.set(sources.sync.connected ? 1 : 0);
      },
    });
    new Gauge({
      name: 'vigil_dns_zones_loaded',
      help: 'Zones held in memory and answered for',
      registers,
      collect() {
        this.set(sources.zonesLoaded());
      },
    });
    new Gauge({
      name: 'vigil_dns_unavailable_addresses',
      help: 'Addresses currently marked unavailable by health checks',
      registers,
      collect() {
        this.set(sources.unavailableAddresses());
      },
    });
    new Counter({
      name: 'vigil_dns_feed_events_total',
      help: 'Change feed events applied, by kind',
      labelNames: ['kind'],
      registers,
      collect() {
        this.reset();
        for (const [kind, n] of sources.sync.feedEvents) this.inc({ kind }, n);
      },
    });
    new Counter({
      name: 'vigil_dns_full_reloads_total',
      help: 'Full reloads of zones and health from Redis, by reason',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, n] of sources.sync.reloads) this.inc({ reason }, n);
      },
    });
  }

  count(zone: string, rcode: number, protocol: Protocol): void {
    let a = this.counts.get(zone);
    if (a === undefined) {
      a = new Float64Array(RCODE_SLOTS * PROTOCOL_NAMES.length);
      this.counts.set(zone, a);
    }
    a[protocol * RCODE_SLOTS + (rcode & (RCODE_SLOTS - 1))]!++;
  }

  observeLatency(seconds: number): void {
    this.latency.observe(seconds);
  }
}
