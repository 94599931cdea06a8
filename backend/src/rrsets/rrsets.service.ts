import type { z } from 'zod';
import type { RrsetSchema } from './dto/rrset.dto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  checkRrsetForType,
  type Content,
  contentKey,
  isInZone,
  isRecordType,
  normalizeName,
  RECORD_TYPES,
  type RecordType,
  type RrsetBody,
} from '@vigil/contract';
import type Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { DataSource, In, type EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import type { AccountPrincipal } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { apiError, conflict, type FieldIssue, formatPath, notFound, ValidationFailed } from '../common/errors';
import { rrsetFromJson, zoneFromJson } from '../publishing/snapshot';
import { ZoneChangesService } from '../publishing/zone-changes';
import { REDIS } from '../redis/redis.module';
import { Zone } from '../zones/zone.entity';
import { ZonesService } from '../zones/zones.service';
import type { RrsetBatch, RrsetListQuery } from './dto/rrset.dto';
import { APEX_CNAME, cnameConflict, exclusivityReason, typesAfter, typesForbiddenBeside } from './exclusivity';
import { Rrset } from './rrset.entity';
import { keepNamesAsSent, recordAsSent } from './as-sent';
import { knownSites, probeSiteIssues } from './probe-sites';
import { guardServed } from '../overrides/guard';
import { currentOverrides } from '../overrides/view';

export function rrsetView(r: Rrset): z.output<typeof RrsetSchema> {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    ttl: r.ttl,
    resource_records: r.resourceRecords.map((rec) => ({ id: recordId(r.id, rec.content), ...recordAsSent(rec) })),
    pickers: r.pickers,
    ...(r.pickers.length > 0 && { filters: r.pickers }),
    meta: r.meta,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}

/**
 * A record's id: the same on every read while the record is in its record set with that content
 * (a record is its content; there is nothing else to identify it by). 48 bits of a digest, a
 * JSON-safe integer as Gcore's clients decode it (uint64).
 */
export function recordId(rrsetId: string, content: Content): number {
  return createHash('sha1').update(rrsetId).update('\0').update(contentKey(content)).digest().readUIntBE(0, 6);
}

export const FAILOVER_BETA_MESSAGE =
  'Failover is a beta feature that is not enabled for this account. Request access in the panel ' +
  '(Failover section, "Request access") or with POST /v2/account/feature-requests {"feature": "failover"}; ' +
  'support will enable it for your account.';

export interface Key {
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
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async list(p: AccountPrincipal, zoneName: string, q: RrsetListQuery) {
    const zone = await this.zones.find(this.ds.manager, p, zoneName);
    const [rows, total] = await this.ds.getRepository(Rrset).findAndCount({
      where: { zoneId: zone.id, ...(q.type?.length && { type: In(q.type) }) },
      order: { name: 'ASC', type: 'ASC' },
      // all=true is Gcore's hidden parameter for the whole zone (octoDNS and DNSControl read zones so).
      ...(!q.all && { take: q.limit, skip: q.offset }),
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

  /**
   * POST: creates; 409 when the record set exists. PUT: creates or replaces. The write is one
   * statement (`rrset_put`, see its migration), so the zone's row lock, which serialises writers
   * of the zone, is held only while PostgreSQL runs it and commits.
   */
  async save(p: AccountPrincipal, zoneName: string, name: string, type: string, input: RrsetBody, mode: 'create' | 'put', force = false) {
    const normal = normalizeName(zoneName);
    const zone = { name: normal.ok ? normal.name : '' };
    let key: Key;
    let body: RrsetBody;
    try {
      if (!normal.ok) throw notFound('zone');
      key = this.key(zone, name, type);
      body = this.validate(key, input);
      if (key.type === 'CNAME' && key.name === zone.name) throw new ValidationFailed([{ field: 'name', reason: APEX_CNAME }]);
      if (body.meta.failover) await this.assertFailoverAllowed(this.ds.manager, p.accountId);
      await this.assertProbeSites([{ failover: body.meta.failover, field: 'meta.failover' }]);
    } catch (e) {
      // Another account's zone, or none, is a 404 whatever the body says.
      await this.zones.find(this.ds.manager, p, zoneName);
      throw e;
    }
    const meta = stripNull(body.meta);
    // Only a failover record set has overrides for a PUT to run into: it is written in a
    // transaction that first holds the record set and runs the overrides' guard; the rest stay
    // one statement.
    const guarded = mode === 'put' && body.meta.failover != null;
    const run = guarded ? this.changes.transaction.bind(this.changes) : this.changes.statement.bind(this.changes);
    return run(async (db, changes) => {
      if (guarded) await this.guardPut(db, p, zoneName, key, body, force);
      const [{ result: r }] = (await db.query(`SELECT rrset_put($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) AS result`, [
        zone.name,
        p.accountId,
        key.name,
        key.type,
        body.ttl,
        JSON.stringify(body.resource_records),
        JSON.stringify(body.pickers),
        JSON.stringify(meta),
        mode === 'create',
        typesForbiddenBeside(key.type),
        p.actor,
      ])) as { result: PutResult }[];
      if (r.status === 'no zone') throw notFound('zone');
      if (r.status === 'exists') throw conflict(`record set ${key.name} ${key.type} already exists; use PUT to replace it`);
      if (r.status === 'conflict') throw new ValidationFailed([{ field: 'type', reason: exclusivityReason(key, r.others) }]);
      const saved = rrsetFromJson(r.rrset);
      const snapshot = {
        zone: zoneFromJson(r.zone),
        account: Object.assign(new Account(), { id: p.accountId, features: r.features }),
        rrsets: [saved],
      };
      changes.committedRrsets(snapshot, [key]);
      // Probe schedules follow only where there is or was a check.
      if (saved.meta.failover || (r.before?.meta as RrsetBody['meta'] | undefined)?.failover) changes.syncRrsets([saved.id]);
      return { body: rrsetView(saved), created: !r.before };
    });
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
      await this.erase(tx, p, existing);
      await changes.touchRrsets(zone.id, [key]);
      changes.syncRrsets([existing.id]);
    });
  }

  /**
   * Creates or replaces and deletes record sets in one transaction: all of them, or (on any
   * problem, each named by its field) none. Published once, with one audit entry per change.
   */
  async batch(p: AccountPrincipal, zoneName: string, batch: RrsetBatch, force = false) {
    return this.changes.transaction(async (tx, changes) => {
      const zone = await this.zones.find(tx, p, zoneName, true);
      const issues: FieldIssue[] = [];
      const seen = new Map<string, string>();
      const keyAt = (root: string, name: string, type: string): Key | null => {
        const k = keyIssues(zone, name, type, root);
        issues.push(...k.issues);
        if (!k.key) return null;
        const id = `${k.key.name} ${k.key.type}`;
        const first = seen.get(id);
        if (first) issues.push({ field: root, reason: `changes ${id} again, after ${first}` });
        seen.set(id, root);
        return k.key;
      };
      const upserts = batch.upserts.flatMap(({ name, type, ...input }, i) => {
        const key = keyAt(`upserts[${i}]`, name, type);
        if (!key) return [];
        const { body: checked, issues: bad } = checkRrsetForType(key.type, input);
        const body = { ...checked, resource_records: keepNamesAsSent(key.type, input.resource_records, checked.resource_records) };
        issues.push(...bad.map((x) => ({ field: formatPath(x.path, `upserts[${i}]`), reason: x.message })));
        if (key.type === 'CNAME' && key.name === zone.name) {
          issues.push({ field: `upserts[${i}].name`, reason: APEX_CNAME });
        }
        return [{ key, body, field: `upserts[${i}]` }];
      });
      const deletes = batch.deletes.flatMap(({ name, type }, i) => {
        const key = keyAt(`deletes[${i}]`, name, type);
        if (key && key.name === zone.name && key.type === 'NS') {
          issues.push({ field: `deletes[${i}].type`, reason: 'the apex NS record set belongs to the zone; replace it instead' });
        }
        return key ? [{ key, field: `deletes[${i}]` }] : [];
      });
      if (issues.length) throw new ValidationFailed(issues);
      if (upserts.some((u) => u.body.meta.failover)) await this.assertFailoverAllowed(tx, p.accountId);
      await this.assertProbeSites(upserts.map((u) => ({ failover: u.body.meta.failover, field: `${u.field}.meta.failover` })));

      // The record sets at every name the batch touches, to check deletions and CNAME exclusivity
      // over the zone as it will be.
      const names = [...new Set([...upserts, ...deletes].map((c) => c.key.name))];
      const present = await tx.find(Rrset, { where: { zoneId: zone.id, name: In(names) } });
      const byKey = new Map(present.map((r) => [`${r.name} ${r.type}`, r]));
      for (const d of deletes) {
        if (!byKey.has(`${d.key.name} ${d.key.type}`))
          issues.push({ field: d.field, reason: `there is no record set ${d.key.name} ${d.key.type}` });
      }
      const types = typesAfter(
        present,
        deletes.map((d) => d.key),
        upserts.map((u) => u.key),
      );
      for (const u of upserts) {
        const conflict = cnameConflict(u.key.name, types.get(u.key.name));
        if (conflict) issues.push({ field: `${u.field}.type`, reason: conflict });
      }
      if (issues.length) throw new ValidationFailed(issues);
      // The overrides' guard, as on a PUT: under the zone's lock, which overrides take first too.
      for (const u of upserts) {
        const existing = byKey.get(`${u.key.name} ${u.key.type}`);
        if (existing && u.body.meta.failover) await this.guardReplace(existing, u.body, force);
      }

      const upserted: Rrset[] = [];
      for (const u of upserts)
        upserted.push(await this.write(tx, p, zone, u.key, u.body, byKey.get(`${u.key.name} ${u.key.type}`) ?? null));
      for (const d of deletes) await this.erase(tx, p, byKey.get(`${d.key.name} ${d.key.type}`)!);
      await changes.touchRrsets(
        zone.id,
        [...upserts, ...deletes].map((c) => c.key),
      );
      changes.syncRrsets([...upserted.map((r) => r.id), ...deletes.map((d) => byKey.get(`${d.key.name} ${d.key.type}`)!.id)]);
      return { upserted: upserted.map(rrsetView), deleted: deletes.map((d) => ({ name: d.key.name, type: d.key.type })) };
    });
  }

  /** Creates or replaces one record set, with its audit entry, inside the caller's transaction. */
  private async write(
    tx: EntityManager,
    p: AccountPrincipal,
    zone: Zone,
    key: Key,
    body: RrsetBody,
    existing: Rrset | null,
  ): Promise<Rrset> {
    const fields = { ttl: body.ttl, resourceRecords: body.resource_records, pickers: body.pickers, meta: stripNull(body.meta) };
    let saved: Rrset;
    if (existing) {
      await tx.update(Rrset, { id: existing.id }, fields);
      saved = await tx.findOneByOrFail(Rrset, { id: existing.id });
    } else {
      saved = await tx.save(tx.create(Rrset, { zoneId: zone.id, name: key.name, type: key.type, ...fields }));
    }
    const after = auditable(saved);
    await this.audit.record(tx, {
      accountId: p.accountId,
      actor: p.actor,
      action: existing ? 'rrset.update' : 'rrset.create',
      target: `${key.name}/${key.type}`,
      details: existing ? { before: auditable(existing), after } : { after },
    });
    return saved;
  }

  /** Deletes one record set, with its audit entry, inside the caller's transaction. */
  private async erase(tx: EntityManager, p: AccountPrincipal, existing: Rrset): Promise<void> {
    await tx.delete(Rrset, { id: existing.id });
    await this.audit.record(tx, {
      accountId: p.accountId,
      actor: p.actor,
      action: 'rrset.delete',
      target: `${existing.name}/${existing.type}`,
      details: { before: auditable(existing) },
    });
  }

  /**
   * A PUT that would leave the record set's enabled records all drained by its overrides: 409
   * (`no_served_address`) unless `force`. Takes the zone's lock, then the record set's, the order
   * of every writer (rrset_put then takes the zone's again, already held).
   */
  private async guardPut(tx: EntityManager, p: AccountPrincipal, zoneName: string, key: Key, body: RrsetBody, force: boolean) {
    const zone = await this.zones.find(tx, p, zoneName, true);
    const existing = await tx.findOne(Rrset, { where: { zoneId: zone.id, name: key.name, type: key.type }, lock: { mode: 'pessimistic_write' } });
    if (existing) await this.guardReplace(existing, body, force);
  }

  /** 409 when `body` replacing `existing` would leave every enabled record drained by its overrides, unless `force`. */
  private async guardReplace(existing: Rrset, body: RrsetBody, force: boolean) {
    const overrides = currentOverrides(existing, Date.now());
    if (overrides.length === 0) return;
    const after = Object.assign(new Rrset(), existing, {
      resourceRecords: body.resource_records.map((r) => ({ ...r, enabled: r.enabled ?? true, meta: r.meta ?? {} })),
      meta: stripNull(body.meta),
    });
    await guardServed(this.redis, { rrset: existing, overrides }, { rrset: after, overrides }, Date.now(), { force, healthy: false });
  }

  /** The record set's name and type from the path: normalised, inside the zone, a known type. */
  key(zone: { name: string }, name: string, type: string): Key {
    const k = keyIssues(zone, name, type);
    if (!k.key) throw new ValidationFailed(k.issues);
    return k.key;
  }

  private validate(key: Key, input: RrsetBody): RrsetBody {
    const { body, issues } = checkRrsetForType(key.type, input);
    if (issues.length) throw new ValidationFailed(issues.map((i) => ({ field: formatPath(i.path), reason: i.message })));
    return { ...body, resource_records: keepNamesAsSent(key.type, input.resource_records, body.resource_records) };
  }

  /** The checks' probe sites against those Redis knows (probe-sites.ts); read only when a check names sites or a minimum. */
  private async assertProbeSites(checks: { failover: RrsetBody['meta']['failover']; field: string }[]) {
    const asking = checks.filter((c) => c.failover && (c.failover.locations || c.failover.min_locations !== undefined));
    if (asking.length === 0) return;
    const known = await knownSites(this.redis);
    const issues = asking.flatMap((c) => probeSiteIssues(c.failover, known, c.field));
    if (issues.length) throw new ValidationFailed(issues);
  }

  private async assertFailoverAllowed(tx: EntityManager, accountId: string) {
    const account = await tx.findOneByOrFail(Account, { id: accountId });
    if (!account.features.failover) throw apiError(HttpStatus.FORBIDDEN, FAILOVER_BETA_MESSAGE, { feature: 'failover' });
  }
}

/** A record set's name and type: normalised, inside the zone, a known type; or what is wrong, under `root`. */
function keyIssues(zone: { name: string }, name: string, type: string, root = ''): { key: Key | null; issues: FieldIssue[] } {
  const field = (f: string) => (root ? `${root}.${f}` : f);
  const t = type.toUpperCase();
  const issues: FieldIssue[] = [];
  if (!isRecordType(t)) issues.push({ field: field('type'), reason: `must be one of ${RECORD_TYPES.join(', ')}` });
  const r = normalizeName(name, { allowWildcard: true });
  if (!r.ok) issues.push({ field: field('name'), reason: r.reason });
  else if (!isInZone(r.name, zone.name)) issues.push({ field: field('name'), reason: `must be ${zone.name} or a name below it` });
  return { key: issues.length || !r.ok || !isRecordType(t) ? null : { name: r.name, type: t }, issues };
}

/** What `rrset_put` answers (see its migration). */
interface PutResult {
  status: 'ok' | 'no zone' | 'conflict' | 'exists';
  others: string[];
  before: Record<string, unknown> | null;
  rrset: Record<string, unknown>;
  zone: Record<string, unknown>;
  features: Account['features'];
}

function stripNull(meta: RrsetBody['meta']): RrsetBody['meta'] {
  return meta.failover === null ? {} : meta;
}

function auditable(r: Rrset) {
  return { ttl: r.ttl, resource_records: r.resourceRecords, pickers: r.pickers, meta: r.meta };
}
