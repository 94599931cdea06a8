// The Redis side of the contract: how keys are prefixed, how changes reach the change feed, and
// how a consumer group is read. Processes and tests use these, never their own copies.
import type { Redis } from 'ioredis';
import { defineFeedScripts } from './feed';
import { defineZoneScripts } from './zones';

export * from './connection';
export * from './keys';
export * from './feed';
export * from './zones';
export * from './consumer-group';

/**
 * Defines every contract script on a connection at once, before it is used. With
 * enableAutoPipelining a script defined later is missing from a pipeline already queued, and
 * ioredis then fails that pipeline's other commands too (ioredis issue 1931).
 */
export function defineScripts(redis: Redis): Redis {
  defineZoneScripts(redis);
  return defineFeedScripts(redis);
}
