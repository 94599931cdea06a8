import type { z } from 'zod';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { type AccountPrincipal, CurrentPrincipal, Requires } from '../auth/principal';
import {
  CreateZoneSchema,
  PutZoneSchema,
  UpdateZoneSchema,
  ZoneListQuerySchema,
  ZoneListSchema,
  ZoneSchema,
  type CreateZone,
  type PutZone,
  type UpdateZone,
  type ZoneListQuery,
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
  @ApiOperation({
    summary: 'Zones of the account, by name; `search` filters by part of the name, `name` by exact names, `enabled` by state',
  })
  @ApiOkResponse({ standardSchema: ZoneListSchema })
  list(
    @CurrentPrincipal() p: AccountPrincipal,
    @Query({ schema: ZoneListQuerySchema }) q: ZoneListQuery,
  ): Promise<z.output<typeof ZoneListSchema>> {
    return this.zones.list(p, q);
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

  @Put(':zone')
  @ApiOperation({ summary: "Gcore's zone update: as PATCH; a `name` in the body must be the zone's" })
  @ApiOkResponse({ standardSchema: ZoneSchema })
  put(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Body({ schema: PutZoneSchema }) body: PutZone,
  ): Promise<z.output<typeof ZoneSchema>> {
    return this.zones.put(p, zone, body);
  }

  @Patch(':zone/enable')
  @ApiOperation({ summary: 'Serve the zone again (enabled: true); no body' })
  @ApiOkResponse({ standardSchema: ZoneSchema })
  enable(@CurrentPrincipal() p: AccountPrincipal, @Param('zone') zone: string): Promise<z.output<typeof ZoneSchema>> {
    return this.zones.update(p, zone, { enabled: true });
  }

  @Patch(':zone/disable')
  @ApiOperation({ summary: 'Stop serving the zone (enabled: false), keeping its record sets; no body' })
  @ApiOkResponse({ standardSchema: ZoneSchema })
  disable(@CurrentPrincipal() p: AccountPrincipal, @Param('zone') zone: string): Promise<z.output<typeof ZoneSchema>> {
    return this.zones.update(p, zone, { enabled: false });
  }

  @Delete(':zone')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a zone and all its record sets' })
  async remove(@CurrentPrincipal() p: AccountPrincipal, @Param('zone') zone: string) {
    await this.zones.remove(p, zone);
  }
}
