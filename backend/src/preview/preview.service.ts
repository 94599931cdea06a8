import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { canonicalIPv6, isFailoverType, previewPlace, type PreviewQuery } from '@vigil/contract';
import type { RecordType } from 'dns-packet';
import type { z } from 'zod';
import type { AccountPrincipal } from '../auth/principal';
import { apiError, ValidationFailed } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RrsetsService } from '../rrsets/rrsets.service';
import type { PreviewSchema } from './dto/preview.dto';
import { DnsQueryError, queryWithClientSubnet } from './dns-query';

const NOT_CONFIGURED = 'the preview is not configured: set DNS_PREVIEW_SERVER to the host:port of a Vigil DNS server the api can query';

/** An answer's data as text: addresses canonical, names without the trailing dot. */
function dataText(type: string, data: unknown): string {
  if (type === 'AAAA') return canonicalIPv6(String(data)) ?? String(data);
  return String(data).toLowerCase().replace(/\.$/, '');
}

@Injectable()
export class PreviewService {
  constructor(
    private readonly rrsets: RrsetsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** What the DNS server answers the record set's query now, for a client at a place or address. */
  async preview(p: AccountPrincipal, zone: string, name: string, type: string, q: PreviewQuery): Promise<z.output<typeof PreviewSchema>> {
    // Tenancy first: another account's record set is a 404 whatever else is wrong.
    const view = await this.rrsets.get(p, zone, name, type);
    if (!isFailoverType(view.type)) {
      throw new ValidationFailed([{ field: 'type', reason: 'the preview answers for A, AAAA and CNAME record sets' }]);
    }
    const server = this.config.DNS_PREVIEW_SERVER;
    if (!server) throw apiError(HttpStatus.SERVICE_UNAVAILABLE, NOT_CONFIGURED);
    const place = previewPlace(q.client) ?? null;
    const address = place ? place.address : q.client.includes(':') ? (canonicalIPv6(q.client) ?? q.client) : q.client;
    const where = server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
    let r;
    try {
      r = await queryWithClientSubnet(server, view.name, view.type as RecordType, address);
    } catch (e) {
      if (e instanceof DnsQueryError) throw apiError(HttpStatus.BAD_GATEWAY, `the DNS server ${where} did not answer: ${e.message}`);
      throw e;
    }
    return {
      name: view.name,
      type: view.type,
      client: { address, place: place ? { ...place, latlong: [...place.latlong] } : null },
      server: where,
      rcode: r.rcode,
      answers: r.answers
        .filter((a) => a.type === 'A' || a.type === 'AAAA' || a.type === 'CNAME')
        .map((a) => ({
          name: String(a.name).toLowerCase(),
          type: a.type,
          ttl: (a as { ttl?: number }).ttl ?? 0,
          data: dataText(a.type, (a as { data?: unknown }).data),
        })),
      scope_prefix: r.scope,
    };
  }
}
