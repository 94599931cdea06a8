import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { statusExpected } from '@vigil/contract';
import { type CheckOutcome, errorOutcome, failure, success } from '../result';
import { type MatchResult, matchOutcome } from './body-match';
import { type CheckContext, checkEnding } from './context';
import { REPLY_LIMIT, sniFor } from './tcp';

/** The regexp sees at most this much of the body; reading stops there. */
export const BODY_LIMIT = REPLY_LIMIT;

export interface HttpCheckOptions {
  https: boolean;
  address: string;
  port: number;
  method: string;
  path: string;
  /** Host header, SNI and certificate name; the address when unset. */
  host?: string;
  /** null: any HTTP answer passes (Gcore's meaning of an empty http_status_code). */
  expectedStatus: number | null;
  /** http_status_codes: statuses (200, "200") and ranges ("200-299"); when set, instead of expectedStatus. */
  expectedStatuses?: (number | string)[];
  regexp?: string;
  /** The body must NOT match regexp. */
  invert?: boolean;
  /** Request headers added to (or replacing) the probe's own; the contract refuses Host and framing headers. */
  headers?: Record<string, string>;
  /** HTTPS: warn when the certificate expires within this many days. */
  certExpiryDays?: number;
  verify: boolean;
  userAgent: string;
}

const DAY_MS = 86_400_000;

/** The certificate's expiry and whole days left, with a warning when it expires within `days` days. */
export function certExpiry(
  validTo: string | undefined,
  days: number,
  now = Date.now(),
): Pick<CheckOutcome, 'warning' | 'certDaysLeft' | 'certExpiresAt'> {
  const expires = validTo ? Date.parse(validTo) : NaN;
  if (!Number.isFinite(expires)) return { warning: 'certificate expiry unknown (the server sent no certificate date)' };
  const left = expires - now;
  const reading = { certDaysLeft: Math.floor(left / DAY_MS), certExpiresAt: expires };
  if (left >= days * DAY_MS) return reading;
  const date = new Date(expires).toISOString().slice(0, 10);
  if (left <= 0) return { ...reading, warning: `certificate expired on ${date}` };
  const d = reading.certDaysLeft;
  const when = d === 0 ? 'in less than a day' : `in ${d} day${d === 1 ? '' : 's'}`;
  return { ...reading, warning: `certificate expires ${when} (${date})` };
}

/** What a status mismatch says: the one status expected, or the list as written. */
const expectedText = (opts: HttpCheckOptions) =>
  opts.expectedStatuses ? `expected one of ${opts.expectedStatuses.join(', ')}` : `expected ${opts.expectedStatus}`;

/** The match's verdict, inverted when the body must not match. */
function bodyOutcome(r: MatchResult, latency: number, regexp: string, invert: boolean): CheckOutcome {
  if (invert && 'matched' in r) {
    return r.matched ? failure(`body matches /${regexp}/, which it must not (regexp_invert)`, latency) : success(latency);
  }
  return matchOutcome(r, latency, `body does not match /${regexp}/`);
}

// Every check opens its own connection (no keep-alive): a reused connection would hide a target
// that stopped accepting new ones. No TLS session cache either: each check does a full handshake
// and so sees the certificate the target serves now.
const httpAgent = new HttpAgent({ keepAlive: false });
const httpsAgent = new HttpsAgent({ keepAlive: false, maxCachedSessions: 0 });

const DEFAULT_PORT = { http: 80, https: 443 };

/** The Host header: the name (or bracketed IPv6 address), with the port when it is not the scheme's default. */
export function hostHeader(opts: Pick<HttpCheckOptions, 'https' | 'address' | 'port' | 'host'>): string {
  const name = opts.host || (isIPv6(opts.address) ? `[${opts.address}]` : opts.address);
  return opts.port === (opts.https ? DEFAULT_PORT.https : DEFAULT_PORT.http) ? name : `${name}:${opts.port}`;
}

/**
 * One HTTP(S) request: checks the status (when one is expected; else any answer will do), then
 * (when a regexp is set) the first 64 KiB of the body. Redirects are not followed; a 301 is a 301.
 * `signal` aborts the exchange.
 */
export function httpCheck(opts: HttpCheckOptions, { signal, matcher, owner, exchangeDone }: CheckContext): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const start = performance.now();
    // Closes the connection, also when the body is not read to its end.
    const { end: done, watchAbort } = checkEnding(signal, resolve, () => req.destroy());

    const sendsBody = opts.method === 'POST' || opts.method === 'PUT' || opts.method === 'PATCH';
    const options: RequestOptions & { servername?: string; rejectUnauthorized?: boolean } = {
      host: opts.address,
      port: opts.port,
      method: opts.method,
      path: opts.path,
      agent: opts.https ? httpsAgent : httpAgent,
      setHost: false,
      headers: {
        Host: hostHeader(opts),
        'User-Agent': opts.userAgent,
        Accept: '*/*',
        Connection: 'close',
        ...(sendsBody ? { 'Content-Length': '0' } : {}),
        // Node keeps one header per name, whatever its case: a check's User-Agent or Accept replaces the probe's.
        ...opts.headers,
      },
    };
    if (opts.https) {
      const sni = sniFor(opts.host);
      if (sni) options.servername = sni;
      options.rejectUnauthorized = opts.verify;
    }
    const req = (opts.https ? httpsRequest : httpRequest)(options);
    // Once the body is read, the match decides: a reset of the connection after that changes nothing.
    let matching = false;
    const onError = (e: Error) => matching || done(errorOutcome(e));
    req.on('error', onError);
    req.once('response', (res: IncomingMessage) => {
      res.on('error', onError);
      const latency = performance.now() - start;
      // Read now: the certificate is the one this connection was served.
      const cert =
        opts.https && opts.certExpiryDays !== undefined
          ? certExpiry((res.socket as TLSSocket).getPeerCertificate?.()?.valid_to, opts.certExpiryDays)
          : {};
      // Every verdict from here on carries the certificate's warning, passing or not.
      const conclude = (o: CheckOutcome) => done({ ...o, ...cert });
      const status = res.statusCode ?? 0;
      const expected = opts.expectedStatuses
        ? statusExpected({ http_status_codes: opts.expectedStatuses }, status)
        : opts.expectedStatus === null || status === opts.expectedStatus;
      if (!expected) return conclude(failure(`status ${res.statusCode}, ${expectedText(opts)}`, latency));
      if (!opts.regexp) return conclude(success(latency));
      const regexp = opts.regexp;
      const chunks: Buffer[] = [];
      let size = 0;
      let reading = true;
      const finish = () => {
        if (!reading) return;
        reading = false;
        const body = Buffer.concat(chunks, Math.min(size, BODY_LIMIT)).toString('utf8');
        const bodyLatency = performance.now() - start;
        // The target has answered: the match is ours, and outside the deadline.
        matching = true;
        exchangeDone();
        void matcher.match(regexp, body, owner).then((r) => conclude(bodyOutcome(r, bodyLatency, regexp, opts.invert === true)));
      };
      res.on('data', (chunk: Buffer) => {
        if (!reading) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size >= BODY_LIMIT) {
          // Enough: stop the socket from reading more than the regexp will ever see.
          res.pause();
          finish();
        }
      });
      res.once('end', finish);
    });
    watchAbort();
    req.end();
  });
}
