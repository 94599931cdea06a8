import type { z } from 'zod';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { type AccountPrincipal, CurrentPrincipal, Requires } from '../auth/principal';
import { PageQuerySchema, type PageQuery } from '../common/pagination';
import { HealthEventListSchema, HealthEventsQuerySchema, RrsetHealthSchema, ZoneHealthSchema } from './dto/health.dto';
import { HealthService } from './health.service';

@ApiTags('health')
@ApiSecurity('APIKey')
@ApiCookieAuth()
@Controller('v2/zones/:zone')
@Requires('account')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health')
  @ApiOperation({ summary: "Each failover record set of the zone with its addresses' states (available, unavailable, unknown) and counts" })
  @ApiOkResponse({ standardSchema: ZoneHealthSchema })
  zone(@CurrentPrincipal() p: AccountPrincipal, @Param('zone') zone: string): Promise<z.output<typeof ZoneHealthSchema>> {
    return this.health.zone(p, zone);
  }

  @Get(':name/:type/health')
  @ApiOperation({ summary: "Each address's state (available, unavailable, unknown), since when, each location's last result, uptime" })
  @ApiOkResponse({ standardSchema: RrsetHealthSchema })
  current(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Param('name') name: string,
    @Param('type') type: string,
  ): Promise<z.output<typeof RrsetHealthSchema>> {
    return this.health.current(p, zone, name, type);
  }

  @Get(':name/:type/health/events')
  @ApiOperation({ summary: 'Transitions, newest first; filter by time range (from, to) and address' })
  @ApiOkResponse({ standardSchema: HealthEventListSchema })
  events(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Param('name') name: string,
    @Param('type') type: string,
    @Query({ schema: PageQuerySchema.extend(HealthEventsQuerySchema.shape) })
    q: PageQuery & { from?: string; to?: string; address?: string },
  ): Promise<z.output<typeof HealthEventListSchema>> {
    return this.health.events(p, zone, name, type, q);
  }
}
