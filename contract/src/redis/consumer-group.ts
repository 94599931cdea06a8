import type { Redis } from 'ioredis';
import { unprefixedCommandKey } from './keys';

export type StreamEntry = [id: string, fields: string[]];

export interface ConsumerGroupOptions {
  /** Commands (XGROUP, XACK, XAUTOCLAIM), with keyPrefix = REDIS_KEY_PREFIX. */
  redis: Redis;
  /** The blocking XREADGROUP's connection (the same keyPrefix); `stop()` disconnects it. */
  reader: Redis;
  stream: string;
  group: string;
  consumer: string;
  /** Handles a batch of entries; they are acknowledged once it returns. */
  handle: (entries: StreamEntry[]) => Promise<void>;
  /** Runs before each read (an aggregator takes over abandoned entries there). */
  beforeRead?: () => Promise<void>;
  /** A failure of the loop, with how many happened in a row; the loop retries after a pause. */
  onError: (err: Error, failures: number) => void;
  batch?: number;
  blockMs?: number;
  /**
   * After a read that returned less than a full batch, wait this long before the next one, so a
   * steady trickle of entries is read (and acknowledged) in batches rather than one round trip
   * pair per entry: for a consumer that may lag a little, never for one on the answer path.
   */
  pauseMs?: number;
  /**
   * Where entries go that fail to be handled for good (`isPoison`: the error is the entry's, not
   * the handler's surroundings): each is moved there with the error and acknowledged, so one bad
   * entry does not hold back the group forever. Without it a failing batch is retried.
   */
  deadLetter?: {
    stream: string;
    isPoison: (err: Error) => boolean;
    onDeadLetter?: (id: string, err: Error) => void;
  };
}

/** Length the dead-letter streams are trimmed to. */
const DEAD_LETTER_MAXLEN = 10_000;

/**
 * One consumer of a Redis consumer group: first re-reads the entries it took but did not
 * acknowledge (a crash, a Redis error), then new ones, each batch acknowledged after it was
 * handled, so an entry is handled at least once by some consumer of the group.
 */
export class ConsumerGroup {
  private stopping = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly opts: ConsumerGroupOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops reading; an entry read but not yet acknowledged is handled again at the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    // Interrupts the blocking read.
    this.opts.reader.disconnect();
    await this.loop;
  }

  async ensureGroup(): Promise<void> {
    const { redis, stream, group } = this.opts;
    if (redis.status === 'wait') await redis.connect();
    try {
      // '0': entries written before the group existed are handled too.
      await redis.xgroup('CREATE', unprefixedCommandKey(redis, stream), group, '0', 'MKSTREAM');
    } catch (e) {
      if (!(e as Error).message.includes('BUSYGROUP')) throw e;
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.ensureGroup();
        let id = '0';
        while (!this.stopping) {
          await this.opts.beforeRead?.();
          const n = await this.readOnce(id);
          if (id === '0' && n === 0) id = '>';
          failures = 0;
          const pause = this.opts.pauseMs ?? 0;
          if (pause > 0 && n > 0 && n < (this.opts.batch ?? 1000) && !this.stopping) await new Promise((r) => setTimeout(r, pause));
        }
      } catch (e) {
        if (this.stopping) return;
        this.opts.onError(e as Error, ++failures);
        await new Promise((r) => setTimeout(r, Math.min(200 * failures, 2000)));
      }
    }
  }

  /** Reads one batch (`id` '0': this consumer's pending entries; '>': new ones), handles and acknowledges it. */
  async readOnce(id: string): Promise<number> {
    const { reader, group, consumer, stream } = this.opts;
    if (reader.status === 'wait') await reader.connect();
    const reply = (await reader.xreadgroup(
      'GROUP',
      group,
      consumer,
      'COUNT',
      this.opts.batch ?? 1000,
      'BLOCK',
      this.opts.blockMs ?? 2000,
      'STREAMS',
      stream,
      id,
    )) as [string, StreamEntry[]][] | null;
    const entries = reply?.[0]?.[1] ?? [];
    await this.settle(entries);
    return entries.length;
  }

  /**
   * Takes over entries another consumer read and has not acknowledged for `idleMs` (it died),
   * at most `rounds` batches at a time so a huge backlog is spread over several turns.
   */
  async claim(idleMs: number, rounds = 10): Promise<number> {
    let cursor = '0-0';
    let total = 0;
    for (let round = 0; round < rounds; round++) {
      const [next, entries] = (await this.opts.redis.xautoclaim(
        this.opts.stream,
        this.opts.group,
        this.opts.consumer,
        idleMs,
        cursor,
        'COUNT',
        this.opts.batch ?? 1000,
      )) as [string, (StreamEntry | null)[], ...unknown[]];
      // Entries deleted from the stream meanwhile come back as null.
      const live = entries.filter((e): e is StreamEntry => e !== null);
      await this.settle(live);
      total += live.length;
      cursor = next;
      if (cursor === '0-0') break;
    }
    return total;
  }

  /** Entries moved to the dead-letter stream since start. */
  deadLettered = 0;

  private async settle(entries: StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const dl = this.opts.deadLetter;
    try {
      await this.opts.handle(entries);
    } catch (e) {
      if (!dl?.isPoison(e as Error)) throw e;
      // One bad entry must not hold back the others: each on its own, the bad ones set aside.
      for (const entry of entries) await this.settleAlone(entry, dl);
      return;
    }
    await this.opts.redis.xack(this.opts.stream, this.opts.group, ...entries.map(([id]) => id));
  }

  private async settleAlone(entry: StreamEntry, dl: NonNullable<ConsumerGroupOptions['deadLetter']>): Promise<void> {
    const { redis, stream, group } = this.opts;
    try {
      await this.opts.handle([entry]);
    } catch (e) {
      if (!dl.isPoison(e as Error)) throw e;
      const [id, fields] = entry;
      await redis
        .multi()
        .xadd(dl.stream, 'MAXLEN', '~', DEAD_LETTER_MAXLEN, '*', 'source-id', id, 'error', (e as Error).message, ...fields)
        .xack(stream, group, id)
        .exec();
      this.deadLettered++;
      dl.onDeadLetter?.(id, e as Error);
      return;
    }
    await redis.xack(stream, group, entry[0]);
  }
}
