import { Module } from '@nestjs/common';
import { RrsetsModule } from '../rrsets/rrsets.module';
import { CheckNowController } from './check-now.controller';
import { CheckNowService } from './check-now.service';

/** "Check now": one-off runs of a record set's check from every live probe location. */
@Module({ imports: [RrsetsModule], controllers: [CheckNowController], providers: [CheckNowService] })
export class CheckNowModule {}
