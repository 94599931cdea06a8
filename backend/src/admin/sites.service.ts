import { HttpStatus, Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { bullPrefix, LOCATION_NAME, LOCATION_STALE_AFTER_MS, probeQueueName, redisKeys } from '@vigil/contract';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { z } from 'zod';
import type { Principal } from '../auth/principal';
import { apiError, notFound } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { SiteSchema } from '../health/dto/health.dto';
import { readSites, SITE_GONE_AFTER_MS, siteState } from '../health/sites';
import { REDIS } from '../redis/redis.module';

export const AdminSiteSchema = SiteSchema.extend({
  seconds_since: z.number().meta({ description: 'Seconds since the last heartbeat (negative when the probe clock runs ahead)' }),
  checks: z.number().meta({ description: "Job schedulers in the site's queue: the checks its probe is given" }),
});
export const AdminSiteListSchema = z.object({
  sites: z.array(AdminSiteSchema),
  stale_after_seconds: z.number().meta({ description: 'Without a heartbeat for this long a site is stale: left out of scheduling' }),
  gone_after_seconds: z.number().meta({ description: 'Without a heartbeat for this long a site is shown as gone' }),
});
export const ForgottenSiteSchema = z.object({
  name: z.string(),
  checks_removed: z.number().meta({ description: 'Job schedulers removed with its queue' }),
  results_removed: z.number().meta({ description: 'Addresses whose last result from this site was dropped from the health read-out' }),
});


/**
 * Removes the site from the heartbeat set only if it is still stale: a probe that beat again
 * since the check is not forgotten. 1 removed, 0 reporting again, -1 absent.
 */
const FORGET_IF_STALE = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return -1 end
if tonumber(score) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1`;

/** The support console's view of probe sites, and forgetting a decommissioned one. */
@Injectable()
export class SitesService implements OnApplicationShutdown {
  private readonly logger = new Logger(SitesService.name);
  private readonly queues = new Map<string, Queue>();
  // BullMQ refuses ioredis' keyPrefix and takes its own, so its connection is the shared one's
  // settings without it (whatever those are, Sentinel included).
  private readonly bull: Redis;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.bull = redis.duplicate({
      keyPrefix: '',
      maxRetriesPerRequest: null,
      enableOfflineQueue: false,
      lazyConnect: true,
      // BullMQ sends its own MULTIs and scripts; it gets the plain client it is tested with.
      enableAutoPipelining: false,
    });
    this.bull.on('error', () => undefined);
  }

  async onApplicationShutdown() {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.bull.disconnect();
  }

  async list(): Promise<z.output<typeof AdminSiteListSchema>> {
    const now = Date.now();
    const sites = await readSites(this.redis);
    const checks = await Promise.all(sites.map((s) => this.queue(s.name).getJobSchedulersCount()));
    return {
      sites: sites.map((s, i) => ({
        name: s.name,
        state: siteState(s.lastHeartbeat, now),
        last_heartbeat: s.lastHeartbeatIso,
        seconds_since: Math.round((now - s.lastHeartbeat) / 1000),
        checks: checks[i]!,
      })),
      stale_after_seconds: LOCATION_STALE_AFTER_MS / 1000,
      gone_after_seconds: SITE_GONE_AFTER_MS / 1000,
    };
  }

  /**
   * Forgets a stale site: its queue with every scheduler and job, its last results, and then its
   * heartbeat. A reporting site is refused, since its probe would announce it again at once and
   * the reconciler give it every check back.
   */
  async forget(support: Principal, name: string): Promise<z.output<typeof ForgottenSiteSchema>> {
    if (!LOCATION_NAME.test(name)) throw notFound('site');
    const score = await this.redis.zscore(redisKeys.locations, name);
    if (score === null) throw notFound('site');
    const since = Date.now() - Number(score);
    if (since <= LOCATION_STALE_AFTER_MS) throw this.stillReporting(name, since);

    // Queue and results first, heartbeat last: a failure on the way leaves the site listed, to forget again.
    const queue = this.queue(name);
    const checks = await queue.getJobSchedulersCount();
    await queue.obliterate({ force: true });
    const results = await this.forgetResults(name);
    const removed = Number(await this.redis.eval(FORGET_IF_STALE, 1, redisKeys.locations, name, Date.now() - LOCATION_STALE_AFTER_MS));
    this.queues.delete(name);
    await queue.close();
    if (removed === 0) throw this.stillReporting(name, 0);
    // Sites belong to no account, so there is no account audit log to write this to.
    this.logger.log(
      `${support.actor} forgot site ${name} (${checks} checks, ${results} results; last heartbeat ${Math.round(since / 1000)} s ago)`,
    );
    return { name, checks_removed: checks, results_removed: results };
  }

  private stillReporting(name: string, sinceMs: number) {
    return apiError(
      HttpStatus.CONFLICT,
      `site ${name} is still reporting (last heartbeat ${Math.max(0, Math.round(sinceMs / 1000))} s ago): stop its probe first; ` +
        `a site can be forgotten once it has sent no heartbeat for ${LOCATION_STALE_AFTER_MS / 1000} s`,
    );
  }

  /** Drops the site's field from every results hash, so the read-outs no longer list its last result. */
  private async forgetResults(name: string): Promise<number> {
    // SCAN patterns and the keys it returns carry the prefix (no glob characters: RedisKeyPrefixSchema),
    // which ioredis adds again to HDEL's key.
    const prefix = this.config.REDIS_KEY_PREFIX;
    const pattern = `${prefix}${redisKeys.results('*', '*')}`;
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const k of keys) pipeline.hdel(k.slice(prefix.length), name);
      for (const [err, n] of (await pipeline.exec()) ?? []) {
        if (err) throw err;
        removed += Number(n);
      }
    } while (cursor !== '0');
    return removed;
  }

  private queue(location: string): Queue {
    let q = this.queues.get(location);
    if (!q) {
      // skipMetasUpdate: looking at a site's queue must not write to it.
      q = new Queue(probeQueueName(location), {
        connection: this.bull,
        prefix: bullPrefix(this.config.REDIS_KEY_PREFIX),
        skipMetasUpdate: true,
      });
      q.on('error', (e) => this.logger.warn(`queue ${location}: ${e.message}`));
      this.queues.set(location, q);
    }
    return q;
  }
}
