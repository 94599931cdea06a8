import { Module } from '@nestjs/common';
import { ZonesModule } from '../zones/zones.module';
import { RrsetsController } from './rrsets.controller';
import { RrsetsService } from './rrsets.service';

@Module({ imports: [ZonesModule], controllers: [RrsetsController], providers: [RrsetsService], exports: [RrsetsService] })
export class RrsetsModule {}
