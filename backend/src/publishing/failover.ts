import { type Failover, isFailoverType } from '@vigil/contract';
import type { AccountFeatures } from '../accounts/account.entity';

/**
 * The one rule for whether failover applies to a record set: it has a check, it is of a type failover watches (A, AAAA, CNAME), and
 * the account has the beta feature. Without the feature the record set is served and shown as a
 * plain one. Returns the check when it applies, otherwise null.
 */
export function failoverApplies(rrset: { type: string; meta: { failover?: unknown } }, features: AccountFeatures): Failover | null {
  const check = rrset.meta.failover as Failover | null | undefined;
  if (!check || !features.failover) return null;
  return isFailoverType(rrset.type) ? check : null;
}
