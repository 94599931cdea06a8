import type { z } from 'zod';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { type AccountPrincipal, CurrentPrincipal, Requires } from '../auth/principal';
import { PageQuerySchema, type PageQuery } from '../common/pagination';
import {
  CreateZoneSchema,
  UpdateZoneSchema,
  ZoneListQuerySchema,
  ZoneListSchema,
  ZoneSchema,
  type CreateZone,
  type UpdateZone,
} from './dto/zone.dto';
import { ZonesService } from './zones.service';

@ApiTags('zones')
@ApiSecurity('APIKey')
@ApiCookieAuth()
@Controller('v2/zones')
@Requires('account')
export class ZonesController {
  constructor(private readonly zones: ZonesService) {}

  @Get()
  @ApiOperation({ summary: 'Zones of the account, by name; `search` filters by part of the name' })
  @ApiOkResponse({ standardSchema: ZoneListSchema })
  list(
    @CurrentPrincipal() p: AccountPrincipal,
    @Query({ schema: PageQuerySchema.extend(ZoneListQuerySchema.shape) }) q: PageQuery & { search?: string },
  ): Promise<z.output<typeof ZoneListSchema>> {
    return this.zones.list(p, q, q.search);
  }

  @Post()
  @ApiOperation({ summary: 'Host a zone; its SOA and apex NS record set are made with it' })
  @ApiCreatedResponse({ standardSchema: ZoneSchema })
  create(
    @CurrentPrincipal() p: AccountPrincipal,
    @Body({ schema: CreateZoneSchema }) body: CreateZone,
  ): Promise<z.output<typeof ZoneSchema>> {
    return this.zones.create(p, body);
  }

  @Get(':zone')
  @ApiOperation({ summary: 'One zone' })
  @ApiOkResponse({ standardSchema: ZoneSchema })
  get(@CurrentPrincipal() p: AccountPrincipal, @Param('zone') zone: string): Promise<z.output<typeof ZoneSchema>> {
    return this.zones.get(p, zone);
  }

  @Patch(':zone')
  @ApiOperation({ summary: 'Change SOA fields or disable the zone' })
  @ApiOkResponse({ standardSchema: ZoneSchema })
  update(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Body({ schema: UpdateZoneSchema }) body: UpdateZone,
  ): Promise<z.output<typeof ZoneSchema>> {
    return this.zones.update(p, zone, body);
  }

  @Delete(':zone')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a zone and all its record sets' })
  async remove(@CurrentPrincipal() p: AccountPrincipal, @Param('zone') zone: string) {
    await this.zones.remove(p, zone);
  }
}
