import { Global, Module } from '@nestjs/common';
import { OutboxRelay } from './outbox.service';
import { PublisherService } from './publisher.service';
import { ReconcilerService } from './reconciler.service';
import { ZoneChangesService } from './zone-changes';

@Global()
@Module({
  providers: [PublisherService, ZoneChangesService, ReconcilerService, OutboxRelay],
  exports: [PublisherService, ZoneChangesService, ReconcilerService, OutboxRelay],
})
export class PublishingModule {}
