import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import {
  canonicalIPv4,
  canonicalIPv6,
  holdsAt,
  nextChange,
  OVERRIDE_LIMITS,
  scheduleOf,
  type StoredOverride,
} from '@vigil/contract';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AuditService } from '../audit/audit.service';
import type { AccountPrincipal } from '../auth/principal';
import { apiError, conflict, notFound, ValidationFailed } from '../common/errors';
import { ZoneChangesService } from '../publishing/zone-changes';
import { REDIS } from '../redis/redis.module';
import { Rrset } from '../rrsets/rrset.entity';
import { FAILOVER_BETA_MESSAGE, RrsetsService } from '../rrsets/rrsets.service';
import { ZonesService } from '../zones/zones.service';
import type { OverrideBody, OverrideView } from './dto/override.dto';
import { guardServed } from './guard';
import { auditable, currentOverrides, overrideView } from './view';

/**
 * Drains, forced-ups and maintenance windows of a failover record set's addresses. Each change
 * is written with the record set (row-locked, in one transaction with its audit entry) and
 * publishes the record set through ZoneChanges, like any other change of what DNS answers.
 */
@Injectable()
export class OverridesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly zones: ZonesService,
    private readonly rrsets: RrsetsService,
    private readonly audit: AuditService,
    private readonly changes: ZoneChangesService,
  ) {}

  async list(p: AccountPrincipal, zoneName: string, name: string, type: string): Promise<{ overrides: OverrideView[] }> {
    const view = await this.rrsets.get(p, zoneName, name, type);
    const now = Date.now();
    const rrset = await this.ds.getRepository(Rrset).findOneByOrFail({ id: view.id });
    return { overrides: currentOverrides(rrset, now).map((o) => overrideView(o, now)) };
  }

  async create(p: AccountPrincipal, zoneName: string, name: string, type: string, body: OverrideBody): Promise<OverrideView> {
    return this.changes.transaction(async (tx, changes) => {
      const { rrset, key, zoneId } = await this.lockRrset(tx, p, zoneName, name, type);
      const now = Date.now();
      const address = this.addressOf(rrset, body.address);
      const startsAt = body.starts_at ?? now;
      if (body.ends_at != null && body.ends_at <= now) throw new ValidationFailed([{ field: 'ends_at', reason: 'must be in the future' }]);
      if (body.ends_at != null && body.starts_at === undefined && body.ends_at <= startsAt) {
        throw new ValidationFailed([{ field: 'ends_at', reason: 'must be after starts_at (now, when left out)' }]);
      }
      const kept = currentOverrides(rrset, now);
      if (kept.length >= OVERRIDE_LIMITS.perRrset) {
        throw new ValidationFailed([{ field: 'address', reason: `a record set may have at most ${OVERRIDE_LIMITS.perRrset} overrides; remove some first` }]);
      }
      const override: StoredOverride = {
        id: randomUUID(),
        address,
        action: body.action,
        starts_at: startsAt,
        ends_at: body.ends_at ?? null,
        recurrence: body.recurrence ?? null,
        recurrence_until: body.recurrence_until ?? null,
        drain: body.action === 'drain' || (body.action === 'maintenance' && body.drain === true),
        note: body.note ?? null,
        created_at: now,
        created_by: p.actor,
      };
      const next = [...kept, override];
      const s = scheduleOf(override);
      // The guard looks at when the override first holds: now, or its (next) start.
      const at = holdsAt(s, now) ? now : (nextChange(s, now) ?? now);
      const forced = await guardServed(this.redis, { rrset, overrides: kept }, { rrset, overrides: next }, at, { force: body.force === true, healthy: true });
      await tx.update(Rrset, { id: rrset.id }, { overrides: next });
      await this.audit.record(tx, {
        accountId: p.accountId,
        actor: p.actor,
        action: 'override.create',
        target: `${key.name}/${key.type}`,
        details: { override: auditable(override), ...(forced && { forced: true }) },
      });
      await changes.touchRrsets(zoneId, [key]);
      return overrideView(override, now);
    });
  }

  async remove(p: AccountPrincipal, zoneName: string, name: string, type: string, id: string, force: boolean): Promise<void> {
    await this.changes.transaction(async (tx, changes) => {
      const { rrset, key, zoneId } = await this.lockRrset(tx, p, zoneName, name, type);
      const now = Date.now();
      const kept = currentOverrides(rrset, now);
      const gone = kept.find((o) => o.id === id);
      if (!gone) throw notFound('override');
      const next = kept.filter((o) => o !== gone);
      const forced = await guardServed(this.redis, { rrset, overrides: kept }, { rrset, overrides: next }, now, { force, healthy: true });
      await tx.update(Rrset, { id: rrset.id }, { overrides: next });
      await this.audit.record(tx, {
        accountId: p.accountId,
        actor: p.actor,
        action: 'override.delete',
        target: `${key.name}/${key.type}`,
        details: { override: auditable(gone), ...(forced && { forced: true }) },
      });
      await changes.touchRrsets(zoneId, [key]);
    });
  }

  /** The record set, row-locked after its zone (the order every writer of the zone takes). */
  private async lockRrset(tx: EntityManager, p: AccountPrincipal, zoneName: string, name: string, type: string) {
    const zone = await this.zones.find(tx, p, zoneName, true);
    const key = this.rrsets.key(zone, name, type);
    const rrset = await tx.findOne(Rrset, { where: { zoneId: zone.id, name: key.name, type: key.type }, lock: { mode: 'pessimistic_write' } });
    if (!rrset) throw notFound('record set');
    if (!rrset.meta.failover) {
      throw conflict('this record set has no health check (meta.failover): overrides apply to the addresses of failover record sets');
    }
    const account = await tx.findOneByOrFail(Account, { id: p.accountId });
    if (!account.features.failover) throw apiError(HttpStatus.FORBIDDEN, FAILOVER_BETA_MESSAGE, { feature: 'failover' });
    return { rrset, key, zoneId: zone.id };
  }

  /** The record's address as stored (canonical), or a 400 naming the addresses there are. */
  private addressOf(rrset: Rrset, input: string): string {
    const addresses = rrset.resourceRecords.map((r) => String(r.content[0]));
    const wanted =
      rrset.type === 'A' ? canonicalIPv4(input) : rrset.type === 'AAAA' ? canonicalIPv6(input) : input.toLowerCase().replace(/\.$/, '');
    const found = addresses.find((a) => a.toLowerCase().replace(/\.$/, '') === wanted);
    if (!found) {
      throw new ValidationFailed([{ field: 'address', reason: `must be the address of one of the record set's records: ${addresses.join(', ')}` }]);
    }
    return found;
  }
}
