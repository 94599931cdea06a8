import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { SchedulerService } from '../scheduling/scheduler.service';
import { Zone } from '../zones/zone.entity';
import { PublisherService } from './publisher.service';
import { freshVersion, touchZones } from './versions';
import { ZoneChangesService } from './zone-changes';

/** How long a publish in flight may take before the reconciler stops waiting for it. */
const SETTLE_MS = 2000;
/**
 * How often the api asks whether Redis lost its data (one EXISTS), is another server (one INFO) or
 * has a new probe location (one ZRANGEBYSCORE).
 */
const FILLED_CHECK_MS = 1000;

/**
 * Redis is a cache of PostgreSQL for zones and probe schedules. At start, every
 * RECONCILE_INTERVAL_SECONDS, and at once when Redis lost its data (its `published` marker gone) or
 * is another server than at the last reconcile (a Sentinel failover), this republishes every zone
 * whose published version differs from the
 * database, unpublishes zones the database no longer serves, and repairs the probe schedulers of
 * every active location (a new location gets every check here), so a Redis that lost its data
 * (or missed a change while it was down) heals by itself.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReconcilerService.name);
  private timer: NodeJS.Timeout | null = null;
  private watch: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  /** The active probe locations the last completed reconcile scheduled every check on. */
  private scheduled: Set<string> | null = null;
  /** The Redis server (run_id) the last completed reconcile filled. */
  private reconciledOn: string | null = null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly publisher: PublisherService,
    private readonly changes: ZoneChangesService,
    private readonly scheduler: SchedulerService,
  ) {}

  onApplicationBootstrap() {
    if (this.config.RECONCILE_INTERVAL_SECONDS === 0) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.RECONCILE_INTERVAL_SECONDS * 1000);
    this.timer.unref();
    // A Redis restarted without its data serves no zone and runs no check: it is filled again at
    // once, not at the next period. A probe location that announces itself (a new one, or every
    // one after such a restart, when they announce again) gets its checks at once too.
    this.watch = setInterval(() => void this.watchRedis(), FILLED_CHECK_MS);
    this.watch.unref();
  }

  async onApplicationShutdown() {
    if (this.timer) clearInterval(this.timer);
    if (this.watch) clearInterval(this.watch);
    await this.running;
  }

  private async watchRedis() {
    if (this.running) return;
    let filled: boolean;
    let server: string;
    let fresh: string[];
    try {
      [filled, server] = await Promise.all([this.publisher.filled(), this.publisher.serverId()]);
      fresh = filled && this.scheduled ? (await this.scheduler.activeLocations()).filter((l) => !this.scheduled!.has(l)) : [];
    } catch {
      return; // Redis unreachable: asked again in a second.
    }
    if (!filled) {
      this.logger.warn('Redis holds no published state (restarted empty?): republishing every zone and probe schedule now');
    } else if (this.reconciledOn !== null && server !== this.reconciledOn) {
      // A promoted replica (or a server restarted from its last save) holds the marker but may
      // lack the last writes the old one acknowledged: the reconcile finds and republishes them.
      this.logger.warn('Redis is another server than at the last reconcile (failover or restart): republishing what it lacks now');
    } else if (fresh.length) {
      this.logger.log(`probe location(s) ${fresh.join(', ')} announced: scheduling their checks now`);
    } else {
      return;
    }
    await this.tick();
  }

  private async tick() {
    if (this.running) return;
    let locations: string[] = [];
    let server: string | null = null;
    this.running = this.publisher
      .serverId()
      .then((id) => {
        // Before reading anything: a failover during the reconcile leaves another id, so it runs again.
        server = id;
        return this.reconcile();
      })
      .then(async () => {
        locations = await this.scheduler.activeLocations();
        return this.scheduler.reconcile();
      })
      .then(async (r) => {
        if (r.upserted + r.removed + r.forgotten > 0) {
          this.logger.log(`probe schedules: ${r.upserted} upserted, ${r.removed} removed; ${r.forgotten} stale health state(s) forgotten`);
        }
        await this.publisher.markFilled();
        this.scheduled = new Set(locations);
        this.reconciledOn = server;
      })
      .catch((e: Error) => this.logger.warn(`reconcile failed: ${e.message}`))
      .finally(() => (this.running = null));
    await this.running;
  }

  /** Returns how many zones it (re)published and unpublished. */
  async reconcile(): Promise<{ published: number; unpublished: number }> {
    const read = () => this.ds.getRepository(Zone).find({ select: { id: true, name: true, version: true, enabled: true } });
    let zones = await read();
    // A zone that Redis holds as deleted at its version or later (a delete's tombstone that won a
    // race, or a Redis restored from elsewhere) could never be published at that version: it gets
    // a new one, so PostgreSQL's truth wins whatever Redis holds.
    const dead = await this.publisher.tombstones();
    const buried = zones.filter((z) => z.enabled && (dead.get(z.name) ?? -1) >= z.version);
    if (buried.length) {
      // Tombstones come from the same sequence; one Redis restored from elsewhere may be ahead of
      // it, and the sequence is only ever advanced (nextval), never set, so versions stay unique.
      const ahead = Math.max(...buried.map((z) => dead.get(z.name)!));
      const [{ last }] = (await this.ds.query(`SELECT last_value::float8 AS last FROM zone_version_seq`)) as { last: number }[];
      if (ahead >= last) {
        await this.ds.query(`SELECT max(nextval('zone_version_seq')) FROM generate_series(1, $1::int)`, [
          Math.min(ahead - last + 1, 10_000_000),
        ]);
      }
      await touchZones(
        this.ds.manager,
        buried.map((z) => z.id),
        { serial: false },
      );
      this.logger.warn(`${buried.length} zone(s) held as deleted in Redis at their version or later: given new versions`);
      zones = await read();
    }
    const held = await this.publisher.publishedVersions();
    const gone = await this.publisher.missingData(zones.filter((z) => z.enabled && held.get(z.name) === z.version).map((z) => z.name));
    let stale = zones.filter((z) => (z.enabled ? held.get(z.name) !== z.version || gone.has(z.name) : held.has(z.name)));
    // A zone Redis holds at an older version may only have its post-commit publish in flight (under
    // steady writes it nearly always has): it is republished whole, which costs the whole zone, only
    // when Redis still holds less than that version a moment later.
    const behind = stale.filter((z) => z.enabled && !gone.has(z.name) && (held.get(z.name) ?? Infinity) < z.version);
    if (behind.length) {
      await sleep(SETTLE_MS);
      const now = await this.publisher.publishedVersions();
      const caughtUp = new Set(behind.filter((z) => (now.get(z.name) ?? -1) >= z.version));
      stale = stale.filter((z) => !caughtUp.has(z));
    }
    const served = new Set(zones.map((z) => z.name));
    const orphans = [...held.keys()].filter((name) => !served.has(name));
    for (let i = 0; i < stale.length; i += 100) await this.changes.republish(stale.slice(i, i + 100).map((z) => z.id));
    for (const name of orphans) await this.publisher.unpublish(name, await freshVersion(this.ds.manager));
    if (stale.length || orphans.length) this.logger.log(`republished ${stale.length} zone(s), unpublished ${orphans.length}`);
    return { published: stale.length, unpublished: orphans.length };
  }
}
