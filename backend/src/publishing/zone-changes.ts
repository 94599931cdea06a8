import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CheckJob } from '@vigil/contract';
import { MAX_DELTA_RRSETS } from '@vigil/contract/redis';
import { DataSource, type EntityManager } from 'typeorm';
import { checkJobFor } from '../scheduling/check-jobs';
import { SchedulerService } from '../scheduling/scheduler.service';
import { PublisherService } from './publisher.service';
import { loadDeltaSnapshots, loadSnapshots, type ZoneSnapshot } from './snapshot';
import { freshVersion, touchZones } from './versions';

/** How long a commit's publish counts as in flight at most (the relay leaves such zones to it meanwhile). */
const IN_FLIGHT_MAX_MS = 10_000;

/**
 * What one transaction changed, collected while it runs. Zones are marked through it (touchZones
 * is not called any other way), so whatever marks a zone also gets it published after the commit.
 */
export class ZoneChanges {
  readonly zones = new Set<string>();
  /** Zones of which only some record sets changed (`<name> <type>`): published as a delta. */
  readonly rrsetKeys = new Map<string, Set<string>>();
  /** Record sets whose probe schedules follow the committed state. */
  readonly rrsets = new Set<string>();
  /** Zones all of whose failover record sets are re-synced (enabled switched, feature granted). */
  readonly wholeZones = new Set<string>();
  readonly deleted: { name: string; version: number; rrsetIds: string[] }[] = [];
  /** Record sets written by a statement that also gave their zone its version, with what it committed. */
  readonly committed = new Map<string, { snapshot: ZoneSnapshot; keys: Set<string> }>();

  constructor(readonly tx: EntityManager) {}

  /** A new publish version and, for changes of served data (the default), a new SOA serial. */
  async touch(zoneIds: string[], opts: { serial: boolean } = { serial: true }): Promise<void> {
    await touchZones(this.tx, zoneIds, opts);
    this.publish(zoneIds);
  }

  /**
   * These record sets of the zone changed (created, replaced or deleted): the zone gets a new
   * version and serial, and after the commit just these record sets are published.
   */
  async touchRrsets(zoneId: string, keys: readonly { name: string; type: string }[]): Promise<void> {
    await touchZones(this.tx, [zoneId], { serial: true });
    const set = this.rrsetKeys.get(zoneId) ?? this.rrsetKeys.set(zoneId, new Set()).get(zoneId)!;
    for (const k of keys) set.add(`${k.name} ${k.type}`);
  }

  /**
   * These record sets of the zone were changed by one statement that also gave the zone its new
   * version and serial (the `rrset_put` function), and `snapshot` is what it committed: published
   * after the commit as a delta, without reading them again.
   */
  committedRrsets(snapshot: ZoneSnapshot, keys: readonly { name: string; type: string }[]): void {
    const entry =
      this.committed.get(snapshot.zone.id) ?? this.committed.set(snapshot.zone.id, { snapshot, keys: new Set() }).get(snapshot.zone.id)!;
    entry.snapshot = snapshot;
    for (const k of keys) entry.keys.add(`${k.name} ${k.type}`);
  }

  /** Publish these zones after the commit, at the version they already have (a new zone). */
  publish(zoneIds: string[]): void {
    for (const id of zoneIds) this.zones.add(id);
  }

  /** These record sets' probe schedules (created, changed or deleted) follow the commit. */
  syncRrsets(rrsetIds: string[]): void {
    for (const id of rrsetIds) this.rrsets.add(id);
  }

  /** Every failover record set of these zones follows the commit. */
  syncZones(zoneIds: string[]): void {
    for (const id of zoneIds) this.wholeZones.add(id);
  }

  /** The zone is deleted in this transaction: unpublish it and remove its record sets' schedules. */
  async deleteZone(name: string, rrsetIds: string[]): Promise<void> {
    this.deleted.push({ name, version: await freshVersion(this.tx), rrsetIds });
  }
}

/**
 * The one path from a committed change to Redis: runs the work in a transaction, then publishes
 * the zones it touched and syncs the probe schedules it named, from one snapshot read. A publish
 * that fails after the commit is logged; the commit's outbox rows (outbox.service.ts) make the
 * relay publish it again, and the reconciler repairs schedules.
 */
@Injectable()
export class ZoneChangesService {
  private readonly logger = new Logger(ZoneChangesService.name);
  /** Zones (ids, and names of deleted ones) whose publish after a commit is running: how many. */
  private readonly inFlight = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly publisher: PublisherService,
    private readonly scheduler: SchedulerService,
  ) {}

  async transaction<T>(work: (tx: EntityManager, changes: ZoneChanges) => Promise<T>): Promise<T> {
    let changes!: ZoneChanges;
    const result = await this.ds.transaction(async (tx) => {
      changes = new ZoneChanges(tx);
      return work(tx, changes);
    });
    await this.afterCommit(changes);
    return result;
  }

  /**
   * Whether this process is publishing that zone right now (a commit's publish in flight): the
   * outbox relay leaves its rows alone until it is done.
   */
  publishing(zoneId: string, name: string): boolean {
    return this.inFlight.has(zoneId) || this.inFlight.has(name);
  }

  /**
   * Like transaction(), for a change made by one statement (atomic by itself, so no BEGIN and
   * COMMIT round trips): `work` runs on the data source's manager and marks what it changed.
   */
  async statement<T>(work: (db: EntityManager, changes: ZoneChanges) => Promise<T>): Promise<T> {
    const changes = new ZoneChanges(this.ds.manager);
    const result = await work(this.ds.manager, changes);
    await this.afterCommit(changes);
    return result;
  }

  /**
   * Publishes these zones as committed (a repair), with the probe schedules of their failover
   * record sets when `schedules` is set.
   */
  async republish(zoneIds: string[], { schedules = false } = {}): Promise<void> {
    const changes = new ZoneChanges(this.ds.manager);
    changes.publish(zoneIds);
    if (schedules) changes.syncZones(zoneIds);
    await this.afterCommit(changes);
  }

  private async reread(zoneId: string): Promise<ZoneSnapshot[]> {
    try {
      return await this.ds.transaction('REPEATABLE READ', (tx) => loadSnapshots(tx, { zoneIds: [zoneId] }));
    } catch (e) {
      this.logger.warn(`could not read a zone to publish: ${(e as Error).message}`);
      return [];
    }
  }

  private async afterCommit(changes: ZoneChanges): Promise<void> {
    const keys = [
      ...changes.zones,
      ...changes.rrsetKeys.keys(),
      ...changes.committed.keys(),
      ...changes.wholeZones,
      ...changes.deleted.map((d) => d.name),
    ];
    for (const k of keys) this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const k of keys) {
        const n = this.inFlight.get(k)! - 1;
        if (n === 0) this.inFlight.delete(k);
        else this.inFlight.set(k, n);
      }
    };
    // A publish that hangs (a connection waiting out a failover for good) must not keep the
    // outbox relay from publishing these zones itself: past this, they count as not in flight.
    const timer = setTimeout(release, IN_FLIGHT_MAX_MS);
    timer.unref();
    try {
      await this.publishCommitted(changes);
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  private async publishCommitted(changes: ZoneChanges): Promise<void> {
    for (const d of changes.deleted) await this.publisher.unpublish(d.name, d.version);
    // Schedules: a named record set gets its job, or loses its schedulers when it has none now
    // (deleted, failover off, zone disabled, feature revoked).
    const jobs = new Map<string, CheckJob | null>();
    for (const d of changes.deleted) for (const id of d.rrsetIds) jobs.set(id, null);

    // Record sets committed with their zone's version are published as committed, unless their
    // zone is read anyway (changed otherwise too in this unit): then they are read with it.
    const committed = [...changes.committed].filter(([id, c]) => {
      if (!changes.zones.has(id) && !changes.rrsetKeys.has(id)) return true;
      const set = changes.rrsetKeys.get(id) ?? changes.rrsetKeys.set(id, new Set()).get(id)!;
      for (const k of c.keys) set.add(k);
      return false;
    });

    // A zone changed as a whole, or in more record sets than a delta should carry, is published
    // whole; otherwise just the record sets that changed, read at their committed state.
    const deltas = new Map([...changes.rrsetKeys].filter(([id, keys]) => !changes.zones.has(id) && keys.size <= MAX_DELTA_RRSETS));
    const entire = new Set([...changes.zones, ...[...changes.rrsetKeys.keys()].filter((id) => !deltas.has(id))]);
    const zoneIds = [...new Set([...entire, ...changes.wholeZones])];
    const toRead = new Map([...deltas].filter(([id]) => !zoneIds.includes(id)).map(([id, keys]) => [id, names(keys)]));
    let snapshots: ZoneSnapshot[] = [];
    let deltaSnapshots: ZoneSnapshot[] = [];
    try {
      if (zoneIds.length || toRead.size) {
        [snapshots, deltaSnapshots] = await this.ds.transaction('REPEATABLE READ', async (tx) => [
          await loadSnapshots(tx, { zoneIds }),
          await loadDeltaSnapshots(tx, toRead),
        ]);
      }
    } catch (e) {
      // The reconciler publishes these zones and repairs their schedules once the database answers.
      this.logger.warn(`could not read ${zoneIds.length + deltas.size} zone(s) to publish: ${(e as Error).message}`);
      await this.scheduler.sync(jobs);
      return;
    }
    const full = snapshots.filter((s) => entire.has(s.zone.id));
    for (const [, c] of committed) deltaSnapshots.push(c.snapshot);
    // A zone read whole only for its schedules (a feature granted) still publishes just its delta.
    const readWhole = snapshots.filter((s) => deltas.has(s.zone.id));
    for (const s of [...deltaSnapshots, ...readWhole]) {
      // Redis does not hold the zone (it lost it, or never had it): publish it whole.
      const keys = deltas.get(s.zone.id) ?? changes.committed.get(s.zone.id)!.keys;
      if (!(await this.publisher.publishRrsets(s, keys))) full.push(...(await this.reread(s.zone.id)));
    }
    await this.publisher.publish(full);
    snapshots.push(...deltaSnapshots);

    for (const id of changes.rrsets) jobs.set(id, null);
    for (const s of snapshots) {
      const whole = changes.wholeZones.has(s.zone.id);
      for (const r of s.rrsets) {
        if (!jobs.has(r.id) && !(whole && r.meta.failover)) continue;
        jobs.set(r.id, checkJobFor(r, s.zone, s.account.features));
      }
    }
    await this.scheduler.sync(jobs);
  }
}

/** The names of `<name> <type>` keys. */
function names(keys: Set<string>): Set<string> {
  return new Set([...keys].map((k) => k.slice(0, k.indexOf(' '))));
}
