import { Module } from '@nestjs/common';
import { FeaturesModule } from '../features/features.module';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';

@Module({ imports: [FeaturesModule], controllers: [AccountsController], providers: [AccountsService] })
export class AccountsModule {}
