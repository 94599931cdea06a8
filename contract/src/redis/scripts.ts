import type { Redis } from 'ioredis';
import { FEED_FIELD } from '../feed';
import { FEED_MAXLEN } from '../redis-keys';

/**
 * The one XADD of the change feed (or another feed of events, with its length), trimmed the same
 * way everywhere, for the Lua scripts that announce a change in the same atomic step as the change itself.
 */
export const appendLua = (stream: string, event: string, maxlen: string | number = FEED_MAXLEN) =>
  `redis.call('XADD', ${stream}, 'MAXLEN', '~', ${maxlen}, '*', '${FEED_FIELD}', ${event})`;

const defined = new WeakMap<Redis, Set<string>>();

/** The connection with these scripts defined on it (each once per connection). */
export function scripts(redis: Redis, commands: Record<string, { numberOfKeys: number; lua: string }>): Redis {
  const have = defined.get(redis) ?? defined.set(redis, new Set()).get(redis)!;
  for (const [name, c] of Object.entries(commands)) {
    if (have.has(name)) continue;
    redis.defineCommand(name, c);
    have.add(name);
  }
  return redis;
}
