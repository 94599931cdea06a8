import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { FEED_FIELD, FeedEventSchema, redisKeys, safeJson } from '@vigil/contract';
import { ConsumerGroup, redisOptions, type StreamEntry } from '@vigil/contract/redis';
import { hostname } from 'node:os';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';

export const HISTORY_GROUP = 'api-history';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Entries another api process read and has not acknowledged for this long are taken over (it died). */
const CLAIM_IDLE_MS = 60_000;
/**
 * History may trail the feed by this much: under steady writes the feed gets an entry per change,
 * and reading them as they come would cost the api a read and an acknowledgement per change.
 */
const PAUSE_MS = 250;
/**
 * The feed is mostly zone changes; only an entry with this in its JSON can be a health transition
 * (quotes inside strings are escaped, and no other object of an event has a `kind`), so the rest
 * are passed over without parsing and validating them.
 */
const HEALTH_KIND = '"kind":"health"';

/** PostgreSQL refused the data itself (class 22: data exception, 23: integrity): retrying cannot help. */
const isDataError = (e: Error) => /^2[23]/.test(String((e as { code?: unknown }).code ?? ''));

/**
 * Copies health transitions from the change feed into PostgreSQL (history and uptime). The api
 * processes share one consumer group, so each entry is stored by one of them; the feed id is
 * unique in the table, so an entry handled twice after a crash is stored once.
 */
@Injectable()
export class HistoryConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HistoryConsumer.name);
  private readonly redis: Redis;
  private readonly group: ConsumerGroup;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // A blocking XREADGROUP needs a connection of its own.
    this.redis = new Redis(
      redisOptions(config.redis, 'primary', { keyPrefix: config.REDIS_KEY_PREFIX, lazyConnect: true, maxRetriesPerRequest: null }),
    );
    this.redis.on('error', () => undefined);
    let warned = false;
    let lastClaim = 0;
    this.group = new ConsumerGroup({
      redis: this.redis,
      reader: this.redis,
      stream: redisKeys.feed,
      group: HISTORY_GROUP,
      consumer: `${hostname()}-${process.pid}`,
      batch: 200,
      pauseMs: PAUSE_MS,
      handle: (entries) => this.store(entries),
      beforeRead: async () => {
        if (Date.now() - lastClaim < CLAIM_IDLE_MS / 2) return;
        lastClaim = Date.now();
        const n = await this.group.claim(CLAIM_IDLE_MS);
        if (n) this.logger.log(`health history: took over ${n} feed entries another api process left unacknowledged`);
      },
      deadLetter: {
        stream: redisKeys.deadLetter(HISTORY_GROUP),
        isPoison: isDataError,
        onDeadLetter: (id, e) =>
          this.logger.error(
            `health history: feed entry ${id} cannot be stored (${e.message}); moved to ${redisKeys.deadLetter(HISTORY_GROUP)}`,
          ),
      },
      onError: (e) => {
        if (!warned) this.logger.warn(`health history paused: ${e.message}`);
        warned = true;
      },
    });
  }

  onApplicationBootstrap() {
    if (this.config.HEALTH_HISTORY) this.group.start();
  }

  async onApplicationShutdown() {
    await this.group.stop();
  }

  private async store(entries: StreamEntry[]): Promise<void> {
    const rows: unknown[][] = [];
    for (const [entryId, fields] of entries) {
      const i = fields.indexOf(FEED_FIELD);
      // The feed carries every kind of change; what is not a health transition is not history.
      const json = i >= 0 ? fields[i + 1] : undefined;
      const parsed = json?.includes(HEALTH_KIND) ? FeedEventSchema.safeParse(safeJson(json)) : null;
      if (parsed?.success && parsed.data.kind === 'health' && UUID.test(parsed.data.health.checkId)) {
        const h = parsed.data.health;
        rows.push([h.checkId, h.address, h.state, new Date(h.since), JSON.stringify(h.reasons), entryId]);
      }
    }
    if (rows.length === 0) return;
    const values = rows.map(
      (_, n) => `($${n * 6 + 1}::uuid, $${n * 6 + 2}, $${n * 6 + 3}, $${n * 6 + 4}::timestamptz, $${n * 6 + 5}::jsonb, $${n * 6 + 6})`,
    );
    // Transitions of record sets deleted meanwhile are dropped (the join), never an error.
    await this.ds.query(
      `INSERT INTO health_events (rrset_id, address, state, at, reasons, feed_id)
       SELECT v.* FROM (VALUES ${values.join(', ')}) AS v(rrset_id, address, state, at, reasons, feed_id)
       JOIN rrsets r ON r.id = v.rrset_id
       ON CONFLICT (feed_id) DO NOTHING`,
      rows.flat(),
    );
  }
}
