import type { ProbeResult } from '@vigil/contract';

/** What one check of one address concluded, before it is stamped with time and location. */
export interface CheckOutcome {
  ok: boolean;
  /** Time to the answer that decided the check (connect, handshake, response head); null without one. */
  latencyMs: number | null;
  error: string | null;
  /**
   * The probe itself could not run the check (no raw sockets, out of file descriptors or local
   * ports): such an outcome is logged and not stored, so a sick probe never votes a target down.
   */
  probeFault?: boolean;
  /**
   * With probeFault: the probe could not judge the target (overloaded: its event loop stalled or
   * its deadline fired late; regexp_budget: the regexp could not be matched within its budget;
   * resolver: its resolvers cannot be reached or refuse it, so a CNAME target's name is unknown).
   */
  noVote?: 'overloaded' | 'regexp_budget' | 'resolver';
  /** The check ended at its deadline (set by timeoutFailure; the runner judges and removes it). */
  timedOut?: boolean;
  /** A caveat stored with the result, passing or not (a certificate about to expire). */
  warning?: string;
  /** HTTPS with cert_expiry_days: whole days until the certificate expires. */
  certDaysLeft?: number;
  /** With certDaysLeft: when the certificate expires (ms since epoch). */
  certExpiresAt?: number;
}

export const success = (latencyMs: number): CheckOutcome => ({ ok: true, latencyMs, error: null });
export const failure = (error: string, latencyMs: number | null = null): CheckOutcome => ({ ok: false, latencyMs, error });

/**
 * What a running check is waiting for, told to the runner as it goes ("no reply", "reply does not
 * match /x/"), so the failure it gets when its deadline passes says why, not only "timeout".
 */
export interface CheckProgress {
  waitingFor?: string;
  /**
   * Called at the deadline, when set: the check stops reading and concludes from what arrived in
   * time (a reply whose match was still running may match); null when that is a timeout.
   */
  settle?: () => Promise<CheckOutcome | null>;
}

export const timeoutMessage = (timeoutSeconds: number, waitingFor?: string) =>
  `timeout after ${timeoutSeconds}s${waitingFor ? `: ${waitingFor}` : ''}`;

/** A check that ran out of time: a failure, unless the runner finds the probe itself was too busy. */
export const timeoutFailure = (timeoutSeconds: number, waitingFor?: string): CheckOutcome => ({
  ...failure(timeoutMessage(timeoutSeconds, waitingFor)),
  timedOut: true,
});

/** An outcome that is no vote on the target: logged and counted, not stored. */
export const noVote = (kind: NonNullable<CheckOutcome['noVote']>, error: string): CheckOutcome => ({
  ...failure(error),
  probeFault: true,
  noVote: kind,
});

/** Errors are shown to customers and stored per location: keep them to one short line. */
const MAX_ERROR_LENGTH = 200;

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed by the target',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host down',
  ENETDOWN: 'network down',
  EADDRNOTAVAIL: 'probe out of local addresses or ports',
  ENOBUFS: 'probe out of buffer space',
  ENOMEM: 'probe out of memory',
  EACCES: 'not permitted',
  EPERM: 'not permitted',
  ETIMEDOUT: 'connection timed out',
  EMFILE: 'probe out of file descriptors',
  ENFILE: 'probe out of file descriptors',
};

/** OpenSSL verification failures: Node gives them these codes, with a readable message. */
const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_ERROR_LENGTH ? `${line.slice(0, MAX_ERROR_LENGTH - 1)}…` : line;
}

/** A short, stable reason for a failed connection, TLS handshake or HTTP exchange. */
export function describeError(err: unknown): string {
  const e = (err ?? {}) as Error & { code?: string; reason?: string; host?: string; cert?: { subjectaltname?: string } };
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    // Node's text lists every altname; the customer needs only which name did not match.
    return clip(`certificate: not valid for ${e.host ?? 'the requested name'}`);
  }
  if (CERTIFICATE_ERRORS.has(code)) return clip(`certificate: ${e.message}`);
  if (code === 'ECONNRESET' && e.message === 'socket hang up') return 'connection closed before the response';
  if (SOCKET_ERRORS[code]) return SOCKET_ERRORS[code];
  if (code.startsWith('HPE_')) return clip(`invalid HTTP response (${e.reason ?? e.message})`);
  if (code.startsWith('ERR_SSL_') || /SSL routines|alert/i.test(e.message ?? '')) {
    return clip(`TLS handshake failed: ${e.reason ?? e.message}`);
  }
  return clip(e.message || code || String(err));
}

/** Local resource exhaustion: says nothing about the target. */
const PROBE_FAULT_CODES = new Set(['EMFILE', 'ENFILE', 'EADDRNOTAVAIL', 'ENOBUFS', 'ENOMEM']);

/** The outcome of a check that ended with `err`. */
export function errorOutcome(err: unknown): CheckOutcome {
  const code = (err as { code?: unknown } | null)?.code;
  const outcome = failure(describeError(err));
  if (typeof code === 'string' && PROBE_FAULT_CODES.has(code)) outcome.probeFault = true;
  return outcome;
}

/** Latency in ms, to 0.1 ms: finer is noise, coarser hides fast local targets. */
export const roundLatency = (ms: number) => Math.round(ms * 10) / 10;

/** The stored result of one check. */
export function toProbeResult(outcome: CheckOutcome, location: string, frequency: number, at: number): ProbeResult {
  return {
    ok: outcome.ok,
    latency_ms: outcome.latencyMs === null ? null : roundLatency(outcome.latencyMs),
    error: outcome.ok ? null : clip(outcome.error ?? 'failed'),
    at: Math.trunc(at),
    location,
    frequency,
    // Only when there is one: other results are stored as before.
    ...(outcome.warning !== undefined ? { warning: clip(outcome.warning) } : {}),
    ...(outcome.certDaysLeft !== undefined ? { cert_days_left: outcome.certDaysLeft } : {}),
    ...(outcome.certExpiresAt !== undefined ? { cert_expires_at: Math.trunc(outcome.certExpiresAt) } : {}),
  };
}
