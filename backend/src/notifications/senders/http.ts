// The HTTP sender of the webhook channels (signed webhooks, Slack, Discord, PagerDuty): one JSON
// POST, through the probes' target policy (ALLOW_PRIVATE_TARGETS), to the very addresses that
// were checked, with one deadline for all of it, no redirects and a capped response read.
import type { TargetPolicy } from '@vigil/contract';
import { lookup as resolve } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { type ClientRequest, type IncomingMessage, request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';

/**
 * A send that failed, in one line: what the receiver answered, or why nothing was sent. The
 * message never holds the URL's path or query, where Slack and Discord keep their secret.
 * `permanent`: sending it again gets the same answer (a refused target, a bad URL, a redirect,
 * a 4xx other than 408 and 429), so it is not retried. Not permanent: network errors, TLS
 * errors, timeouts, 5xx, 408, 429.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';

  constructor(
    message: string,
    readonly permanent: boolean,
    /** The HTTP status, when the receiver answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface PostOptions {
  policy: TargetPolicy;
  /** One deadline for everything: DNS, connect, TLS, request and response. */
  timeoutMs: number;
  /** How much of the response is read; the rest is not waited for. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Certificates to trust besides Node's roots (a receiver behind a private CA, the tests' own). */
  ca?: string | Buffer;
}

export interface PostResult {
  status: number;
  /** The response body as UTF-8, cut at maxResponseBytes. */
  body: string;
}

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
/** How much of a failed response's body, or of a Location, a message quotes. */
const QUOTED = 200;

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The host of a URL as the socket layer takes it: an IPv6 literal without its brackets. */
const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

const refusedTarget = (policy: TargetPolicy, host: string, address: string): string | null => {
  const why = policy.whyRefused(address);
  if (why === null) return null;
  const what = host === address ? `target ${address} ${why}` : `target ${host} resolves to ${address}, which ${why}`;
  return `${what}; webhooks are not sent there (ALLOW_PRIVATE_TARGETS)`;
};

type Checked = { ok: true; url: URL } | { ok: false; reason: string };

function check(raw: string, policy: TargetPolicy): Checked {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'must be a full URL such as https://hooks.example.com/...' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: `must start with https:// or http://, not ${url.protocol.slice(0, 20)}` };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not hold a user name or password' };
  const host = bareHost(url);
  const refused = isIP(host) ? refusedTarget(policy, host, host) : null;
  return refused ? { ok: false, reason: refused } : { ok: true, url };
}

/**
 * Why the API refuses `url` as a webhook target (a short sentence for a 400), or null. An IP
 * literal is judged by the policy here; a name only when a message is sent, since what it
 * resolves to may change.
 */
export function validateWebhookUrl(url: string, policy: TargetPolicy): string | null {
  const checked = check(url, policy);
  return checked.ok ? null : checked.reason;
}

/**
 * A lookup for the socket layer that answers only `addresses`, the ones the policy passed: the
 * connection goes where the check looked, whatever the name resolves to by then (no DNS
 * rebinding between the check and the connect). The name still goes out as the Host header and
 * the TLS server name, since the request is made for the URL's host.
 */
export function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    const usable = family === 0 ? addresses : addresses.filter((a) => a.family === family);
    if (usable.length === 0) {
      const error: NodeJS.ErrnoException = new Error(`${hostname} has no IPv${family} address`);
      error.code = 'ENOTFOUND';
      callback(error, '', 0);
    } else if (options.all) {
      callback(null, usable);
    } else {
      callback(null, usable[0].address, usable[0].family);
    }
  };
}

/** The addresses of a name, every one of them passed by the policy; throws a DeliveryError. */
async function checkedAddresses(host: string, policy: TargetPolicy): Promise<LookupAddress[]> {
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host, { all: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DeliveryError(`cannot resolve ${host}: ${code ?? (e as Error).message}`, false);
  }
  for (const { address } of addresses) {
    const refused = refusedTarget(policy, host, address);
    if (refused) throw new DeliveryError(refused, true);
  }
  return addresses;
}

/** A socket-level failure in one line: every attempt's error when several addresses were tried. */
function networkError(e: unknown): DeliveryError {
  const errors = e instanceof AggregateError && e.errors.length ? (e.errors as Error[]) : [e as Error];
  const lines = errors.map((err) => {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (err.message === 'socket hang up') return 'the server closed the connection without answering';
    if (err.message === 'aborted') return 'the server closed the connection in the middle of its answer';
    if (/^ERR_(TLS|SSL)_|CERT|SIGNATURE|ISSUER/.test(code)) return `TLS: ${err.message}`;
    return err.message || code || String(err);
  });
  return new DeliveryError(oneLine([...new Set(lines)].join('; ')), false);
}

/** The answer to a non-2xx status. */
function statusError(res: IncomingMessage, body: string): DeliveryError {
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    const location = res.headers.location;
    const to = location ? ` to ${oneLine(location).slice(0, QUOTED)}` : '';
    return new DeliveryError(`HTTP ${status} redirect${to}, not followed`, true, status);
  }
  const text = oneLine(body).slice(0, QUOTED);
  const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
  return new DeliveryError(text ? `HTTP ${status}: ${text}` : `HTTP ${status}`, permanent, status);
}

/**
 * POSTs `body` to `url`: http: and https: only, to addresses the policy passes (an IP literal
 * checked as it is, a name resolved here and refused when any of its addresses is), never
 * following a redirect, within `timeoutMs` for everything. `content-type: application/json` and
 * `user-agent: Vigil-Notifications/1` unless `headers` has its own. Resolves on a 2xx; throws a
 * DeliveryError otherwise.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, opts: PostOptions): Promise<PostResult> {
  const checked = check(url, opts.policy);
  if (!checked.ok) throw new DeliveryError(checked.reason.startsWith('target ') ? checked.reason : `bad URL: ${checked.reason}`, true);
  const target = checked.url;
  const host = bareHost(target);
  const max = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  const given = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
  const sent: Record<string, string> = {};
  if (!given.has('content-type')) sent['content-type'] = 'application/json';
  if (!given.has('user-agent')) sent['user-agent'] = 'Vigil-Notifications/1';
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== 'content-length') sent[k] = v;
  sent['content-length'] = String(Buffer.byteLength(body));

  return new Promise<PostResult>((resolvePost, rejectPost) => {
    let req: ClientRequest | undefined;
    let done = false;
    const finish = (error: DeliveryError | null, result?: PostResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // One connection a message (no agent): closing it also stops reading a longer answer.
      req?.destroy();
      if (error) rejectPost(error);
      else resolvePost(result!);
    };
    const timer = setTimeout(() => finish(new DeliveryError(`timed out after ${opts.timeoutMs} ms`, false)), opts.timeoutMs);

    const send = (addresses: LookupAddress[] | null) => {
      const options: RequestOptions & { ca?: (string | Buffer)[] } = {
        method: 'POST',
        hostname: host,
        port: target.port || undefined,
        path: `${target.pathname}${target.search}`,
        headers: sent,
        agent: false,
        ...(addresses ? { lookup: pinnedLookup(addresses) } : {}),
        ...(opts.ca ? { ca: [...rootCertificates, opts.ca] } : {}),
      };
      req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          finish(statusError(res, ''));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        const settle = () => {
          const text = Buffer.concat(chunks).toString('utf8');
          finish(status >= 200 && status < 300 ? null : statusError(res, text), { status, body: text });
        };
        res.on('data', (chunk: Buffer) => {
          const room = max - size;
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          size += Math.min(chunk.length, room);
          if (size >= max) settle();
        });
        res.on('end', settle);
        res.on('error', (e) => finish(networkError(e)));
      });
      req.on('error', (e) => finish(networkError(e)));
      req.end(body);
    };

    // http.request throws at once on what it cannot send (a header value with a line break).
    const start = (addresses: LookupAddress[] | null) => {
      try {
        send(addresses);
      } catch (e) {
        finish(new DeliveryError(oneLine((e as Error).message), true));
      }
    };
    if (isIP(host)) start(null);
    else {
      checkedAddresses(host, opts.policy).then(
        (addresses) => {
          if (!done) start(addresses);
        },
        (e: DeliveryError) => finish(e),
      );
    }
  });
}
