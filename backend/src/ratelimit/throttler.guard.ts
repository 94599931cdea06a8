import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { TooManyRequests } from '../common/errors';

/**
 * The throttler's guard, whose 429 carries a plain `Retry-After` for every limit: the library
 * names the header after the limit (`Retry-After-signin`), which no HTTP client knows to read.
 */
@Injectable()
export class VigilThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const seconds = Math.max(1, detail.timeToBlockExpire);
    throw new TooManyRequests(`too many requests; try again in ${seconds} s`, seconds);
  }
}
