import type { Redis } from 'ioredis';

/**
 * Every Vigil connection carries REDIS_KEY_PREFIX as ioredis' keyPrefix, which prefixes the keys
 * of ordinary commands, scripts and XREAD(GROUP). Commands whose key follows a subcommand (XGROUP,
 * XINFO) are sent as they are, so their key is spelled out here, from the connection's own prefix.
 */
export function unprefixedCommandKey(redis: Redis, key: string): string {
  return `${redis.options.keyPrefix ?? ''}${key}`;
}
