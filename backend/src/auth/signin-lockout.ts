import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { TooManyRequests } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { REDIS } from '../redis/redis.module';

/** The longest lock, however many failures came before it. */
const MAX_LOCK_MS = 15 * 60_000;
/** Failures are forgotten this long after the last attempt for the e-mail address. */
const MEMORY_MS = 60 * 60_000;

// Counts an attempt before its password is checked, so that concurrent guesses cannot all pass
// before the first failure is recorded; a successful sign-in clears the count. The attempt that
// reaches the limit (and every later one, each after the previous lock) starts a lock, doubling
// from the configured length up to MAX_LOCK_MS, and is still checked: the right password lifts it.
const BEGIN = `
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return locked end
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local limit = tonumber(ARGV[1])
if n >= limit then
  local ms = math.min(tonumber(ARGV[2]) * 2 ^ math.min(n - limit, 32), tonumber(ARGV[3]))
  redis.call('SET', KEYS[2], '1', 'PX', math.floor(ms))
end
return 0`;

type BeginCommand = (failures: string, lock: string, limit: number, lockMs: number, maxMs: number, memoryMs: number) => Promise<number>;

/**
 * The per-account sign-in limit: failed attempts per e-mail address across all client addresses,
 * counted in Redis so that every api process shares them. It complements the per-address limit,
 * which an attacker with many addresses gets around. Unknown addresses are counted alike, so a
 * lock says nothing about whether the address has a user. A lock is short and only failures make
 * one, so an attacker can slow a real user's sign-in down but not lock them out for long.
 */
@Injectable()
export class SigninLockout {
  private readonly logger = new Logger('SigninLockout');

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    if (!('vigilSigninBegin' in redis)) redis.defineCommand('vigilSigninBegin', { numberOfKeys: 2, lua: BEGIN });
  }

  /** Records an attempt for `email`; throws 429 (with Retry-After) while the address is locked. */
  async begin(email: string): Promise<void> {
    const [failures, lock] = this.keys(email);
    let lockedMs: number;
    try {
      const run = (this.redis as unknown as { vigilSigninBegin: BeginCommand }).vigilSigninBegin;
      lockedMs = await run.call(
        this.redis,
        failures,
        lock,
        this.config.SIGNIN_FAILURES_PER_ACCOUNT,
        this.config.SIGNIN_LOCK_SECONDS * 1000,
        MAX_LOCK_MS,
        MEMORY_MS,
      );
    } catch (e) {
      // As the other limits: without Redis, sign-in stays available rather than refused for all.
      this.logger.warn(`sign-in failures not counted: ${(e as Error).message}`);
      return;
    }
    if (lockedMs > 0) {
      const seconds = Math.ceil(lockedMs / 1000);
      throw new TooManyRequests(`too many failed sign-ins for this e-mail address; try again in ${seconds} s`, seconds);
    }
  }

  /** A successful sign-in: the address's failures and lock are forgotten. */
  async succeeded(email: string): Promise<void> {
    await this.redis.del(...this.keys(email)).catch((e: Error) => this.logger.warn(`sign-in failures not cleared: ${e.message}`));
  }

  /** Keyed by a digest of the normalised address, so Redis holds no e-mail addresses. */
  private keys(email: string): [string, string] {
    const id = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
    return [`vigil:signin:${id}:failures`, `vigil:signin:${id}:lock`];
  }
}
