import { deleteKeys, TEST_REDIS_URL } from '@vigil/stack';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { ConsumerGroup, type StreamEntry } from './consumer-group';

const prefix = `vigil_cg_${randomBytes(4).toString('hex')}:`;
const redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
afterAll(async () => {
  redis.disconnect();
  await deleteKeys(TEST_REDIS_URL, prefix);
});

/** A group on its own stream; `batches` records the size of each batch handled. */
function group(stream: string, pauseMs?: number) {
  const batches: number[] = [];
  const g = new ConsumerGroup({
    redis,
    reader: new Redis(TEST_REDIS_URL, { keyPrefix: prefix, lazyConnect: true }),
    stream,
    group: 'g',
    consumer: 'c',
    batch: 100,
    blockMs: 100,
    pauseMs,
    handle: async (entries: StreamEntry[]) => void batches.push(entries.length),
    onError: () => undefined,
  });
  return { g, batches };
}

/** Writes `n` entries, one every `everyMs`. */
async function trickle(stream: string, n: number, everyMs: number) {
  for (let i = 0; i < n; i++) {
    await redis.xadd(stream, '*', 'n', String(i));
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe('ConsumerGroup (real Redis)', () => {
  it('reads a trickle of entries as they come without a pause, in batches with one', async () => {
    for (const [stream, pause] of [
      ['eager', undefined],
      ['paced', 1000],
    ] as const) {
      const { g, batches } = group(stream, pause);
      await g.ensureGroup();
      g.start();
      await trickle(stream, 20, 20);
      await new Promise((r) => setTimeout(r, pause === undefined ? 300 : 1500));
      await g.stop();
      expect(batches.reduce((a, b) => a + b, 0)).toBe(20);
      // 20 entries over about 400 ms: one batch of the first entry, then one or two of the rest.
      if (pause === undefined) expect(batches.length).toBeGreaterThanOrEqual(8);
      else expect(batches.length).toBeLessThanOrEqual(3);
    }
  });
});
