import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AuthService } from './auth/auth.service';
import type { AppConfig } from './config/config';
import { ensureDatabase, runMigrations } from './database/preflight';

/** Checks that Redis answers; the message says what to do when it does not. */
export async function ensureRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(`Redis does not answer at ${url} (${(e as Error).message}). Start Redis or set REDIS_URL to a server that runs.`);
  } finally {
    redis.disconnect();
  }
}

/** Builds the api: database and Redis checked, migrations run, support user ensured. */
export async function createApi(config: AppConfig): Promise<NestExpressApplication> {
  await ensureDatabase(config.DATABASE_URL);
  await ensureRedis(config.REDIS_URL);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true });
  configureApp(app, config);
  if (config.MIGRATE_ON_START) await runMigrations(app.get<DataSource>(getDataSourceToken()));
  if (config.SUPPORT_EMAIL && config.SUPPORT_PASSWORD) {
    await app.get(AuthService).ensureSupportUser(config.SUPPORT_EMAIL, config.SUPPORT_PASSWORD);
  }
  return app;
}
