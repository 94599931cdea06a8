import { isoTime, LOCATION_STALE_AFTER_MS, redisKeys } from '@vigil/contract';
import type Redis from 'ioredis';
import { z } from 'zod';

/**
 * A site is a probe location. It announces itself with a heartbeat (`vigil:locations`, location
 * → last beat in ms); this is the one rule, for the customers' health read-out and the support
 * console, of what that heartbeat says about it.
 */

/** Without a heartbeat for this long a site is shown as gone (decommissioned, most likely); it stays stale for scheduling. */
export const SITE_GONE_AFTER_MS = 24 * 3600_000;

export const SiteStateSchema = z.enum(['reporting', 'stale', 'gone']).meta({
  description:
    `\`reporting\`: a heartbeat within the last ${LOCATION_STALE_AFTER_MS / 1000} s, so its probe is given checks; ` +
    `\`stale\`: none within ${LOCATION_STALE_AFTER_MS / 1000} s, left out of scheduling; ` +
    `\`gone\`: none for ${SITE_GONE_AFTER_MS / 3600_000} hours, or not announced at all`,
});
export type SiteState = z.output<typeof SiteStateSchema>;

/** The same test as the scheduler's `activeLocations()`: a beat no older than LOCATION_STALE_AFTER_MS. */
export function siteState(lastHeartbeat: number | undefined, now: number): SiteState {
  if (lastHeartbeat === undefined || now - lastHeartbeat > SITE_GONE_AFTER_MS) return 'gone';
  return lastHeartbeat >= now - LOCATION_STALE_AFTER_MS ? 'reporting' : 'stale';
}

export interface Site {
  name: string;
  /** Last heartbeat, ms since the epoch. */
  lastHeartbeat: number;
  /** The same as ISO 8601. */
  lastHeartbeatIso: string;
}

/** Every site that ever announced itself (and was not forgotten), by name: one ZRANGE. */
export async function readSites(redis: Redis): Promise<Site[]> {
  const flat = await redis.zrange(redisKeys.locations, 0, -1, 'WITHSCORES');
  const sites: Site[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const lastHeartbeat = Number(flat[i + 1]);
    // A score no date can hold (written by hand, say) is not a heartbeat: left out, never a 500.
    const iso = isoTime(lastHeartbeat);
    if (iso !== null) sites.push({ name: flat[i]!, lastHeartbeat, lastHeartbeatIso: iso });
  }
  return sites.sort((a, b) => a.name.localeCompare(b.name));
}
