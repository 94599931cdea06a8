// Writes zones, health and feed events into Redis exactly as the contract (and the api) do,
// under a key prefix of its own so parallel test files and other users of Redis never collide.
import { randomBytes } from 'node:crypto';
import {
  healthField,
  redisKeys,
  type CompiledRrset,
  type CompiledZone,
  type FeedEvent,
  type HealthState,
  type ZoneHead,
} from '@vigil/contract';
import { appendFeed, type DeltaOutcome, publishDelta, writeZoneFields } from '@vigil/contract/redis';
import { deleteKeys } from '@vigil/stack';
import { TEST_REDIS_URL } from '../../common/testing/redis';
import { Redis } from 'ioredis';

export class RedisFixture {
  /** Without keyPrefix: tests stage raw states through it with `key()`. */
  readonly redis: Redis;
  /** With keyPrefix, as every Vigil process connects: the contract's feed runtime writes through it. */
  private readonly prefixed: Redis;

  constructor(
    readonly url = TEST_REDIS_URL,
    readonly prefix = `dnstest-${randomBytes(5).toString('hex')}:`,
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1 });
    this.prefixed = new Redis(url, { maxRetriesPerRequest: 1, keyPrefix: prefix });
  }

  key(k: string): string {
    return this.prefix + k;
  }

  async feed(event: FeedEvent): Promise<string> {
    return appendFeed(this.prefixed, event);
  }

  /**
   * Stores the zone; with `announce` (default) also appends its zone.upsert event. Unlike the api's
   * publish it never refuses an older version, so tests can stage a late, stale upsert.
   */
  async putZone(zone: CompiledZone, announce = true): Promise<void> {
    await writeZoneFields(this.prefixed, redisKeys.zone(zone.name), zone);
    await this.redis.hset(this.key(redisKeys.zoneIndex), zone.name, String(zone.version));
    if (announce) await this.feed({ kind: 'zone.upsert', zone: zone.name, version: zone.version });
  }

  /** Publishes a change of some record sets through the contract's script, as the api does. */
  publishDelta(head: ZoneHead, upserts: CompiledRrset[], deletes: { name: string; type: string }[] = []): Promise<DeltaOutcome> {
    return publishDelta(this.prefixed, head, upserts, deletes);
  }

  async deleteZone(name: string, version: number): Promise<void> {
    await this.redis.unlink(this.key(redisKeys.zone(name)));
    await this.redis.hdel(this.key(redisKeys.zoneIndex), name);
    await this.feed({ kind: 'zone.delete', zone: name, version });
  }

  async setHealth(checkId: string, address: string, state: 'available' | 'unavailable', announce = true): Promise<void> {
    const h: HealthState = { checkId, address, state, since: Date.now(), reasons: state === 'unavailable' ? { 'eu-1': 'timeout' } : {} };
    await this.redis.hset(this.key(redisKeys.health), healthField(checkId, address), JSON.stringify(h));
    if (announce) await this.feed({ kind: 'health', health: h });
  }

  /** Removes every key this fixture created, and nothing else. */
  async cleanup(): Promise<void> {
    await deleteKeys(this.url, this.prefix);
  }

  async close(): Promise<void> {
    await this.cleanup();
    this.disconnect();
  }

  /** Drops the connections without cleaning up (for a Redis the test has killed). */
  disconnect(): void {
    this.redis.disconnect();
    this.prefixed.disconnect();
  }
}

// Where the tests find them; they live with the rest of what starts processes.
export { freePort, LocalRedis } from '@vigil/stack';
