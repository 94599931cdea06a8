import { deleteKeys as deleteKeysOf, TEST_REDIS_URL } from '@vigil/stack';
import { randomBytes } from 'node:crypto';

/** The Redis every test uses (tests that kill Redis start their own). */
export { TEST_REDIS_URL };

/** A prefix no other test run uses, so runs can share one Redis. */
export const uniquePrefix = (what: string) => `vigiltest-${what}-${randomBytes(4).toString('hex')}:`;

/** Deletes every key under `prefix` (ours, and BullMQ's `${prefix}bull:...`). */
export const deleteKeys = (prefix: string): Promise<void> => deleteKeysOf(TEST_REDIS_URL, prefix);

/** Polls until a truthy value, or fails naming what it waited for (the one poll helper, of @vigil/stack). */
export { until as waitFor } from '@vigil/stack';
