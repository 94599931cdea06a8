import { z } from 'zod';

/** Every Redis key and queue name that the control plane and the data plane share. */
export const KEY_PREFIX = 'vigil:';

export const redisKeys = {
  /** Hash: the zone's head (`@zone`) and its record sets (`<name> <type>`), each `<version> <json>` or `<version> ~<plain form>` (see redis/zones.ts). */
  zone: (name: string) => `${KEY_PREFIX}zone-data:${name}`,
  /** Hash: zone name -> version of every published zone. (Named anew with the hash format, so an upgrade republishes everything.) */
  zoneIndex: `${KEY_PREFIX}zone-index`,
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
  /** Stream: entries a consumer group could not handle for good (`source-id`, `error`, then the entry's fields). */
  deadLetter: (group: string) => `${KEY_PREFIX}dead-letter:${group}`,
  /** Stream of CheckNowReport (field `report`): one entry per location of a one-off run; expires after CHECK_NOW_TTL_MS. */
  checkNow: (runId: string) => `${KEY_PREFIX}check-now:${runId}`,
  /** String with a TTL: a record set's one-off run in flight or in its cool-down (JSON, see backend/src/check-now). */
  checkNowRun: (checkId: string) => `${KEY_PREFIX}check-now-run:${checkId}`,
  /** Sorted set: location -> last heartbeat (ms since epoch). */
  locations: `${KEY_PREFIX}locations`,
  /** Hash: location -> `<latitude>,<longitude>` (its PROBE_LATLONG), written with the heartbeat; for the geodistance picker's `rtt` option. */
  locationPoints: `${KEY_PREFIX}location-points`,
  /** Hash: `${checkId}/${address}` -> the smoothed RTT measured from this location (see rtt.ts, formatRtt); written by the aggregators. */
  rtt: (location: string) => `${KEY_PREFIX}rtt:${location}`,
  /**
   * String, set by the api's reconciler once Redis holds every zone and probe schedule; absent
   * from a Redis that lost its data (restarted empty) or was never filled, which the api then
   * fills at once and the DNS servers do not take as "no zones".
   */
  published: `${KEY_PREFIX}published`,
  /** Hash: `${checkId}/${address}` -> JSON CertState of an address whose certificate is within its check's warning window (cert.ts); written by the aggregators. */
  certState: `${KEY_PREFIX}cert-state`,
  /** Stream of CertEvent (field `event`): each change of a certificate's level, for notifications. */
  certFeed: `${KEY_PREFIX}cert-feed`,
  /** Hash: `${checkId}/${address}` -> the last state notifications were told of. */
  notifyLast: `${KEY_PREFIX}notify-last`,
  /** String with a TTL: this feed entry was taken in by notifications (a redelivered one is not taken twice). */
  notifySeen: (feedId: string) => `${KEY_PREFIX}notify-seen:${feedId}`,
  /** String with a TTL: this certificate-feed entry was taken in by notifications. */
  notifyCertSeen: (feedId: string) => `${KEY_PREFIX}notify-cert-seen:${feedId}`,
  /**
   * Hash: feed id -> `<previous state> <HealthState JSON>`, an account's transitions waiting for
   * their message, and `cert:<certificate feed id>` -> CertEvent JSON, its certificates' changes.
   */
  notifyPending: (accountId: string) => `${KEY_PREFIX}notify-pending:${accountId}`,
  /** Sorted set: account id -> when its first pending transition came (ms); due once the coalescing window passed. */
  notifyDue: `${KEY_PREFIX}notify-due`,
  /** Hash: a claimed batch (an account's pending transitions, `@account` its id) until its deliveries are queued. */
  notifyBatch: (batchId: string) => `${KEY_PREFIX}notify-batch:${batchId}`,
  /** Sorted set: batch id -> when it was claimed (ms); one claimed long ago lost its api process and is taken over. */
  notifyBatches: `${KEY_PREFIX}notify-batches`,
} as const;

/**
 * REDIS_KEY_PREFIX, prepended to every key (ioredis keyPrefix) and to BullMQ's prefix, so several
 * installations or test runs can share one Redis. One rule for the api and the workers.
 */
export const RedisKeyPrefixSchema = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9:_-]*$/, { error: 'may hold only letters, digits, ":", "_" and "-"' })
  .default('');

export const healthField = (checkId: string, address: string) => `${checkId}/${address}`;

/** BullMQ queue of one probe location (BullMQ adds its own `bull:` prefix). */
export const probeQueueName = (location: string) => `probe-${location}`;

/** The id of the BullMQ job scheduler that runs one record set's check in one location. */
export const probeSchedulerId = (checkId: string) => `check:${checkId}`;

/**
 * BullMQ's `prefix` for REDIS_KEY_PREFIX: BullMQ refuses ioredis' keyPrefix and takes its own,
 * so the api (which schedules) and the probes (which work) must build it the same way.
 */
export const bullPrefix = (redisKeyPrefix: string) => `${redisKeyPrefix}bull`;

/** BullMQ queue of notification deliveries (one job per message and channel). */
export const NOTIFY_QUEUE = 'notifications';

/** Name of the probe jobs. */
export const PROBE_JOB_NAME = 'check';

/** Name of the one-off probe jobs ("check now"), whose data is a CheckNowJob. */
export const CHECK_NOW_JOB_NAME = 'check-now';

/** The BullMQ job id of a one-off run in a location's queue (BullMQ ids cannot hold ':'). */
export const checkNowJobId = (runId: string) => `now-${runId}`;

/** How long a one-off run's stream is kept (a request that joined late can still read it). */
export const CHECK_NOW_TTL_MS = 300_000;

/** Consumer group of the aggregators on the results feed. */
export const AGGREGATOR_GROUP = 'aggregators';

/** Field of a results-feed entry. */
export const REPORT_FIELD = 'report';

/** How often a probe announces its location. */
export const HEARTBEAT_INTERVAL_MS = 10_000;

/** A location whose probe has not sent a heartbeat for this long is left out of scheduling. */
export const LOCATION_STALE_AFTER_MS = 60_000;

/** Approximate length the feed is trimmed to; a consumer further behind reloads everything. */
export const FEED_MAXLEN = 100_000;

/** Approximate length the certificate feed is trimmed to. */
export const CERT_FEED_MAXLEN = 10_000;

/** Approximate length the results feed is trimmed to (the aggregators read it as it grows). */
export const RESULTS_FEED_MAXLEN = 100_000;
