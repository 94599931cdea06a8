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
  /** Stream of ProbeReport (field `report`): every probe result, read by the aggregators' consumer group. */
  resultsFeed: `${KEY_PREFIX}results-feed`,
  /** Sorted set: location -> last heartbeat (ms since epoch). */
  locations: `${KEY_PREFIX}locations`,
} as const;

export const healthField = (checkId: string, address: string) => `${checkId}/${address}`;

/** BullMQ queue of one probe location (BullMQ adds its own `bull:` prefix). */
export const probeQueueName = (location: string) => `probe-${location}`;

/** The id of the BullMQ job scheduler that runs one record set's check in one location. */
export const probeSchedulerId = (checkId: string) => `check:${checkId}`;

/** Name of the probe jobs. */
export const PROBE_JOB_NAME = 'check';

/** Consumer group of the aggregators on the results feed. */
export const AGGREGATOR_GROUP = 'aggregators';

/** Field of a results-feed entry. */
export const REPORT_FIELD = 'report';

/** A location whose probe has not sent a heartbeat for this long is left out of scheduling. */
export const LOCATION_STALE_AFTER_MS = 60_000;

/** Approximate length the feed is trimmed to; a consumer further behind reloads everything. */
export const FEED_MAXLEN = 100_000;
