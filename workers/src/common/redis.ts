import Redis, { type RedisOptions } from 'ioredis';
import type { Logger } from './logger';

/** Redis URL without its password, for log lines. */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://?';
  }
}

/**
 * An ioredis connection that keeps retrying forever and says so plainly: one warning when Redis
 * stops answering (and every minute while it stays down), one info line when it answers again.
 * Commands wait while it is down (maxRetriesPerRequest null), which is what a worker loop wants.
 */
export function createRedis(url: string, log: Logger, role: string, options: RedisOptions = {}): Redis {
  const shown = safeRedisUrl(url);
  let down = false;
  let lastWarn = 0;
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: `vigil-${role}`,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...options,
  });
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

/** QUIT when Redis answers (pending replies arrive first); otherwise just drop the connection. */
export async function closeRedis(redis: Redis, waitMs = 1000): Promise<void> {
  if (redis.status === 'ready') {
    const quit = redis.quit().then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), waitMs).unref());
    if (await Promise.race([quit, timeout])) return;
  }
  redis.disconnect();
}
