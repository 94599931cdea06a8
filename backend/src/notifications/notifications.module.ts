import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ChannelsController } from './channels.controller';
import { ChannelsService } from './channels.service';
import { DeliveryService } from './deliveries';
import { NotificationPipeline } from './pipeline';

@Module({
  imports: [AuditModule],
  controllers: [ChannelsController],
  providers: [ChannelsService, DeliveryService, NotificationPipeline],
})
export class NotificationsModule {}
