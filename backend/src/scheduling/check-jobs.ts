import type { CheckJob } from '@vigil/contract';
import type { AccountFeatures } from '../accounts/account.entity';
import { failoverApplies } from '../publishing/failover';
import type { Rrset } from '../rrsets/rrset.entity';
import type { Zone } from '../zones/zone.entity';

/**
 * The probe job of a record set, or null when nothing should be probed: failover does not apply,
 * the zone is disabled, or no address is enabled.
 */
export function checkJobFor(rrset: Rrset, zone: Zone, features: AccountFeatures): CheckJob | null {
  const check = failoverApplies(rrset, features);
  if (!check || !zone.enabled) return null;
  const addresses = rrset.resourceRecords.filter((r) => r.enabled).map((r) => String(r.content[0]));
  if (addresses.length === 0) return null;
  return { checkId: rrset.id, zone: zone.name, name: rrset.name, type: rrset.type as CheckJob['type'], addresses, check };
}
