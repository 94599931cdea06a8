import { Module } from '@nestjs/common';
import { RrsetsModule } from '../rrsets/rrsets.module';
import { PreviewController } from './preview.controller';
import { PreviewService } from './preview.service';

@Module({ imports: [RrsetsModule], controllers: [PreviewController], providers: [PreviewService] })
export class PreviewModule {}
