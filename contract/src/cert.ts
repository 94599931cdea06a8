import { z } from 'zod';
import type { ProbeResult } from './check-job';

/**
 * Certificate expiry as notifications see it (a check's `cert_expiry_days`): the aggregators turn
 * the readings probes stamp on their results into changes of an address's certificate level, once
 * per change, and the api tells the account's channels of each change. One rule for both planes.
 *
 * - `ok`: outside the check's warning window (the state kept for it is no state at all);
 * - `expiring`: within the window (the result carries a warning);
 * - `critical`: at most CERT_CRITICAL_DAYS whole days left, or expired: the last reminder.
 */
export const CERT_LEVELS = ['ok', 'expiring', 'critical'] as const;
export type CertLevel = (typeof CERT_LEVELS)[number];

/** At most this many whole days left (fewer than 2 days), a certificate in its window is `critical`. */
export const CERT_CRITICAL_DAYS = 1;

const rank = (level: CertLevel) => CERT_LEVELS.indexOf(level);

/** An address's certificate level, as the aggregators keep it (redisKeys.certState) for levels other than `ok`. */
export const CertStateSchema = z.object({
  checkId: z.string(),
  address: z.string(),
  level: z.enum(CERT_LEVELS),
  /** Whole days left at the reading that set this level (negative once expired). */
  days_left: z.int(),
  /** When the certificate read expires (ms since epoch): another, later date is a renewed certificate. */
  expires_at: z.int(),
  /** The reading's time (ms) and the location it came from. */
  at: z.int(),
  location: z.string(),
});
export type CertState = z.infer<typeof CertStateSchema>;

/** One change of an address's certificate level, on the certificate feed (redisKeys.certFeed) for notifications. */
export const CertEventSchema = CertStateSchema.extend({
  previous: z.enum(CERT_LEVELS),
  /** The certificate read expires later than the one `previous` was about: it was renewed (or replaced). */
  renewed: z.boolean(),
});
export type CertEvent = z.infer<typeof CertEventSchema>;

/** What one result says of its certificate: null without a reading (no cert_expiry_days, no TLS answer, no date). */
export interface CertReading {
  level: CertLevel;
  days_left: number;
  expires_at: number;
  at: number;
  location: string;
}

export function certReading(
  result: Pick<ProbeResult, 'warning' | 'cert_days_left' | 'cert_expires_at' | 'at' | 'location'>,
): CertReading | null {
  const { cert_days_left: days, cert_expires_at: expires } = result;
  if (days === undefined || expires === undefined) return null;
  // The probe warns exactly when the certificate is within the check's window.
  const level: CertLevel = result.warning === undefined ? 'ok' : days <= CERT_CRITICAL_DAYS ? 'critical' : 'expiring';
  return { level, days_left: days, expires_at: expires, at: result.at, location: result.location };
}

/**
 * The next state of an address's certificate after a reading: `undefined` when nothing changes,
 * `{state, event}` otherwise, `state` null meaning "ok again" (the kept state is removed).
 *
 * - Entering the window, and reaching `critical`, are told once each: a level only rises for one
 *   certificate, so readings around a boundary (probe clocks a little apart, a window made
 *   shorter) never make it flap.
 * - A certificate that expires later than the one kept is a renewed one: its level is taken
 *   afresh, `ok` is told as renewed, and a renewed one still within the window as expiring again.
 */
export function nextCert(
  current: CertState | null,
  checkId: string,
  address: string,
  reading: CertReading,
): { state: CertState | null; event: CertEvent } | undefined {
  const renewed = current !== null && reading.expires_at > current.expires_at;
  if (reading.level === 'ok') {
    if (!renewed) return undefined;
    return { state: null, event: { checkId, address, ...reading, previous: current.level, renewed } };
  }
  if (!renewed && current !== null && rank(reading.level) <= rank(current.level)) return undefined;
  const state: CertState = { checkId, address, ...reading };
  return { state, event: { ...state, previous: current?.level ?? 'ok', renewed } };
}
