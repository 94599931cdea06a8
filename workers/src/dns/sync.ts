// Keeps the in-memory zones and health current from Redis: a full load at start, then the change
// feed (XREAD BLOCK from the last applied id). Runs beside the query path and never blocks it;
// while Redis is away the server answers from what it holds.
import { FEED_FIELD, FeedEventSchema, HealthStateSchema, redisKeys, safeJson, type FeedEvent, type ZoneHead } from '@vigil/contract';
import {
  DIGEST_FIELD,
  HEAD_FIELD,
  parseDigest,
  parseHead,
  readHead,
  scanZone,
  type StreamEntry,
  ZoneDigest,
  type ZoneEntry,
  unprefixedCommandKey,
} from '@vigil/contract/redis';
import { Redis } from 'ioredis';
import type { Logger } from '../common/logger';
import { safeRedisUrl } from '../common/redis';
import type { HealthTable } from './health';
import type { SyncStatus } from './metrics';
import { addStoredField, applyFeedDelta, emptyIndex, type ZoneIndex } from './zone-index';
import type { ZoneStore } from './zone-store';

export interface SyncOptions {
  redisUrl: string;
  /** REDIS_KEY_PREFIX, the connection's keyPrefix as in every Vigil process. */
  keyPrefix?: string;
  zones: ZoneStore;
  health: HealthTable;
  logger: Logger;
  /** How long one XREAD waits for events; also how often the sync confirms it is current. */
  blockMs?: number;
  /** Events read per XREAD. */
  batch?: number;
}

const NO_STREAM = '0-0';
/** Lets the queries waiting on the event loop through, between chunks of a large zone's load. */
const yieldToQueries = () => new Promise<void>((r) => setImmediate(r));
/** Longest stretch of loading work between two chances for queries to be answered. */
const SLICE_MS = 3;
/** A zone with more fields than this is read with HSCAN, a chunk at a time, instead of HGETALL. */
const SMALL_ZONE_FIELDS = 2000;
/** Warnings of one zone's load logged one by one; the rest are counted. */
const MAX_WARNINGS_LOGGED = 20;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class RedisSync implements SyncStatus {
  connected = false;
  lastSyncAt: number | null = null;
  loaded = false;
  /** Id of the last feed entry applied; '0-0' when the feed did not exist at the last load. */
  lastId = NO_STREAM;
  readonly feedEvents = new Map<string, number>();
  readonly reloads = new Map<string, number>();
  /** Loads whose fields disagreed with the zone's digest (the api's reconciler republishes such a zone). */
  digestMismatches = 0;
  /** Resolves once the first full load is in memory. */
  readonly firstLoad: Promise<void>;

  private readonly client: Redis;
  private readonly log: Logger;
  private readonly blockMs: number;
  private readonly batch: number;
  private resolveFirstLoad!: () => void;
  private stopped = false;
  private loop: Promise<void> | null = null;
  /** Bumped on every (re)connection: a reply that straddles one must not be trusted. */
  private generation = 0;
  private reloadReason: string | null = 'start';
  private lastFailureLog = 0;
  private failing = false;
  private readonly url: string;

  constructor(private readonly opts: SyncOptions) {
    this.log = opts.logger;
    this.blockMs = opts.blockMs ?? 5000;
    this.batch = opts.batch ?? 1000;
    this.url = safeRedisUrl(opts.redisUrl);
    this.firstLoad = new Promise((resolve) => (this.resolveFirstLoad = resolve));
    this.client = new Redis(opts.redisUrl, {
      keyPrefix: opts.keyPrefix ?? '',
      lazyConnect: true,
      // Fail fast while disconnected: the loop decides when to retry, and the query path never waits.
      enableOfflineQueue: false,
      // A blocking XREAD must not be silently replayed on a new connection (perhaps to a Redis
      // that restarted empty): it fails instead, and the loop re-checks the feed first.
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 5000,
      commandTimeout: this.blockMs + 10_000,
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    });
    this.client.on('ready', () => {
      this.generation++;
      this.connected = true;
      if (this.failing) this.log.info({ redis: this.url }, 'Redis connection restored; catching up from the change feed');
      this.failing = false;
    });
    this.client.on('close', () => {
      if (this.connected && !this.stopped) {
        this.log.warn({ redis: this.url }, 'Redis connection lost; answering from memory until it is back');
      }
      this.connected = false;
    });
    // ioredis reports every failed reconnect here; the loop logs them at a bounded rate.
    this.client.on('error', (err: Error) => this.reportFailure(err));
  }

  start(): void {
    if (this.loop) return;
    this.client.connect().catch((err: unknown) => this.reportFailure(err));
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.client.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        await this.waitReady();
        if (this.stopped) break;
        if (this.reloadReason === null) await this.checkFeedContinuity();
        if (this.reloadReason !== null) await this.fullLoad(this.reloadReason);
        const generation = this.generation;
        const reply = (await this.client.xread('COUNT', this.batch, 'BLOCK', this.blockMs, 'STREAMS', redisKeys.feed, this.lastId)) as
          [string, StreamEntry[]][] | null;
        // Reconnected while waiting: the reply may come from another Redis; check the feed again.
        if (generation !== this.generation) continue;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length > 0) {
          // XREAD silently skips entries trimmed after our position; trimming removes the oldest
          // first, so our last entry still being there proves nothing in between is missing.
          await this.checkFeedContinuity();
          if (this.reloadReason !== null || generation !== this.generation) continue;
          await this.applyEntries(entries);
        }
        this.lastSyncAt = Date.now();
        attempt = 0;
      } catch (err) {
        if (this.stopped) break;
        this.reportFailure(err);
        await sleep(Math.min(100 * 2 ** attempt++, 2000));
      }
    }
  }

  private async waitReady(): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, 1000);
      this.client.once('ready', done);
    });
    if ((this.client.status as string) !== 'ready' && !this.stopped)
      throw new Error(`Redis at ${this.url} is not connected (status ${this.client.status})`);
  }

  private reportFailure(err: unknown): void {
    if (this.stopped) return;
    const now = Date.now();
    const message = err instanceof Error ? err.message : String(err);
    // Once on the first failure, then at most every 30 s while it lasts.
    if (this.failing && now - this.lastFailureLog < 30_000) return;
    this.failing = true;
    this.lastFailureLog = now;
    if (!this.loaded) {
      this.log.error(
        { redis: this.url, err: message },
        `Redis at ${this.url} does not answer (${message}); retrying. The DNS server starts answering once it has loaded the zones from Redis`,
      );
    } else {
      this.log.error(
        { redis: this.url, err: message, lastSyncAt: this.lastSyncAt === null ? null : new Date(this.lastSyncAt).toISOString() },
        `Redis at ${this.url} does not answer (${message}); answering from memory, retrying`,
      );
    }
  }

  /**
   * The feed must still hold the last entry we applied: if it is gone, the stream was trimmed
   * past us, deleted, or Redis restarted without it, and changes may be lost: reload everything.
   */
  private async checkFeedContinuity(): Promise<void> {
    if (this.lastId === NO_STREAM) {
      // No position to check: the feed did not exist at our last load. Redis 7 still tells us
      // whether anything was ever trimmed from it since.
      const info = await this.streamInfo();
      if (info?.maxDeletedId && info.maxDeletedId !== NO_STREAM) this.needReload('feed_trimmed');
      return;
    }
    const found = await this.client.xrange(redisKeys.feed, this.lastId, this.lastId);
    if (found.length > 0) return;
    const info = await this.streamInfo();
    // An existing stream that is merely empty and has added nothing since is still continuous.
    if (info && info.length === 0 && info.lastGeneratedId === this.lastId) return;
    this.needReload(info ? 'feed_trimmed' : 'feed_missing');
  }

  private needReload(reason: string): void {
    this.reloadReason = reason;
    this.log.warn({ lastId: this.lastId, reason }, 'The change feed no longer holds the last applied event; reloading everything');
  }

  private async streamInfo(): Promise<{ length: number; lastGeneratedId: string; maxDeletedId: string | null } | null> {
    let raw: unknown[];
    try {
      raw = (await this.client.call('XINFO', 'STREAM', unprefixedCommandKey(this.client, redisKeys.feed))) as unknown[];
    } catch (err) {
      if (err instanceof Error && /no such key/i.test(err.message)) return null;
      throw err;
    }
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < raw.length; i += 2) info.set(String(raw[i]), raw[i + 1]);
    const maxDeleted = info.get('max-deleted-entry-id');
    return {
      length: Number(info.get('length') ?? 0),
      lastGeneratedId: String(info.get('last-generated-id') ?? NO_STREAM),
      // Redis 7 and later only.
      maxDeletedId: maxDeleted === undefined ? null : String(maxDeleted),
    };
  }

  /** Loads every zone and the whole health hash; the feed position is taken first so nothing is missed. */
  private async fullLoad(reason: string): Promise<void> {
    const started = Date.now();
    const info = await this.streamInfo();
    const startId = info ? info.lastGeneratedId : NO_STREAM;
    const index = await this.client.hgetall(redisKeys.zoneIndex);
    const names = Object.keys(index).map((n) => n.toLowerCase());
    const filled = (await this.client.exists(redisKeys.published)) === 1;
    const healthRaw = await this.client.hgetall(redisKeys.health);

    // Each zone is swapped in as soon as it is built, so memory holds at most one zone twice.
    const zones = this.opts.zones;
    const listed = new Set<string>();
    for (let i = 0; i < names.length; i += 100) {
      const built = await this.loadZones(names.slice(i, i + 100));
      for (const [name, zone] of built) {
        listed.add(name);
        const held = zones.get(name);
        // Keep the newer of what we hold and what Redis has (Redis may come back from an old snapshot).
        if (zone && (!held || zone.version >= held.version)) zones.set(zone);
      }
      await yieldToQueries();
    }
    const unlisted = [...zones.names()].filter((name) => !listed.has(name));
    if (!filled && unlisted.length > 0) {
      // A Redis without the api's `published` marker lost its data (or is being filled again):
      // a zone it does not list yet is kept, not taken offline; its deletion, if it was one,
      // comes as a feed event.
      this.log.warn({ kept: unlisted.length }, 'Redis is not (yet) filled by the api; keeping the zones in memory it does not list');
    } else if (names.length === 0 && zones.size > 0) {
      // An empty index while we hold zones is almost surely a Redis that lost its data and is
      // waiting for the api's reconciler; dropping everything would take every zone offline.
      this.log.warn({ held: zones.size }, 'Redis lists no zones; keeping the zones in memory until they are republished');
    } else {
      for (const name of unlisted) zones.delete(name);
    }
    const states = [];
    for (const [field, value] of Object.entries(healthRaw)) {
      const parsed = safeJson(value);
      const h = HealthStateSchema.safeParse(parsed);
      if (h.success) states.push(h.data);
      else this.log.warn({ field }, 'Ignoring a health entry that is not a HealthState');
    }
    this.opts.health.replaceAll(states);
    this.lastId = startId;
    this.reloadReason = null;
    this.reloads.set(reason, (this.reloads.get(reason) ?? 0) + 1);
    this.lastSyncAt = Date.now();
    this.log.info(
      { reason, zones: zones.size, unavailable: this.opts.health.unavailableCount, feedId: startId, ms: Date.now() - started },
      'Loaded zones and health from Redis',
    );
    if (!this.loaded) {
      this.loaded = true;
      this.resolveFirstLoad();
    }
  }

  /**
   * Indexes the stored zones by name (null: not there, or unusable, with a log line). Small zones
   * come a chunk of them per round trip; a large one a chunk of fields at a time (HSCAN), indexed
   * as it comes, in slices of a few milliseconds with queries answered in between.
   */
  private async loadZones(names: string[]): Promise<Map<string, ZoneIndex | null>> {
    const out = new Map<string, ZoneIndex | null>();
    const sizes = await this.client.pipeline(names.map((n) => ['hlen', redisKeys.zone(n)])).exec();
    const small = names.filter((_, j) => Number(sizes?.[j]?.[1] ?? 0) <= SMALL_ZONE_FIELDS);
    const whole = small.length ? await this.client.pipeline(small.map((n) => ['hgetall', redisKeys.zone(n)])).exec() : [];
    for (let j = 0; j < small.length; j++) {
      const [err, fields] = whole?.[j] ?? [null, {}];
      if (err) throw err;
      const raw = fields as Record<string, string>;
      const head = this.checkHead(small[j]!, parseHead(raw[HEAD_FIELD] ?? null));
      if (head === null) {
        out.set(small[j]!, null);
        continue;
      }
      const warnings: string[] = [];
      const index = emptyIndex(head.value.name, head.value.soa, head.version);
      const digest = new ZoneDigest();
      for (const field in raw) addStoredField(index, field, raw[field]!, warnings, digest);
      // HGETALL is atomic: what was read is one state of the zone.
      this.checkDigest(index, digest, raw[DIGEST_FIELD]);
      out.set(small[j]!, this.logWarnings(index, warnings));
    }
    for (const n of names) if (!out.has(n)) out.set(n, await this.loadLargeZone(n));
    return out;
  }

  private async loadLargeZone(name: string): Promise<ZoneIndex | null> {
    const head = this.checkHead(name, await readHead(this.client, name));
    if (!head) return null;
    const warnings: string[] = [];
    const index = emptyIndex(head.value.name, head.value.soa, head.version);
    const digest = new ZoneDigest();
    let slice = performance.now();
    await scanZone(this.client, name, async (fields) => {
      for (let i = 0; i + 1 < fields.length; i += 2) {
        addStoredField(index, fields[i]!, fields[i + 1]!, warnings, digest);
        if ((i & 127) === 126 && performance.now() - slice > SLICE_MS) {
          await yieldToQueries();
          slice = performance.now();
        }
      }
    });
    // A scan is no snapshot: only a zone no change touched meanwhile (its head still at the version
    // read first) must agree with its digest; a change's own event follows in the feed.
    const [[, stored], [, headNow]] = ((await this.client
      .pipeline()
      .hget(redisKeys.zone(name), DIGEST_FIELD)
      .hget(redisKeys.zone(name), HEAD_FIELD)
      .exec()) ?? []) as [unknown, string | null][];
    if (parseHead(headNow ?? null)?.version === head.version) this.checkDigest(index, digest, stored);
    return this.logWarnings(index, warnings);
  }

  private checkDigest(index: ZoneIndex, read: ZoneDigest, raw: string | null | undefined): void {
    const stored = parseDigest(raw);
    if (stored === null || read.equals(stored)) return;
    this.digestMismatches++;
    this.log.error(
      { zone: index.name, version: index.version, read: read.toString(), digest: `${stored.fields} ${stored.sum}` },
      "Zone data in Redis disagrees with its digest (fields lost, left over or stale); serving what was read until the api's reconciler republishes it",
    );
  }

  /** The head if it names the zone it is stored under; null (and a log line when it names another). */
  private checkHead(name: string, head: ZoneEntry<ZoneHead> | null): { version: number; value: ZoneHead } | null {
    const value = head?.value ?? null;
    if (head === null || value === null) return null;
    if (value.name.replace(/\.$/, '').toLowerCase() !== name) {
      this.log.error({ zone: name, name: value.name }, 'Zone data names another zone; ignored');
      return null;
    }
    return { version: head.version, value };
  }

  private logWarnings(index: ZoneIndex, warnings: string[]): ZoneIndex {
    for (const w of warnings.slice(0, MAX_WARNINGS_LOGGED)) this.log.warn({ zone: index.name, version: index.version }, w);
    if (warnings.length > MAX_WARNINGS_LOGGED) {
      this.log.warn({ zone: index.name, version: index.version, more: warnings.length - MAX_WARNINGS_LOGGED }, 'More record sets left out');
    }
    return index;
  }

  private async applyEntries(entries: StreamEntry[]): Promise<void> {
    const events: [string, FeedEvent | null][] = entries.map(([id, fields]) => {
      let raw: string | undefined;
      for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === FEED_FIELD) raw = fields[i + 1];
      const parsed = FeedEventSchema.safeParse(raw === undefined ? undefined : safeJson(raw));
      if (!parsed.success) this.log.warn({ id }, 'Ignoring a feed entry that is not a FeedEvent');
      return [id, parsed.success ? parsed.data : null];
    });
    // Fetch every zone the batch upserts in one round trip; their current state is the newest,
    // and version checks keep later deletes and older upserts in order.
    const upserts = [...new Set(events.flatMap(([, e]) => (e?.kind === 'zone.upsert' ? [e.zone.toLowerCase()] : [])))];
    const built = upserts.length ? await this.loadZones(upserts) : new Map<string, ZoneIndex | null>();
    const zones = this.opts.zones;
    for (const [id, e] of events) {
      if (e !== null) {
        this.feedEvents.set(e.kind, (this.feedEvents.get(e.kind) ?? 0) + 1);
        if (e.kind === 'health') {
          this.opts.health.apply(e.health);
          this.log.info({ checkId: e.health.checkId, address: e.health.address, state: e.health.state }, 'Health changed');
        } else if (e.kind === 'zone.upsert') {
          const name = e.zone.toLowerCase();
          const zone = built.get(name) ?? null;
          const held = zones.get(name);
          // A missing key means it was deleted since; its delete event follows in the feed.
          if (zone && (!held || zone.version > held.version)) {
            zones.set(zone);
            this.log.info({ zone: name, version: zone.version }, 'Zone updated');
          }
        } else if (e.kind === 'zone.delta') {
          const name = e.zone.toLowerCase();
          const held = zones.get(name);
          // A zone not held (not yet loaded, or unusable) gets its state from its next full publish.
          if (held) {
            const warnings = applyFeedDelta(held, e);
            for (const w of warnings) this.log.warn({ zone: name, version: e.version }, w);
            this.log.debug({ zone: name, version: e.version, upserts: e.upserts.length, deletes: e.deletes.length }, 'Zone patched');
          }
        } else {
          const name = e.zone.toLowerCase();
          const held = zones.get(name);
          if (held && e.version >= held.version) {
            zones.delete(name);
            this.log.info({ zone: name, version: e.version }, 'Zone deleted');
          }
        }
      }
      this.lastId = id;
    }
  }
}
