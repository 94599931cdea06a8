import type { EntityManager } from 'typeorm';

/**
 * Marks zones changed inside the caller's transaction: a new publish version, and (for changes
 * of served data) a new SOA serial. Serials only grow and follow the clock where they can.
 */
export async function touchZones(tx: EntityManager, zoneIds: string[], opts: { serial: boolean }): Promise<void> {
  if (zoneIds.length === 0) return;
  await tx.query(
    `UPDATE zones SET version = nextval('zone_version_seq')${
      opts.serial ? ', serial = GREATEST(serial + 1, extract(epoch from now())::bigint), updated_at = now()' : ''
    } WHERE id = ANY($1)`,
    [zoneIds],
  );
}

/** A version newer than every zone's, for tombstones of zones only Redis still knows. */
export async function freshVersion(tx: EntityManager): Promise<number> {
  const [row] = await tx.query(`SELECT nextval('zone_version_seq') AS v`);
  return Number(row.v);
}

/**
 * Serialises, until the caller's transaction ends, every create and delete of these zone names
 * (and so their versions: a zone created after a delete of its name commits is numbered after
 * it). Locks are taken in one order, so two transactions naming overlapping sets never deadlock.
 */
export async function lockZoneNames(tx: EntityManager, names: string[]): Promise<void> {
  for (const name of [...new Set(names)].sort()) {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`vigil:zone:${name}`]);
  }
}
