import { describeRedis, redisOptions, type RedisSettings } from '@vigil/contract/redis';
import Redis, { type RedisOptions } from 'ioredis';
import type { Logger } from './logger';

export { safeRedisUrl } from '@vigil/contract/redis';

/**
 * An ioredis connection that keeps retrying forever and says so plainly: one warning when Redis
 * stops answering (and every minute while it stays down), one info line when it answers again.
 * Commands wait while it is down (maxRetriesPerRequest null), which is what a worker loop wants.
 * It goes to the primary (through the Sentinels when they are set, following a failover).
 */
export function createRedis(settings: RedisSettings, log: Logger, role: string, options: RedisOptions = {}): Redis {
  const shown = describeRedis(settings);
  let down = false;
  let lastWarn = 0;
  const redis = new Redis(
    redisOptions(settings, 'primary', {
      maxRetriesPerRequest: null,
      connectionName: `vigil-${role}`,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      ...options,
    }),
  );
  redis.on('error', (e: Error & { code?: string }) => {
    const now = Date.now();
    if (!down || now - lastWarn > 60_000) {
      log.warn({ role }, `Redis at ${shown} does not answer (${e.code ?? e.message}); retrying`);
      lastWarn = now;
    }
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info({ role }, `Redis at ${shown} answers again`);
    down = false;
  });
  return redis;
}

/** QUIT when Redis answers (pending replies arrive first), then drop the connection. */
export async function closeRedis(redis: Redis, waitMs = 1000): Promise<void> {
  if (redis.status === 'ready') {
    const quit = redis.quit().then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), waitMs).unref());
    await Promise.race([quit, timeout]);
  }
  // Also after QUIT: with Sentinel, only disconnect() closes the connections that watch the
  // Sentinels for a failover, which would otherwise reconnect to them every minute for ever.
  redis.disconnect();
}
