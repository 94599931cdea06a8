import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';

/** The Redis every test of the workers uses (tests that kill Redis start their own). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other test run uses, so runs can share one Redis. */
export const uniquePrefix = (what: string) => `vigiltest-${what}-${randomBytes(4).toString('hex')}:`;

/** Deletes every key under `prefix` (ours, and BullMQ's `${prefix}bull:...`). */
export async function deleteKeys(prefix: string): Promise<void> {
  const raw = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await raw.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    raw.disconnect();
  }
}

/** Polls until a truthy value, or fails naming what it waited for (the one poll helper, of @vigil/stack). */
export { until as waitFor } from '@vigil/stack';
