import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { bullPrefix, type CheckJob, LOCATION_STALE_AFTER_MS, PROBE_JOB_NAME, probeQueueName, probeSchedulerId, redisKeys } from '@vigil/contract';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DataSource, In } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { REDIS } from '../redis/redis.module';
import { Rrset } from '../rrsets/rrset.entity';
import { Zone } from '../zones/zone.entity';
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
    this.connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, enableOfflineQueue: false, lazyConnect: true });
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
   * Brings the schedulers of these record sets in line with the database, after a commit.
   * Failures are logged: the reconciler repairs schedulers too.
   */
  async syncRrsets(rrsetIds: string[], removedIds: string[] = []): Promise<void> {
    try {
      const jobs = await this.jobsFor(rrsetIds);
      const active = await this.activeLocations();
      const known = await this.knownLocations();
      for (const id of [...rrsetIds, ...removedIds]) {
        const job = jobs.get(id) ?? null;
        if (job) await this.upsert(job, active);
        else await this.remove(id, known);
      }
    } catch (e) {
      this.logger.warn(`could not update probe schedules: ${(e as Error).message}`);
    }
  }

  /** The check jobs that should exist now, for the given record sets (all when `ids` is null). */
  async jobsFor(ids: string[] | null): Promise<Map<string, CheckJob>> {
    const out = new Map<string, CheckJob>();
    if (ids !== null && ids.length === 0) return out;
    const qb = this.ds.getRepository(Rrset).createQueryBuilder('r').where(`r.meta ? 'failover'`).andWhere(`r.type IN ('A', 'AAAA')`);
    if (ids) qb.andWhere('r.id IN (:...ids)', { ids });
    const rrsets = await qb.getMany();
    if (rrsets.length === 0) return out;
    const zones = await this.ds.getRepository(Zone).findBy({ id: In([...new Set(rrsets.map((r) => r.zoneId))]) });
    const zoneById = new Map(zones.map((z) => [z.id, z]));
    const accounts = await this.ds.getRepository(Account).findBy({ id: In([...new Set(zones.map((z) => z.accountId))]) });
    const accountById = new Map(accounts.map((a) => [a.id, a]));
    for (const r of rrsets) {
      const zone = zoneById.get(r.zoneId);
      const account = zone && accountById.get(zone.accountId);
      const job = zone && account ? checkJobFor(r, zone, account.features) : null;
      if (job) out.set(r.id, job);
    }
    return out;
  }

  /**
   * Repairs the schedulers of every active location: adds missing ones, updates those whose job
   * differs, removes those of checks that no longer exist. Returns how many it changed.
   */
  async reconcile(): Promise<{ upserted: number; removed: number; forgotten: number }> {
    const jobs = await this.jobsFor(null);
    let upserted = 0;
    let removed = 0;
    for (const location of await this.activeLocations()) {
      const present = new Map<string, string>();
      for (const s of await this.queue(location).getJobSchedulers(0, -1)) {
        const id = s.key.replace(/^check:/, '');
        present.set(id, JSON.stringify(s.template?.data ?? null));
      }
      for (const [id, job] of jobs) {
        if (present.get(id) === JSON.stringify(job)) continue;
        await this.upsert(job, [location]);
        upserted++;
      }
      for (const id of present.keys()) {
        if (jobs.has(id)) continue;
        await this.queue(location).removeJobScheduler(probeSchedulerId(id));
        removed++;
      }
    }
    // A result in flight while a check was removed can leave a state behind; forget those.
    const stale = (await this.healthFields('*')).filter((f) => !jobs.has(f.slice(0, f.indexOf('/'))));
    await this.forgetFields(stale);
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

  /** Removes a check's schedulers everywhere and forgets its results and health states. */
  async remove(checkId: string, locations: string[]): Promise<void> {
    for (const location of locations) await this.queue(location).removeJobScheduler(probeSchedulerId(checkId));
    await this.forgetHealth(checkId);
  }

  private async forgetHealth(checkId: string): Promise<void> {
    await this.forgetFields(await this.healthFields(`${checkId}/*`));
  }

  /** Fields `<checkId>/<address>` of the health hash that match `pattern`. */
  private async healthFields(pattern: string): Promise<string[]> {
    const fields: string[] = [];
    let cursor = '0';
    do {
      const [next, chunk] = await this.redis.hscan(redisKeys.health, cursor, 'MATCH', pattern, 'COUNT', 1000);
      for (let i = 0; i < chunk.length; i += 2) fields.push(chunk[i]!);
      cursor = next;
    } while (cursor !== '0');
    return fields;
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
