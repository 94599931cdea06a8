import { Module } from '@nestjs/common';
import { ZonesModule } from '../zones/zones.module';
import { ExportController } from './export.controller';
import { ExportService } from './export.service';
import { ImportController } from './import.controller';
import { ImportService } from './import.service';

@Module({ imports: [ZonesModule], controllers: [ImportController, ExportController], providers: [ImportService, ExportService] })
export class ImportModule {}
