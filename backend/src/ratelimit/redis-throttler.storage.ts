import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';

// A fixed window per key, and a block once the limit is passed, counted in Redis so that every
// api process behind a balancer shares one budget per token or address.
const INCREMENT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1]), 1, blocked}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then
  local block = tonumber(ARGV[3])
  if block <= 0 then block = ttl end
  redis.call('SET', KEYS[2], '1', 'PX', block)
  return {hits, ttl, 1, block}
end
return {hits, ttl, 0, 0}`;

export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');

  constructor(private readonly redis: Redis) {
    // EVALSHA of a script loaded once, instead of sending and hashing its source on every request.
    if (!('vigilThrottle' in redis)) redis.defineCommand('vigilThrottle', { numberOfKeys: 2, lua: INCREMENT });
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    const base = `vigil:throttle:${throttlerName}:${key}`;
    try {
      const run = (this.redis as unknown as Record<string, (...args: (string | number)[]) => Promise<number[]>>).vigilThrottle!;
      const [hits, ttlMs, blocked, blockMs] = (await run.call(
        this.redis,
        `${base}:hits`,
        `${base}:block`,
        ttl,
        limit,
        blockDuration,
      )) as number[];
      return {
        totalHits: hits!,
        timeToExpire: Math.ceil(Math.max(ttlMs!, 0) / 1000),
        isBlocked: blocked === 1,
        timeToBlockExpire: Math.ceil(Math.max(blockMs!, 0) / 1000),
      };
    } catch (e) {
      // Without Redis the limits cannot be counted; the API stays available rather than refusing all.
      this.logger.warn(`rate limit not counted: ${(e as Error).message}`);
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}
