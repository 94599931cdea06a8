// Prometheus metrics of the dns process. Query counts are kept in plain typed arrays and handed
// to prom-client only when scraped: a labelled Counter.inc() costs more than answering a query.
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import { PROTOCOL_NAMES, RCODE_NAMES, type Protocol } from './constants';
import type { QueryObserver } from './engine';

const RCODE_SLOTS = 32;

/** Upper bounds of the answer-time buckets in seconds (the labels), and in milliseconds (the clock's unit). */
const LATENCY_BOUNDS_S = [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.01];
const LATENCY_BOUNDS_MS = LATENCY_BOUNDS_S.map((s) => s * 1000);

/**
 * A Prometheus histogram counted in a typed array: prom-client's Histogram.observe() cost more
 * per query than parsing it. It is shown to the registry as a metric of its own, the cumulative
 * buckets worked out on scrape, so the exposition is the same as prom-client's.
 */
class LatencyHistogram {
  readonly name = 'vigil_dns_answer_duration_seconds';
  readonly help = 'Time to compute one answer, from the received message to the encoded response';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** Per bucket (not cumulative); the last one is +Inf. */
  private readonly buckets = new Float64Array(LATENCY_BOUNDS_MS.length + 1);
  private sumMs = 0;

  observeMs(ms: number): void {
    let i = 0;
    while (i < LATENCY_BOUNDS_MS.length && ms > LATENCY_BOUNDS_MS[i]!) i++;
    this.buckets[i]!++;
    this.sumMs += ms;
  }

  get() {
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += this.buckets[i]!;
      const le = i < LATENCY_BOUNDS_S.length ? LATENCY_BOUNDS_S[i]! : '+Inf';
      values.push({ value: cumulative, labels: { le }, metricName: `${this.name}_bucket` });
    }
    values.push({ value: this.sumMs / 1000, labels: {}, metricName: `${this.name}_sum` });
    values.push({ value: cumulative, labels: {}, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.buckets.fill(0);
    this.sumMs = 0;
  }
}

export interface SyncStatus {
  readonly connected: boolean;
  /** ms since epoch of the last confirmed-current read of the feed, or null before the first. */
  readonly lastSyncAt: number | null;
  readonly loaded: boolean;
  readonly feedEvents: ReadonlyMap<string, number>;
  readonly reloads: ReadonlyMap<string, number>;
  readonly digestMismatches: number;
  /** Where the state served came from: 'snapshot' while serving the local snapshot file. */
  readonly source: 'redis' | 'snapshot' | null;
  /** The snapshot served from, else the last one written; null: none. */
  readonly snapshot: { writtenAt: number } | null;
  readonly snapshotWrites: ReadonlyMap<string, number>;
  readonly snapshotLoads: ReadonlyMap<string, number>;
}

export interface MetricsSources {
  zonesLoaded: () => number;
  unavailableAddresses: () => number;
  sync: SyncStatus;
  /** TCP connections the server closed, by reason. */
  tcpClosed?: () => ReadonlyMap<string, number>;
  tcpOpen?: () => number;
  /** Names this process in vigil_dns_process_queries_total: its number in a cluster, else "1". */
  process?: string;
}

export class DnsMetrics implements QueryObserver {
  readonly registry = new Registry();
  private readonly counts = new Map<string, Float64Array>();
  private readonly latency = new LatencyHistogram();
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
    // The spread over a cluster's processes; summed with the others it would say nothing.
    const processName = sources.process ?? '1';
    new Counter({
      name: 'vigil_dns_process_queries_total',
      help: 'DNS queries answered by this process, by protocol (its number in a cluster of DNS processes on one port)',
      labelNames: ['process', 'protocol'],
      registers,
      collect() {
        this.reset();
        const perProtocol = new Float64Array(PROTOCOL_NAMES.length);
        for (const a of counts.values()) for (let i = 0; i < a.length; i++) perProtocol[Math.floor(i / RCODE_SLOTS)]! += a[i]!;
        for (let p = 0; p < perProtocol.length; p++) this.inc({ process: processName, protocol: PROTOCOL_NAMES[p]! }, perProtocol[p]);
      },
    });
    this.registry.registerMetric(this.latency as unknown as Metric);
    const startedAt = this.startedAt;
    new Gauge({
      name: 'vigil_dns_redis_sync_age_seconds',
      help: 'Seconds since the server last confirmed its zones and health are current with Redis (since start when never)',
      registers,
      // Over a cluster's processes (AggregatorRegistry), the most out of date one; the same for the gauges below.
      aggregator: 'max',
      collect() {
        this.set((Date.now() - (sources.sync.lastSyncAt ?? startedAt)) / 1000);
      },
    });
    new Gauge({
      name: 'vigil_dns_redis_connected',
      help: '1 when the connection to Redis is up; 0 means answers come from memory only',
      registers,
      aggregator: 'min',
      collect() {
        this.set(sources.sync.connected ? 1 : 0);
      },
    });
    new Gauge({
      name: 'vigil_dns_zones_loaded',
      help: 'Zones held in memory and answered for',
      registers,
      aggregator: 'min',
      collect() {
        this.set(sources.zonesLoaded());
      },
    });
    new Gauge({
      name: 'vigil_dns_unavailable_addresses',
      help: 'Addresses currently marked unavailable by health checks',
      registers,
      aggregator: 'max',
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
    new Gauge({
      name: 'vigil_dns_tcp_connections',
      help: 'TCP connections open now',
      registers,
      collect() {
        this.set(sources.tcpOpen?.() ?? 0);
      },
    });
    new Counter({
      name: 'vigil_dns_tcp_closed_total',
      help: 'TCP connections the server closed or refused, by reason (idle, message_timeout, lifetime, evicted, refused)',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, n] of sources.tcpClosed?.() ?? []) this.inc({ reason }, n);
      },
    });
    new Gauge({
      name: 'vigil_dns_serving_snapshot',
      help: '1 while answering from the local snapshot file (started while Redis did not answer, stale); 0 once loaded from Redis',
      registers,
      aggregator: 'max',
      collect() {
        this.set(sources.sync.source === 'snapshot' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'vigil_dns_snapshot_age_seconds',
      help: 'Seconds since the snapshot served from (while serving it), else the last one written, was written; absent when none',
      registers,
      aggregator: 'max',
      collect() {
        this.reset();
        const s = sources.sync.snapshot;
        if (s) this.set((Date.now() - s.writtenAt) / 1000);
      },
    });
    new Counter({
      name: 'vigil_dns_snapshot_writes_total',
      help: 'Snapshot writes by result: written, older (skipped: Redis is behind the file or memory), failed',
      labelNames: ['result'],
      registers,
      collect() {
        this.reset();
        for (const [result, n] of sources.sync.snapshotWrites) this.inc({ result }, n);
      },
    });
    new Counter({
      name: 'vigil_dns_snapshot_loads_total',
      help: 'Loads of the snapshot at start (Redis not answering in time) by result: loaded, missing, refused, failed',
      labelNames: ['result'],
      registers,
      collect() {
        this.reset();
        for (const [result, n] of sources.sync.snapshotLoads) this.inc({ result }, n);
      },
    });
    new Counter({
      name: 'vigil_dns_zone_digest_mismatches_total',
      help: "Zone loads whose fields disagreed with the zone's digest in Redis",
      registers,
      collect() {
        this.reset();
        this.inc(sources.sync.digestMismatches);
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

  /** The time one answer took, in milliseconds (performance.now() units). */
  observeLatency(ms: number): void {
    this.latency.observeMs(ms);
  }
}
