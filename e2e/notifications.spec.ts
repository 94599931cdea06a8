import { redisKeys } from '@vigil/contract';
import Redis from 'ioredis';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Received, startReceiver, type Receiver } from '../backend/src/testing/receivers';
import { startSmtpServer, type TestSmtpServer } from '../backend/src/testing/smtp';
import { startHttpServer, type TestServer } from '../workers/src/common/testing/servers';
import { stopProcess } from '@vigil/stack';
import { type ApiClient, freePort, ownerWithFailover, Stack, until } from './stack';

const FREQUENCY = 10;
const TIMEOUT = 2;
const COALESCE = 2;
/** The product's promise for DNS (frequency + timeout + 2 s), plus the coalescing window and a sweep. */
const NOTIFIED_MS = (FREQUENCY + TIMEOUT + 2 + COALESCE + 1) * 1000;
/** Long enough for a second (duplicate) message to have come: the window, sweeps and a retry. */
const QUIET_MS = (COALESCE + 3) * 1000;
const A = '127.0.0.2';
const B = '127.0.0.3';
const NAME = 'www.notify.example';
const CHANNELS = '/v2/account/notification-channels';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What the webhook's receiver does on its own, without the product's code: the header is
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, and t is at most 5 minutes off.
 */
function verifySignature(secret: string, r: Received): void {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['x-vigil-signature']));
  if (!m) throw new Error(`no well-formed X-Vigil-Signature: ${String(r.headers['x-vigil-signature'])}`);
  expect(Math.abs(Date.now() / 1000 - Number(m[1]))).toBeLessThanOrEqual(300);
  const mac = createHmac('sha256', secret).update(`${m[1]}.${r.body}`).digest();
  expect(timingSafeEqual(mac, Buffer.from(m[2]!, 'hex'))).toBe(true);
}

interface Change {
  address: string;
  from: string;
  to: string;
  reasons: Record<string, string>;
}

/**
 * Issue 12's system test: real api (two processes), DNS, probes and aggregator; local HTTP
 * backends stop and start; a signed webhook, an e-mail channel (a real SMTP server) and a
 * PagerDuty channel (a real HTTP receiver as the Events API) hear of it once each.
 */
describe('notifications: backend down → webhook, e-mail and PagerDuty, once (real processes)', () => {
  const stack = new Stack();
  let api: ApiClient;
  /** The owner's session: channels are the owners' to manage (an API token may not). */
  let owner: ApiClient;
  let apis: string[];
  let backendPort: number;
  const backends = new Map<string, TestServer>();
  let hook: Receiver;
  let pd: Receiver;
  let smtp: TestSmtpServer;
  let secret: string;
  let rrsetId: string;
  const channel: Record<'webhook' | 'email' | 'pagerduty', string> = { webhook: '', email: '', pagerduty: '' };

  const serve = async (host: string) => {
    backends.set(host, await startHttpServer((_req, res) => res.end('ok'), host, backendPort));
  };
  const stop = (host: string) => backends.get(host)!.close();
  const health = async () => {
    const h = await api.ok('GET', `/v2/zones/notify.example/${NAME}/A/health`);
    return Object.fromEntries(h.addresses.map((a: { address: string; state: string }) => [a.address, a.state]));
  };
  /** The webhook's messages so far, each checked for its signature. */
  const hooks = () =>
    hook.received.map((r) => {
      verifySignature(secret, r);
      return r.json as { id: string; title: string; text: string; rrsets: { id: string; serving: string[]; changes: Change[] }[] };
    });
  const events = () => pd.received.map((r) => r.json as { event_action: string; dedup_key: string; routing_key: string; payload?: any });
  const counts = () => ({ webhook: hook.received.length, email: smtp.mails.length, pagerduty: pd.received.length });
  /** Waits for these totals, then a quiet while: exactly these, no more. */
  const exactly = async (want: ReturnType<typeof counts>, ms = NOTIFIED_MS) => {
    await until(
      `notifications ${JSON.stringify(want)} (have ${JSON.stringify(counts())})`,
      async () => {
        const c = counts();
        return c.webhook >= want.webhook && c.email >= want.email && c.pagerduty >= want.pagerduty;
      },
      ms,
      100,
    );
    await sleep(QUIET_MS);
    expect(counts()).toEqual(want);
  };
  const deliveries = async (id: string) =>
    (await owner.ok('GET', `${CHANNELS}/${id}/deliveries?limit=100`)).deliveries as {
      message_key: string;
      kind: string;
      status: string;
      attempt: number;
      next_retry_at: string | null;
      error: string | null;
    }[];
  /** Every message key of every channel sent once, and the receivers saw each once. */
  const noDuplicates = async () => {
    for (const id of Object.values(channel)) {
      const sent = (await deliveries(id)).filter((d) => d.status === 'sent').map((d) => d.message_key);
      expect(new Set(sent).size).toBe(sent.length);
    }
    expect(new Set(hook.received.map((r) => r.headers['x-vigil-delivery'])).size).toBe(hook.received.length);
    expect(new Set(smtp.mails.map((m) => String(m.headers.get('x-vigil-delivery')))).size).toBe(smtp.mails.length);
  };

  let env: Record<string, string>;
  /** Messages that were retried before: the restart test looks for a new one. */
  const seenRetrying = new Set<string>();

  beforeAll(async () => {
    [hook, pd, smtp] = await Promise.all([startReceiver(), startReceiver(), startSmtpServer()]);
    env = {
      RECONCILE_INTERVAL_SECONDS: '2',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_FROM: 'alerts@vigil.test',
      PAGERDUTY_EVENTS_URL: `${pd.url}/v2/enqueue`,
      ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
      NOTIFY_COALESCE_SECONDS: String(COALESCE),
      NOTIFY_RETRY_MS: '500',
      PANEL_URL: 'https://panel.vigil.test',
      // Both api processes open the channels' sealed secrets with one key.
      SECRETS_KEY: randomBytes(32).toString('base64'),
    };
    // Two api processes on one database and Redis prefix: each transition must still be told once.
    apis = [await stack.startApi(env), await stack.startApi(env)];
    await stack.startDns();
    await stack.startChecking(['nf-1', 'nf-2']);

    backendPort = await freePort();
    await serve(A);
    await serve(B);
    ({ token: api, session: owner } = await ownerWithFailover(apis[0]!));
    await api.ok('POST', '/v2/zones', { name: 'notify.example' });
    rrsetId = (
      await api.ok('PUT', `/v2/zones/notify.example/${NAME}/A`, {
        ttl: 5,
        resource_records: [{ content: [A] }, { content: [B] }],
        meta: { failover: { protocol: 'HTTP', port: backendPort, frequency: FREQUENCY, timeout: TIMEOUT, url: '/health', regexp: '^ok$' } },
      })
    ).id;
    const webhook = await owner.ok('POST', CHANNELS, { type: 'webhook', name: 'ops hook', url: `${hook.url}/vigil` });
    [channel.webhook, secret] = [webhook.id, webhook.secret];
    channel.email = (await owner.ok('POST', CHANNELS, { type: 'email', name: 'on call', to: ['oncall@example.com'] })).id;
    channel.pagerduty = (
      await owner.ok('POST', CHANNELS, { type: 'pagerduty', name: 'pager', routing_key: 'R0ut1ngKey'.padEnd(32, 'x') })
    ).id;
    expect(secret).toMatch(/^whsec_/);
  });

  afterAll(async () => {
    await Promise.all([...backends.values()].map((b) => b.close()));
    await stack.stop();
    await Promise.all([hook?.close(), pd?.close(), smtp?.close()]);
  });

  it('tells nobody of the first checks (both addresses available is no news)', async () => {
    await until(
      'both available',
      async () => JSON.stringify(await health()) === JSON.stringify({ [A]: 'available', [B]: 'available' }),
      60_000,
      250,
    );
    await sleep(QUIET_MS);
    expect(counts()).toEqual({ webhook: 0, email: 0, pagerduty: 0 });
  });

  it('a backend stops: one signed webhook, one e-mail, one PagerDuty trigger, saying what DNS answers now; back up: up and resolve', async () => {
    await stop(B);
    await exactly({ webhook: 1, email: 1, pagerduty: 1 });
    expect(hook.received[0]!.headers['x-vigil-signature']).toBeDefined();
    const [down] = hooks();
    expect(down!.rrsets).toHaveLength(1);
    expect(down!.rrsets[0]).toMatchObject({ id: rrsetId, serving: [A], changes: [{ address: B, from: 'available', to: 'unavailable' }] });
    const reasons = Object.values(down!.rrsets[0]!.changes[0]!.reasons);
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.join(' ')).toMatch(/refused/i);
    expect(down!.text).toContain(`${NAME} A: ${B} is DOWN`);
    expect(down!.text).toContain(`${NAME} A: DNS now answers ${A}`);

    const mail = smtp.mails[0]!;
    expect(mail).toMatchObject({ envelope: { from: 'alerts@vigil.test', to: ['oncall@example.com'] } });
    expect(mail.subject).toBe('[Vigil] 1 address down in notify.example');
    expect(mail.text).toContain(`${NAME} A: ${B} is DOWN`);
    expect(mail.text).toMatch(/refused/i);
    expect(mail.text).toContain(`DNS now answers ${A}`);
    expect(mail.text).toContain(`https://panel.vigil.test/zones/notify.example/${NAME}/A/health`);

    expect(pd.received[0]!.path).toBe('/v2/enqueue');
    const [trigger] = events();
    expect(trigger).toMatchObject({
      routing_key: 'R0ut1ngKey'.padEnd(32, 'x'),
      event_action: 'trigger',
      dedup_key: `vigil:${rrsetId}:${B}`,
      payload: { source: B, custom_details: { dns_answers: [A] } },
    });
    expect(JSON.stringify(trigger!.payload.custom_details.reasons)).toMatch(/refused/i);

    await serve(B);
    // Up: a webhook and an e-mail; PagerDuty resolves the address's incident (and the all-down one, never opened).
    await exactly({ webhook: 2, email: 2, pagerduty: 3 });
    const up = hooks()[1]!;
    expect(up.rrsets[0]).toMatchObject({ id: rrsetId, serving: [A, B], changes: [{ address: B, from: 'unavailable', to: 'available' }] });
    expect(up.text).toContain(`${NAME} A: ${B} is back UP`);
    expect(smtp.mails[1]!.text).toContain(`${B} is back UP`);
    expect(smtp.mails[1]!.text).toContain(`DNS now answers ${A}, ${B}`);
    const resolves = events().slice(1);
    expect(resolves.map((e) => e.event_action)).toEqual(['resolve', 'resolve']);
    expect(resolves.map((e) => e.dedup_key)).toEqual([`vigil:${rrsetId}:${B}`, `vigil:${rrsetId}:all-down`]);
    await noDuplicates();
  });

  it('retries a webhook that answers 503 (the log says retrying, with the next retry) and delivers it once when it is back', async () => {
    hook.failWith = 503;
    await stop(A);
    await until(
      'two failed webhook attempts in the log',
      async () => (await deliveries(channel.webhook)).filter((d) => d.status === 'retrying').length >= 2,
      NOTIFIED_MS,
      200,
    );
    const retrying = (await deliveries(channel.webhook)).filter((d) => d.status === 'retrying');
    for (const d of retrying) seenRetrying.add(d.message_key);
    expect(retrying[0]).toMatchObject({ kind: 'transitions', error: expect.stringContaining('503') });
    expect(new Set(retrying.map((d) => d.message_key)).size).toBe(1);
    for (const d of retrying) expect(Date.parse(d.next_retry_at!)).toBeGreaterThan(Date.now() - 60_000);
    expect(hook.received).toHaveLength(2);
    // The other channels are not held back by the webhook.
    expect(counts()).toMatchObject({ email: 3, pagerduty: 4 });

    hook.failWith = null;
    await exactly({ webhook: 3, email: 3, pagerduty: 4 }, 30_000);
    const late = hooks()[2]!;
    expect(late.rrsets[0]).toMatchObject({ serving: [B], changes: [{ address: A, to: 'unavailable' }] });
    const log = await deliveries(channel.webhook);
    const mine = log.filter((d) => d.message_key === retrying[0]!.message_key);
    expect(mine.filter((d) => d.status === 'sent')).toHaveLength(1);
    expect(mine.find((d) => d.status === 'sent')!.attempt).toBe(Math.max(...mine.map((d) => d.attempt)));
    expect((await owner.ok('GET', `${CHANNELS}/${channel.webhook}`)).status).toBe('ok');

    await serve(A);
    await exactly({ webhook: 4, email: 4, pagerduty: 6 });
    await noDuplicates();
  });

  it('with two api processes consuming the feed, tells each transition once per channel', async () => {
    const redis = new Redis(stack.redisUrl);
    try {
      // The notifications' consumer group on the change feed (NOTIFY_GROUP): one consumer per api process.
      const consumers = (await redis.xinfo('CONSUMERS', `${stack.prefix}${redisKeys.feed}`, 'api-notify')) as unknown[][];
      expect(consumers).toHaveLength(2);
    } finally {
      redis.disconnect();
    }
    // Both addresses go down and come back in turn.
    for (const host of [B, A]) {
      const before = counts();
      await stop(host);
      await exactly({ webhook: before.webhook + 1, email: before.email + 1, pagerduty: before.pagerduty + 1 });
      await serve(host);
      await exactly({ webhook: before.webhook + 2, email: before.email + 2, pagerduty: before.pagerduty + 3 });
    }
    const triggers = events().filter((e) => e.event_action === 'trigger');
    expect(triggers.map((e) => e.dedup_key)).toEqual([B, A, B, A].map((h) => `vigil:${rrsetId}:${h}`));
    await noDuplicates();
    for (const url of apis) expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('keeps a delivery that is being retried across a restart of every api process, and delivers it once after', async () => {
    const before = counts();
    hook.failWith = 503;
    await stop(B);
    await until(
      'a failed webhook attempt in the log',
      async () => (await deliveries(channel.webhook)).some((d) => d.status === 'retrying' && !seenRetrying.has(d.message_key)),
      NOTIFIED_MS,
      200,
    );
    const key = (await deliveries(channel.webhook)).find((d) => d.status === 'retrying' && !seenRetrying.has(d.message_key))!.message_key;
    // Every sender stops while the message waits for its next try; the receiver comes back meanwhile.
    await Promise.all(stack.procs.filter((p) => p.name === 'api').map((p) => stopProcess(p)));
    hook.failWith = null;
    await sleep(QUIET_MS);
    expect(hook.received).toHaveLength(before.webhook);
    await stack.restartApi(apis[0]!, env);
    await exactly({ webhook: before.webhook + 1, email: before.email + 1, pagerduty: before.pagerduty + 1 });
    const late = hooks().at(-1)!;
    expect(late.id).toBe(key);
    expect(late.rrsets[0]).toMatchObject({ changes: [{ address: B, to: 'unavailable' }] });
    expect((await deliveries(channel.webhook)).filter((d) => d.message_key === key && d.status === 'sent')).toHaveLength(1);
    await serve(B);
    await exactly({ webhook: before.webhook + 2, email: before.email + 2, pagerduty: before.pagerduty + 3 });
    await noDuplicates();
  });

  it('alerts no one of a failure and its return inside a maintenance window; the health read-out shows it', async () => {
    await until('both available', async () => JSON.stringify(await health()) === JSON.stringify({ [A]: 'available', [B]: 'available' }), 60_000, 250);
    const before = counts();
    const window = await api.ok('POST', `/v2/zones/notify.example/${NAME}/A/overrides`, {
      address: B,
      action: 'maintenance',
      ends_at: new Date(Date.now() + 10 * 60_000).toISOString(),
      note: 'reboot',
    });
    const read = await api.ok('GET', `/v2/zones/notify.example/${NAME}/A/health`);
    expect(read.addresses.find((a: { address: string }) => a.address === B)).toMatchObject({ in_maintenance: true, override: null });
    expect(read.overrides.map((o: { id: string }) => o.id)).toEqual([window.id]);
    await stop(B);
    await until('B unavailable', async () => (await health())[B] === 'unavailable', NOTIFIED_MS, 250);
    // Still served by nobody's choice but health: the window does not drain.
    expect((await api.ok('GET', `/v2/zones/notify.example/${NAME}/A/health`)).serving).toEqual([A]);
    await serve(B);
    await until('B available', async () => (await health())[B] === 'available', NOTIFIED_MS, 250);
    await sleep(QUIET_MS);
    expect(counts()).toEqual(before);
    await api.ok('DELETE', `/v2/zones/notify.example/${NAME}/A/overrides/${window.id}`);
  });

  it('coalesces twenty addresses failing together into one message per channel, and their return into one more', async () => {
    const many = Array.from({ length: 22 }, (_, i) => `127.0.1.${i + 1}`);
    const failing = many.slice(0, 20);
    await Promise.all(many.map(serve));
    const manyId = (
      await api.ok('PUT', `/v2/zones/notify.example/many.notify.example/A`, {
        ttl: 5,
        resource_records: many.map((a) => ({ content: [a] })),
        meta: { failover: { protocol: 'HTTP', port: backendPort, frequency: FREQUENCY, timeout: TIMEOUT, url: '/health', regexp: '^ok$' } },
      })
    ).id;
    const states = async () =>
      (await api.ok('GET', `/v2/zones/notify.example/many.notify.example/A/health`)).addresses as { state: string }[];
    await until('22 addresses available', async () => (await states()).filter((a) => a.state === 'available').length === 22, 60_000, 250);
    const before = counts();
    const sentBefore = (await deliveries(channel.pagerduty)).filter((d) => d.status === 'sent').length;

    await Promise.all(failing.map(stop));
    await exactly({ webhook: before.webhook + 1, email: before.email + 1, pagerduty: before.pagerduty + 20 });
    const down = hooks().at(-1)!;
    expect(down.rrsets).toHaveLength(1);
    expect(down.rrsets[0]!.id).toBe(manyId);
    expect(down.rrsets[0]!.changes.map((c) => c.address).sort()).toEqual([...failing].sort());
    expect(down.rrsets[0]!.serving).toEqual(many.slice(20));
    expect(down.title).toBe('20 addresses down in notify.example');
    expect(smtp.mails.at(-1)!.subject).toBe('[Vigil] 20 addresses down in notify.example');
    // PagerDuty: one delivery, an event per address.
    expect((await deliveries(channel.pagerduty)).filter((d) => d.status === 'sent')).toHaveLength(sentBefore + 1);
    expect(
      new Set(
        events()
          .slice(-20)
          .map((e) => e.dedup_key),
      ),
    ).toEqual(new Set(failing.map((a) => `vigil:${manyId}:${a}`)));

    await Promise.all(failing.map(serve));
    await exactly({ webhook: before.webhook + 2, email: before.email + 2, pagerduty: before.pagerduty + 41 });
    expect(
      hooks()
        .at(-1)!
        .rrsets[0]!.changes.filter((c) => c.to === 'available'),
    ).toHaveLength(20);
    await noDuplicates();
  });
});
