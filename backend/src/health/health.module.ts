import { Module } from '@nestjs/common';
import { RrsetsModule } from '../rrsets/rrsets.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { HistoryConsumer } from './history.consumer';

@Module({ imports: [RrsetsModule], controllers: [HealthController], providers: [HealthService, HistoryConsumer] })
export class HealthModule {}
