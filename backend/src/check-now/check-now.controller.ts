import type { z } from 'zod';
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { type AccountPrincipal, CurrentPrincipal, Requires } from '../auth/principal';
import { CheckNowService } from './check-now.service';
import { CheckNowSchema } from './dto/check-now.dto';

@ApiTags('health')
@ApiSecurity('APIKey')
@ApiCookieAuth()
@Controller('v2/zones/:zone')
@Requires('account')
export class CheckNowController {
  constructor(private readonly checkNow: CheckNowService) {}

  @Post(':name/:type/check')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Vigil's own: run the saved check once from every live probe location at once and answer with each location's result " +
      'per address (waits at most the timeout plus 2 s; a location that did not answer is listed as no_answer). One run per ' +
      'record set at a time (the same request joins it) and per CHECK_NOW_INTERVAL_SECONDS, else 429. Not counted in the quorum',
  })
  @ApiOkResponse({ standardSchema: CheckNowSchema })
  run(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Param('name') name: string,
    @Param('type') type: string,
  ): Promise<z.output<typeof CheckNowSchema>> {
    return this.checkNow.run(p, zone, name, type);
  }
}
