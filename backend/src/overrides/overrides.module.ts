import { Module } from '@nestjs/common';
import { RrsetsModule } from '../rrsets/rrsets.module';
import { ZonesModule } from '../zones/zones.module';
import { OverridesController } from './overrides.controller';
import { OverridesService } from './overrides.service';

/** Drains, forced-ups and maintenance windows of failover addresses. */
@Module({ imports: [RrsetsModule, ZonesModule], controllers: [OverridesController], providers: [OverridesService] })
export class OverridesModule {}
