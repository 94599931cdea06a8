import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { defineScripts, redisOptions } from '@vigil/contract/redis';
import Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config';

export const REDIS = Symbol('REDIS');

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown() {
    await this.redis.quit().catch(() => undefined);
    // Also after QUIT: with Sentinel, only disconnect() closes the connections that watch the
    // Sentinels for a failover, which would otherwise reconnect to them every minute for ever.
    this.redis.disconnect();
  }
}

/**
 * One shared ioredis connection for publishing and rate limits, to the primary; it reconnects by
 * itself after an outage, and with Sentinel to whichever server is primary then.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const logger = new Logger('Redis');
        const redis = new Redis(
          redisOptions(config.redis, 'primary', {
            keyPrefix: config.REDIS_KEY_PREFIX,
            maxRetriesPerRequest: 2,
            enableOfflineQueue: false,
            // Commands that concurrent requests issue in one turn of the event loop (rate limits,
            // publishes) leave in one socket write: a write per command was a large part of a request's CPU.
            enableAutoPipelining: true,
          }),
        );
        defineScripts(redis);
        let down = false;
        redis.on('error', (e: Error) => {
          if (!down) logger.warn(`Redis unreachable (${e.message}); zones will be republished when it is back`);
          down = true;
        });
        redis.on('ready', () => {
          if (down) logger.log('Redis is back');
          down = false;
        });
        return redis;
      },
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}
