import type { z } from 'zod';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { RrsetBody } from '@vigil/contract';
import type { Response } from 'express';
import { type AccountPrincipal, CurrentPrincipal, Requires } from '../auth/principal';
import {
  type RrsetBatch,
  RrsetBatchResultSchema,
  RrsetBatchSchema,
  RrsetBodySchema,
  type RrsetListQuery,
  RrsetListQuerySchema,
  RrsetListSchema,
  RrsetSchema,
} from './dto/rrset.dto';
import { RrsetsService } from './rrsets.service';
import { type ForceQuery, ForceQuerySchema } from '../common/query';

@ApiTags('rrsets')
@ApiSecurity('APIKey')
@ApiCookieAuth()
@Controller('v2/zones/:zone')
@Requires('account')
export class RrsetsController {
  constructor(private readonly rrsets: RrsetsService) {}

  @Get('rrsets')
  @ApiOperation({ summary: 'Record sets of a zone, by name and type; all=true for every one, type= for some types' })
  @ApiOkResponse({ standardSchema: RrsetListSchema })
  list(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Query({ schema: RrsetListQuerySchema }) q: RrsetListQuery,
  ): Promise<z.output<typeof RrsetListSchema>> {
    return this.rrsets.list(p, zone, q);
  }

  @Patch('rrsets')
  @ApiOperation({
    summary:
      'Create or replace and delete record sets in one transaction, all or nothing: any problem is a 400 naming ' +
      'its field (upserts[i]..., deletes[i]) and changes nothing; 409 (no_served_address) when an upsert would leave every ' +
      'enabled record of a failover record set drained by its overrides, unless force=true',
  })
  @ApiOkResponse({ standardSchema: RrsetBatchResultSchema })
  batch(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Body({ schema: RrsetBatchSchema }) body: RrsetBatch,
    @Query({ schema: ForceQuerySchema }) q: ForceQuery,
  ): Promise<z.output<typeof RrsetBatchResultSchema>> {
    return this.rrsets.batch(p, zone, body, q.force);
  }

  @Get(':name/:type')
  @ApiOperation({ summary: 'One record set; name is the full domain name, e.g. www.example.com' })
  @ApiOkResponse({ standardSchema: RrsetSchema })
  get(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Param('name') name: string,
    @Param('type') type: string,
  ): Promise<z.output<typeof RrsetSchema>> {
    return this.rrsets.get(p, zone, name, type);
  }

  @Post(':name/:type')
  @ApiOperation({
    summary:
      "Create a record set (409 if it exists); meta.failover needs the failover beta feature. Takes Gcore's " +
      'shapes: type equal to the path\'s (or ""), filters for pickers, null meta',
  })
  @ApiCreatedResponse({ standardSchema: RrsetSchema })
  async create(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Param('name') name: string,
    @Param('type') type: string,
    @Body({ schema: RrsetBodySchema }) body: RrsetBody,
  ): Promise<z.output<typeof RrsetSchema>> {
    return (await this.rrsets.save(p, zone, name, type, body, 'create')).body;
  }

  @Put(':name/:type')
  @ApiOperation({
    summary:
      'Create or replace a record set (201 when created, 200 when replaced). Of a failover record set, 409 (no_served_address) ' +
      'when every enabled record would be drained by its overrides, unless force=true',
  })
  @ApiOkResponse({ standardSchema: RrsetSchema })
  async put(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Param('name') name: string,
    @Param('type') type: string,
    @Body({ schema: RrsetBodySchema }) body: RrsetBody,
    @Query({ schema: ForceQuerySchema }) q: ForceQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<z.output<typeof RrsetSchema>> {
    const r = await this.rrsets.save(p, zone, name, type, body, 'put', q.force);
    res.status(r.created ? 201 : 200);
    return r.body;
  }

  @Delete(':name/:type')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a record set' })
  async remove(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Param('name') name: string,
    @Param('type') type: string,
  ) {
    await this.rrsets.remove(p, zone, name, type);
  }
}
