import { Inject, Injectable, Logger } from '@nestjs/common';
import { redisKeys } from '@vigil/contract';
import { publishZone, unpublishZone } from '@vigil/contract/redis';
import type Redis from 'ioredis';
import type { Account } from '../accounts/account.entity';
import { REDIS } from '../redis/redis.module';
import type { Rrset } from '../rrsets/rrset.entity';
import type { Zone } from '../zones/zone.entity';
import type { ZoneSnapshot } from './snapshot';
import { compileZone } from './zone-compiler';

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

  /** Publishes the deletion of a zone at the version its deletion was given. */
  async unpublish(name: string, version: number): Promise<void> {
    try {
      await this.remove(name, version);
    } catch (e) {
      this.logger.warn(`could not unpublish ${name}: ${(e as Error).message}`);
    }
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
