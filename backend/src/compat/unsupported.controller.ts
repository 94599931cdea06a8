import { All, Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { apiError } from '../common/errors';

/**
 * Routes of Gcore's DNS API that Vigil has no equivalent for. Each answers 501 in the API's error
 * shape, naming what is missing, so a Gcore client reports a reason rather than a bare 404.
 */
const notSupported = (what: string, instead = '') =>
  apiError(HttpStatus.NOT_IMPLEMENTED, `${what} is not supported by Vigil${instead ? `; ${instead}` : ''}`);

const Unsupported = (what: string) => ApiResponse({ status: 501, description: `${what} is not supported by Vigil` });

@ApiTags('not supported')
@ApiSecurity('APIKey')
@ApiCookieAuth()
@Controller('v2')
export class UnsupportedController {
  @All(['zones/:zone/dnssec', 'zones/:zone/dnssec/parent-ds'])
  @ApiOperation({ summary: "Gcore's DNSSEC state, switch and DS record: not supported (Vigil does not sign zones)" })
  @Unsupported('DNSSEC')
  dnssec(): never {
    throw notSupported('DNSSEC', 'zones are served unsigned');
  }

  @Get('zones/:zone/statistics')
  @ApiOperation({ summary: "Gcore's query statistics: not supported (the DNS server's Prometheus metrics count queries per zone)" })
  @Unsupported('Zone statistics')
  statistics(): never {
    throw notSupported('Zone statistics', "the DNS server's Prometheus metrics count queries per zone");
  }

  @Get('zones/:zone/:name/:type/failover/log')
  @ApiOperation({ summary: "Gcore's failover log: not supported in its shape; GET .../{name}/{type}/health/events has the transitions" })
  @Unsupported('The failover log')
  failoverLog(): never {
    throw notSupported('The failover log', 'GET /v2/zones/{zone}/{name}/{type}/health/events lists the health transitions');
  }

  @All(['network-mappings', 'network-mappings/:id'])
  @ApiOperation({ summary: "Gcore's network mappings: not supported" })
  @Unsupported('Network mappings')
  networkMappings(): never {
    throw notSupported('Network mappings');
  }

  @All(['secondary-zones', 'secondary-zones/:name'])
  @ApiOperation({ summary: "Gcore's secondary zones: not supported (Vigil is the primary of its zones)" })
  @Unsupported('Secondary zones')
  secondaryZones(): never {
    throw notSupported('Secondary zones');
  }

  @Get([
    'monitor/metrics',
    'pickers',
    'pickers/presets',
    'locations',
    'locations/:kind',
    'lookup',
    'analyze/:name/delegation-status',
    'platform/info',
    'info/meta',
  ])
  @ApiOperation({
    summary:
      "Gcore's catalogues and tools (monitor metrics, pickers, locations, lookup, delegation analysis, platform info): " +
      'not supported; docs/api.md lists the pickers and meta keys Vigil takes',
  })
  @Unsupported('This route')
  catalogues(): never {
    throw notSupported("This route of Gcore's API", 'docs/api.md lists what Vigil takes');
  }
}
