import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  bullPrefix,
  CHECK_NOW_JOB_NAME,
  type CheckJob,
  checkNowJobId,
  type CheckNowJob,
  LOCATION_STALE_AFTER_MS,
  PROBE_JOB_NAME,
  probeQueueName,
  probeSchedulerId,
  redisKeys,
} from '@vigil/contract';
import { Queue } from 'bullmq';
import { redisOptions } from '@vigil/contract/redis';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { REDIS } from '../redis/redis.module';
import { loadSnapshots } from '../publishing/snapshot';
import { checkJobFor } from './check-jobs';

/**
 * Keeps one BullMQ job scheduler per (failover record set, probe location), with the check in
 * its job data. Probe workers announce their location with a heartbeat, so a new location
 * needs no change here: the reconciler gives it every check.
 */
@Injectable()
export class SchedulerService implements OnApplicationShutdown {
  private readonly logger = new Logger(SchedulerService.name);
  private readonly queues = new Map<string, Queue>();
  private readonly connection: Redis;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    // BullMQ wants its own connection without ioredis' keyPrefix; it takes its own `prefix`.
    this.connection = new Redis(
      redisOptions(config.redis, 'primary', { maxRetriesPerRequest: null, enableOfflineQueue: false, lazyConnect: true }),
    );
    this.connection.on('error', () => undefined);
  }

  async onApplicationShutdown() {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }

  /** Locations whose probes sent a heartbeat recently. */
  async activeLocations(): Promise<string[]> {
    return this.redis.zrangebyscore(redisKeys.locations, Date.now() - LOCATION_STALE_AFTER_MS, '+inf');
  }

  /** Every location that ever announced itself (schedulers are removed from all of them). */
  private async knownLocations(): Promise<string[]> {
    return this.redis.zrange(redisKeys.locations, 0, -1);
  }

  /**
   * Brings these record sets' schedulers in line with the committed state: a job is upserted in
   * every active location it is for (its check's `locations`, else all), and removed from the
   * other known ones; null removes the check everywhere. Failures are logged: the reconciler
   * repairs schedulers too.
   */
  async sync(jobs: Map<string, CheckJob | null>): Promise<void> {
    if (jobs.size === 0) return;
    try {
      const active = await this.activeLocations();
      const known = await this.knownLocations();
      for (const [id, job] of jobs) {
        if (!job) {
          await this.remove(id, known);
          continue;
        }
        await this.upsert(job, active.filter((l) => checksFrom(job, l)));
        for (const l of known) if (!checksFrom(job, l)) await this.queue(l).removeJobScheduler(probeSchedulerId(id));
      }
    } catch (e) {
      this.logger.warn(`could not update probe schedules: ${(e as Error).message}`);
    }
  }

  /** Every check job that should exist now. */
  private async allJobs(): Promise<Map<string, CheckJob>> {
    const out = new Map<string, CheckJob>();
    const snapshots = await this.ds.transaction('REPEATABLE READ', (tx) => loadSnapshots(tx, { failoverOnly: true }));
    for (const s of snapshots) {
      for (const r of s.rrsets) {
        const job = checkJobFor(r, s.zone, s.account.features);
        if (job) out.set(r.id, job);
      }
    }
    return out;
  }

  /**
   * Repairs the schedulers of every active location: adds missing ones, updates those whose job
   * differs, removes those of checks that no longer exist or no longer choose the location.
   * Returns how many it changed.
   */
  async reconcile(): Promise<{ upserted: number; removed: number; forgotten: number }> {
    const jobs = await this.allJobs();
    let upserted = 0;
    let removed = 0;
    for (const location of await this.activeLocations()) {
      const present = new Map<string, string>();
      for (const s of await this.queue(location).getJobSchedulers(0, -1)) {
        const id = s.key.replace(/^check:/, '');
        present.set(id, JSON.stringify(s.template?.data ?? null));
      }
      for (const [id, job] of jobs) {
        if (!checksFrom(job, location) || present.get(id) === JSON.stringify(job)) continue;
        await this.upsert(job, [location]);
        upserted++;
      }
      for (const id of present.keys()) {
        const job = jobs.get(id);
        if (job && checksFrom(job, location)) continue;
        await this.queue(location).removeJobScheduler(probeSchedulerId(id));
        removed++;
      }
    }
    // A result in flight while a check was removed can leave a state behind; forget those.
    const gone = (f: string) => !jobs.has(f.slice(0, f.indexOf('/')));
    const stale = (await this.healthFields('*')).filter(gone);
    await this.forgetFields(stale);
    await this.forgetCerts((await this.fieldsOf(redisKeys.certState, '*')).filter(gone));
    return { upserted, removed, forgotten: stale.length };
  }

  async upsert(job: CheckJob, locations: string[]): Promise<void> {
    for (const location of locations) {
      await this.queue(location).upsertJobScheduler(
        probeSchedulerId(job.checkId),
        { every: job.check.frequency * 1000 },
        {
          name: PROBE_JOB_NAME,
          data: job,
          // A check that missed its turn is worthless later: keep no history, never retry.
          opts: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 10 } },
        },
      );
    }
  }

  /**
   * A one-off run of a check ("check now"): one job in each location's queue, added at once.
   * LIFO, so a queue with a backlog of scheduled checks runs it next; one attempt, as for those.
   */
  async enqueueCheckNow(job: CheckNowJob, locations: string[]): Promise<void> {
    await Promise.all(
      locations.map((location) =>
        this.queue(location).add(CHECK_NOW_JOB_NAME, job, {
          jobId: checkNowJobId(job.runId),
          lifo: true,
          attempts: 1,
          removeOnComplete: true,
          removeOnFail: { count: 10 },
        }),
      ),
    );
  }

  /** Removes a check's schedulers everywhere and forgets its results, health states and certificate levels. */
  async remove(checkId: string, locations: string[]): Promise<void> {
    for (const location of locations) await this.queue(location).removeJobScheduler(probeSchedulerId(checkId));
    await this.forgetHealth(checkId);
  }

  private async forgetHealth(checkId: string): Promise<void> {
    await this.forgetFields(await this.healthFields(`${checkId}/*`));
    await this.forgetCerts(await this.fieldsOf(redisKeys.certState, `${checkId}/*`));
  }

  /** Fields `<checkId>/<address>` of the health hash that match `pattern`. */
  private healthFields(pattern: string): Promise<string[]> {
    return this.fieldsOf(redisKeys.health, pattern);
  }

  /** Fields of a hash that match `pattern`, a scan page at a time. */
  private async fieldsOf(hash: string, pattern: string): Promise<string[]> {
    const fields: string[] = [];
    let cursor = '0';
    do {
      const [next, chunk] = await this.redis.hscan(hash, cursor, 'MATCH', pattern, 'COUNT', 1000);
      for (let i = 0; i < chunk.length; i += 2) fields.push(chunk[i]!);
      cursor = next;
    } while (cursor !== '0');
    return fields;
  }

  /** Drops the certificate levels (contract's cert.ts) the aggregators keep for these addresses. */
  private async forgetCerts(fields: string[]): Promise<void> {
    if (fields.length > 0) await this.redis.hdel(redisKeys.certState, ...fields);
  }

  /** Drops these health states and the probe results behind them. */
  private async forgetFields(fields: string[]): Promise<void> {
    if (fields.length === 0) return;
    await this.redis.hdel(redisKeys.health, ...fields);
    await this.redis.del(
      ...fields.map((f) => {
        const slash = f.indexOf('/');
        return redisKeys.results(f.slice(0, slash), f.slice(slash + 1));
      }),
    );
  }

  private queue(location: string): Queue {
    let q = this.queues.get(location);
    if (!q) {
      q = new Queue(probeQueueName(location), { connection: this.connection, prefix: bullPrefix(this.config.REDIS_KEY_PREFIX) });
      q.on('error', (e) => this.logger.warn(`queue ${location}: ${e.message}`));
      this.queues.set(location, q);
    }
    return q;
  }
}

/** Whether a check runs from this location: the ones its `locations` name, else every one. */
export const checksFrom = (job: CheckJob, location: string) => job.check.locations === undefined || job.check.locations.includes(location);
