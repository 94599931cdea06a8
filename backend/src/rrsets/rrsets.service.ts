import type { z } from 'zod';
import type { RrsetSchema } from './dto/rrset.dto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { checkRrsetForType, isInZone, isRecordType, normalizeName, type RecordType, type RrsetBody } from '@vigil/contract';
import { DataSource, Not, type EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import type { AccountPrincipal } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { apiError, conflict, formatPath, notFound, ValidationFailed } from '../common/errors';
import type { PageQuery } from '../common/pagination';
import { ZoneChangesService } from '../publishing/zone-changes';
import { Zone } from '../zones/zone.entity';
import { ZonesService } from '../zones/zones.service';
import { Rrset } from './rrset.entity';

export function rrsetView(r: Rrset): z.output<typeof RrsetSchema> {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    ttl: r.ttl,
    resource_records: r.resourceRecords,
    pickers: r.pickers,
    meta: r.meta,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}

export const FAILOVER_BETA_MESSAGE =
  'Failover is a beta feature that is not enabled for this account. Request access in the panel ' +
  '(Failover section, "Request access") or with POST /v2/account/feature-requests {"feature": "failover"}; ' +
  'support will enable it for your account.';

interface Key {
  name: string;
  type: RecordType;
}

@Injectable()
export class RrsetsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly zones: ZonesService,
    private readonly audit: AuditService,
    private readonly changes: ZoneChangesService,
  ) {}

  async list(p: AccountPrincipal, zoneName: string, page: PageQuery) {
    const zone = await this.zones.find(this.ds.manager, p, zoneName);
    const [rows, total] = await this.ds.getRepository(Rrset).findAndCount({
      where: { zoneId: zone.id },
      order: { name: 'ASC', type: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return { rrsets: rows.map(rrsetView), total_amount: total };
  }

  async get(p: AccountPrincipal, zoneName: string, name: string, type: string) {
    const zone = await this.zones.find(this.ds.manager, p, zoneName);
    const key = this.key(zone, name, type);
    const r = await this.ds.getRepository(Rrset).findOneBy({ zoneId: zone.id, name: key.name, type: key.type });
    if (!r) throw notFound('record set');
    return rrsetView(r);
  }

  /** POST: creates; 409 when the record set exists. PUT: creates or replaces. */
  async save(p: AccountPrincipal, zoneName: string, name: string, type: string, input: RrsetBody, mode: 'create' | 'put') {
    const result = await this.changes.transaction(async (tx, changes) => {
      // Locking the zone row serialises every change of one zone: exclusivity checks and serials stay right.
      const zone = await this.zones.find(tx, p, zoneName, true);
      const key = this.key(zone, name, type);
      const body = this.validate(key, input);
      if (body.meta.failover) await this.assertFailoverAllowed(tx, p.accountId);
      await this.assertExclusive(tx, zone, key);

      const existing = await tx.findOneBy(Rrset, { zoneId: zone.id, name: key.name, type: key.type });
      if (existing && mode === 'create') throw conflict(`record set ${key.name} ${key.type} already exists; use PUT to replace it`);
      const fields = { ttl: body.ttl, resourceRecords: body.resource_records, pickers: body.pickers, meta: stripNull(body.meta) };
      let saved: Rrset;
      if (existing) {
        await tx.update(Rrset, { id: existing.id }, fields);
        saved = await tx.findOneByOrFail(Rrset, { id: existing.id });
      } else {
        saved = await tx.save(tx.create(Rrset, { zoneId: zone.id, name: key.name, type: key.type, ...fields }));
      }
      await changes.touch([zone.id]);
      changes.syncRrsets([saved.id]);
      const after = auditable(saved);
      await this.audit.record(tx, {
        accountId: p.accountId,
        actor: p.actor,
        action: existing ? 'rrset.update' : 'rrset.create',
        target: `${key.name}/${key.type}`,
        details: existing ? { before: auditable(existing), after } : { after },
      });
      return { rrset: saved, created: !existing };
    });
    return { body: rrsetView(result.rrset), created: result.created };
  }

  async remove(p: AccountPrincipal, zoneName: string, name: string, type: string) {
    await this.changes.transaction(async (tx, changes) => {
      const zone = await this.zones.find(tx, p, zoneName, true);
      const key = this.key(zone, name, type);
      if (key.name === zone.name && key.type === 'NS') {
        throw new ValidationFailed([{ field: 'type', reason: 'the apex NS record set belongs to the zone; replace it with PUT instead' }]);
      }
      const existing = await tx.findOneBy(Rrset, { zoneId: zone.id, name: key.name, type: key.type });
      if (!existing) throw notFound('record set');
      await tx.delete(Rrset, { id: existing.id });
      await changes.touch([zone.id]);
      changes.syncRrsets([existing.id]);
      await this.audit.record(tx, {
        accountId: p.accountId,
        actor: p.actor,
        action: 'rrset.delete',
        target: `${key.name}/${key.type}`,
        details: { before: auditable(existing) },
      });
    });
  }

  /** The record set's name and type from the path: normalised, inside the zone, a known type. */
  private key(zone: Zone, name: string, type: string): Key {
    const t = type.toUpperCase();
    const issues = [];
    if (!isRecordType(t)) issues.push({ field: 'type', reason: 'must be one of A, AAAA, CNAME, MX, TXT, NS, SRV, CAA' });
    const r = normalizeName(name, { allowWildcard: true });
    if (!r.ok) issues.push({ field: 'name', reason: r.reason });
    else if (!isInZone(r.name, zone.name)) issues.push({ field: 'name', reason: `must be ${zone.name} or a name below it` });
    if (issues.length || !r.ok || !isRecordType(t)) throw new ValidationFailed(issues);
    return { name: r.name, type: t };
  }

  private validate(key: Key, input: RrsetBody): RrsetBody {
    const { body, issues } = checkRrsetForType(key.type, input);
    if (issues.length) throw new ValidationFailed(issues.map((i) => ({ field: formatPath(i.path), reason: i.message })));
    return body;
  }

  private async assertFailoverAllowed(tx: EntityManager, accountId: string) {
    const account = await tx.findOneByOrFail(Account, { id: accountId });
    if (!account.features.failover) throw apiError(HttpStatus.FORBIDDEN, FAILOVER_BETA_MESSAGE, { feature: 'failover' });
  }

  /** A CNAME is alone at its name (RFC 1034 §3.6.2), and never at the apex. */
  private async assertExclusive(tx: EntityManager, zone: Zone, key: Key) {
    if (key.type === 'CNAME' && key.name === zone.name) {
      throw new ValidationFailed([{ field: 'name', reason: 'a CNAME cannot be at the zone apex, which holds the SOA and NS records' }]);
    }
    const others = await tx.find(Rrset, { where: { zoneId: zone.id, name: key.name, type: Not(key.type) }, select: { type: true } });
    if (others.length === 0) return;
    if (key.type === 'CNAME') {
      const types = others.map((o) => o.type).join(', ');
      throw new ValidationFailed([
        { field: 'type', reason: `${key.name} already has ${types} records; a CNAME must be the only record set at its name` },
      ]);
    }
    if (others.some((o) => o.type === 'CNAME')) {
      throw new ValidationFailed([
        { field: 'type', reason: `${key.name} has a CNAME record set, which must be the only record set at its name` },
      ]);
    }
  }
}

function stripNull(meta: RrsetBody['meta']): RrsetBody['meta'] {
  return meta.failover === null ? {} : meta;
}

function auditable(r: Rrset) {
  return { ttl: r.ttl, resource_records: r.resourceRecords, pickers: r.pickers, meta: r.meta };
}
