import { deleteKeys as deleteKeysOf } from '@vigil/stack';
import { randomBytes } from 'node:crypto';

/** The Redis every test of the workers uses (tests that kill Redis start their own). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other test run uses, so runs can share one Redis. */
export const uniquePrefix = (what: string) => `vigiltest-${what}-${randomBytes(4).toString('hex')}:`;

/** Deletes every key under `prefix` (ours, and BullMQ's `${prefix}bull:...`). */
export const deleteKeys = (prefix: string): Promise<void> => deleteKeysOf(TEST_REDIS_URL, prefix);

/** Polls until a truthy value, or fails naming what it waited for (the one poll helper, of @vigil/stack). */
export { until as waitFor } from '@vigil/stack';
