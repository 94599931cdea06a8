import type { z } from 'zod';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { normalizeName } from '@vigil/contract';
import { DataSource, type EntityManager } from 'typeorm';
import type { AccountPrincipal } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { conflict, notFound, ValidationFailed } from '../common/errors';
import type { PageQuery } from '../common/pagination';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ZoneChangesService } from '../publishing/zone-changes';
import { Rrset } from '../rrsets/rrset.entity';
import { SOA_LIMITS, type CreateZone, type UpdateZone, ZoneSchema } from './dto/zone.dto';
import { Zone } from './zone.entity';

const nowSerial = () => Math.floor(Date.now() / 1000);

export function zoneView(z: Zone, rrsetsAmount: number): z.output<typeof ZoneSchema> {
  return {
    id: z.id,
    name: z.name,
    enabled: z.enabled,
    serial: z.serial,
    contact: z.contact,
    primary_server: z.primaryServer,
    refresh: z.refresh,
    retry: z.retry,
    expiry: z.expiry,
    nx_ttl: z.nxTtl,
    rrsets_amount: rrsetsAmount,
    created_at: z.createdAt.toISOString(),
    updated_at: z.updatedAt.toISOString(),
  };
}

/** A zone name from a path or body: normalised, or a 400 naming the field. */
export function zoneName(input: string, field = 'name'): string {
  const r = normalizeName(input);
  if (!r.ok) throw new ValidationFailed([{ field, reason: r.reason }]);
  if (!r.name.includes('.')) throw new ValidationFailed([{ field, reason: 'must have at least two labels, such as example.com' }]);
  return r.name;
}

@Injectable()
export class ZonesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly changes: ZoneChangesService,
  ) {}

  async create(p: AccountPrincipal, body: CreateZone) {
    const name = zoneName(body.name);
    const primary = body.primary_server !== undefined ? zoneName(body.primary_server, 'primary_server') : this.config.ZONE_NAMESERVERS[0]!;
    try {
      const zone = await this.changes.transaction(async (tx, changes) => {
        await this.assertNotBelowAnotherAccount(tx, p, name);
        const z = await tx.save(
          tx.create(Zone, {
            accountId: p.accountId,
            name,
            serial: nowSerial(),
            contact: body.contact ?? this.config.ZONE_CONTACT,
            primaryServer: primary,
            refresh: body.refresh ?? SOA_LIMITS.refresh.default,
            retry: body.retry ?? SOA_LIMITS.retry.default,
            expiry: body.expiry ?? SOA_LIMITS.expiry.default,
            nxTtl: body.nx_ttl ?? SOA_LIMITS.nx_ttl.default,
            enabled: body.enabled ?? true,
          }),
        );
        // The apex NS record set comes with the zone; the SOA is made from the zone's own fields.
        await tx.insert(Rrset, {
          zoneId: z.id,
          name,
          type: 'NS',
          ttl: 3600,
          resourceRecords: this.config.ZONE_NAMESERVERS.map((ns) => ({ content: [ns], enabled: true, meta: {} })),
          pickers: [],
          meta: {},
        });
        await this.audit.record(tx, { accountId: p.accountId, actor: p.actor, action: 'zone.create', target: name });
        changes.publish([z.id]);
        return z;
      });
      return zoneView(zone, 1);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw conflict(`zone ${name} is already hosted`);
      throw e;
    }
  }

  async list(p: AccountPrincipal, page: PageQuery, search?: string) {
    const qb = this.ds
      .getRepository(Zone)
      .createQueryBuilder('z')
      .where('z.account_id = :account', { account: p.accountId })
      .orderBy('z.name', 'ASC')
      .take(page.limit)
      .skip(page.offset);
    if (search) qb.andWhere('z.name LIKE :search', { search: `%${search.toLowerCase().replace(/[\\%_]/g, '\\$&')}%` });
    const [zones, total] = await qb.getManyAndCount();
    const counts = await this.rrsetCounts(zones.map((z) => z.id));
    return { zones: zones.map((z) => zoneView(z, counts.get(z.id) ?? 0)), total_amount: total };
  }

  async get(p: AccountPrincipal, name: string) {
    const z = await this.find(this.ds.manager, p, name);
    return zoneView(z, (await this.rrsetCounts([z.id])).get(z.id) ?? 0);
  }

  async update(p: AccountPrincipal, name: string, body: UpdateZone) {
    const primary = body.primary_server !== undefined ? zoneName(body.primary_server, 'primary_server') : undefined;
    const zone = await this.changes.transaction(async (tx, changes) => {
      const z = await this.find(tx, p, name, true);
      const before = zoneView(z, 0);
      const fields: Partial<Zone> = {
        ...(body.contact !== undefined && { contact: body.contact }),
        ...(primary !== undefined && { primaryServer: primary }),
        ...(body.refresh !== undefined && { refresh: body.refresh }),
        ...(body.retry !== undefined && { retry: body.retry }),
        ...(body.expiry !== undefined && { expiry: body.expiry }),
        ...(body.nx_ttl !== undefined && { nxTtl: body.nx_ttl }),
        ...(body.enabled !== undefined && { enabled: body.enabled }),
      };
      if (Object.keys(fields).length) await tx.update(Zone, { id: z.id }, fields);
      if (body.enabled !== undefined) {
        // Served or not: the zone is published (or unpublished) whole, and probing follows.
        await changes.touch([z.id]);
        changes.syncZones([z.id]);
      } else {
        // Only SOA fields: a delta of the zone's head, whatever the zone's size.
        await changes.touchRrsets(z.id, []);
      }
      const after = await tx.findOneByOrFail(Zone, { id: z.id });
      await this.audit.record(tx, {
        accountId: p.accountId,
        actor: p.actor,
        action: 'zone.update',
        target: z.name,
        details: diff(before, zoneView(after, 0)),
      });
      return after;
    });
    return zoneView(zone, (await this.rrsetCounts([zone.id])).get(zone.id) ?? 0);
  }

  async remove(p: AccountPrincipal, name: string) {
    await this.changes.transaction(async (tx, changes) => {
      const z = await this.find(tx, p, name, true);
      const rrsetIds = await this.rrsetIds(z.id, tx);
      await tx.delete(Zone, { id: z.id });
      await this.audit.record(tx, {
        accountId: p.accountId,
        actor: p.actor,
        action: 'zone.delete',
        target: z.name,
        details: { rrsets: rrsetIds.length },
      });
      await changes.deleteZone(z.name, rrsetIds);
    });
  }

  /**
   * The name servers answer from the longest matching zone, so a zone below another account's
   * zone would take over that account's names (www.their.example inside their.example). Only
   * the account that hosts a zone may split it.
   */
  private async assertNotBelowAnotherAccount(tx: EntityManager, p: AccountPrincipal, name: string): Promise<void> {
    const labels = name.split('.');
    const ancestors = labels.slice(1, -1).map((_, i) => labels.slice(i + 1).join('.'));
    if (ancestors.length === 0) return;
    const taken = await tx
      .createQueryBuilder(Zone, 'z')
      .where('z.name IN (:...ancestors)', { ancestors })
      .andWhere('z.account_id <> :account', { account: p.accountId })
      .getExists();
    if (taken) throw conflict(`zone ${name} is below a zone hosted by another account`);
  }

  /** The caller's zone by name; another account's zone is "not found", never "forbidden". */
  async find(tx: EntityManager, p: AccountPrincipal, name: string, lock = false): Promise<Zone> {
    const r = normalizeName(name);
    const z = r.ok
      ? await tx.findOne(Zone, { where: { name: r.name, accountId: p.accountId }, ...(lock && { lock: { mode: 'pessimistic_write' } }) })
      : null;
    if (!z) throw notFound('zone');
    return z;
  }

  private async rrsetIds(zoneId: string, tx: EntityManager): Promise<string[]> {
    return (await tx.find(Rrset, { where: { zoneId }, select: { id: true } })).map((r) => r.id);
  }

  private async rrsetCounts(zoneIds: string[]): Promise<Map<string, number>> {
    if (zoneIds.length === 0) return new Map();
    const rows: { zone_id: string; n: string }[] = await this.ds.query(
      'SELECT zone_id, count(*) AS n FROM rrsets WHERE zone_id = ANY($1) GROUP BY zone_id',
      [zoneIds],
    );
    return new Map(rows.map((r) => [r.zone_id, Number(r.n)]));
  }
}

function diff(before: Record<string, unknown>, after: Record<string, unknown>) {
  const out: { before: Record<string, unknown>; after: Record<string, unknown> } = { before: {}, after: {} };
  for (const k of Object.keys(after)) {
    if (k === 'serial' || k === 'updated_at') continue;
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
      out.before[k] = before[k];
      out.after[k] = after[k];
    }
  }
  return out;
}
