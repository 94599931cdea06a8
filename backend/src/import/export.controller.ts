import { Controller, Get, Param } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { type AccountPrincipal, CurrentPrincipal, Requires } from '../auth/principal';
import { ExportResultSchema } from './dto/import.dto';
import { ExportService } from './export.service';

@ApiTags('zones')
@ApiSecurity('APIKey')
@ApiCookieAuth()
@Controller('v2/zones/:zone/export')
@Requires('account')
export class ExportController {
  constructor(private readonly exports: ExportService) {}

  @Get()
  @ApiOperation({
    summary:
      'Export the zone as a BIND zone file (`raw_zone`): the SOA, then every record, disabled ones behind a ' +
      '`;vigil:disabled` comment. Failover checks, pickers and record meta do not travel in a zone file; ' +
      'importing the file back into the zone keeps the ones it has.',
  })
  @ApiOkResponse({ standardSchema: ExportResultSchema })
  export(@CurrentPrincipal() p: AccountPrincipal, @Param('zone') zone: string): Promise<{ raw_zone: string }> {
    return this.exports.export(p, zone);
  }
}
