import type { z } from 'zod';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { type AccountPrincipal, CurrentPrincipal, Requires } from '../auth/principal';
import {
  type OverrideBody,
  OverrideBodySchema,
  OverrideListSchema,
  OverrideSchema,
} from './dto/override.dto';
import { OverridesService } from './overrides.service';
import { type ForceQuery, ForceQuerySchema } from '../common/query';

@ApiTags('health')
@ApiSecurity('APIKey')
@ApiCookieAuth()
@Controller('v2/zones/:zone')
@Requires('account')
export class OverridesController {
  constructor(private readonly overrides: OverridesService) {}

  @Get(':name/:type/overrides')
  @ApiOperation({ summary: "Vigil's own: the drains, forced-ups and maintenance windows of the record set's addresses that have not ended" })
  @ApiOkResponse({ standardSchema: OverrideListSchema })
  list(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Param('name') name: string,
    @Param('type') type: string,
  ): Promise<z.output<typeof OverrideListSchema>> {
    return this.overrides.list(p, zone, name, type);
  }

  @Post(':name/:type/overrides')
  @ApiOperation({
    summary:
      "Vigil's own: drain an address (left out of answers whatever its health), force it up (served while its checks fail) " +
      'or schedule a maintenance window (failures alert no one; drained too with drain: true), now or later, once, daily or ' +
      'weekly (UTC). 409 when it would leave the record set with no served address, or none up where one was, unless force: true',
  })
  @ApiCreatedResponse({ standardSchema: OverrideSchema })
  create(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Param('name') name: string,
    @Param('type') type: string,
    @Body({ schema: OverrideBodySchema }) body: OverrideBody,
  ): Promise<z.output<typeof OverrideSchema>> {
    return this.overrides.create(p, zone, name, type, body);
  }

  @Delete(':name/:type/overrides/:id')
  @HttpCode(204)
  @ApiOperation({ summary: "Vigil's own: undo an override (409 when that would leave no served address that is up, unless force=true)" })
  @ApiNoContentResponse()
  async remove(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Param('name') name: string,
    @Param('type') type: string,
    @Param('id') id: string,
    @Query({ schema: ForceQuerySchema }) q: ForceQuery,
  ): Promise<void> {
    await this.overrides.remove(p, zone, name, type, id, q.force);
  }
}
