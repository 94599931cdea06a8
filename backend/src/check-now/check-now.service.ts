import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type CheckJob,
  CheckNowReportSchema,
  type CheckNowReport,
  isFailoverType,
  redisKeys,
  REPORT_FIELD,
  safeJson,
} from '@vigil/contract';
import { redisOptions } from '@vigil/contract/redis';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Account } from '../accounts/account.entity';
import type { AccountPrincipal } from '../auth/principal';
import { apiError, conflict, TooManyRequests, ValidationFailed } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { REDIS } from '../redis/redis.module';
import { Rrset } from '../rrsets/rrset.entity';
import { FAILOVER_BETA_MESSAGE, RrsetsService } from '../rrsets/rrsets.service';
import { checkJobFor } from '../scheduling/check-jobs';
import { checksFrom, SchedulerService } from '../scheduling/scheduler.service';
import { Zone } from '../zones/zone.entity';
import { checkNowAnswer, cooldownLeftMs, jobDigest, newRun, onExisting, recordTtlMs, type RunRecord, RunRecordSchema } from './run';

/** Frees or shortens a run's record, only if it is still this run's (a later run's is left alone). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('DEL', KEYS[1])`;

/**
 * "Check now": a record set's saved check run once from every live probe location at once, the
 * answer waiting for each location's results (at most the check's timeout and a margin). One run
 * per record set at a time, and at most one per CHECK_NOW_INTERVAL_SECONDS: a request for the
 * same check while one is in flight joins it; any other waits (429).
 */
@Injectable()
export class CheckNowService {
  private readonly logger = new Logger(CheckNowService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rrsets: RrsetsService,
    private readonly scheduler: SchedulerService,
  ) {}

  async run(p: AccountPrincipal, zoneName: string, name: string, type: string) {
    // 404 for another account's zone or record set, 400 for a bad name or type: as every record-set route.
    const view = await this.rrsets.get(p, zoneName, name, type);
    if (!isFailoverType(view.type)) {
      throw new ValidationFailed([{ field: 'type', reason: 'health checks run on A, AAAA and CNAME record sets only' }]);
    }
    if (!view.meta.failover) {
      throw conflict('this record set has no health check (meta.failover): save one first, then check it');
    }
    const [account, rrset] = await Promise.all([
      this.ds.getRepository(Account).findOneByOrFail({ id: p.accountId }),
      this.ds.getRepository(Rrset).findOneByOrFail({ id: view.id }),
    ]);
    if (!account.features.failover) throw apiError(HttpStatus.FORBIDDEN, FAILOVER_BETA_MESSAGE, { feature: 'failover' });
    const zone = await this.ds.getRepository(Zone).findOneByOrFail({ id: rrset.zoneId });
    const job = checkJobFor(rrset, zone, account.features);
    if (!job) {
      throw conflict(
        zone.enabled ? 'this record set has no enabled record to check' : 'the zone is disabled, so its checks do not run: enable it first',
      );
    }
    // The locations the check chose (meta.failover.locations), as its scheduled runs.
    const locations = (await this.scheduler.activeLocations()).filter((l) => checksFrom(job, l));
    if (locations.length === 0)
      throw apiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        `no probe location is reporting now${job.check.locations ? ` of those the check names (${job.check.locations.join(', ')})` : ''}, so nothing can run the check`,
      );

    const { run, joined } = await this.claim(rrset.id, job, locations);
    if (!joined) {
      try {
        await this.scheduler.enqueueCheckNow({ ...job, runId: run.run_id, deadline: run.deadline }, run.locations);
      } catch (e) {
        await this.release(rrset.id, run, 0);
        this.logger.warn(`check-now not queued: ${(e as Error).message}`);
        throw apiError(HttpStatus.SERVICE_UNAVAILABLE, 'the probe queues cannot be reached; try again');
      }
    }
    const reports = await this.collect(run);
    // Ended early (every location answered): the next run may come once the interval has passed.
    if (!joined) await this.release(rrset.id, run, cooldownLeftMs(run, this.config.CHECK_NOW_INTERVAL_SECONDS * 1000, Date.now()));
    return checkNowAnswer(run, job, reports, joined);
  }

  /** Starts a run, or joins the one in flight for the same job; 429 otherwise. */
  private async claim(checkId: string, job: CheckJob, locations: string[]): Promise<{ run: RunRecord; joined: boolean }> {
    const key = redisKeys.checkNowRun(checkId);
    const intervalMs = this.config.CHECK_NOW_INTERVAL_SECONDS * 1000;
    const digest = jobDigest(job);
    // Twice at most: a record that expires between SET NX and GET is gone, and the second SET takes it.
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = Date.now();
      const run = newRun(randomUUID(), job, locations, now);
      if ((await this.redis.set(key, JSON.stringify(run), 'PX', recordTtlMs(run, intervalMs, now), 'NX')) === 'OK') {
        return { run, joined: false };
      }
      const [raw, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
      const existing = raw ? RunRecordSchema.safeParse(safeJson(raw)) : null;
      if (!existing) continue;
      if (!existing.success) {
        await this.redis.del(key); // of another shape: not a run anyone waits for
        continue;
      }
      const verdict = onExisting(existing.data, digest, Date.now(), ttl);
      if (verdict.join) return { run: existing.data, joined: true };
      throw new TooManyRequests(
        verdict.reason === 'in_flight'
          ? 'a check of another version of this record set is running; try again once it has ended'
          : `this record set was checked less than ${this.config.CHECK_NOW_INTERVAL_SECONDS} s ago; one check now per ${this.config.CHECK_NOW_INTERVAL_SECONDS} s`,
        verdict.retryAfterMs / 1000,
      );
    }
    throw new TooManyRequests('a check of this record set is starting; try again', 1);
  }

  /**
   * The locations' reports, read from the run's stream as they arrive (a blocking XREAD on a
   * connection of this request's own), until every location asked has answered or the deadline.
   */
  private async collect(run: RunRecord): Promise<Map<string, CheckNowReport>> {
    const reports = new Map<string, CheckNowReport>();
    const asked = new Set(run.locations);
    const conn = new Redis(
      redisOptions(this.config.redis, 'primary', { keyPrefix: this.config.REDIS_KEY_PREFIX, lazyConnect: true, maxRetriesPerRequest: 1 }),
    );
    conn.on('error', () => undefined);
    try {
      await conn.connect();
      let lastId = '0';
      while (reports.size < asked.size) {
        const left = run.deadline - Date.now();
        if (left <= 0) break;
        const reply = (await conn.xread('BLOCK', left, 'STREAMS', redisKeys.checkNow(run.run_id), lastId)) as
          [string, [string, string[]][]][] | null;
        if (!reply) break;
        for (const [id, fields] of reply[0]?.[1] ?? []) {
          lastId = id;
          const i = fields.indexOf(REPORT_FIELD);
          const parsed = CheckNowReportSchema.safeParse(safeJson(i >= 0 ? (fields[i + 1] ?? '') : ''));
          if (parsed.success && asked.has(parsed.data.location)) reports.set(parsed.data.location, parsed.data);
        }
      }
    } catch (e) {
      // Redis went away while waiting: the answer lists whoever had answered, the others as not.
      this.logger.warn(`check-now results not read: ${(e as Error).message}`);
    } finally {
      conn.disconnect();
    }
    return reports;
  }

  private async release(checkId: string, run: RunRecord, keepMs: number): Promise<void> {
    try {
      await this.redis.eval(RELEASE_SCRIPT, 1, redisKeys.checkNowRun(checkId), JSON.stringify(run), String(Math.ceil(keepMs)));
    } catch (e) {
      // The record expires by itself at the deadline or the interval's end.
      this.logger.warn(`check-now run not released: ${(e as Error).message}`);
    }
  }
}
