import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { FEED_FIELD, FEED_MAXLEN, type FeedEvent, redisKeys } from '@vigil/contract';
import type Redis from 'ioredis';
import { DataSource, type EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { REDIS } from '../redis/redis.module';
import { Rrset } from '../rrsets/rrset.entity';
import { Zone } from '../zones/zone.entity';
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

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /**
   * Publishes the committed state of these zones. Called after a transaction commits; when Redis
   * is unreachable it only logs, and the reconciler publishes the zone once Redis is back.
   */
  async publish(zoneIds: string[]): Promise<void> {
    if (zoneIds.length === 0) return;
    try {
      const snapshots = await this.ds.transaction('REPEATABLE READ', (tx) => this.load(tx, zoneIds));
      for (const s of snapshots) {
        if (s.zone.enabled) await this.upsert(s.zone, s.rrsets, s.account);
        else await this.remove(s.zone.name, s.zone.version);
      }
    } catch (e) {
      this.logger.warn(`could not publish ${zoneIds.length} zone(s): ${(e as Error).message}`);
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

  private async load(tx: EntityManager, zoneIds: string[]) {
    const zones = await tx.createQueryBuilder(Zone, 'z').where('z.id IN (:...ids)', { ids: zoneIds }).getMany();
    if (zones.length === 0) return [];
    const rrsets = await tx
      .createQueryBuilder(Rrset, 'r')
      .where('r.zone_id IN (:...ids)', { ids: zones.map((z) => z.id) })
      .orderBy('r.name')
      .addOrderBy('r.type')
      .getMany();
    const accounts = await tx
      .createQueryBuilder(Account, 'a')
      .where('a.id IN (:...ids)', { ids: [...new Set(zones.map((z) => z.accountId))] })
      .getMany();
    const accountById = new Map(accounts.map((a) => [a.id, a]));
    return zones.map((zone) => ({ zone, rrsets: rrsets.filter((r) => r.zoneId === zone.id), account: accountById.get(zone.accountId)! }));
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
