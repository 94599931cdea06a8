import { type Failover, redisKeys } from '@vigil/contract';
import type Redis from 'ioredis';
import type { FieldIssue } from '../common/errors';

/**
 * What of a check's sites only Redis can tell: every name in `locations` must be a site that has
 * announced itself (reporting, stale or not yet forgotten), as Route 53 and NS1 refuse regions
 * they do not have; and without `locations`, `min_locations` must not exceed the sites known.
 * `known` null: Redis did not answer, so nothing is checked (the write does not depend on it).
 */
export function probeSiteIssues(failover: Failover | null | undefined, known: readonly string[] | null, root: string): FieldIssue[] {
  if (!failover || known === null) return [];
  const issues: FieldIssue[] = [];
  const list = [...known].sort().join(', ');
  failover.locations?.forEach((name, i) => {
    if (known.includes(name)) return;
    const hint = known.length ? `the known ones are ${list}` : 'no probe site has announced itself yet';
    issues.push({ field: `${root}.locations[${i}]`, reason: `is not a known probe site; ${hint}` });
  });
  if (!failover.locations && failover.min_locations !== undefined && known.length > 0 && failover.min_locations > known.length) {
    issues.push({
      field: `${root}.min_locations`,
      reason: `must be at most ${known.length}, the number of probe sites known (${list})`,
    });
  }
  return issues;
}

/** Every site that announced itself and was not forgotten; null when Redis does not answer. */
export async function knownSites(redis: Redis): Promise<string[] | null> {
  try {
    return await redis.zrange(redisKeys.locations, 0, -1);
  } catch {
    return null;
  }
}
