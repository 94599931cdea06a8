import { Body, Controller, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { type AccountPrincipal, CurrentPrincipal, Requires } from '../auth/principal';
import { ImportQuerySchema, ImportResultSchema, zoneFileText } from './dto/import.dto';
import { ImportService } from './import.service';

@ApiTags('zones')
@ApiSecurity('APIKey')
@ApiCookieAuth()
@Controller('v2/zones/:zone/import')
@Requires('account')
export class ImportController {
  constructor(private readonly imports: ImportService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Import a BIND zone file: its record sets are created or replaced (records keep their settings, ' +
      'record sets their failover and pickers) in one transaction; the SOA and apex NS stay the zone’s. ' +
      'With dry_run=true nothing changes and the answer says what would. A bad line is a 400 naming it.',
  })
  // One schema for each type: the zone file as text, or JSON {"content": "<zone file>"}.
  @ApiConsumes('text/plain', 'text/dns', 'application/json')
  @ApiBody({
    description: 'The zone file itself (text/plain or text/dns), or JSON {"content": "<zone file>"} as Gcore’s SDK sends it',
    schema: { oneOf: [{ type: 'string' }, { type: 'object', properties: { content: { type: 'string' } }, required: ['content'] }] },
  })
  @ApiQuery({ name: 'dry_run', required: false, enum: ['true', 'false'] })
  @ApiOkResponse({ standardSchema: ImportResultSchema })
  import(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Body() body: unknown,
    @Query({ schema: ImportQuerySchema }) q: z.output<typeof ImportQuerySchema>,
  ): Promise<z.output<typeof ImportResultSchema>> {
    return this.imports.import(p, zone, zoneFileText(body), q.dry_run);
  }
}
