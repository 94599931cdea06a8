/** Every Redis key and queue name that the control plane and the data plane share. */
export const KEY_PREFIX = 'vigil:';

export const redisKeys = {
  /** String: JSON CompiledZone. */
  zone: (name: string) => `${KEY_PREFIX}zone:${name}`,
  /** Hash: zone name -> version of every published zone. */
  zoneIndex: `${KEY_PREFIX}zones`,
  /** Hash: zone name -> version at which it was deleted, so a late, older publish cannot revive it. */
  zoneTombstones: `${KEY_PREFIX}zone-tombstones`,
  /** Stream of FeedEvent (field `event`). */
  feed: `${KEY_PREFIX}feed`,
  /** Hash: `${checkId}/${address}` -> JSON HealthState. */
  health: `${KEY_PREFIX}health`,
  /** Hash: location -> JSON ProbeResult, one per (check, address). */
  results: (checkId: string, address: string) => `${KEY_PREFIX}results:${checkId}/${address}`,
  /** Sorted set: location -> last heartbeat (ms since epoch). */
  locations: `${KEY_PREFIX}locations`,
} as const;

export const healthField = (checkId: string, address: string) => `${checkId}/${address}`;

/** BullMQ queue of one probe location. */
export const probeQueueName = (location: string) => `probe-${location}`;

/** Approximate length the feed is trimmed to; a consumer further behind reloads everything. */
export const FEED_MAXLEN = 100_000;
