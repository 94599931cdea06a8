import {
  AGGREGATOR_GROUP,
  DEFAULT_FRESHNESS_SLACK_MS,
  FEED_FIELD,
  FEED_MAXLEN,
  type FeedEvent,
  healthField,
  type HealthState,
  HealthStateSchema,
  ProbeReportSchema,
  type ProbeResult,
  ProbeResultSchema,
  redisKeys,
  REPORT_FIELD,
} from '@vigil/contract';
import type { ChainableCommander, default as Redis } from 'ioredis';
import type { Logger } from '../common/logger';
import type { AggregatorMetrics } from './metrics';
import { nextHealth, type Thresholds } from './quorum';

/**
 * Compare-and-set of one address's health, with the feed append in the same atomic step:
 * the state is written (and the change announced) only if the stored value is still exactly the
 * one the aggregator based its decision on. Two aggregators that reach the same transition at
 * once therefore emit it once; the loser re-reads and finds nothing to change.
 * KEYS: health hash, feed stream. ARGV: field, expected raw value ('' = absent), new value,
 * feed field, feed event, feed maxlen.
 */
const HEALTH_CAS_LUA = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current == false then current = '' end
if current ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', ARGV[4], ARGV[5])
return 1
`;

/** A pipeline with the command that defineCommand() adds. */
type CasPipeline = ChainableCommander & {
  vigilHealthCas(
    health: string,
    feed: string,
    field: string,
    expected: string,
    next: string,
    feedField: string,
    event: string,
    maxlen: number,
  ): ChainableCommander;
};

type StreamEntry = [id: string, fields: string[]];

export interface AggregatorOptions {
  /** Commands; created with keyPrefix = REDIS_KEY_PREFIX. */
  redis: Redis;
  /** A second connection for the blocking XREADGROUP (same keyPrefix). */
  reader: Redis;
  /** REDIS_KEY_PREFIX, for XGROUP, whose key ioredis does not prefix. */
  keyPrefix: string;
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

/** How many times one address is re-evaluated after losing a compare-and-set, in one batch. */
const MAX_CAS_ROUNDS = 5;

/**
 * Reads the results feed as one consumer of the aggregators' group, recomputes the state of each
 * (check, address) it touches from every location's latest result, and writes transitions.
 * Several aggregators share the work: each feed entry goes to one of them, and the
 * compare-and-set keeps their writes consistent when they touch the same address.
 */
export class Aggregator {
  private stopping = false;
  private loop: Promise<void> | null = null;
  private lastClaim = 0;
  private readonly now: () => number;
  private readonly slackMs: number;

  constructor(private readonly opts: AggregatorOptions) {
    this.now = opts.now ?? Date.now;
    this.slackMs = opts.freshnessSlackMs ?? DEFAULT_FRESHNESS_SLACK_MS;
    opts.redis.defineCommand('vigilHealthCas', { numberOfKeys: 2, lua: HEALTH_CAS_LUA });
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops reading; an entry read but not yet acknowledged is handled again at the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    // Interrupts the blocking read.
    this.opts.reader.disconnect();
    await this.loop;
  }

  async ensureGroup(): Promise<void> {
    try {
      // ioredis does not apply keyPrefix to XGROUP's key, so it is spelled out. '0': entries
      // written before the first aggregator ever ran are handled too.
      await this.opts.redis.xgroup('CREATE', `${this.opts.keyPrefix}${redisKeys.resultsFeed}`, AGGREGATOR_GROUP, '0', 'MKSTREAM');
    } catch (e) {
      if (!(e as Error).message.includes('BUSYGROUP')) throw e;
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.ensureGroup();
        // First this consumer's own entries left unacknowledged (a crash, a Redis error), then new ones.
        let id = '0';
        while (!this.stopping) {
          if (this.now() - this.lastClaim >= (this.opts.claimIdleMs ?? 60_000) / 2) await this.claimAbandoned();
          const n = await this.readOnce(id);
          if (id === '0' && n === 0) id = '>';
          failures = 0;
        }
      } catch (e) {
        if (this.stopping) return;
        if (failures++ === 0) this.opts.log.warn(`results feed: ${(e as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, Math.min(200 * failures, 2000)));
      }
    }
  }

  /** Reads one batch (`id` '0': own pending entries; '>': new ones), handles and acknowledges it. */
  async readOnce(id: string): Promise<number> {
    const reply = (await this.opts.reader.xreadgroup(
      'GROUP',
      AGGREGATOR_GROUP,
      this.opts.consumer,
      'COUNT',
      this.opts.batchSize ?? 1000,
      'BLOCK',
      this.opts.blockMs ?? 2000,
      'STREAMS',
      redisKeys.resultsFeed,
      id,
    )) as [string, StreamEntry[]][] | null;
    const entries = reply?.[0]?.[1] ?? [];
    await this.handle(entries);
    return entries.length;
  }

  /** Takes over entries that a dead aggregator read and never acknowledged. */
  async claimAbandoned(): Promise<number> {
    this.lastClaim = this.now();
    let cursor = '0-0';
    let total = 0;
    // Bounded, so a huge backlog is spread over several turns of the loop.
    for (let round = 0; round < 10; round++) {
      const [next, entries] = (await this.opts.redis.xautoclaim(
        redisKeys.resultsFeed,
        AGGREGATOR_GROUP,
        this.opts.consumer,
        this.opts.claimIdleMs ?? 60_000,
        cursor,
        'COUNT',
        this.opts.batchSize ?? 1000,
      )) as [string, (StreamEntry | null)[], ...unknown[]];
      const live = entries.filter((e): e is StreamEntry => e !== null);
      if (live.length) this.opts.log.info(`took over ${live.length} results abandoned by another aggregator`);
      await this.handle(live);
      total += live.length;
      cursor = next;
      if (cursor === '0-0') break;
    }
    return total;
  }

  /** Re-evaluates every (check, address) the entries touch, then acknowledges them. */
  async handle(entries: StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const targets = new Map<string, { checkId: string; address: string }>();
    for (const [, fields] of entries) {
      const report = parseReport(fields);
      if (!report) {
        this.opts.metrics?.invalid.inc();
        continue;
      }
      targets.set(healthField(report.checkId, report.address), { checkId: report.checkId, address: report.address });
    }
    await this.evaluate([...targets.values()]);
    await this.opts.redis.xack(redisKeys.resultsFeed, AGGREGATOR_GROUP, ...entries.map(([id]) => id));
    this.opts.metrics?.results.inc(entries.length);
    const newest = Number(entries[entries.length - 1]![0].split('-')[0]);
    this.opts.metrics?.lag.set(Math.max(0, this.now() - newest) / 1000);
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
      const cas = this.opts.redis.pipeline() as CasPipeline;
      for (const w of writes) {
        const event: FeedEvent = { kind: 'health', health: w.next };
        cas.vigilHealthCas(
          redisKeys.health,
          redisKeys.feed,
          healthField(w.target.checkId, w.target.address),
          w.expected,
          JSON.stringify(w.next),
          FEED_FIELD,
          JSON.stringify(event),
          FEED_MAXLEN,
        );
      }
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
