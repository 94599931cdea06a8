import type { ChainableCommander, Redis } from 'ioredis';
import type { FeedEvent } from '../feed';
import type { HealthState } from '../health';
import { healthField, redisKeys } from '../redis-keys';
import { appendLua, scripts } from './scripts';

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
${appendLua('KEYS[2]', 'ARGV[4]')}
return 1`;

/** A plain append, for events with no state beside them (and for tests that stage the feed). */
const APPEND = `${appendLua('KEYS[1]', 'ARGV[1]')}`;

type CasPipeline = ChainableCommander & {
  vigilHealthCas(health: string, feed: string, field: string, expected: string, next: string, event: string): ChainableCommander;
};

const commands = {
  vigilHealthCas: { numberOfKeys: 2, lua: HEALTH_CAS },
  vigilAppendFeed: { numberOfKeys: 1, lua: APPEND },
};

/** Defines the feed scripts on the connection now (see defineScripts). */
export const defineFeedScripts = (redis: Redis): Redis => scripts(redis, commands);

/** Appends one event to the change feed and returns its id. */
export async function appendFeed(redis: Redis, event: FeedEvent): Promise<string> {
  return (scripts(redis, commands) as Redis & { vigilAppendFeed(feed: string, event: string): Promise<string> }).vigilAppendFeed(
    redisKeys.feed,
    JSON.stringify(event),
  );
}

/**
 * A batch of health compare-and-sets, sent as one pipeline. Each reply is 1 when written, 0 when
 * the stored state was no longer `expected` (its raw value, '' when absent).
 */
export function healthCasBatch(redis: Redis) {
  const pipeline = scripts(redis, commands).pipeline() as CasPipeline;
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
