import { Module } from '@nestjs/common';
import { ZonesModule } from '../zones/zones.module';
import { ImportController } from './import.controller';
import { ImportService } from './import.service';

@Module({ imports: [ZonesModule], controllers: [ImportController], providers: [ImportService] })
export class ImportModule {}
