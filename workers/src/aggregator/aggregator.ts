import {
  AGGREGATOR_GROUP,
  DEFAULT_FRESHNESS_SLACK_MS,
  healthField,
  type HealthState,
  HealthStateSchema,
  type ProbeReport,
  ProbeReportSchema,
  type ProbeResult,
  ProbeResultSchema,
  redisKeys,
  REPORT_FIELD,
} from '@vigil/contract';
import { ConsumerGroup, healthCasBatch, type StreamEntry } from '@vigil/contract/redis';
import type { default as Redis } from 'ioredis';
import type { Logger } from '../common/logger';
import type { AggregatorMetrics } from './metrics';
import { recordCerts } from './certs';
import { nextHealth, type Thresholds } from './quorum';
import { pruneRtts, recordRtts } from './rtt';

export interface AggregatorOptions {
  /** Commands; created with keyPrefix = REDIS_KEY_PREFIX. */
  redis: Redis;
  /** A second connection for the blocking XREADGROUP (same keyPrefix). */
  reader: Redis;
  consumer: string;
  thresholds: Thresholds;
  freshnessSlackMs?: number;
  log: Logger;
  metrics?: AggregatorMetrics;
  batchSize?: number;
  blockMs?: number;
  /** Entries another consumer read but did not acknowledge for this long are taken over. */
  claimIdleMs?: number;
  now?: () => number;
}

/** How often an aggregator removes RTT samples that nothing renews (see rtt.ts). */
const RTT_PRUNE_INTERVAL_MS = 600_000;

/** How many times one address is re-evaluated after losing a compare-and-set, in one batch. */
const MAX_CAS_ROUNDS = 5;

/**
 * Reads the results feed as one consumer of the aggregators' group, recomputes the state of each
 * (check, address) it touches from every location's latest result, and writes transitions.
 * Several aggregators share the work: each feed entry goes to one of them, and the
 * compare-and-set keeps their writes consistent when they touch the same address.
 */
export class Aggregator {
  private lastClaim = 0;
  private lastPrune = 0;
  private readonly now: () => number;
  private readonly slackMs: number;
  private readonly group: ConsumerGroup;

  constructor(private readonly opts: AggregatorOptions) {
    this.now = opts.now ?? Date.now;
    this.slackMs = opts.freshnessSlackMs ?? DEFAULT_FRESHNESS_SLACK_MS;
    this.group = new ConsumerGroup({
      redis: opts.redis,
      reader: opts.reader,
      stream: redisKeys.resultsFeed,
      group: AGGREGATOR_GROUP,
      consumer: opts.consumer,
      batch: opts.batchSize,
      blockMs: opts.blockMs,
      handle: (entries) => this.handle(entries),
      beforeRead: async () => {
        if (this.now() - this.lastClaim >= (opts.claimIdleMs ?? 60_000) / 2) await this.claimAbandoned();
        if (this.now() - this.lastPrune >= RTT_PRUNE_INTERVAL_MS) await this.pruneRtts();
      },
      onError: (e, failures) => failures === 1 && opts.log.warn(`results feed: ${e.message}; retrying`),
    });
  }

  start(): void {
    this.group.start();
  }

  /** Stops reading; an entry read but not yet acknowledged is handled again at the next start. */
  stop(): Promise<void> {
    return this.group.stop();
  }

  ensureGroup(): Promise<void> {
    return this.group.ensureGroup();
  }

  /** Takes over entries that a dead aggregator read and never acknowledged. */
  async claimAbandoned(): Promise<number> {
    this.lastClaim = this.now();
    const n = await this.group.claim(this.opts.claimIdleMs ?? 60_000);
    if (n) this.opts.log.info(`took over ${n} results abandoned by another aggregator`);
    return n;
  }

  /** Re-evaluates every (check, address) the entries touch (the group acknowledges them after). */
  async handle(entries: StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const targets = new Map<string, { checkId: string; address: string }>();
    const reports: ProbeReport[] = [];
    for (const [, fields] of entries) {
      const report = parseReport(fields);
      if (!report) {
        this.opts.metrics?.invalid.inc();
        continue;
      }
      targets.set(healthField(report.checkId, report.address), { checkId: report.checkId, address: report.address });
      reports.push(report);
    }
    await this.evaluate([...targets.values()]);
    await this.recordRtts(reports);
    await this.recordCerts(reports);
    this.opts.metrics?.results.inc(entries.length);
    const newest = Number(entries[entries.length - 1]![0].split('-')[0]);
    this.opts.metrics?.lag.set(Math.max(0, this.now() - newest) / 1000);
  }

  /** The batch's RTTs; a failure is logged, not retried: states matter more, and the next results bring RTTs again. */
  private async recordRtts(reports: ProbeReport[]): Promise<void> {
    try {
      const written = await recordRtts(this.opts.redis, reports);
      this.opts.metrics?.rttSamples.inc(written);
    } catch (e) {
      this.opts.log.warn(`RTT samples not written: ${(e as Error).message}`);
    }
  }

  /**
   * The batch's certificate readings (cert_expiry_days); a failure is logged, not retried: the
   * kept level did not move, so the next reading of that certificate brings the change again.
   */
  private async recordCerts(reports: ProbeReport[]): Promise<void> {
    try {
      for (const e of await recordCerts(this.opts.redis, reports)) {
        this.opts.metrics?.certChanges.inc({ level: e.level });
        this.opts.log.info(
          { checkId: e.checkId, address: e.address, daysLeft: e.days_left, renewed: e.renewed },
          `${e.address}: certificate ${e.previous} -> ${e.level}`,
        );
      }
    } catch (e) {
      this.opts.log.warn(`certificate levels not written: ${(e as Error).message}`);
    }
  }

  private async pruneRtts(): Promise<void> {
    this.lastPrune = this.now();
    try {
      const n = await pruneRtts(this.opts.redis, this.now());
      if (n) this.opts.log.info(`removed ${n} RTT samples no result renewed`);
    } catch (e) {
      this.opts.log.warn(`RTT samples not pruned: ${(e as Error).message}`);
    }
  }

  /**
   * Recomputes these addresses' states and writes the transitions. Returns the states written.
   * Reads are pipelined per batch; an address whose stored state changed under us is re-read.
   */
  async evaluate(targets: { checkId: string; address: string }[]): Promise<HealthState[]> {
    const written: HealthState[] = [];
    let pending = targets;
    for (let round = 0; round < MAX_CAS_ROUNDS && pending.length > 0; round++) {
      const read = this.opts.redis.pipeline();
      for (const t of pending) {
        read.hgetall(redisKeys.results(t.checkId, t.address));
        read.hget(redisKeys.health, healthField(t.checkId, t.address));
      }
      const replies = (await read.exec()) ?? [];
      const now = this.now();
      const writes: { target: (typeof pending)[number]; expected: string; next: HealthState }[] = [];
      pending.forEach((t, i) => {
        const [resultsErr, results] = replies[2 * i]!;
        const [healthErr, healthRaw] = replies[2 * i + 1]!;
        if (resultsErr || healthErr) throw resultsErr ?? healthErr;
        const expected = (healthRaw as string | null) ?? '';
        const current = parseHealth(expected);
        const next = nextHealth(
          current,
          t.checkId,
          t.address,
          parseResults(results as Record<string, string>),
          now,
          this.opts.thresholds,
          this.slackMs,
        );
        if (next) writes.push({ target: t, expected, next });
      });
      if (writes.length === 0) break;
      // Written only if the stored state is still the one decided on; the feed event goes with it.
      const cas = healthCasBatch(this.opts.redis);
      for (const w of writes) cas.add(w.expected, w.next);
      const outcomes = (await cas.exec()) ?? [];
      pending = [];
      writes.forEach((w, i) => {
        const [err, applied] = outcomes[i]!;
        if (err) throw err;
        if (applied === 1) {
          written.push(w.next);
          this.opts.metrics?.transitions.inc({ state: w.next.state });
          this.opts.log.info(
            { checkId: w.next.checkId, address: w.next.address, reasons: w.next.reasons },
            `${w.next.address} is ${w.next.state}`,
          );
        } else {
          this.opts.metrics?.conflicts.inc();
          pending.push(w.target);
        }
      });
    }
    return written;
  }
}

function parseReport(fields: string[]) {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== REPORT_FIELD) continue;
    try {
      const parsed = ProbeReportSchema.safeParse(JSON.parse(fields[i + 1]!));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
  return null;
}

function parseHealth(raw: string): HealthState | null {
  if (!raw) return null;
  try {
    const parsed = HealthStateSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Each location's latest result; unreadable ones are skipped (a newer probe may write more fields). */
function parseResults(hash: Record<string, string>): ProbeResult[] {
  const out: ProbeResult[] = [];
  for (const raw of Object.values(hash ?? {})) {
    try {
      const parsed = ProbeResultSchema.safeParse(JSON.parse(raw));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // skipped
    }
  }
  return out;
}
