import { HttpStatus } from '@nestjs/common';
import { healthField, HealthStateSchema, redisKeys, safeJson, type StoredOverride } from '@vigil/contract';
import type Redis from 'ioredis';
import { apiError } from '../common/errors';
import type { Rrset } from '../rrsets/rrset.entity';
import { isoAt, served } from './view';

/** A record set as it is and as a change would leave it: its records and check, and its overrides. */
export interface GuardSide {
  rrset: Rrset;
  overrides: StoredOverride[];
}

/**
 * The guard of the changes to what a failover record set serves: 409 when the change would leave
 * enabled records but serve none of them (every one drained), or (with `healthy`: an override
 * made or undone) nothing up where something was; `force` lets it through (and the audit entry
 * says so). Returns whether it forced. A PUT of the records is held only to the first: disabling
 * records is the customer's own choice, and Gcore's clients, which cannot send `force`, must not
 * be locked out of it.
 */
export async function guardServed(
  redis: Redis,
  before: GuardSide,
  after: GuardSide,
  at: number,
  { force, healthy }: { force: boolean; healthy: boolean },
): Promise<boolean> {
  // Whether every enabled record is drained does not depend on health (the filter fails open), so
  // only the `healthy` half reads it.
  const down = healthy ? await downAddresses(redis, before.rrset, after.rrset) : new Set<string>();
  const was = served(before.rrset, before.overrides, at, down);
  const will = served(after.rrset, after.overrides, at, down);
  const empties = will.any.length === 0 && after.rrset.resourceRecords.some((r) => r.enabled);
  const losesLastUp = healthy && will.any.length > 0 && will.up === 0 && was.up > 0;
  if (!empties && !losesLastUp) return false;
  if (force) return true;
  const { name, type } = after.rrset;
  const when = at > Date.now() + 1000 ? ` when it starts (${isoAt(at)})` : '';
  throw apiError(
    HttpStatus.CONFLICT,
    empties
      ? `this would leave ${name} ${type} with no served address${when}: every enabled record would be drained. Send force: true to do it anyway`
      : `this would leave ${name} ${type} with no served address that is up${when} (${will.any.join(', ')} failing their checks). Send force: true to do it anyway`,
    { reason: empties ? 'no_served_address' : 'no_healthy_address' },
  );
}

/** The enabled addresses of either side that the aggregators hold unavailable now. */
async function downAddresses(redis: Redis, ...sides: Rrset[]): Promise<Set<string>> {
  const id = sides[0]!.id;
  const addresses = [...new Set(sides.flatMap((r) => r.resourceRecords.filter((rec) => rec.enabled).map((rec) => String(rec.content[0]))))];
  if (addresses.length === 0) return new Set();
  const raw = await redis.hmget(redisKeys.health, ...addresses.map((a) => healthField(id, a)));
  return new Set(
    addresses.filter((_, i) => {
      const h = HealthStateSchema.safeParse(safeJson(raw[i] ?? 'null'));
      return h.success && h.data.state === 'unavailable';
    }),
  );
}
