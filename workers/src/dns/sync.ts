// Keeps the in-memory zones and health current from Redis: a full load at start, then the change
// feed (XREAD BLOCK from the last applied id). Runs beside the query path and never blocks it;
// while Redis is away the server answers from what it holds. With a snapshot file it also keeps
// the stored form of the last state read on disk (snapshot.ts), and starts from it when Redis does
// not answer in time.
import { FEED_FIELD, FeedEventSchema, HealthStateSchema, redisKeys, safeJson, type FeedEvent, type ZoneHead } from '@vigil/contract';
import {
  DIGEST_FIELD,
  HEAD_FIELD,
  parseDigest,
  parseHead,
  scanZone,
  type StreamEntry,
  ZoneDigest,
  type ZoneEntry,
  unprefixedCommandKey,
} from '@vigil/contract/redis';
import { describeRedis, redisOptions, type RedisSettings } from '@vigil/contract/redis';
import { Redis } from 'ioredis';
import type { Logger } from '../common/logger';
import type { HealthTable } from './health';
import type { SyncStatus } from './metrics';
import { openSnapshot, SnapshotError, SnapshotWriter, type StoredState, type ZoneSink } from './snapshot';
import { addStoredField, applyFeedDelta, emptyIndex, type ZoneIndex } from './zone-index';
import type { ZoneStore } from './zone-store';

export interface SyncOptions {
  /** Every read goes to the read side: REDIS_READ_URL (a replica) when set, else the primary. */
  redis: RedisSettings;
  /** REDIS_KEY_PREFIX, the connection's keyPrefix as in every Vigil process. */
  keyPrefix?: string;
  zones: ZoneStore;
  health: HealthTable;
  logger: Logger;
  /** How long one XREAD waits for events; also how often the sync confirms it is current. */
  blockMs?: number;
  /** Events read per XREAD. */
  batch?: number;
  /** The local snapshot (DNS_SNAPSHOT_*); absent: none. */
  snapshot?: SnapshotOptions;
}

export interface SnapshotOptions {
  path: string;
  /** How long a start waits for a load from Redis before it loads the snapshot. */
  waitMs: number;
  /** Least time between two writes; one is written only when the feed moved. */
  intervalMs: number;
  /** Whether this process writes the file (one process of a cluster does). */
  writer: boolean;
}

/** The state served: loaded from Redis, or from the snapshot file while Redis has not answered since start. */
export type StateSource = 'redis' | 'snapshot';

/** What a snapshot said of itself: the one served from, or the last one written. */
export interface SnapshotInfo {
  path: string;
  writtenAt: number;
  feedId: string;
}

/** A read of Redis older than what the file or memory holds: not written. */
class OlderState extends Error {}

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
  /** Where the state served came from; null before the first load. Once 'redis', never 'snapshot' again. */
  source: StateSource | null = null;
  /** The snapshot served from (source 'snapshot'), else the last one this process wrote. */
  snapshot: SnapshotInfo | null = null;
  /** Snapshot writes by result: written, older (skipped: Redis behind the file or memory), failed. */
  readonly snapshotWrites = new Map<string, number>();
  /** Loads of the snapshot at start by result: loaded, missing, refused, failed. */
  readonly snapshotLoads = new Map<string, number>();

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
  /** Full loads (from Redis or the file) one at a time: a start from the snapshot and Redis answering meet here. */
  private loadChain: Promise<void> = Promise.resolve();
  private restoreTimer: NodeJS.Timeout | null = null;
  private writeTimer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  /** The snapshot writer's own connection, so the feed's blocking XREAD never waits behind it. */
  private snapshotRedis: Redis | null = null;
  /** Zone versions of the file on disk (read once, then those written); null: not known yet. */
  private fileVersions: Map<string, number> | null = null;

  constructor(private readonly opts: SyncOptions) {
    this.log = opts.logger;
    this.blockMs = opts.blockMs ?? 5000;
    this.batch = opts.batch ?? 1000;
    this.url = describeRedis(opts.redis, 'read');
    this.firstLoad = new Promise((resolve) => (this.resolveFirstLoad = resolve));
    this.client = new Redis({
      ...redisOptions(opts.redis, 'read'),
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
    const snap = this.opts.snapshot;
    if (!snap) return;
    this.restoreTimer = setTimeout(() => void this.exclusive(() => this.restoreSnapshot(snap)), snap.waitMs);
    if (snap.writer) {
      this.writeTimer = setInterval(() => {
        if (this.source === 'redis' && this.lastId !== this.snapshot?.feedId) void this.writeSnapshot();
      }, snap.intervalMs);
    }
  }

  async stop(): Promise<void> {
    if (this.restoreTimer) clearTimeout(this.restoreTimer);
    if (this.writeTimer) clearInterval(this.writeTimer);
    // What this server applied since the last write goes to the file before it ends, so a server
    // stopped and started again while Redis is away does not answer an older state than it had.
    await this.writing;
    if (this.opts.snapshot?.writer && this.source === 'redis' && this.lastId !== this.snapshot?.feedId) await this.writeSnapshot();
    this.stopped = true;
    this.client.disconnect();
    await this.loop;
    await this.writing;
    this.snapshotRedis?.disconnect();
  }

  /** Runs one load at a time, in the order asked. */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    const next = this.loadChain.then(fn);
    this.loadChain = next.catch(() => undefined);
    return next;
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
        `Redis at ${this.url} does not answer (${message}); retrying. The DNS server starts answering once it has loaded the zones from Redis` +
          (this.opts.snapshot ? `, or from its snapshot after ${this.opts.snapshot.waitMs / 1000} s` : ''),
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
      const info = await streamInfo(this.client);
      if (info?.maxDeletedId && info.maxDeletedId !== NO_STREAM) this.needReload('feed_trimmed');
      return;
    }
    const found = await this.client.xrange(redisKeys.feed, this.lastId, this.lastId);
    if (found.length > 0) return;
    const info = await streamInfo(this.client);
    // An existing stream that is merely empty and has added nothing since is still continuous.
    if (info && info.length === 0 && info.lastGeneratedId === this.lastId) return;
    this.needReload(info ? 'feed_trimmed' : 'feed_missing');
  }

  private needReload(reason: string): void {
    this.reloadReason = reason;
    this.log.warn({ lastId: this.lastId, reason }, 'The change feed no longer holds the last applied event; reloading everything');
  }

  /** Loads every zone and the whole health hash from Redis; the feed position is taken first so nothing is missed. */
  private async fullLoad(reason: string): Promise<void> {
    await this.exclusive(async () => this.loadState(await readRedisState(this.client), reason));
  }

  /**
   * A load of a whole stored state, from Redis or the snapshot: each zone is swapped in as soon as
   * it is built, so memory holds at most one zone twice, keeping the newer of what is held and what
   * was read (Redis may come back from an old backup, or be a replica behind the snapshot).
   */
  private async loadState(state: StoredState, reason: string): Promise<void> {
    const started = Date.now();
    const zones = this.opts.zones;
    const listed = new Set<string>();
    await state.readZones(
      this.indexer((name, zone) => {
        listed.add(name);
        const held = zones.get(name);
        if (zone && (!held || zone.version >= held.version)) zones.set(zone);
      }),
    );
    const unlisted = [...zones.names()].filter((name) => !listed.has(name));
    if (!state.published && unlisted.length > 0) {
      // A Redis without the api's `published` marker lost its data (or is being filled again):
      // a zone it does not list yet is kept, not taken offline; its deletion, if it was one,
      // comes as a feed event.
      this.log.warn({ kept: unlisted.length }, 'Redis is not (yet) filled by the api; keeping the zones in memory it does not list');
    } else if (state.zoneCount === 0 && zones.size > 0) {
      // An empty index while we hold zones is almost surely a Redis that lost its data and is
      // waiting for the api's reconciler; dropping everything would take every zone offline.
      this.log.warn({ held: zones.size }, 'Redis lists no zones; keeping the zones in memory until they are republished');
    } else {
      for (const name of unlisted) zones.delete(name);
    }
    const states = [];
    for (const [field, value] of Object.entries(state.health)) {
      const parsed = safeJson(value);
      const h = HealthStateSchema.safeParse(parsed);
      if (h.success) states.push(h.data);
      else this.log.warn({ field }, 'Ignoring a health entry that is not a HealthState');
    }
    this.opts.health.replaceAll(states);
    this.source = state.source;
    const summary = { zones: zones.size, unavailable: this.opts.health.unavailableCount, feedId: state.feedId, ms: Date.now() - started };
    if (state.source === 'redis') {
      this.lastId = state.feedId;
      this.reloadReason = null;
      this.reloads.set(reason, (this.reloads.get(reason) ?? 0) + 1);
      this.lastSyncAt = Date.now();
      this.log.info({ reason, ...summary }, 'Loaded zones and health from Redis');
      if (this.opts.snapshot?.writer) void this.writeSnapshot();
    }
    if (!this.loaded) {
      this.loaded = true;
      this.resolveFirstLoad();
    }
  }

  /**
   * Builds each zone a source reads into an index (null: no usable head), in slices of a few
   * milliseconds with queries answered in between, and hands it to `onZone`.
   */
  private indexer(onZone: (name: string, zone: ZoneIndex | null) => void): ZoneSink {
    let name = '';
    let index: ZoneIndex | null = null;
    let digest = new ZoneDigest();
    let warnings: string[] = [];
    let slice = performance.now();
    const breathe = async () => {
      if (performance.now() - slice <= SLICE_MS) return;
      await yieldToQueries();
      slice = performance.now();
    };
    return {
      zone: (zoneName, head) => {
        name = zoneName;
        warnings = [];
        digest = new ZoneDigest();
        const h = this.checkHead(zoneName, parseHead(head));
        index = h && emptyIndex(h.value.name, h.value.soa, h.version);
      },
      fields: async (fields) => {
        const into = index;
        if (into === null) return;
        for (let i = 0; i + 1 < fields.length; i += 2) {
          addStoredField(into, fields[i]!, fields[i + 1]!, warnings, digest);
          if ((i & 127) === 126) await breathe();
        }
      },
      end: async (stored, consistent) => {
        const built = index;
        index = null;
        // Only what was read as one state of the zone must agree with its digest (a scan that a
        // change overlapped is not checked: the change's own event follows in the feed).
        if (built && consistent) this.checkDigest(built, digest, stored);
        onZone(name, built && this.logWarnings(built, warnings));
        await breathe();
      },
    };
  }

  /** Indexes these zones as Redis stores them now (null: not there, or unusable, with a log line). */
  private async loadZones(names: string[]): Promise<Map<string, ZoneIndex | null>> {
    const out = new Map<string, ZoneIndex | null>();
    await readRedisZones(
      this.client,
      names,
      this.indexer((name, zone) => void out.set(name, zone)),
    );
    return out;
  }

  /**
   * At start, when Redis has not been loaded from within the wait: the zones and health of the
   * snapshot, through the same indexing as a load from Redis. A file that fails its checks is
   * refused whole; the server then waits for Redis as without one.
   */
  private async restoreSnapshot(snap: SnapshotOptions): Promise<void> {
    if (this.source !== null || this.stopped) return;
    const count = (result: string) => this.snapshotLoads.set(result, (this.snapshotLoads.get(result) ?? 0) + 1);
    const started = Date.now();
    let file;
    try {
      file = await openSnapshot(snap.path, this.opts.keyPrefix ?? '');
    } catch (err) {
      count(err instanceof SnapshotError ? 'refused' : 'failed');
      this.log.error({ path: snap.path, err: errorText(err) }, `Snapshot refused (${errorText(err)}); waiting for Redis`);
      return;
    }
    if (file === null) {
      count('missing');
      this.log.warn({ path: snap.path }, 'No snapshot to start from; waiting for Redis');
      return;
    }
    const { writtenAt, feedId } = file.header;
    this.snapshot = { path: snap.path, writtenAt, feedId };
    try {
      await this.loadState(file, 'snapshot');
    } catch (err) {
      // Nothing is served before the first load completes: drop what this one built.
      this.opts.zones.replaceAll(new Map());
      this.opts.health.replaceAll([]);
      this.source = null;
      this.snapshot = null;
      count(err instanceof SnapshotError ? 'refused' : 'failed');
      this.log.error({ path: snap.path, err: errorText(err) }, `Snapshot refused (${errorText(err)}); waiting for Redis`);
      return;
    } finally {
      await file.close();
    }
    count('loaded');
    this.fileVersions = new Map([...this.opts.zones.names()].map((n) => [n, this.opts.zones.get(n)!.version]));
    this.log.warn(
      {
        path: snap.path,
        writtenAt: new Date(writtenAt).toISOString(),
        ageSeconds: Math.round((Date.now() - writtenAt) / 1000),
        feedId,
        zones: this.opts.zones.size,
        unavailable: this.opts.health.unavailableCount,
        ms: Date.now() - started,
      },
      'Redis does not answer: answering from the snapshot (stale) until it does',
    );
  }

  /** Writes the snapshot from a fresh read of Redis, one write at a time. */
  private writeSnapshot(): Promise<void> {
    if (this.writing === null && !this.stopped) this.writing = this.writeSnapshotNow().finally(() => (this.writing = null));
    return this.writing ?? Promise.resolve();
  }

  /**
   * The rule that keeps the file from going back in time: every zone the file or memory holds
   * must be read from Redis at the same or a newer version (feed ids of two Redis histories do
   * not compare; zone versions come from PostgreSQL and do), and one Redis does not list is
   * dropped only when Redis is filled by the api (its `published` marker) and lists zones, as a
   * full load drops it from memory. Otherwise nothing is written (a replica behind, a Redis
   * restored from an old backup) and the next interval tries again.
   */
  private async writeSnapshotNow(): Promise<void> {
    const snap = this.opts.snapshot!;
    const count = (result: string) => this.snapshotWrites.set(result, (this.snapshotWrites.get(result) ?? 0) + 1);
    const started = Date.now();
    let writer: SnapshotWriter | null = null;
    try {
      const client = await this.snapshotClient();
      const file = this.fileVersions ?? (await this.readFileVersions(snap.path));
      this.fileVersions = file;
      const zones = this.opts.zones;
      const held = new Map([...zones.names()].map((n) => [n, zones.get(n)!.version]));
      const state = await readRedisState(client);
      const header = { keyPrefix: this.opts.keyPrefix ?? '', writtenAt: Date.now(), feedId: state.feedId, published: state.published };
      const w = (writer = await SnapshotWriter.begin(snap.path, { ...header, zones: state.zoneCount }, state.health));
      const read = new Map<string, number>();
      await state.readZones({
        zone: (name, head) => {
          const version = parseHead(head)?.version ?? -1;
          const have = Math.max(file.get(name) ?? -1, held.get(name) ?? -1);
          if (version < have) throw new OlderState(`Redis has zone ${name} at version ${version}, older than the ${have} held`);
          read.set(name, version);
          return w.zone(name, head);
        },
        fields: (fields) => w.fields(fields),
        end: (digest, consistent) => w.end(digest, consistent),
      });
      if (!state.published || state.zoneCount === 0) {
        const missing = [...file.keys(), ...held.keys()].find((n) => !read.has(n));
        if (missing) throw new OlderState(`Redis does not list zone ${missing} and is not filled by the api`);
      }
      await w.commit();
      writer = null;
      this.fileVersions = read;
      this.snapshot = { path: snap.path, writtenAt: header.writtenAt, feedId: state.feedId };
      count('written');
      this.log.info({ path: snap.path, zones: read.size, feedId: state.feedId, ms: Date.now() - started }, 'Snapshot written');
    } catch (err) {
      await writer?.abort();
      if (err instanceof OlderState) {
        count('older');
        this.log.warn({ path: snap.path, reason: err.message }, 'Snapshot not written: Redis is behind what this server holds');
      } else if (!this.stopped) {
        count('failed');
        this.log.error({ path: snap.path, err: errorText(err) }, 'Snapshot not written');
      }
    }
  }

  private async snapshotClient(): Promise<Redis> {
    if (this.snapshotRedis === null) {
      this.snapshotRedis = this.client.duplicate();
      // Failures reach the write that meets them; the sync's own connection reports outages.
      this.snapshotRedis.on('error', () => undefined);
    }
    const c = this.snapshotRedis;
    if (c.status === 'wait' || c.status === 'end') await c.connect();
    if (c.status !== 'ready') throw new Error(`the snapshot's Redis connection is ${c.status}`);
    return c;
  }

  /** The zone versions of the file on disk, so a first write never replaces a newer file; empty when there is none usable. */
  private async readFileVersions(path: string): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    try {
      const file = await openSnapshot(path, this.opts.keyPrefix ?? '');
      if (file === null) return versions;
      try {
        await file.readZones({
          zone: (name, head) => void versions.set(name, parseHead(head)?.version ?? -1),
          fields: () => undefined,
          end: () => undefined,
        });
      } finally {
        await file.close();
      }
    } catch (err) {
      this.log.warn({ path, err: errorText(err) }, 'The snapshot on disk is not usable; it will be replaced');
      versions.clear();
    }
    return versions;
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

async function streamInfo(client: Redis): Promise<{ length: number; lastGeneratedId: string; maxDeletedId: string | null } | null> {
  let raw: unknown[];
  try {
    raw = (await client.call('XINFO', 'STREAM', unprefixedCommandKey(client, redisKeys.feed))) as unknown[];
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

/** What a full load reads from Redis: the feed's position first, then the zone index, the `published` marker and health. */
async function readRedisState(client: Redis): Promise<StoredState> {
  const info = await streamInfo(client);
  const feedId = info ? info.lastGeneratedId : NO_STREAM;
  const index = await client.hgetall(redisKeys.zoneIndex);
  const names = Object.keys(index).map((n) => n.toLowerCase());
  const published = (await client.exists(redisKeys.published)) === 1;
  const health = await client.hgetall(redisKeys.health);
  return { source: 'redis', feedId, published, zoneCount: names.length, health, readZones: (sink) => readRedisZones(client, names, sink) };
}

/**
 * The stored zones into a sink. Small zones come a hundred per round trip with HGETALL (atomic:
 * one state each); a large one a chunk of fields at a time with HSCAN, so Redis never blocks on it
 * and the reader holds one chunk, never the whole zone.
 */
async function readRedisZones(client: Redis, names: string[], sink: ZoneSink): Promise<void> {
  for (let i = 0; i < names.length; i += 100) {
    const batch = names.slice(i, i + 100);
    const sizes = await client.pipeline(batch.map((n) => ['hlen', redisKeys.zone(n)])).exec();
    const small = batch.filter((_, j) => Number(sizes?.[j]?.[1] ?? 0) <= SMALL_ZONE_FIELDS);
    const whole = small.length ? await client.pipeline(small.map((n) => ['hgetall', redisKeys.zone(n)])).exec() : [];
    for (let j = 0; j < small.length; j++) {
      const [err, fields] = whole?.[j] ?? [null, {}];
      if (err) throw err;
      const raw = fields as Record<string, string>;
      const head = raw[HEAD_FIELD] ?? null;
      await sink.zone(small[j]!, head);
      const flat: string[] = [];
      if (head !== null) for (const field in raw) if (field !== HEAD_FIELD && field !== DIGEST_FIELD) flat.push(field, raw[field]!);
      if (flat.length > 0) await sink.fields(flat);
      await sink.end(raw[DIGEST_FIELD] ?? null, true);
    }
    for (const name of batch) if (!small.includes(name)) await readLargeZone(client, name, sink);
    await yieldToQueries();
  }
}

async function readLargeZone(client: Redis, name: string, sink: ZoneSink): Promise<void> {
  const key = redisKeys.zone(name);
  const raw = await client.hget(key, HEAD_FIELD);
  const head = parseHead(raw);
  await sink.zone(name, raw);
  if (head === null) return sink.end(null, true);
  await scanZone(client, name, (fields) => sink.fields(fields));
  // A scan is no snapshot: what it read is one state only if no change touched the zone meanwhile
  // (its head still at the version read first).
  const [[, stored], [, headNow]] = ((await client.pipeline().hget(key, DIGEST_FIELD).hget(key, HEAD_FIELD).exec()) ?? []) as [
    unknown,
    string | null,
  ][];
  await sink.end(stored ?? null, parseHead(headNow ?? null)?.version === head.version);
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
