import type { CheckJob, Failover } from '@vigil/contract';
import type { AccountFeatures } from '../accounts/account.entity';
import type { Rrset } from '../rrsets/rrset.entity';
import type { Zone } from '../zones/zone.entity';

/**
 * The probe job of a record set, or null when nothing should be probed: failover off, the
 * account without the beta feature, the zone disabled, or no enabled address.
 */
export function checkJobFor(rrset: Rrset, zone: Zone, features: AccountFeatures): CheckJob | null {
  const check = rrset.meta.failover as Failover | null | undefined;
  if (!check || !features.failover || !zone.enabled) return null;
  if (rrset.type !== 'A' && rrset.type !== 'AAAA') return null;
  const addresses = rrset.resourceRecords.filter((r) => r.enabled).map((r) => String(r.content[0]));
  if (addresses.length === 0) return null;
  return { checkId: rrset.id, zone: zone.name, name: rrset.name, type: rrset.type, addresses, check };
}
