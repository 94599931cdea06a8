import { Global, Module } from '@nestjs/common';
import { PublisherService } from './publisher.service';
import { ReconcilerService } from './reconciler.service';
import { ZoneChangesService } from './zone-changes';

@Global()
@Module({
  providers: [PublisherService, ZoneChangesService, ReconcilerService],
  exports: [PublisherService, ZoneChangesService, ReconcilerService],
})
export class PublishingModule {}
