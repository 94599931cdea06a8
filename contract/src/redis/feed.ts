import type { ChainableCommander, Redis } from 'ioredis';
import { type CompiledZone } from '../compiled-zone';
import { FEED_FIELD, type FeedEvent } from '../feed';
import type { HealthState } from '../health';
import { FEED_MAXLEN, healthField, redisKeys } from '../redis-keys';

// Every change reaches the change feed through these: one XADD, trimmed the same way, in the same
// atomic step as the state it announces.
const append = (stream: string, event: string) =>
  `redis.call('XADD', ${stream}, 'MAXLEN', '~', ${FEED_MAXLEN}, '*', '${FEED_FIELD}', ${event})`;

/**
 * Each zone script compares versions inside Redis, so api processes publishing the same zone at
 * the same moment cannot leave an older state (or a deleted zone) behind.
 * KEYS: zone, zone index, tombstones, feed. ARGV: name, version, document, event.
 */
const ZONE_UPSERT = `
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
local dead = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '-1')
local v = tonumber(ARGV[2])
if v <= held or v <= dead then return 0 end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[1])
${append('KEYS[4]', 'ARGV[4]')}
return 1`;

/** KEYS: zone, zone index, tombstones, feed. ARGV: name, version, event. */
const ZONE_DELETE = `
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
local v = tonumber(ARGV[2])
if v < held then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
${append('KEYS[4]', 'ARGV[3]')}
return 1`;

/**
 * Compare-and-set of one address's health: written (and announced) only if the stored value is
 * still exactly the one the caller based its decision on, so two aggregators that reach the same
 * transition at once emit it once. KEYS: health hash, feed. ARGV: field, expected raw value
 * ('' = absent), new value, event.
 */
const HEALTH_CAS = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current == false then current = '' end
if current ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
${append('KEYS[2]', 'ARGV[4]')}
return 1`;

/** A plain append, for events with no state beside them (and for tests that stage the feed). */
const APPEND = `${append('KEYS[1]', 'ARGV[1]')}`;

type Commands = {
  vigilZoneUpsert(
    zone: string,
    index: string,
    tombstones: string,
    feed: string,
    name: string,
    version: string,
    doc: string,
    event: string,
  ): Promise<number>;
  vigilZoneDelete(
    zone: string,
    index: string,
    tombstones: string,
    feed: string,
    name: string,
    version: string,
    event: string,
  ): Promise<number>;
  vigilAppendFeed(feed: string, event: string): Promise<string>;
};
type CasPipeline = ChainableCommander & {
  vigilHealthCas(health: string, feed: string, field: string, expected: string, next: string, event: string): ChainableCommander;
};

const defined = new WeakSet<Redis>();

/** The connection with the feed scripts defined on it (once per connection). */
function scripts(redis: Redis): Redis & Commands {
  if (!defined.has(redis)) {
    redis.defineCommand('vigilZoneUpsert', { numberOfKeys: 4, lua: ZONE_UPSERT });
    redis.defineCommand('vigilZoneDelete', { numberOfKeys: 4, lua: ZONE_DELETE });
    redis.defineCommand('vigilHealthCas', { numberOfKeys: 2, lua: HEALTH_CAS });
    redis.defineCommand('vigilAppendFeed', { numberOfKeys: 1, lua: APPEND });
    defined.add(redis);
  }
  return redis as Redis & Commands;
}

/** Stores a compiled zone and announces it; false when Redis holds a newer version or a newer deletion. */
export async function publishZone(redis: Redis, zone: CompiledZone): Promise<boolean> {
  const event: FeedEvent = { kind: 'zone.upsert', zone: zone.name, version: zone.version };
  const k = redisKeys;
  const done = await scripts(redis).vigilZoneUpsert(
    k.zone(zone.name),
    k.zoneIndex,
    k.zoneTombstones,
    k.feed,
    zone.name,
    String(zone.version),
    JSON.stringify(zone),
    JSON.stringify(event),
  );
  return done === 1;
}

/** Removes a zone, leaves a tombstone at `version`, and announces it; false when Redis holds a newer version. */
export async function unpublishZone(redis: Redis, name: string, version: number): Promise<boolean> {
  const event: FeedEvent = { kind: 'zone.delete', zone: name, version };
  const k = redisKeys;
  const done = await scripts(redis).vigilZoneDelete(
    k.zone(name),
    k.zoneIndex,
    k.zoneTombstones,
    k.feed,
    name,
    String(version),
    JSON.stringify(event),
  );
  return done === 1;
}

/** Appends one event to the change feed and returns its id. */
export async function appendFeed(redis: Redis, event: FeedEvent): Promise<string> {
  return scripts(redis).vigilAppendFeed(redisKeys.feed, JSON.stringify(event));
}

/**
 * A batch of health compare-and-sets, sent as one pipeline. Each reply is 1 when written, 0 when
 * the stored state was no longer `expected` (its raw value, '' when absent).
 */
export function healthCasBatch(redis: Redis) {
  const pipeline = scripts(redis).pipeline() as CasPipeline;
  return {
    add(expected: string, next: HealthState): void {
      const event: FeedEvent = { kind: 'health', health: next };
      pipeline.vigilHealthCas(
        redisKeys.health,
        redisKeys.feed,
        healthField(next.checkId, next.address),
        expected,
        JSON.stringify(next),
        JSON.stringify(event),
      );
    },
    exec: () => pipeline.exec(),
  };
}
