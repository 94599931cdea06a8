import { Global, Module } from '@nestjs/common';
import { PublisherService } from './publisher.service';
import { ReconcilerService } from './reconciler.service';

@Global()
@Module({ providers: [PublisherService, ReconcilerService], exports: [PublisherService, ReconcilerService] })
export class PublishingModule {}
