import type { z } from 'zod';
import type { FeatureRequestSchema } from './dto/feature.dto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Account, type AccountFeatures } from '../accounts/account.entity';
import type { AccountPrincipal, Principal } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { apiError, conflict, notFound } from '../common/errors';
import type { PageQuery } from '../common/pagination';
import { type ZoneChanges, ZoneChangesService } from '../publishing/zone-changes';
import { Rrset } from '../rrsets/rrset.entity';
import { Zone } from '../zones/zone.entity';
import { type Feature, FeatureRequest, type RequestStatus } from './feature-request.entity';

export function requestView(r: FeatureRequest): z.output<typeof FeatureRequestSchema> {
  return {
    id: r.id,
    account_id: r.accountId,
    feature: r.feature,
    status: r.status,
    message: r.message,
    requested_by: r.requestedBy,
    created_at: r.createdAt.toISOString(),
    decided_at: r.decidedAt?.toISOString() ?? null,
    decided_by: r.decidedBy,
  };
}

@Injectable()
export class FeaturesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly changes: ZoneChangesService,
  ) {}

  /** A customer asks for a beta feature. */
  async request(p: AccountPrincipal, feature: Feature, message: string) {
    const saved = await this.ds.transaction(async (tx) => {
      const account = await tx.findOne(Account, { where: { id: p.accountId }, lock: { mode: 'pessimistic_write' } });
      if (!account) throw notFound('account');
      if (account.features[feature]) throw conflict(`the ${feature} feature is already enabled for this account`);
      const pending = await tx.findOneBy(FeatureRequest, { accountId: p.accountId, feature, status: 'pending' });
      if (pending) throw conflict(`a request for ${feature} is already pending; support will decide on it`);
      const r = await tx.save(tx.create(FeatureRequest, { accountId: p.accountId, feature, message, requestedBy: p.actor }));
      await this.audit.record(tx, {
        accountId: p.accountId,
        actor: p.actor,
        action: 'feature.request',
        target: feature,
        details: { message },
      });
      return r;
    });
    return requestView(saved);
  }

  async listForAccount(accountId: string) {
    const rows = await this.ds.getRepository(FeatureRequest).find({ where: { accountId }, order: { createdAt: 'DESC' } });
    return { requests: rows.map(requestView), total_amount: rows.length };
  }

  async listAll(status: RequestStatus | undefined, page: PageQuery) {
    const [rows, total] = await this.ds.getRepository(FeatureRequest).findAndCount({
      where: status ? { status } : {},
      order: { createdAt: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return { requests: rows.map(requestView), total_amount: total };
  }

  /** Support grants or rejects a pending request; granting turns the feature on. */
  async decide(support: Principal, requestId: string, status: 'granted' | 'rejected') {
    const request = await this.changes.transaction(async (tx, changes) => {
      const r = await tx.findOne(FeatureRequest, { where: { id: requestId }, lock: { mode: 'pessimistic_write' } });
      if (!r) throw notFound('feature request');
      if (r.status !== 'pending') throw apiError(HttpStatus.CONFLICT, `this request was already ${r.status}`);
      if (status === 'granted') await this.setFeature(changes, support, r.accountId, r.feature, true);
      await this.closeRequests(tx, support, r.accountId, r.feature, status);
      if (status === 'rejected') {
        await this.audit.record(tx, { accountId: r.accountId, actor: support.actor, action: 'feature.reject', target: r.feature });
      }
      return tx.findOneByOrFail(FeatureRequest, { id: r.id });
    });
    return requestView(request);
  }

  /** Support sets an account's features; pending requests for a granted feature are closed as granted. */
  async setFeatures(support: Principal, accountId: string, wanted: AccountFeatures) {
    return this.changes.transaction(async (tx, changes) => {
      let features: AccountFeatures | null = null;
      for (const [feature, on] of Object.entries(wanted) as [Feature, boolean][]) {
        features = await this.setFeature(changes, support, accountId, feature, on);
        if (on) await this.closeRequests(tx, support, accountId, feature, 'granted');
      }
      return features;
    });
  }

  private async setFeature(changes: ZoneChanges, support: Principal, accountId: string, feature: Feature, on: boolean) {
    const tx = changes.tx;
    const account = await tx.findOne(Account, { where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
    if (!account) throw notFound('account');
    const before = account.features[feature] === true;
    const features = { ...account.features, [feature]: on };
    if (before !== on) {
      await tx.update(Account, { id: accountId }, { features });
      // Failover is compiled into the record sets that have a check and decides their probes:
      // those change with the feature, published as deltas (a large zone is not republished).
      const zoneIds = await this.zoneIds(tx, accountId);
      for (const [zoneId, keys] of await this.checkedRrsets(tx, zoneIds)) await changes.touchRrsets(zoneId, keys);
      changes.syncZones(zoneIds);
      await this.audit.record(tx, { accountId, actor: support.actor, action: on ? 'feature.grant' : 'feature.revoke', target: feature });
    }
    return features;
  }

  /** The record sets with a check (meta.failover), by zone. */
  private async checkedRrsets(tx: EntityManager, zoneIds: string[]): Promise<Map<string, { name: string; type: string }[]>> {
    const byZone = new Map<string, { name: string; type: string }[]>();
    if (zoneIds.length === 0) return byZone;
    const rows = await tx
      .createQueryBuilder(Rrset, 'r')
      .select(['r.zoneId', 'r.name', 'r.type'])
      .where('r.zoneId IN (:...zoneIds)', { zoneIds })
      .andWhere(`jsonb_typeof(r.meta -> 'failover') = 'object'`)
      .getMany();
    for (const r of rows) (byZone.get(r.zoneId) ?? byZone.set(r.zoneId, []).get(r.zoneId)!).push({ name: r.name, type: r.type });
    return byZone;
  }

  private async zoneIds(tx: EntityManager, accountId: string): Promise<string[]> {
    return (await tx.find(Zone, { where: { accountId }, select: { id: true } })).map((z) => z.id);
  }

  private async closeRequests(tx: EntityManager, support: Principal, accountId: string, feature: Feature, status: 'granted' | 'rejected') {
    await tx.update(FeatureRequest, { accountId, feature, status: 'pending' }, { status, decidedAt: new Date(), decidedBy: support.actor });
  }
}
