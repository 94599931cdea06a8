import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { PublisherService } from './publisher.service';
import { freshVersion } from './versions';
import { ZoneChangesService } from './zone-changes';

/** How often the relay looks at the outbox. */
const RELAY_MS = 1000;
/** How long a row of a live writer may wait for that writer's own publish before the relay acts. */
const PATIENCE_MS = 3000;
/** Rows looked at per pass: a burst of writes is worked off over a few passes. */
const BATCH = 1000;
/** A relay that cannot reach Redis or PostgreSQL says so at most this often. */
const WARN_EVERY_MS = 60_000;

export interface OutboxRow {
  id: string;
  zoneId: string;
  zoneName: string;
  version: number;
  /** Whether the change leaves the zone served (false: deleted or disabled). */
  served: boolean;
  owner: string;
}

/**
 * Whether Redis has what an outbox row asks for: a served zone at that version or later (served,
 * or deleted by a later change); a removed one not served, or served again by a later change.
 */
export function delivered(row: OutboxRow, held: { version: number; served: boolean } | undefined): boolean {
  if (row.served) return held !== undefined && held.version >= row.version;
  return !held?.served || held.version > row.version;
}

/**
 * Relays the publish outbox (see the PublishOutbox migration): once a second, in every api process
 * (rows are claimed with SKIP LOCKED, so processes share the work), it deletes the rows whose
 * version Redis holds, and publishes what PostgreSQL holds for a zone whose row is still not
 * delivered: at once when the writer is gone (no session of its name left), after PATIENCE_MS
 * when the writer is this process and not publishing that zone right now. Another live writer's
 * rows are left to its own relay. A change committed in PostgreSQL so always reaches Redis, even
 * when the publish after the commit failed or the process died before it.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  /** When this relay first saw each pending row. */
  private seen = new Map<string, number>();
  private lastWarning = 0;
  private readonly owner: string;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly publisher: PublisherService,
    private readonly changes: ZoneChangesService,
  ) {
    this.owner = String((ds.options as { applicationName?: string }).applicationName ?? '');
  }

  onApplicationBootstrap() {
    this.timer = setInterval(() => void this.tick(), RELAY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown() {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async tick() {
    if (this.running) return;
    this.running = this.relay()
      .catch((e: Error) => {
        if (Date.now() - this.lastWarning < WARN_EVERY_MS) return;
        this.lastWarning = Date.now();
        this.logger.warn(`publish outbox: ${e.message}; retrying every ${RELAY_MS / 1000} s`);
      })
      .finally(() => (this.running = null));
    await this.running;
  }

  /** One pass; returns how many rows it found delivered (and deleted). */
  async relay(): Promise<number> {
    return this.ds.transaction(async (tx) => {
      const rows = await this.claim(tx);
      if (rows.length === 0) {
        this.seen.clear();
        return 0;
      }
      const names = [...new Set(rows.map((r) => r.zoneName))];
      let held = await this.publisher.heldVersions(names);
      const pending = rows.filter((r) => !delivered(r, held.get(r.zoneName)));

      const now = Date.now();
      const seen = new Map(pending.map((r) => [r.id, this.seen.get(r.id) ?? now]));
      this.seen = seen;
      const alive = pending.some((r) => r.owner !== this.owner) ? await this.liveOwners(tx) : new Set<string>();
      const due = pending.filter((r) =>
        r.owner === this.owner
          ? now - seen.get(r.id)! >= PATIENCE_MS && !this.changes.publishing(r.zoneId, r.zoneName)
          : !alive.has(r.owner),
      );
      if (due.length) {
        const zones = [...new Set(due.map((r) => r.zoneName))];
        await this.publishTruth(tx, zones);
        this.logger.warn(`published ${zones.length} zone(s) whose change had not reached Redis after its commit`);
        held = await this.publisher.heldVersions(names);
      }
      const done = rows.filter((r) => delivered(r, held.get(r.zoneName))).map((r) => r.id);
      // A deleted row is not claimed again, so the next pass's `seen` drops it by itself.
      if (done.length) await tx.query(`DELETE FROM publish_outbox WHERE id = ANY($1::bigint[])`, [done]);
      return done.length;
    });
  }

  private async claim(tx: EntityManager): Promise<OutboxRow[]> {
    const rows: { id: string; zone_id: string; zone_name: string; version: number; served: boolean; owner: string }[] = await tx.query(
      `SELECT id::text, zone_id, zone_name, version::float8 AS version, served, owner FROM publish_outbox
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [BATCH],
    );
    return rows.map((r) => ({ id: r.id, zoneId: r.zone_id, zoneName: r.zone_name, version: r.version, served: r.served, owner: r.owner }));
  }

  /** Of these names, the zones PostgreSQL serves (exists and enabled), name → id. */
  private async servedZones(tx: EntityManager, names: string[]): Promise<Map<string, string>> {
    const rows: { id: string; name: string }[] = await tx.query(`SELECT id, name FROM zones WHERE name = ANY($1) AND enabled`, [names]);
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  /** The application names of every session on this database: the writers still alive. */
  private async liveOwners(tx: EntityManager): Promise<Set<string>> {
    const rows: { name: string }[] = await tx.query(
      `SELECT DISTINCT application_name AS name FROM pg_stat_activity WHERE datname = current_database()`,
    );
    return new Set(rows.map((r) => r.name));
  }

  /** Makes Redis hold what PostgreSQL holds for these zones: published whole, or removed. */
  private async publishTruth(tx: EntityManager, zones: string[]): Promise<void> {
    const servedInDb = await this.servedZones(tx, zones);
    const ids = zones.filter((z) => servedInDb.has(z)).map((z) => servedInDb.get(z)!);
    if (ids.length) await this.changes.republish(ids, { schedules: true });
    for (const name of zones.filter((z) => !servedInDb.has(z))) await this.publisher.unpublish(name, await freshVersion(tx));
  }
}
