import { Module } from '@nestjs/common';
import { UnsupportedController } from './unsupported.controller';

/** What Gcore's API has and Vigil answers only with a reason (see UnsupportedController). */
@Module({ controllers: [UnsupportedController] })
export class CompatModule {}
