import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/principal';
import { apiError } from '../common/errors';

@ApiTags('service')
@Controller()
export class LivenessController {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  @Public()
  @SkipThrottle()
  @Get('healthz')
  @ApiOperation({ summary: 'Liveness and database reachability, for load balancers' })
  async health() {
    try {
      await this.ds.query('SELECT 1');
    } catch {
      throw apiError(HttpStatus.SERVICE_UNAVAILABLE, 'database unreachable');
    }
    return { status: 'ok' };
  }
}
