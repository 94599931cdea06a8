import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  bullPrefix,
  type CertEvent,
  CertEventSchema,
  FEED_FIELD,
  FeedEventSchema,
  healthField,
  isSilenced,
  NOTIFY_QUEUE,
  redisKeys,
  safeJson,
  type HealthState,
} from '@vigil/contract';
import { ConsumerGroup, redisOptions, type StreamEntry } from '@vigil/contract/redis';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource, In } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { REDIS } from '../redis/redis.module';
import { currentOverrides, served } from '../overrides/view';
import { Rrset } from '../rrsets/rrset.entity';
import { Zone } from '../zones/zone.entity';
import { NotificationChannel } from './channel.entity';
import { type DeliveryJob, deliveryJobOptions } from './deliveries';
import { type CertItem, type Notice, type NoticeItem, noticeFor, noticeKey, type Transition } from './message';
import { notificationMetrics } from './metrics';

export const NOTIFY_GROUP = 'api-notify';
/** The same api processes' consumer group on the certificate feed (the aggregators' certificate changes). */
export const NOTIFY_CERT_GROUP = 'api-notify-cert';
/** A pending field that holds a certificate change (the rest are change-feed ids of transitions). */
const CERT_FIELD = 'cert:';
/** Feed entries another api process took and left unacknowledged this long are taken over. */
const CLAIM_IDLE_MS = 60_000;
/** A batch claimed this long ago whose deliveries were not queued lost its api process: taken over. */
const BATCH_STALE_MS = 30_000;
/** How long a feed entry's id is remembered, so a redelivered entry is not notified twice. */
const SEEN_TTL_S = 7 * 86_400;
const HEALTH_KIND = '"kind":"health"';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Takes one transition in, once: the first time its feed entry is seen, and only when the state
 * differs from the last one notified (the first decision "available" of a new check is no news).
 * KEYS: seen, last, pending, due. ARGV: health field, state, feed id, HealthState JSON, now, ttl, account.
 */
const TAKE = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[6]) then return 0 end
local prev = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if prev == ARGV[2] then return 0 end
if not prev then
  if ARGV[2] == 'available' then return 0 end
  prev = 'available'
end
redis.call('HSET', KEYS[3], ARGV[3], prev .. ' ' .. ARGV[4])
redis.call('ZADD', KEYS[4], 'NX', ARGV[5], ARGV[7])
return 1`;

/**
 * Takes one certificate change in, once (its entry seen, the aggregators' compare-and-set having
 * made it an edge already). KEYS: seen, pending, due. ARGV: pending field, CertEvent JSON, now, ttl, account.
 */
const TAKE_CERT = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[4]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], 'NX', ARGV[3], ARGV[5])
return 1`;

/**
 * Claims an account's pending transitions once its window has passed: they become a batch of this
 * process's, atomically, so two api processes never both build its message.
 * KEYS: due, pending, batch, batches. ARGV: account, cutoff, now.
 */
const CLAIM = `
local first = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not first or tonumber(first) > tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('RENAME', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[3], '@account', ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[3], KEYS[3])
return 1`;

/** Takes over a batch claimed before the cutoff. KEYS: batches. ARGV: batch key, cutoff, now. */
const RECLAIM = `
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not at or tonumber(at) > tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1`;

type NotifyRedis = Redis & {
  notifyTake(...args: (string | number)[]): Promise<number>;
  notifyTakeCert(...args: (string | number)[]): Promise<number>;
  notifyClaim(...args: (string | number)[]): Promise<number>;
  notifyReclaim(...args: (string | number)[]): Promise<number>;
};

/**
 * From health transitions to queued deliveries: the api processes share a consumer group on the
 * change feed (each entry taken in by one), collect each account's transitions for the coalescing
 * window, then one of them builds the account's message and queues a delivery per channel, its job
 * id made of the channel and the transitions, so a batch taken over after a crash queues nothing twice.
 */
@Injectable()
export class NotificationPipeline implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationPipeline.name);
  private readonly group: ConsumerGroup;
  private readonly certGroup: ConsumerGroup;
  private readonly queue: Queue<DeliveryJob>;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private readonly redis: NotifyRedis;
  private readonly connection: Redis;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) redis: Redis,
  ) {
    this.redis = redis as NotifyRedis;
    if (!('notifyTake' in redis)) {
      redis.defineCommand('notifyTake', { numberOfKeys: 4, lua: TAKE });
      redis.defineCommand('notifyTakeCert', { numberOfKeys: 3, lua: TAKE_CERT });
      redis.defineCommand('notifyClaim', { numberOfKeys: 4, lua: CLAIM });
      redis.defineCommand('notifyReclaim', { numberOfKeys: 1, lua: RECLAIM });
    }
    // BullMQ wants its own connection without ioredis' keyPrefix; it takes its own `prefix`.
    this.connection = new Redis(redisOptions(config.redis, 'primary', { maxRetriesPerRequest: null, lazyConnect: true }));
    this.connection.on('error', () => undefined);
    this.queue = new Queue(NOTIFY_QUEUE, { connection: this.connection, prefix: bullPrefix(config.REDIS_KEY_PREFIX) });
    this.queue.on('error', () => undefined);
    // A blocking XREADGROUP needs a connection of its own, per group.
    this.group = this.consumerGroup(redis, redisKeys.feed, NOTIFY_GROUP, 'feed entries', (entries) => this.take(entries));
    this.certGroup = this.consumerGroup(redis, redisKeys.certFeed, NOTIFY_CERT_GROUP, 'certificate changes', (entries) =>
      this.takeCerts(entries),
    );
  }

  private consumerGroup(redis: Redis, stream: string, group: string, what: string, handle: (entries: StreamEntry[]) => Promise<void>) {
    const reader = new Redis(
      redisOptions(this.config.redis, 'primary', {
        keyPrefix: this.config.REDIS_KEY_PREFIX,
        lazyConnect: true,
        maxRetriesPerRequest: null,
      }),
    );
    reader.on('error', () => undefined);
    let warned = false;
    let lastClaim = 0;
    const consumer: ConsumerGroup = new ConsumerGroup({
      redis,
      reader,
      stream,
      group,
      consumer: `${hostname()}-${process.pid}`,
      batch: 200,
      handle,
      beforeRead: async () => {
        if (Date.now() - lastClaim < CLAIM_IDLE_MS / 2) return;
        lastClaim = Date.now();
        const n = await consumer.claim(CLAIM_IDLE_MS);
        if (n) this.logger.log(`notifications: took over ${n} ${what} another api process left unacknowledged`);
      },
      onError: (e) => {
        if (!warned) this.logger.warn(`notifications paused (${what}): ${e.message}`);
        warned = true;
      },
    });
    return consumer;
  }

  onApplicationBootstrap() {
    if (!this.config.NOTIFICATIONS) return;
    this.group.start();
    this.certGroup.start();
    // The sweep that takes what others' windows left; a window this process opened is swept when it closes.
    this.timer = setInterval(() => {
      this.kick();
      if (Date.now() - this.countedAt >= 5000) void this.countJobs();
    }, 500);
  }

  private kick(): void {
    this.sweeping ??= this.sweep()
      .catch((e: Error) => this.logger.warn(`notifications: ${e.message}`))
      .finally(() => (this.sweeping = null));
  }

  private countedAt = 0;

  /** The queue's depth for the metrics, every few seconds. */
  private async countJobs(): Promise<void> {
    this.countedAt = Date.now();
    const counts = await this.queue.getJobCounts('waiting', 'delayed', 'active').catch(() => null);
    for (const [state, n] of Object.entries(counts ?? {})) notificationMetrics.queue.set({ state }, n);
  }

  async onApplicationShutdown() {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
    await Promise.all([this.group.stop(), this.certGroup.stop()]);
    await this.queue.close();
    this.connection.disconnect();
  }

  /** Feed entries → pending transitions of their accounts. */
  private async take(entries: StreamEntry[]): Promise<void> {
    const transitions: { feedId: string; health: HealthState }[] = [];
    for (const [feedId, fields] of entries) {
      const i = fields.indexOf(FEED_FIELD);
      const json = i >= 0 ? fields[i + 1] : undefined;
      const parsed = json?.includes(HEALTH_KIND) ? FeedEventSchema.safeParse(safeJson(json)) : null;
      if (parsed?.success && parsed.data.kind === 'health' && UUID.test(parsed.data.health.checkId)) {
        transitions.push({ feedId, health: parsed.data.health });
      }
    }
    if (transitions.length === 0) return;
    const owners = await this.ownersOf(transitions.map((t) => t.health.checkId));
    const now = Date.now();
    // One round trip for the batch; the scripts run in feed order.
    const pipeline = this.redis.pipeline() as ReturnType<Redis['pipeline']> & Pick<NotifyRedis, 'notifyTake'>;
    for (const { feedId, health } of transitions) {
      const account = owners.get(health.checkId);
      // A record set deleted meanwhile: nobody to tell.
      if (!account) continue;
      void pipeline.notifyTake(
        redisKeys.notifySeen(feedId),
        redisKeys.notifyLast,
        redisKeys.notifyPending(account),
        redisKeys.notifyDue,
        healthField(health.checkId, health.address),
        health.state,
        feedId,
        JSON.stringify(health),
        now,
        SEEN_TTL_S,
        account,
      );
    }
    await this.taken(pipeline);
  }

  /** The account of each record set (a check's id is its record set's); one deleted meanwhile is left out. */
  private async ownersOf(checkIds: string[]): Promise<Map<string, string>> {
    const rows = (await this.ds.query(
      `SELECT r.id, z.account_id FROM rrsets r JOIN zones z ON z.id = r.zone_id WHERE r.id = ANY($1::uuid[])`,
      [[...new Set(checkIds)]],
    )) as { id: string; account_id: string }[];
    return new Map(rows.map((r) => [r.id, r.account_id]));
  }

  /** Runs a batch's take scripts; when one took something in, a sweep follows its window. */
  private async taken(pipeline: ReturnType<Redis['pipeline']>): Promise<void> {
    const results = (await pipeline.exec()) ?? [];
    for (const [err] of results) if (err) throw err;
    const taken = results.filter(([, n]) => n === 1).length;
    if (taken > 0 && this.timer) setTimeout(() => this.kick(), this.config.NOTIFY_COALESCE_SECONDS * 1000 + 10).unref();
  }

  /** Certificate-feed entries → pending certificate changes of their accounts, coalesced like transitions. */
  private async takeCerts(entries: StreamEntry[]): Promise<void> {
    const changes: { feedId: string; cert: CertEvent }[] = [];
    for (const [feedId, fields] of entries) {
      const i = fields.indexOf(FEED_FIELD);
      const parsed = i >= 0 ? CertEventSchema.safeParse(safeJson(fields[i + 1]!)) : null;
      if (parsed?.success && UUID.test(parsed.data.checkId)) changes.push({ feedId, cert: parsed.data });
    }
    if (changes.length === 0) return;
    const owners = await this.ownersOf(changes.map((c) => c.cert.checkId));
    const now = Date.now();
    const pipeline = this.redis.pipeline() as ReturnType<Redis['pipeline']> & Pick<NotifyRedis, 'notifyTakeCert'>;
    for (const { feedId, cert } of changes) {
      const account = owners.get(cert.checkId);
      if (!account) continue;
      void pipeline.notifyTakeCert(
        redisKeys.notifyCertSeen(feedId),
        redisKeys.notifyPending(account),
        redisKeys.notifyDue,
        `${CERT_FIELD}${feedId}`,
        JSON.stringify(cert),
        now,
        SEEN_TTL_S,
        account,
      );
    }
    await this.taken(pipeline);
  }

  /** Claims the accounts whose window passed (and batches left by a dead process), and queues their deliveries. */
  async sweep(now = Date.now()): Promise<void> {
    const cutoff = now - this.config.NOTIFY_COALESCE_SECONDS * 1000;
    const batches: string[] = [];
    for (const account of await this.redis.zrangebyscore(redisKeys.notifyDue, '-inf', cutoff, 'LIMIT', 0, 100)) {
      const batch = redisKeys.notifyBatch(randomUUID());
      if (
        await this.redis.notifyClaim(
          redisKeys.notifyDue,
          redisKeys.notifyPending(account),
          batch,
          redisKeys.notifyBatches,
          account,
          cutoff,
          now,
        )
      ) {
        batches.push(batch);
      }
    }
    for (const batch of await this.redis.zrangebyscore(redisKeys.notifyBatches, '-inf', now - BATCH_STALE_MS, 'LIMIT', 0, 100)) {
      if (await this.redis.notifyReclaim(redisKeys.notifyBatches, batch, now - BATCH_STALE_MS, now)) batches.push(batch);
    }
    for (const batch of batches) await this.deliver(batch, now);
  }

  /** One claimed batch: its message, a delivery per channel that wants it, then the batch is done. */
  private async deliver(batch: string, now: number): Promise<void> {
    const raw = await this.redis.hgetall(batch);
    const accountId = raw['@account'];
    if (accountId) {
      const transitions: Transition[] = [];
      const certs: { feedId: string; cert: CertEvent }[] = [];
      for (const [feedId, value] of Object.entries(raw)) {
        if (feedId === '@account') continue;
        if (feedId.startsWith(CERT_FIELD)) {
          const parsed = CertEventSchema.safeParse(safeJson(value));
          if (parsed.success) certs.push({ feedId, cert: parsed.data });
          continue;
        }
        const space = value.indexOf(' ');
        const h = safeJson(value.slice(space + 1)) as HealthState | null;
        if (!h) continue;
        const previous = value.slice(0, space) === 'unavailable' ? 'unavailable' : 'available';
        transitions.push({
          feedId,
          checkId: h.checkId,
          address: h.address,
          state: h.state === 'unavailable' ? 'unavailable' : 'available',
          previous,
          since: h.since,
          reasons: h.reasons,
        });
      }
      const notice = await this.notice(accountId, transitions, now);
      if (notice) await this.queueDeliveries(notice);
      // Certificates are a message of their own: a receiver tells them apart by its type.
      const certNotice = await this.certNotice(accountId, certs, now);
      if (certNotice) await this.queueDeliveries(certNotice);
    }
    await this.redis.multi().del(batch).zrem(redisKeys.notifyBatches, batch).exec();
  }

  /** The message of an account's transitions: record set by record set, with what DNS answers now. */
  async notice(accountId: string, transitions: Transition[], now: number): Promise<Notice | null> {
    if (transitions.length === 0) return null;
    const { rrsets, zones, healthUrl } = await this.rrsetsOf(
      accountId,
      transitions.map((t) => t.checkId),
    );
    const recordsOf = new Map(
      rrsets.map((r) => [
        r.id,
        r.resourceRecords
          .filter((rec) => rec.enabled)
          .map((rec) => ({ address: String(rec.content[0]), backup: rec.meta.backup === true })),
      ]),
    );
    // Every address's state in one read.
    const fields = rrsets.flatMap((r) => recordsOf.get(r.id)!.map((rec) => healthField(r.id, rec.address)));
    const states = fields.length ? await this.redis.hmget(redisKeys.health, ...fields) : [];
    const unavailable = new Set(fields.filter((_, i) => (safeJson(states[i] ?? 'null') as HealthState | null)?.state === 'unavailable'));
    const items: NoticeItem[] = [];
    for (const r of rrsets) {
      const zone = zones.get(r.zoneId);
      if (!zone) continue;
      const records = recordsOf.get(r.id)!;
      // A failure in a maintenance window (or of a drained address) alerts no one, nor its recovery.
      const changes = transitions
        .filter((t) => t.checkId === r.id && !isSilenced(r.overrides ?? [], t.address, t.since))
        .sort((a, b) => a.since - b.since || (a.address < b.address ? -1 : 1));
      if (changes.length === 0) continue;
      const down = new Set(records.filter((rec) => unavailable.has(healthField(r.id, rec.address))).map((rec) => rec.address));
      const serving = served(r, currentOverrides(r, now), now, down).any;
      items.push({
        rrsetId: r.id,
        zoneId: zone.id,
        zone: zone.name,
        name: r.name,
        type: r.type,
        changes,
        serving,
        allDown: records.length > 0 && down.size === records.length,
        healthUrl: healthUrl(zone, r),
      });
    }
    if (items.length === 0) return null;
    items.sort((a, b) => (a.zone === b.zone ? (a.name < b.name ? -1 : 1) : a.zone < b.zone ? -1 : 1));
    return { key: noticeKey(transitions.map((t) => t.feedId)), accountId, items, createdAt: now };
  }

  /** The account's record sets of these checks, their zones, and the panel's health page of each. */
  private async rrsetsOf(accountId: string, checkIds: string[]) {
    const rrsets = await this.ds.getRepository(Rrset).find({ where: { id: In([...new Set(checkIds)]) } });
    const zones = new Map(
      (await this.ds.getRepository(Zone).find({ where: { id: In([...new Set(rrsets.map((r) => r.zoneId))]), accountId } })).map((z) => [
        z.id,
        z,
      ]),
    );
    const base = (this.config.PANEL_URL ?? this.config.PANEL_ORIGIN[0]!).replace(/\/$/, '');
    const healthUrl = (zone: Zone, r: Rrset) =>
      `${base}/zones/${encodeURIComponent(zone.name)}/${encodeURIComponent(r.name)}/${r.type}/health`;
    return { rrsets, zones, healthUrl };
  }

  /**
   * The message of an account's certificate changes: each address still in its record set (and
   * its check still watching certificates), not silenced (a maintenance window or a drain at the
   * reading, as for transitions), oldest reading first.
   */
  async certNotice(accountId: string, changes: { feedId: string; cert: CertEvent }[], now: number): Promise<Notice | null> {
    if (changes.length === 0) return null;
    const { rrsets, zones, healthUrl } = await this.rrsetsOf(
      accountId,
      changes.map((c) => c.cert.checkId),
    );
    const byId = new Map(rrsets.map((r) => [r.id, r]));
    const certs: CertItem[] = [];
    for (const { feedId, cert } of changes) {
      const r = byId.get(cert.checkId);
      const zone = r && zones.get(r.zoneId);
      if (!r || !zone || !r.meta.failover?.cert_expiry_days) continue;
      if (!r.resourceRecords.some((rec) => rec.enabled && String(rec.content[0]) === cert.address)) continue;
      if (isSilenced(r.overrides ?? [], cert.address, cert.at)) continue;
      certs.push({
        feedId,
        rrsetId: r.id,
        zoneId: zone.id,
        zone: zone.name,
        name: r.name,
        type: r.type,
        address: cert.address,
        level: cert.level,
        previous: cert.previous,
        renewed: cert.renewed,
        daysLeft: cert.days_left,
        expiresAt: cert.expires_at,
        at: cert.at,
        location: cert.location,
        healthUrl: healthUrl(zone, r),
      });
    }
    if (certs.length === 0) return null;
    certs.sort((a, b) => a.at - b.at || (a.address < b.address ? -1 : 1));
    return { key: noticeKey(certs.map((c) => c.feedId)), accountId, items: [], certs, createdAt: now };
  }

  private async queueDeliveries(notice: Notice): Promise<void> {
    const channels = await this.ds.getRepository(NotificationChannel).find({ where: { accountId: notice.accountId, enabled: true } });
    for (const channel of channels) {
      const mine = noticeFor(notice, channel);
      if (!mine) continue;
      await this.queue.add(
        'deliver',
        { channelId: channel.id, kind: mine.certs ? 'certificates' : 'transitions', notice: mine },
        deliveryJobOptions(this.config, channel.id, notice.key),
      );
    }
  }
}
