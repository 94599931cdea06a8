import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import { AccountsModule } from './accounts/accounts.module';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { AuthFailureGuard, AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { CheckNowModule } from './check-now/check-now.module';
import { OverridesModule } from './overrides/overrides.module';
import { CompatModule } from './compat/compat.module';
import { type AuthedRequest, SIGNIN_LIMITED } from './auth/principal';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source';
import { HealthModule } from './health/health.module';
import { ImportModule } from './import/import.module';
import { LivenessController } from './liveness/liveness.controller';
import { MetricsModule } from './metrics/metrics';
import { NotificationsModule } from './notifications/notifications.module';
import { PreviewModule } from './preview/preview.module';
import { PublishingModule } from './publishing/publishing.module';
import { RedisThrottlerStorage } from './ratelimit/redis-throttler.storage';
import { VigilThrottlerGuard } from './ratelimit/throttler.guard';
import { REDIS, RedisModule } from './redis/redis.module';
import { RrsetsModule } from './rrsets/rrsets.module';
import { SchedulingModule } from './scheduling/scheduling.module';
import { TokensModule } from './tokens/tokens.module';
import { ZonesModule } from './zones/zones.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
            autoLogging: { ignore: (req) => req.url === '/healthz' },
          },
        }),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.DATABASE_URL), migrationsRun: false }),
        ThrottlerModule.forRootAsync({
          inject: [REDIS],
          useFactory: (redis: Redis) => ({
            storage: new RedisThrottlerStorage(redis),
            // One budget per tracker (token or address) and limit (the storage adds the throttler name),
            // over all routes: the default key would give every route a budget of its own.
            generateKey: (_ctx, tracker) => tracker,
            throttlers: [
              {
                name: 'default',
                ttl: 60_000,
                limit: config.RATE_LIMIT_PER_MINUTE,
                // Per API token when there is one, so integrators behind one NAT do not share a budget.
                getTracker: (req: Record<string, unknown>) => {
                  const p = (req as unknown as AuthedRequest).principal;
                  return p?.tokenId ? `token:${p.tokenId}` : `ip:${(req as unknown as AuthedRequest).ip}`;
                },
              },
              {
                name: 'signin',
                ttl: 60_000,
                limit: config.SIGNIN_RATE_LIMIT_PER_MINUTE,
                skipIf: (ctx) => Reflect.getMetadata(SIGNIN_LIMITED, ctx.getHandler()) !== true,
                getTracker: (req: Record<string, unknown>) => `ip:${(req as unknown as AuthedRequest).ip}`,
              },
            ],
          }),
        }),
        RedisModule,
        PublishingModule,
        SchedulingModule,
        AuditModule,
        AuthModule,
        AccountsModule,
        TokensModule,
        AdminModule,
        // Before the record-set routes: .../dnssec/parent-ds would otherwise be a record set's name and type.
        CompatModule,
        ZonesModule,
        RrsetsModule,
        ImportModule,
        HealthModule,
        CheckNowModule,
        OverridesModule,
        PreviewModule,
        NotificationsModule,
        MetricsModule,
      ],
      controllers: [LivenessController],
      providers: [
        // Order matters: authentication first, so the rate limiter can key on the API token; a
        // refused credential is answered only after the limiter counted it against its address.
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useClass: VigilThrottlerGuard },
        { provide: APP_GUARD, useClass: AuthFailureGuard },
      ],
    };
  }
}
