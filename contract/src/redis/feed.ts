import type { ChainableCommander, Redis } from 'ioredis';
import type { CertEvent, CertState } from '../cert';
import type { FeedEvent } from '../feed';
import type { HealthState } from '../health';
import { CERT_FEED_MAXLEN, FEED_MAXLEN, healthField, redisKeys } from '../redis-keys';
import { appendLua, scripts } from './scripts';

/**
 * Compare-and-set of one address's state (its health, its certificate level): written (and
 * announced) only if the stored value is still exactly the one the caller based its decision on,
 * so two aggregators that reach the same transition at once emit it once. A new value '' removes
 * the field (a certificate ok again). KEYS: state hash, feed. ARGV: field, expected raw value
 * ('' = absent), new value, event, the feed's length.
 */
const STATE_CAS = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current == false then current = '' end
if current ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
${appendLua('KEYS[2]', 'ARGV[4]', 'ARGV[5]')}
return 1`;

/** A plain append, for events with no state beside them (and for tests that stage the feed). */
const APPEND = `${appendLua('KEYS[1]', 'ARGV[1]')}`;

type CasPipeline = ChainableCommander & {
  vigilStateCas(hash: string, feed: string, field: string, expected: string, next: string, event: string, maxlen: number): ChainableCommander;
};

const commands = {
  vigilStateCas: { numberOfKeys: 2, lua: STATE_CAS },
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
      pipeline.vigilStateCas(
        redisKeys.health,
        redisKeys.feed,
        healthField(next.checkId, next.address),
        expected,
        JSON.stringify(next),
        JSON.stringify(event),
        FEED_MAXLEN,
      );
    },
    exec: () => pipeline.exec(),
  };
}

/**
 * A batch of certificate compare-and-sets on the certificate feed, one pipeline: `next` null removes the
 * state. Each reply is 1 when written (and the event appended), 0 when the state was no longer `expected`.
 */
export function certCasBatch(redis: Redis) {
  const pipeline = scripts(redis, commands).pipeline() as CasPipeline;
  return {
    add(expected: string, next: CertState | null, event: CertEvent): void {
      pipeline.vigilStateCas(
        redisKeys.certState,
        redisKeys.certFeed,
        healthField(event.checkId, event.address),
        expected,
        next === null ? '' : JSON.stringify(next),
        JSON.stringify(event),
        CERT_FEED_MAXLEN,
      );
    },
    exec: () => pipeline.exec(),
  };
}
