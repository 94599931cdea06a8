import {
  bullPrefix,
  CHECK_NOW_JOB_NAME,
  CHECK_NOW_TTL_MS,
  CheckJobSchema,
  type CheckNowJob,
  formatLatLong,
  type LatLong,
  CheckNowJobSchema,
  type CheckNowReport,
  type CheckJob,
  HEARTBEAT_INTERVAL_MS,
  probeQueueName,
  type ProbeReport,
  redisKeys,
  REPORT_FIELD,
  RESULTS_FEED_MAXLEN,
  type TargetPolicy,
} from '@vigil/contract';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type Redis from 'ioredis';
import type { Logger } from '../common/logger';
import type { ProbeMetrics } from './metrics';
import { toProbeResult } from './result';
import { ProbeRunner } from './runner';

/** A results hash outlives its check by this many periods, then expires (removed checks clean up). */
export const RESULTS_TTL_PERIODS = 10;

export interface ProbeWorkerOptions {
  location: string;
  redisKeyPrefix: string;
  concurrency: number;
  policy: TargetPolicy;
  /** PROBE_RESOLVERS, parsed: where CNAME targets are resolved (empty: /etc/resolv.conf's servers). */
  resolvers?: readonly string[];
  /** PROBE_LATLONG: announced with each heartbeat; null withdraws a point announced before. */
  latlong?: LatLong | null;
  /** Our own keys (results, feed, heartbeat): created with keyPrefix = REDIS_KEY_PREFIX. */
  redis: Redis;
  /** BullMQ's connection: no keyPrefix (BullMQ refuses it), maxRetriesPerRequest null. */
  bullConnection: Redis;
  log: Logger;
  metrics?: ProbeMetrics;
}

/**
 * One location's probe: a BullMQ worker on that location's queue. Each job is one record set's
 * check over its addresses; the job ends when its checks end and their results are written.
 */
export class ProbeWorker {
  readonly runner: ProbeRunner;
  private worker: Worker | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastFaultLog = 0;
  private activeJobs = 0;

  constructor(private readonly opts: ProbeWorkerOptions) {
    this.runner = new ProbeRunner({
      location: opts.location,
      policy: opts.policy,
      concurrency: opts.concurrency,
      resolvers: opts.resolvers,
      metrics: opts.metrics,
      onProbeFault: (address, check, error) => {
        // Throttled: a probe without raw sockets would otherwise log every ICMP check.
        const now = Date.now();
        if (now - this.lastFaultLog < 10_000) return;
        this.lastFaultLog = now;
        opts.log.error({ address, protocol: check.protocol }, `no vote, result not stored: ${error}`);
      },
    });
  }

  start(): void {
    const { opts } = this;
    this.worker = new Worker(probeQueueName(opts.location), (job) => this.process(job), {
      connection: opts.bullConnection,
      prefix: bullPrefix(opts.redisKeyPrefix),
      // Each job's checks go through the runner's semaphore; as many jobs as check slots keeps
      // the slots busy even when every job has one address.
      concurrency: opts.concurrency,
      // Results live in their own keys; finished jobs are not worth keeping.
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 100 },
    });
    let lastError = 0;
    this.worker.on('error', (e) => {
      const now = Date.now();
      if (now - lastError > 30_000) opts.log.warn(`queue ${probeQueueName(opts.location)}: ${e.message}`);
      lastError = now;
    });
    this.worker.on('failed', (job, e) => opts.log.warn({ jobId: job?.id }, `job failed: ${e.message}`));
    void this.beat();
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
    // A Redis that comes back (perhaps empty) hears from the location at once, so the api can
    // schedule its checks again without waiting for the next beat.
    opts.redis.on('ready', this.onReady);
  }

  private readonly onReady = () => void this.beat();

  /** Announces the location, so the api schedules checks on it without configuration. */
  private async beat(): Promise<void> {
    try {
      const { latlong, location } = this.opts;
      const beat = this.opts.redis.multi().zadd(redisKeys.locations, Date.now(), location);
      if (latlong) beat.hset(redisKeys.locationPoints, location, formatLatLong(latlong));
      else beat.hdel(redisKeys.locationPoints, location);
      await beat.exec();
    } catch (e) {
      this.opts.log.debug(`heartbeat not written: ${(e as Error).message}`);
    }
  }

  async process(job: Job): Promise<{ checked: number; ok: number }> {
    // A scheduler's job is added with the delay to its run time.
    const scheduled = job.timestamp + (job.delay ?? 0);
    this.opts.metrics?.jobStartDelay.observe(Math.max(0, (job.processedOn ?? Date.now()) - scheduled) / 1000);
    this.activeJobs++;
    try {
      return await this.processData(job);
    } finally {
      this.activeJobs--;
    }
  }

  private async processData(job: Job): Promise<{ checked: number; ok: number }> {
    if (job.name === CHECK_NOW_JOB_NAME) return this.processCheckNow(job);
    const parsed = CheckJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.opts.metrics?.jobs.inc({ result: 'invalid' });
      const where = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new UnrecoverableError(`invalid check job: ${where}`);
    }
    const reports = await this.runner.runJob(parsed.data);
    await this.write(parsed.data, reports);
    this.opts.metrics?.jobs.inc({ result: 'done' });
    return { checked: reports.length, ok: reports.filter((r) => r.ok).length };
  }

  /**
   * A one-off run ("check now"): the same runner over the same addresses, answered on the run's
   * stream only, so it is no vote in the quorum. Past its deadline nobody waits for it: skipped.
   */
  private async processCheckNow(job: Job): Promise<{ checked: number; ok: number }> {
    const parsed = CheckNowJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.opts.metrics?.jobs.inc({ result: 'invalid' });
      throw new UnrecoverableError(
        `invalid check-now job: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    if (Date.now() > parsed.data.deadline) return { checked: 0, ok: 0 };
    const outcomes = await this.runner.checkAll(parsed.data);
    const { location } = this.opts;
    const results = outcomes.map(({ address, outcome, at }) => {
      const { ok, latency_ms, error, warning, cert_days_left } = toProbeResult(outcome, location, parsed.data.check.frequency, at);
      return {
        address,
        ok: outcome.probeFault ? null : ok,
        latency_ms,
        error,
        ...(warning !== undefined && { warning }),
        ...(cert_days_left !== undefined && { cert_days_left }),
      };
    });
    await this.writeCheckNow(parsed.data, { runId: parsed.data.runId, location, at: Date.now(), results });
    this.opts.metrics?.jobs.inc({ result: 'done' });
    return { checked: results.length, ok: results.filter((r) => r.ok).length };
  }

  async writeCheckNow(job: CheckNowJob, report: CheckNowReport): Promise<void> {
    const key = redisKeys.checkNow(job.runId);
    const replies =
      (await this.opts.redis.multi().xadd(key, '*', REPORT_FIELD, JSON.stringify(report)).pexpire(key, CHECK_NOW_TTL_MS).exec()) ?? [];
    const failed = replies.find(([e]) => e);
    if (failed) throw new Error(`check-now result not written: ${failed[0]!.message}`);
  }

  /** One pipeline per job: each result into its (check, address) hash, and onto the results feed. */
  async write(job: CheckJob, reports: ProbeReport[]): Promise<void> {
    if (reports.length === 0) return;
    const { redis, location } = this.opts;
    const ttlMs = RESULTS_TTL_PERIODS * job.check.frequency * 1000;
    const pipeline = redis.pipeline();
    for (const report of reports) {
      const key = redisKeys.results(report.checkId, report.address);
      const { checkId: _c, address: _a, ...result } = report;
      pipeline.hset(key, location, JSON.stringify(result));
      pipeline.pexpire(key, ttlMs);
      pipeline.xadd(redisKeys.resultsFeed, 'MAXLEN', '~', RESULTS_FEED_MAXLEN, '*', REPORT_FIELD, JSON.stringify(report));
    }
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([e]) => e);
    if (failed) throw new Error(`results not written: ${failed[0]!.message}`);
  }

  /** Stops taking jobs, lets running ones finish (they end by their deadlines), stops the heartbeat. */
  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.opts.redis.off('ready', this.onReady);
    const worker = this.worker;
    this.worker = null;
    if (worker) {
      // close() waits for running jobs, which end by their deadlines; but with Redis gone it would
      // wait for ever, so once no job is running it gets two more seconds, then we stop anyway.
      let closed = false;
      let timer: NodeJS.Timeout | undefined;
      const closing = worker
        .close()
        .catch(() => undefined)
        .finally(() => {
          closed = true;
          clearTimeout(timer);
        });
      const idle = (async () => {
        while (this.activeJobs > 0 && !closed) await new Promise((r) => (timer = setTimeout(r, 100)));
        if (!closed) await new Promise((r) => (timer = setTimeout(r, 2000)));
        if (!closed) void worker.close(true).catch(() => undefined);
      })();
      await Promise.race([closing, idle]);
    }
    await this.runner.close();
  }
}
