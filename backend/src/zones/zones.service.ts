import type { z } from 'zod';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { normalizeName } from '@vigil/contract';
import { DataSource, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import type { AccountPrincipal } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { conflict, notFound, ValidationFailed } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { lockZoneNames } from '../publishing/versions';
import { ZoneChangesService } from '../publishing/zone-changes';
import { Rrset } from '../rrsets/rrset.entity';
import {
  type CreateZone,
  type PutZone,
  type RrsetsAmount,
  SOA_LIMITS,
  type UpdateZone,
  type ZoneListQuery,
  ZoneSchema,
} from './dto/zone.dto';
import { Zone } from './zone.entity';

const nowSerial = () => Math.floor(Date.now() / 1000);

const NO_RRSETS: RrsetsAmount = { total: 0, static: 0, dynamic: { total: 0, healthcheck: 0 } };

/** Columns a zone list may be ordered by, as the API names them. */
/** SQL over a record set `r` and its account `a`: Gcore's dynamic record sets, and those whose check runs. */
const CHECKED_RRSET = `jsonb_typeof(r.meta->'failover') = 'object'`;
const DYNAMIC_RRSET = `r.pickers <> '[]'::jsonb OR ${CHECKED_RRSET}`;
const FAILOVER_ACCOUNT = `a.features->>'failover' = 'true'`;

const ORDER_COLUMN: Record<ZoneListQuery['order_by'], string> = {
  name: 'z.name',
  id: 'z.numeric_id',
  serial: 'z.serial',
  enabled: 'z.enabled',
  created_at: 'z.created_at',
  updated_at: 'z.updated_at',
};

export function zoneView(z: Zone, rrsetsAmount: RrsetsAmount): z.output<typeof ZoneSchema> {
  return {
    id: z.numericId,
    name: z.name,
    enabled: z.enabled,
    serial: z.serial,
    contact: z.contact,
    primary_server: z.primaryServer,
    refresh: z.refresh,
    retry: z.retry,
    expiry: z.expiry,
    nx_ttl: z.nxTtl,
    meta: z.meta,
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
        // Its name and every ancestor's: a delete of the name, or a zone created above or below
        // it by another account, waits for this one (and this one for them).
        await lockZoneNames(tx, ancestorsAndSelf(name));
        await this.assertNotBelowAnotherAccount(tx, p, name);
        const created = await tx.save(
          tx.create(Zone, {
            accountId: p.accountId,
            name,
            serial: body.serial ?? nowSerial(),
            contact: body.contact ?? this.config.ZONE_CONTACT,
            primaryServer: primary,
            refresh: body.refresh ?? SOA_LIMITS.refresh.default,
            retry: body.retry ?? SOA_LIMITS.retry.default,
            expiry: body.expiry ?? SOA_LIMITS.expiry.default,
            nxTtl: body.nx_ttl ?? SOA_LIMITS.nx_ttl.default,
            enabled: body.enabled ?? true,
            meta: body.meta ?? {},
          }),
        );
        // PostgreSQL numbers the zone; read it back with its number.
        const z = await tx.findOneByOrFail(Zone, { id: created.id });
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
      return zoneView(zone, { ...NO_RRSETS, total: 1, static: 1 });
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw conflict(`zone ${name} is already hosted`);
      throw e;
    }
  }

  async list(p: AccountPrincipal, q: ZoneListQuery) {
    const qb = this.ds
      .getRepository(Zone)
      .createQueryBuilder('z')
      .where('z.account_id = :account', { account: p.accountId })
      .orderBy(ORDER_COLUMN[q.order_by], q.order_direction === 'desc' ? 'DESC' : 'ASC')
      .take(q.limit)
      .skip(q.offset);
    // A stable order within equal values, so pages neither repeat nor skip zones.
    if (q.order_by !== 'name') qb.addOrderBy('z.name', 'ASC');
    if (q.search) qb.andWhere('z.name LIKE :search', { search: `%${q.search.toLowerCase().replace(/[\\%_]/g, '\\$&')}%` });
    if (q.name?.length) qb.andWhere('z.name IN (:...names)', { names: q.name });
    if (q.enabled !== undefined) qb.andWhere('z.enabled = :enabled', { enabled: q.enabled });
    if (q.id?.length) qb.andWhere('z.numeric_id IN (:...ids)', { ids: q.id });
    // The same conditions as rrsetAmounts' dynamic and healthcheck counts.
    if (q.dynamic !== undefined) {
      const dynamic = `EXISTS (SELECT 1 FROM rrsets r WHERE r.zone_id = z.id AND (${DYNAMIC_RRSET}))`;
      qb.andWhere(q.dynamic ? dynamic : `NOT ${dynamic}`);
    }
    if (q.healthcheck !== undefined) {
      const checked = `(EXISTS (SELECT 1 FROM rrsets r WHERE r.zone_id = z.id AND ${CHECKED_RRSET})
        AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = z.account_id AND ${FAILOVER_ACCOUNT}))`;
      qb.andWhere(q.healthcheck ? checked : `NOT ${checked}`);
    }
    const [zones, total] = await qb.getManyAndCount();
    const amounts = await this.rrsetAmounts(zones.map((z) => z.id));
    return { zones: zones.map((z) => zoneView(z, amounts.get(z.id) ?? NO_RRSETS)), total_amount: total };
  }

  async get(p: AccountPrincipal, name: string) {
    const z = await this.find(this.ds.manager, p, name);
    return zoneView(z, (await this.rrsetAmounts([z.id])).get(z.id) ?? NO_RRSETS);
  }

  /** PUT: Gcore's InputZone, the whole zone again; its `name` must be this zone's. Otherwise as PATCH. */
  async put(p: AccountPrincipal, name: string, body: PutZone) {
    const { name: bodyName, ...fields } = body;
    const zone = await this.find(this.ds.manager, p, name);
    if (bodyName !== undefined && zoneName(bodyName) !== zone.name) {
      throw new ValidationFailed([{ field: 'name', reason: `must be ${zone.name}, the zone in the path (a zone cannot be renamed)` }]);
    }
    return this.update(p, name, fields);
  }

  async update(p: AccountPrincipal, name: string, body: UpdateZone) {
    const primary = body.primary_server !== undefined ? zoneName(body.primary_server, 'primary_server') : undefined;
    const zone = await this.changes.transaction(async (tx, changes) => {
      const z = await this.find(tx, p, name, true);
      const before = zoneView(z, NO_RRSETS);
      // TypeORM's update type cannot express free JSON (meta).
      const fields: QueryDeepPartialEntity<Zone> = {
        ...(body.contact !== undefined && { contact: body.contact }),
        ...(primary !== undefined && { primaryServer: primary }),
        ...(body.refresh !== undefined && { refresh: body.refresh }),
        ...(body.retry !== undefined && { retry: body.retry }),
        ...(body.expiry !== undefined && { expiry: body.expiry }),
        ...(body.nx_ttl !== undefined && { nxTtl: body.nx_ttl }),
        ...(body.enabled !== undefined && { enabled: body.enabled }),
        ...(body.meta !== undefined && { meta: (body.meta ?? {}) as QueryDeepPartialEntity<Zone>['meta'] }),
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
      // After the change's own step: a serial asked for is a floor, since serials never go down.
      if (body.serial !== undefined) await tx.query('UPDATE zones SET serial = GREATEST(serial, $2) WHERE id = $1', [z.id, body.serial]);
      const after = await tx.findOneByOrFail(Zone, { id: z.id });
      await this.audit.record(tx, {
        accountId: p.accountId,
        actor: p.actor,
        action: 'zone.update',
        target: z.name,
        details: diff(before, zoneView(after, NO_RRSETS)),
      });
      return after;
    });
    return zoneView(zone, (await this.rrsetAmounts([zone.id])).get(zone.id) ?? NO_RRSETS);
  }

  async remove(p: AccountPrincipal, name: string) {
    await this.changes.transaction(async (tx, changes) => {
      // First, as a create takes it before it inserts: a create of the name waits for this delete,
      // so its version comes after the tombstone's.
      const n = normalizeName(name);
      if (n.ok) await lockZoneNames(tx, [n.name]);
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

  /**
   * Record sets per zone as Gcore counts them: dynamic ones have pickers or a failover check, and
   * `healthcheck` counts the checks that run (the account has the failover feature).
   */
  private async rrsetAmounts(zoneIds: string[]): Promise<Map<string, RrsetsAmount>> {
    if (zoneIds.length === 0) return new Map();
    const rows: { zone_id: string; total: string; dynamic: string; healthcheck: string }[] = await this.ds.query(
      `SELECT r.zone_id,
              count(*) AS total,
              count(*) FILTER (WHERE ${DYNAMIC_RRSET}) AS dynamic,
              count(*) FILTER (WHERE ${CHECKED_RRSET} AND ${FAILOVER_ACCOUNT}) AS healthcheck
         FROM rrsets r JOIN zones z ON z.id = r.zone_id JOIN accounts a ON a.id = z.account_id
        WHERE r.zone_id = ANY($1)
        GROUP BY r.zone_id`,
      [zoneIds],
    );
    return new Map(
      rows.map((r) => [
        r.zone_id,
        {
          total: Number(r.total),
          static: Number(r.total) - Number(r.dynamic),
          dynamic: { total: Number(r.dynamic), healthcheck: Number(r.healthcheck) },
        },
      ]),
    );
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

/** `a.b.example` → a.b.example, b.example, example. */
function ancestorsAndSelf(name: string): string[] {
  const labels = name.split('.');
  return labels.map((_, i) => labels.slice(i).join('.'));
}
