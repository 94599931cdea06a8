import { FAILOVER_TYPES } from '@vigil/contract';
import type { EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { Rrset } from '../rrsets/rrset.entity';
import { Zone } from '../zones/zone.entity';

/** A zone as one consistent read: the zone, its account and its record sets. */
export interface ZoneSnapshot {
  zone: Zone;
  account: Account;
  /** Every record set of the zone, by name and type; only the failover candidates when loaded with `failoverOnly`. */
  rrsets: Rrset[];
}

/**
 * Loads zones with their accounts and record sets in three queries, whatever their number: the
 * given zones with all their record sets (for publishing), or, with `failoverOnly`, every zone
 * that has a record set with a failover check, with just those (for the probe schedules).
 * Call it inside a REPEATABLE READ transaction so the three reads agree.
 */
export async function loadSnapshots(tx: EntityManager, which: { zoneIds: string[] } | { failoverOnly: true }): Promise<ZoneSnapshot[]> {
  let rrsets: Rrset[];
  if ('zoneIds' in which) {
    if (which.zoneIds.length === 0) return [];
    rrsets = await rrsetRows(tx, 'r.zone_id = ANY($1) ORDER BY r.name, r.type', [which.zoneIds]);
  } else {
    rrsets = await rrsetRows(tx, `r.meta ? 'failover' AND r.type = ANY($1) ORDER BY r.name, r.type`, [[...FAILOVER_TYPES]]);
  }
  return withZones(tx, 'zoneIds' in which ? which.zoneIds : [...new Set(rrsets.map((r) => r.zoneId))], rrsets);
}

/**
 * Record sets by a plain query: a whole large zone is read to be published, and the ORM's
 * hydration (dates parsed, columns transformed, entities merged) cost more than the query.
 */
async function rrsetRows(tx: EntityManager, where: string, params: unknown[]): Promise<Rrset[]> {
  const rows = (await tx.query(
    `SELECT r.id, r.zone_id, r.name, r.type, r.ttl, r.resource_records, r.pickers, r.meta, r.overrides,
            (extract(epoch FROM r.created_at) * 1000)::float8 AS created_at, (extract(epoch FROM r.updated_at) * 1000)::float8 AS updated_at
     FROM rrsets r WHERE ${where}`,
    params,
  )) as Record<string, unknown>[];
  return rows.map(rrsetFromJson);
}

/**
 * The given zones with their accounts and, of their record sets, only those at the given names:
 * what a delta publishes, in three queries whatever the zones' sizes (the name index does the work).
 */
export async function loadDeltaSnapshots(tx: EntityManager, names: Map<string, Set<string>>): Promise<ZoneSnapshot[]> {
  const zoneIds = [...names.keys()];
  if (zoneIds.length === 0) return [];
  const rrsets = await tx
    .createQueryBuilder(Rrset, 'r')
    .where('r.zone_id = ANY(:ids)', { ids: zoneIds })
    .andWhere('r.name = ANY(:names)', { names: [...new Set([...names.values()].flatMap((s) => [...s]))] })
    .getMany();
  return withZones(
    tx,
    zoneIds,
    rrsets.filter((r) => names.get(r.zoneId)!.has(r.name)),
  );
}

/** The zones of these record sets, with their accounts, in two queries. */
async function withZones(tx: EntityManager, zoneIds: string[], rrsets: Rrset[]): Promise<ZoneSnapshot[]> {
  if (zoneIds.length === 0) return [];
  const zones = await tx.createQueryBuilder(Zone, 'z').where('z.id = ANY(:ids)', { ids: zoneIds }).getMany();
  if (zones.length === 0) return [];
  const accounts = await tx
    .createQueryBuilder(Account, 'a')
    .where('a.id = ANY(:ids)', { ids: [...new Set(zones.map((z) => z.accountId))] })
    .getMany();
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const rrsetsByZone = new Map<string, Rrset[]>();
  for (const r of rrsets) (rrsetsByZone.get(r.zoneId) ?? rrsetsByZone.set(r.zoneId, []).get(r.zoneId)!).push(r);
  return zones.map((zone) => ({ zone, account: accountById.get(zone.accountId)!, rrsets: rrsetsByZone.get(zone.id) ?? [] }));
}

/** A `zones` row as `to_jsonb` gives it (from a statement that returns what it committed). */
export function zoneFromJson(j: Record<string, unknown>): Zone {
  return Object.assign(new Zone(), {
    id: j.id as string,
    accountId: j.account_id as string,
    name: j.name as string,
    serial: Number(j.serial),
    version: Number(j.version),
    contact: j.contact as string,
    primaryServer: j.primary_server as string,
    refresh: j.refresh as number,
    retry: j.retry as number,
    expiry: j.expiry as number,
    nxTtl: j.nx_ttl as number,
    enabled: j.enabled as boolean,
    createdAt: new Date(j.created_at as string | number),
    updatedAt: new Date(j.updated_at as string | number),
  });
}

/** An `rrsets` row as `to_jsonb` gives it (or rrsetRows, with its times in epoch milliseconds). */
export function rrsetFromJson(j: Record<string, unknown>): Rrset {
  return Object.assign(new Rrset(), {
    id: j.id as string,
    zoneId: j.zone_id as string,
    name: j.name as string,
    type: j.type as Rrset['type'],
    ttl: j.ttl as number,
    resourceRecords: j.resource_records as Rrset['resourceRecords'],
    pickers: j.pickers as Rrset['pickers'],
    meta: j.meta as Rrset['meta'],
    overrides: (j.overrides as Rrset['overrides'] | undefined) ?? [],
    createdAt: new Date(j.created_at as string | number),
    updatedAt: new Date(j.updated_at as string | number),
  });
}
