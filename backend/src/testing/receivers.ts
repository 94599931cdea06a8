// Real HTTP receivers on loopback for the notification tests: they record what arrives and can
// be told to fail (a receiver that is down for a while).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Answer this status (and record nothing) until set back to null. */
  failWith: number | null;
  /** Resolves once `n` requests were recorded. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(host = '127.0.0.1'): Promise<Receiver> {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const receiver: Receiver = {
    url: '',
    received,
    failWith: null,
    async waitFor(n, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`${received.length} of ${n} requests arrived within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
      return received.slice(0, n);
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (receiver.failWith !== null) {
        res.writeHead(receiver.failWith).end('not now');
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      received.push({ path: req.url ?? '/', headers: req.headers, body, json });
      res.writeHead(req.url?.includes('enqueue') ? 202 : 200, { 'content-type': 'application/json' }).end('{"status":"success"}');
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  receiver.url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return receiver;
}

/**
 * What is wrong with a PagerDuty Events API v2 event by its documented format (none: []):
 * routing_key of 32 characters, event_action trigger | acknowledge | resolve, dedup_key at most
 * 255 characters, and for a trigger a payload with summary (at most 1,024), source and a severity
 * of critical | error | warning | info.
 */
export function pagerDutyProblems(event: unknown): string[] {
  const e = event as Record<string, unknown> | null;
  if (!e || typeof e !== 'object') return ['not a JSON object'];
  const problems: string[] = [];
  if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32) problems.push('routing_key must be 32 characters');
  if (!['trigger', 'acknowledge', 'resolve'].includes(String(e.event_action))) problems.push('event_action');
  if (e.dedup_key !== undefined && (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255)) problems.push('dedup_key');
  if (e.event_action === 'trigger') {
    const p = e.payload as Record<string, unknown> | undefined;
    if (!p) problems.push('a trigger needs a payload');
    else {
      if (typeof p.summary !== 'string' || p.summary.length === 0 || p.summary.length > 1024) problems.push('payload.summary');
      if (typeof p.source !== 'string' || p.source.length === 0) problems.push('payload.source');
      if (!['critical', 'error', 'warning', 'info'].includes(String(p.severity))) problems.push('payload.severity');
      if (p.timestamp !== undefined && Number.isNaN(Date.parse(String(p.timestamp)))) problems.push('payload.timestamp');
    }
  } else if (e.event_action !== undefined && typeof e.dedup_key !== 'string') {
    problems.push(`${String(e.event_action)} needs the dedup_key of its trigger`);
  }
  return problems;
}

/** Slack's incoming webhook (and Mattermost's, Rocket.Chat's): a non-empty `text`. */
export function slackProblems(message: unknown): string[] {
  const m = message as { text?: unknown } | null;
  return typeof m?.text === 'string' && m.text.length > 0 ? [] : ['text must be a non-empty string'];
}

/** Discord's webhook: `content` of 1 to 2,000 characters. */
export function discordProblems(message: unknown): string[] {
  const m = message as { content?: unknown } | null;
  return typeof m?.content === 'string' && m.content.length > 0 && m.content.length <= 2000 ? [] : ['content must be 1 to 2000 characters'];
}
