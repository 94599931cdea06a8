// Reloads the RTT table (rtt.ts) from Redis every DNS_RTT_RELOAD_SECONDS, off the query path, on
// a connection of its own (the sync's is busy with XREAD BLOCK). RTTs move slowly (checks run at
// most every 10 s and each result moves the average by 30%), and an address going down reaches
// the answers at once through health, not through here, so a reload every half minute is enough.
// When Redis does not answer the table in memory stays as it was, and answers go on from it.
import { redisKeys } from '@vigil/contract';
import { redisOptions, type RedisSettings } from '@vigil/contract/redis';
import { Redis } from 'ioredis';
import type { Logger } from '../common/logger';
import { buildRttSites, type RttTable } from './rtt';

export interface RttSyncOptions {
  redis: RedisSettings;
  keyPrefix?: string;
  table: RttTable;
  intervalMs: number;
  logger: Logger;
  now?: () => number;
}

/** Fields read per HSCAN round trip: a large hash is read in pages, so Redis never blocks on one. */
const SCAN_COUNT = 1000;

export class RttSync {
  private readonly client: Redis;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failing = false;
  private stopped = false;
  /** When the table was last replaced from Redis (ms), null before. */
  lastReloadAt: number | null = null;

  constructor(private readonly opts: RttSyncOptions) {
    this.client = new Redis({
      ...redisOptions(opts.redis, 'read'),
      keyPrefix: opts.keyPrefix ?? '',
      lazyConnect: true,
      // A reload that cannot run fails at once; the next interval tries again.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 5000,
      commandTimeout: 10_000,
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    });
    this.client.on('error', () => undefined); // reported by the reload that fails
  }

  start(): void {
    this.client.connect().catch(() => undefined);
    this.client.once('ready', () => void this.reloadNow());
    this.timer = setInterval(() => void this.reloadNow(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** One reload (or the one in flight). */
  reloadNow(): Promise<void> {
    this.running ??= this.reload().finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    this.client.disconnect();
  }

  private async reload(): Promise<void> {
    if (this.stopped) return;
    const log = this.opts.logger;
    try {
      const points = await this.client.hgetall(redisKeys.locationPoints);
      const rtts = new Map<string, [string, string][]>();
      for (const location of Object.keys(points)) rtts.set(location, await this.scan(redisKeys.rtt(location)));
      const skipped = { points: [] as string[], samples: 0 };
      const sites = buildRttSites(points, rtts, (this.opts.now ?? Date.now)(), skipped);
      this.opts.table.replace(sites);
      this.lastReloadAt = Date.now();
      if (skipped.points.length > 0 || skipped.samples > 0) log.warn(skipped, 'RTT: unreadable location points or samples skipped');
      if (this.failing) log.info('RTT table reloaded again');
      this.failing = false;
      log.debug({ locations: sites.map((s) => `${s.location}:${s.rtt.size}`) }, 'RTT table reloaded');
    } catch (e) {
      if (!this.failing) log.warn({ err: (e as Error).message }, 'RTT table not reloaded; ranking by the last one held');
      this.failing = true;
    }
  }

  private async scan(key: string): Promise<[string, string][]> {
    const out: [string, string][] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.client.hscan(key, cursor, 'COUNT', SCAN_COUNT);
      cursor = next;
      for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
    } while (cursor !== '0');
    return out;
  }
}
