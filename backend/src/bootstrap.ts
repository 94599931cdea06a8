import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import { describeRedis, redisOptions, type RedisSettings } from '@vigil/contract/redis';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AuthService } from './auth/auth.service';
import type { AppConfig } from './config/config';
import { ensureDatabase, runMigrations } from './database/preflight';

/** Checks that Redis answers; the message says what to do when it does not. */
export async function ensureRedis(settings: RedisSettings): Promise<void> {
  const redis = new Redis(
    redisOptions(settings, 'primary', {
      lazyConnect: true,
      connectTimeout: 5000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      sentinelRetryStrategy: () => null,
      failoverDetector: false,
    }),
  );
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(
      `Redis does not answer at ${describeRedis(settings)} (${(e as Error).message}). Start Redis or set REDIS_URL (or REDIS_SENTINELS) to a server that runs.`,
    );
  } finally {
    redis.disconnect();
  }
}

/** Builds the api: database and Redis checked, migrations run, support user ensured. */
export async function createApi(config: AppConfig): Promise<NestExpressApplication> {
  await ensureDatabase(config.DATABASE_URL);
  await ensureRedis(config.redis);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true });
  configureApp(app, config);
  if (config.MIGRATE_ON_START) await runMigrations(app.get<DataSource>(getDataSourceToken()));
  if (config.SUPPORT_EMAIL && config.SUPPORT_PASSWORD) {
    await app.get(AuthService).ensureSupportUser(config.SUPPORT_EMAIL, config.SUPPORT_PASSWORD);
  }
  return app;
}
