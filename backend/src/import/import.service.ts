import { Injectable } from '@nestjs/common';
import { contentKey, type RrsetBody, TTL_LIMITS } from '@vigil/contract';
import type { EntityManager } from 'typeorm';
import type { AccountPrincipal } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { ValidationFailed } from '../common/errors';
import { ZoneChangesService } from '../publishing/zone-changes';
import { APEX_CNAME, cnameConflict, typesAfter } from '../rrsets/exclusivity';
import { Rrset } from '../rrsets/rrset.entity';
import type { Zone } from '../zones/zone.entity';
import { ZonesService } from '../zones/zones.service';
import type { ImportResult } from './dto/import.dto';
import { parseZoneFile, type LineIssue } from './zone-file';
import { type ImportedRrset, planImport, warningsByRecord } from './zone-import';

/** At most this many problems are listed; a file with more is likely not a zone file at all. */
const MAX_DETAILS = 100;
/** Rows per INSERT (five array parameters, whatever the number of rows). */
const INSERT_BATCH = 5000;

type Change = { kind: 'create'; imported: ImportedRrset } | { kind: 'update'; imported: ImportedRrset; existing: Rrset; body: RrsetBody };

@Injectable()
export class ImportService {
  constructor(
    private readonly zones: ZonesService,
    private readonly audit: AuditService,
    private readonly changes: ZoneChangesService,
  ) {}

  /**
   * Applies a zone file to the caller's zone in one transaction (nothing when it has a bad line,
   * or on a dry run), then publishes the zone through the one post-commit path.
   */
  async import(p: AccountPrincipal, zoneName: string, text: string, dryRun: boolean): Promise<ImportResult> {
    return this.changes.transaction(async (tx, changes) => {
      // The zone's row lock serialises this with every other change of the zone.
      const zone = await this.zones.find(tx, p, zoneName, true);
      const parsed = parseZoneFile(text, zone.name, TTL_LIMITS.default);
      const existing = await tx.find(Rrset, { where: { zoneId: zone.id } });
      const byKey = new Map(existing.map((r) => [`${r.name} ${r.type}`, r]));
      const plan = planImport(parsed.records, zone.name, (name, type) => byKey.get(`${name} ${type}`));
      const errors = [...parsed.errors, ...plan.errors, ...exclusivity(zone, plan.rrsets, existing)].sort((a, b) => a.line - b.line);
      if (errors.length) {
        throw new ValidationFailed(errors.slice(0, MAX_DETAILS).map((e) => ({ field: `line ${e.line}`, reason: e.reason })));
      }
      if (plan.rrsets.length === 0 && parsed.records.length === 0) {
        throw new ValidationFailed([{ field: '(body)', reason: 'holds no records: send a zone file in BIND format' }]);
      }

      const todo: Change[] = [];
      let unchanged = 0;
      for (const imported of plan.rrsets) {
        const old = byKey.get(`${imported.name} ${imported.type}`);
        if (!old) {
          todo.push({ kind: 'create', imported });
          continue;
        }
        const body = merge(old, imported.body);
        if (same(old, body)) unchanged++;
        else todo.push({ kind: 'update', imported, existing: old, body });
      }
      const result: ImportResult = {
        imported: {
          qtype: new Set(plan.rrsets.map((r) => r.type)).size,
          resource_records: plan.rrsets.reduce((n, r) => n + r.body.resource_records.length, 0),
          rrsets: plan.rrsets.length,
          skipped_resource_records: plan.skipped,
        },
        success: true,
        warnings: warningsByRecord(plan.warnings),
        dry_run: dryRun,
        diff: {
          created: todo.filter((c) => c.kind === 'create').map((c) => ({ name: c.imported.name, type: c.imported.type })),
          updated: todo.filter((c) => c.kind === 'update').map((c) => ({ name: c.imported.name, type: c.imported.type })),
          unchanged,
        },
      };
      if (dryRun || todo.length === 0) return result;

      const synced = await this.write(tx, zone, todo);
      await changes.touchRrsets(
        zone.id,
        todo.map((c) => c.imported),
      );
      changes.syncRrsets(synced);
      await this.audit.record(tx, {
        accountId: p.accountId,
        actor: p.actor,
        action: 'zone.import',
        target: zone.name,
        details: { created: result.diff.created.length, updated: result.diff.updated.length, unchanged, skipped: plan.skipped },
      });
      return result;
    });
  }

  /** Inserts and updates; returns the record sets whose probe schedules follow (updated failover ones). */
  private async write(tx: EntityManager, zone: Zone, todo: Change[]): Promise<string[]> {
    const creates = todo.flatMap((c) => (c.kind === 'create' ? [c.imported] : []));
    // Columns as arrays, unnested by PostgreSQL: a million rows cost a thousand statements and
    // no per-row work in the ORM (its INSERT builder was most of an import's time).
    for (let i = 0; i < creates.length; i += INSERT_BATCH) {
      const batch = creates.slice(i, i + INSERT_BATCH);
      await tx.query(
        `INSERT INTO rrsets (zone_id, name, type, ttl, resource_records, pickers, meta)
         SELECT $1, u.name, u.type, u.ttl, u.records::jsonb, '[]'::jsonb, '{}'::jsonb
         FROM unnest($2::text[], $3::text[], $4::int[], $5::text[]) AS u(name, type, ttl, records)`,
        [
          zone.id,
          batch.map((r) => r.name),
          batch.map((r) => r.type),
          batch.map((r) => r.body.ttl),
          batch.map((r) => JSON.stringify(r.body.resource_records)),
        ],
      );
    }
    const synced: string[] = [];
    for (const c of todo) {
      if (c.kind !== 'update') continue;
      await tx.update(Rrset, { id: c.existing.id }, { ttl: c.body.ttl, resourceRecords: c.body.resource_records });
      if (c.existing.meta.failover) synced.push(c.existing.id);
    }
    return synced;
  }
}

/**
 * The file's records and TTL over what the record set had: a record that stays keeps its
 * enabled flag and settings (geo, weight); the record set keeps its pickers and failover.
 */
function merge(old: Rrset, imported: RrsetBody): RrsetBody {
  const kept = new Map(old.resourceRecords.map((r) => [contentKey(r.content), r]));
  return {
    ...imported,
    resource_records: imported.resource_records.map((r) => kept.get(contentKey(r.content)) ?? r),
  };
}

function same(old: Rrset, body: RrsetBody): boolean {
  return old.ttl === body.ttl && JSON.stringify(old.resourceRecords) === JSON.stringify(body.resource_records);
}

/**
 * A CNAME is alone at its name (RFC 1034 §3.6.2) and never at the apex, over the zone as it
 * will be: what it has, with the file's record sets added or replaced.
 */
function exclusivity(zone: Zone, imported: ImportedRrset[], existing: Rrset[]): LineIssue[] {
  const types = typesAfter(existing, [], imported);
  const issues: LineIssue[] = [];
  for (const r of imported) {
    const reason = r.type === 'CNAME' && r.name === zone.name ? APEX_CNAME : cnameConflict(r.name, types.get(r.name));
    if (reason) issues.push({ line: r.lines[0]!, reason });
  }
  return issues;
}
