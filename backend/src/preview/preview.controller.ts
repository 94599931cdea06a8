import type { z } from 'zod';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { PREVIEW_PLACES, type PreviewQuery } from '@vigil/contract';
import { type AccountPrincipal, CurrentPrincipal, Requires } from '../auth/principal';
import { PreviewPlaceListSchema, PreviewQuerySchema, PreviewSchema } from './dto/preview.dto';
import { PreviewService } from './preview.service';

@ApiTags('preview')
@ApiSecurity('APIKey')
@ApiCookieAuth()
@Controller('v2')
@Requires('account')
export class PreviewController {
  constructor(private readonly preview: PreviewService) {}

  @Get('preview/places')
  @ApiOperation({ summary: "Vigil's own: the places a record set's answer can be previewed from, each with its address" })
  @ApiOkResponse({ standardSchema: PreviewPlaceListSchema })
  places(): z.output<typeof PreviewPlaceListSchema> {
    return { places: PREVIEW_PLACES.map((p) => ({ ...p, latlong: [...p.latlong] })) };
  }

  @Get('zones/:zone/:name/:type/preview')
  @ApiOperation({
    summary:
      "Vigil's own: what the DNS server answers now (pickers and health) to a client at a place or address, " +
      'by a real query with that address as EDNS Client Subnet',
  })
  @ApiOkResponse({ standardSchema: PreviewSchema })
  answer(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('zone') zone: string,
    @Param('name') name: string,
    @Param('type') type: string,
    @Query({ schema: PreviewQuerySchema }) q: PreviewQuery,
  ): Promise<z.output<typeof PreviewSchema>> {
    return this.preview.preview(p, zone, name, type, q);
  }
}
