// The smoothed RTT per (check, address, location) that the geodistance picker's `rtt` option ranks
// by. The aggregators keep it because they already take every probe result exactly once (their
// consumer group on the results feed): no second reader of the feed, no state in a process.
import {
  formatRtt,
  healthField,
  nextRtt,
  parseRtt,
  type ProbeReport,
  redisKeys,
  RTT_KEEP_PERIODS,
  RTT_KEY_TTL_MS,
  type RttSample,
} from '@vigil/contract';
import type { default as Redis } from 'ioredis';

/**
 * Folds results into each location's RTT hash: one pipelined read of the samples the batch
 * touches, the rule (`nextRtt`, contract) in order, one pipelined write. Two aggregators updating
 * one sample at once is near impossible (a location reports an address once per period, and an
 * entry goes to one aggregator), and would cost one smoothing step, never a wrong state: no
 * compare-and-set. A redelivered entry changes nothing (nextRtt ignores results not newer).
 */
export async function recordRtts(redis: Redis, reports: readonly ProbeReport[]): Promise<number> {
  if (reports.length === 0) return 0;
  const read = redis.pipeline();
  for (const r of reports) read.hget(redisKeys.rtt(r.location), healthField(r.checkId, r.address));
  const replies = (await read.exec()) ?? [];
  const latest = new Map<string, RttSample | null>();
  const changed = new Map<string, { key: string; field: string; sample: RttSample }>();
  reports.forEach((r, i) => {
    const [err, raw] = replies[i]!;
    if (err) throw err;
    const key = redisKeys.rtt(r.location);
    const field = healthField(r.checkId, r.address);
    const id = `${key} ${field}`;
    // A batch may hold two results of one sample: the second builds on the first.
    const prev = latest.has(id) ? latest.get(id)! : parseRtt(raw as string | null);
    const next = nextRtt(prev, r);
    if (next === null) return;
    latest.set(id, next);
    changed.set(id, { key, field, sample: next });
  });
  if (changed.size === 0) return 0;
  const write = redis.pipeline();
  const keys = new Set<string>();
  for (const { key, field, sample } of changed.values()) {
    write.hset(key, field, formatRtt(sample));
    keys.add(key);
  }
  for (const key of keys) write.pexpire(key, RTT_KEY_TTL_MS);
  for (const [err] of (await write.exec()) ?? []) if (err) throw err;
  return changed.size;
}

/**
 * Removes the samples no result renewed for RTT_KEEP_PERIODS periods (a check removed, an address
 * taken out) from the hashes of the locations Redis knows, a scan page at a time so Redis never
 * blocks on a large hash. Returns how many it removed.
 */
export async function pruneRtts(redis: Redis, now: number): Promise<number> {
  const locations = new Set([...(await redis.zrange(redisKeys.locations, 0, -1)), ...(await redis.hkeys(redisKeys.locationPoints))]);
  let removed = 0;
  for (const location of locations) {
    const key = redisKeys.rtt(location);
    let cursor = '0';
    do {
      const [next, flat] = await redis.hscan(key, cursor, 'COUNT', 1000);
      cursor = next;
      const stale: string[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const s = parseRtt(flat[i + 1]);
        if (s === null || now - s.at > RTT_KEEP_PERIODS * s.frequency * 1000) stale.push(flat[i]!);
      }
      if (stale.length > 0) removed += await redis.hdel(key, ...stale);
    } while (cursor !== '0');
  }
  return removed;
}
