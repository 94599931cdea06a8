import { Inject, Injectable, Logger } from '@nestjs/common';
import { redisKeys } from '@vigil/contract';
import { damagedZones, publishDelta, publishZone, unpublishZone } from '@vigil/contract/redis';
import type Redis from 'ioredis';
import type { Account } from '../accounts/account.entity';
import { REDIS } from '../redis/redis.module';
import type { Rrset } from '../rrsets/rrset.entity';
import type { Zone } from '../zones/zone.entity';
import type { ZoneSnapshot } from './snapshot';
import { compileHead, compileRrset, compileZone } from './zone-compiler';

/**
 * Publishes zones from PostgreSQL to Redis, where the DNS servers read them. The contract's scripts
 * compare versions inside Redis, so api processes publishing one zone at once cannot leave an older
 * state (or a deleted zone) behind.
 */
@Injectable()
export class PublisherService {
  private readonly logger = new Logger(PublisherService.name);

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /**
   * Publishes these zones as read after a commit (a disabled zone as a deletion). When Redis is unreachable it only logs, and the reconciler
   * publishes the zone once Redis is back.
   */
  async publish(snapshots: ZoneSnapshot[]): Promise<void> {
    try {
      for (const s of snapshots) {
        if (s.zone.enabled) await this.upsert(s.zone, s.rrsets, s.account);
        else await this.remove(s.zone.name, s.zone.version);
      }
    } catch (e) {
      this.logger.warn(`could not publish ${snapshots.length} zone(s): ${(e as Error).message}`);
    }
  }

  /**
   * Publishes these record sets of a zone (`keys`: `<name> <type>`) as the snapshot has them: an
   * upsert where one exists, a deletion where none does, at the zone's version. False when the
   * zone must be published whole instead (Redis does not hold it). Logs and returns true when
   * Redis is unreachable: the reconciler publishes the zone once Redis is back.
   */
  async publishRrsets(s: ZoneSnapshot, keys: ReadonlySet<string>): Promise<boolean> {
    if (!s.zone.enabled) {
      await this.publish([s]);
      return true;
    }
    const upserts = s.rrsets.filter((r) => keys.has(`${r.name} ${r.type}`)).map((r) => compileRrset(r, s.account.features));
    const present = new Set(upserts.map((r) => `${r.name} ${r.type}`));
    const deletes = [...keys]
      .filter((k) => !present.has(k))
      .map((k) => ({ name: k.slice(0, k.indexOf(' ')), type: k.slice(k.indexOf(' ') + 1) }));
    try {
      return (await publishDelta(this.redis, compileHead(s.zone, s.zone.version), upserts, deletes)) !== 'unpublished';
    } catch (e) {
      this.logger.warn(`could not publish ${keys.size} record set(s) of ${s.zone.name}: ${(e as Error).message}`);
      return true;
    }
  }

  /** Publishes the deletion of a zone at the version its deletion was given. */
  async unpublish(name: string, version: number): Promise<void> {
    try {
      await this.remove(name, version);
    } catch (e) {
      this.logger.warn(`could not unpublish ${name}: ${(e as Error).message}`);
    }
  }

  /**
   * Of these zones, the ones whose data Redis does not hold whole: the key is gone while the index
   * lists it, or it has lost (or gained) fields its digest does not count.
   */
  missingData(names: string[]): Promise<Set<string>> {
    return damagedZones(this.redis, names);
  }

  /** Whether Redis still holds what the reconciler last filled it with (false after it lost its data). */
  async filled(): Promise<boolean> {
    return (await this.redis.exists(redisKeys.published)) === 1;
  }

  /**
   * Which Redis server answers (its run_id, new at every start): another one after a Sentinel
   * failover or a restart, which may lack what the last one acknowledged but never replicated or saved.
   */
  async serverId(): Promise<string> {
    const info = await this.redis.info('server');
    const id = /^run_id:(\w+)/m.exec(info)?.[1];
    if (!id) throw new Error('Redis INFO has no run_id');
    return id;
  }

  /** Marks Redis as holding every zone and schedule: called after a reconcile that completed. */
  async markFilled(): Promise<void> {
    await this.redis.set(redisKeys.published, new Date().toISOString());
  }

  /**
   * Of these zones, the newest version Redis holds of each, served or deleted (absent: neither), and
   * whether it serves it now: what a publish of a version up to that one has reached.
   */
  async heldVersions(names: readonly string[]): Promise<Map<string, { version: number; served: boolean }>> {
    const held = new Map<string, { version: number; served: boolean }>();
    if (names.length === 0) return held;
    const [served, dead] = await Promise.all([
      this.redis.hmget(redisKeys.zoneIndex, ...names),
      this.redis.hmget(redisKeys.zoneTombstones, ...names),
    ]);
    names.forEach((name, i) => {
      const v = served[i] == null ? -1 : Number(served[i]);
      const t = dead[i] == null ? -1 : Number(dead[i]);
      if (v >= 0 || t >= 0) held.set(name, { version: Math.max(v, t), served: v >= 0 });
    });
    return held;
  }

  /** Versions at which Redis holds zones as deleted (zone name → version). */
  async tombstones(): Promise<Map<string, number>> {
    const h = await this.redis.hgetall(redisKeys.zoneTombstones);
    return new Map(Object.entries(h).map(([k, v]) => [k, Number(v)]));
  }

  /** Versions of the zones Redis holds now (zone name → version). */
  async publishedVersions(): Promise<Map<string, number>> {
    const h = await this.redis.hgetall(redisKeys.zoneIndex);
    return new Map(Object.entries(h).map(([k, v]) => [k, Number(v)]));
  }

  private async upsert(zone: Zone, rrsets: Rrset[], account: Account) {
    await publishZone(this.redis, compileZone(zone, rrsets, account.features, zone.version));
  }

  private async remove(name: string, version: number) {
    await unpublishZone(this.redis, name, version);
  }
}
