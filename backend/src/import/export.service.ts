import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AccountPrincipal } from '../auth/principal';
import { loadSnapshots } from '../publishing/snapshot';
import { compileHead } from '../publishing/zone-compiler';
import { ZonesService } from '../zones/zones.service';
import { exportZoneFile } from './zone-export';

@Injectable()
export class ExportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly zones: ZonesService,
  ) {}

  /** The caller's zone as a BIND zone file (Gcore's `{raw_zone}`), read in one snapshot. */
  async export(p: AccountPrincipal, zoneName: string): Promise<{ raw_zone: string }> {
    return this.ds.transaction('REPEATABLE READ', async (tx) => {
      const zone = await this.zones.find(tx, p, zoneName);
      const [snapshot] = await loadSnapshots(tx, { zoneIds: [zone.id] });
      const rrsets = (snapshot?.rrsets ?? []).map((r) => ({
        name: r.name,
        type: r.type,
        ttl: r.ttl,
        resource_records: r.resourceRecords,
        dynamic: r.meta.failover !== undefined || r.pickers.length > 0 || r.resourceRecords.some((rec) => Object.keys(rec.meta).length > 0),
      }));
      return { raw_zone: exportZoneFile(compileHead(zone, zone.version), rrsets) };
    });
  }
}
