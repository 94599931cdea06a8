import { Inject, Injectable, Logger } from '@nestjs/common';
import { FEED_FIELD, FEED_MAXLEN, type FeedEvent, redisKeys } from '@vigil/contract';
import type Redis from 'ioredis';
import type { Account } from '../accounts/account.entity';
import { REDIS } from '../redis/redis.module';
import type { Rrset } from '../rrsets/rrset.entity';
import type { Zone } from '../zones/zone.entity';
import type { ZoneSnapshot } from './snapshot';
import { compileZone } from './zone-compiler';

// Each script compares versions inside Redis, so api processes publishing the same zone at the
// same moment cannot leave an older state (or a deleted zone) behind.
const UPSERT = `
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
local dead = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '-1')
local v = tonumber(ARGV[2])
if v <= held or v <= dead then return 0 end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*', '${FEED_FIELD}', ARGV[4])
return 1`;

const DELETE = `
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
local v = tonumber(ARGV[2])
if v < held then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[4], '*', '${FEED_FIELD}', ARGV[3])
return 1`;

/** Publishes zones from PostgreSQL to Redis, where the DNS servers read them. */
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
    const compiled = compileZone(zone, rrsets, account.features, zone.version);
    const event: FeedEvent = { kind: 'zone.upsert', zone: zone.name, version: zone.version };
    await this.redis.eval(
      UPSERT,
      4,
      redisKeys.zone(zone.name),
      redisKeys.zoneIndex,
      redisKeys.zoneTombstones,
      redisKeys.feed,
      zone.name,
      String(zone.version),
      JSON.stringify(compiled),
      JSON.stringify(event),
      String(FEED_MAXLEN),
    );
  }

  private async remove(name: string, version: number) {
    const event: FeedEvent = { kind: 'zone.delete', zone: name, version };
    await this.redis.eval(
      DELETE,
      4,
      redisKeys.zone(name),
      redisKeys.zoneIndex,
      redisKeys.zoneTombstones,
      redisKeys.feed,
      name,
      String(version),
      JSON.stringify(event),
      String(FEED_MAXLEN),
    );
  }
}
