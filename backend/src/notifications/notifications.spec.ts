import { type CertEvent, FEED_FIELD, type FeedEvent, type HealthState, healthField, redisKeys } from '@vigil/contract';
import type Redis from 'ioredis';
import { createHmac } from 'node:crypto';
import type TestAgent from 'supertest/lib/agent';
import { CertExpiryEvent1764150000000 } from '../database/migrations/1764150000000-CertExpiryEvent';
import { discordProblems, pagerDutyProblems, slackProblems, startReceiver, type Receiver } from '../testing/receivers';
import { startSmtpServer, type TestSmtpServer } from '../testing/smtp';
import { expectError, expectInvalid, TestApi } from '../testing/test-app';

/** The receiver's own check of a webhook's signature: HMAC-SHA256 over "<t>.<body>", t at most 5 minutes old. */
function signatureValid(secret: string, header: string | string[] | undefined, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(header));
  if (!m) return false;
  if (Math.abs(Date.now() / 1000 - Number(m[1])) > 300) return false;
  return createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex') === m[2];
}

jest.setTimeout(60_000);

describe('notification channels and deliveries (real PostgreSQL, Redis, HTTP and SMTP receivers)', () => {
  let api: TestApi;
  let redis: Redis;
  let owner: TestAgent;
  let accountId: string;
  let hook: Receiver;
  let pd: Receiver;
  let chat: Receiver;
  let smtp: TestSmtpServer;
  const base = '/v2/account/notification-channels';

  beforeAll(async () => {
    hook = await startReceiver();
    pd = await startReceiver();
    chat = await startReceiver();
    smtp = await startSmtpServer();
    api = await TestApi.start({
      ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
      NOTIFY_COALESCE_SECONDS: '1',
      NOTIFY_RETRY_MS: '300',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_FROM: 'alerts@vigil.test',
      PAGERDUTY_EVENTS_URL: `${pd.url}/v2/enqueue`,
      PANEL_URL: 'https://panel.vigil.test',
    });
    redis = api.redis();
    const c = await api.customer();
    owner = c.agent;
    accountId = c.accountId;
  });
  afterAll(async () => {
    redis.disconnect();
    await api.close();
    await Promise.all([hook.close(), pd.close(), chat.close(), smtp.close()]);
  });

  it('creates a signed webhook whose secret is shown once, sealed at rest, and in the audit log', async () => {
    const res = await owner
      .post(base)
      .send({ type: 'webhook', name: 'ops hook', url: `${hook.url}/hook` })
      .expect(201);
    expect(res.body).toMatchObject({
      type: 'webhook',
      name: 'ops hook',
      url: `${hook.url}/hook`,
      events: ['down', 'up', 'all_down', 'cert_expiry'],
      status: 'ok',
    });
    expect(res.body.secret).toMatch(/^whsec_/);
    const read = await owner.get(`${base}/${res.body.id}`).expect(200);
    expect(read.body.secret).toBeUndefined();
    expect(JSON.stringify((await owner.get(base).expect(200)).body)).not.toContain(res.body.secret);
    const [row] = await api.ds().query(`SELECT secret FROM notification_channels WHERE id = $1`, [res.body.id]);
    expect(row.secret).toMatch(/^v1\./);
    expect(row.secret).not.toContain(res.body.secret.slice(6));
    const audit = await owner.get('/v2/account/audit-log').query({ action: 'notification_channel.create' }).expect(200);
    expect(audit.body.events[0]).toMatchObject({ target: 'ops hook', details: { type: 'webhook' } });
  });

  it('refuses bad channels with the field and the reason', async () => {
    expectInvalid(await owner.post(base).send({ type: 'fax', name: 'x' }), 'type');
    expectInvalid(await owner.post(base).send({ type: 'webhook', name: 'x', url: 'ftp://example.com/x' }), 'url');
    expectInvalid(await owner.post(base).send({ type: 'webhook', name: 'x', url: 'not a url' }), 'url');
    expect(expectInvalid(await owner.post(base).send({ type: 'webhook', name: 'x', url: 'http://10.1.2.3/hook' }), 'url')).toContain(
      'private',
    );
    expectInvalid(await owner.post(base).send({ type: 'webhook', name: 'x', url: 'https://user:pw@example.com/' }), 'url');
    expectInvalid(await owner.post(base).send({ type: 'pagerduty', name: 'x', routing_key: 'short' }), 'routing_key');
    expectInvalid(await owner.post(base).send({ type: 'email', name: 'x', to: ['not-an-address'] }), 'to[0]');
    expectInvalid(await owner.post(base).send({ type: 'email', name: 'x', to: ['a@example.com'], zones: ['nothere.example'] }), 'zones[0]');
    expectInvalid(
      await owner.post(base).send({ type: 'slack', name: 'x', url: 'https://hooks.example.com/a', events: ['sideways'] }),
      'events[0]',
    );
    expectInvalid(await owner.post(base).send({ type: 'webhook', name: 'ops hook', url: `${hook.url}/again` }), 'name');
    const pagerduty = (
      await owner
        .post(base)
        .send({ type: 'pagerduty', name: 'pd', routing_key: 'a'.repeat(32) })
        .expect(201)
    ).body;
    expectInvalid(await owner.patch(`${base}/${pagerduty.id}`).send({ to: ['a@example.com'] }), 'to');
    await owner.delete(`${base}/${pagerduty.id}`).expect(204);
  });

  it('hides channels from other accounts, and from members who are not owners', async () => {
    const mine = (await owner.get(base).expect(200)).body.channels[0];
    const other = await api.customer('other');
    expectError(await other.agent.get(`${base}/${mine.id}`), 404);
    expectError(await other.agent.post(`${base}/${mine.id}/test`), 404);
    expectError(await other.agent.get(`${base}/${mine.id}/deliveries`), 404);
    expect((await other.agent.get(base).expect(200)).body).toEqual({ channels: [], email_available: true });
  });

  it('sends a test to the webhook, signed, and to e-mail, each in its delivery log', async () => {
    const secret = (
      await owner
        .patch(`${base}/${(await owner.get(base)).body.channels[0].id}`)
        .send({ rotate_secret: true })
        .expect(200)
    ).body.secret;
    const webhook = (await owner.get(base)).body.channels[0];
    const sent = await owner.post(`${base}/${webhook.id}/test`).expect(200);
    expect(sent.body).toMatchObject({ status: 'sent', error: null });
    const [got] = await hook.waitFor(1);
    expect(signatureValid(secret, got!.headers['x-vigil-signature'], got!.body)).toBe(true);
    expect(got!.json).toMatchObject({ type: 'health.transitions', title: 'test notification', rrsets: [] });

    const mail = (
      await owner
        .post(base)
        .send({ type: 'email', name: 'on call', to: ['oncall@example.com'] })
        .expect(201)
    ).body;
    expect((await owner.post(`${base}/${mail.id}/test`).expect(200)).body.status).toBe('sent');
    const [m] = await smtp.waitFor(1);
    expect(m).toMatchObject({ subject: '[Vigil] test notification', envelope: { from: 'alerts@vigil.test', to: ['oncall@example.com'] } });
    const log = await owner.get(`${base}/${webhook.id}/deliveries`).expect(200);
    expect(log.body).toMatchObject({
      total_amount: 1,
      deliveries: [{ kind: 'test', status: 'sent', attempt: 1, summary: 'test notification' }],
    });
  });

  it('says why a test failed, marks the channel failing, and clears it once a message goes through', async () => {
    const dead = await startReceiver();
    await dead.close();
    const c = (
      await owner
        .post(base)
        .send({ type: 'slack', name: 'dead slack', url: `${dead.url}/services/T/B/x` })
        .expect(201)
    ).body;
    expect(c.hint).toBe(`${dead.url}/…/B/x`);
    const r = await owner.post(`${base}/${c.id}/test`).expect(200);
    expect(r.body).toMatchObject({ status: 'failed', error: expect.stringContaining('ECONNREFUSED') });
    expect((await owner.get(`${base}/${c.id}`)).body).toMatchObject({
      status: 'failing',
      last_error: expect.stringContaining('ECONNREFUSED'),
    });
    await owner
      .patch(`${base}/${c.id}`)
      .send({ url: `${hook.url}/slack` })
      .expect(200);
    expect((await owner.post(`${base}/${c.id}/test`).expect(200)).body.status).toBe('sent');
    expect((await owner.get(`${base}/${c.id}`)).body).toMatchObject({ status: 'ok', last_error: null });
    await owner.delete(`${base}/${c.id}`).expect(204);
  });

  describe('health transitions', () => {
    let rrsetId: string;
    const addresses = Array.from({ length: 50 }, (_, i) => `192.0.2.${i + 1}`);

    /** As the aggregator writes a transition: the state, and the event on the change feed. */
    const transition = async (address: string, state: HealthState['state'], reasons: Record<string, string> = {}) => {
      const health: HealthState = { checkId: rrsetId, address, state, since: Date.now(), reasons };
      const event: FeedEvent = { kind: 'health', health };
      await redis.hset(redisKeys.health, healthField(rrsetId, address), JSON.stringify(health));
      await redis.xadd(redisKeys.feed, '*', FEED_FIELD, JSON.stringify(event));
    };

    beforeAll(async () => {
      await api.grantFailover(accountId);
      await owner.post('/v2/zones').send({ name: 'notify.example' }).expect(201);
      const res = await owner
        .put('/v2/zones/notify.example/www.notify.example/A')
        .send({
          resource_records: addresses.map((a) => ({ content: [a] })),
          meta: { failover: { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 } },
        })
        .expect(201);
      rrsetId = res.body.id;
      await owner
        .post(base)
        .send({ type: 'pagerduty', name: 'pager', routing_key: 'b'.repeat(32) })
        .expect(201);
      await owner
        .post(base)
        .send({ type: 'slack', name: 'chat', url: `${chat.url}/slack`, events: ['all_down'] })
        .expect(201);
      await owner
        .post(base)
        .send({ type: 'discord', name: 'discord', url: `${chat.url}/discord`, events: ['all_down'] })
        .expect(201);
      hook.received.length = 0;
      smtp.mails.length = 0;
    });

    it('coalesces fifty addresses failing together into one message per channel, saying DNS fails open', async () => {
      for (const a of addresses) await transition(a, 'unavailable', { 'eu-1': 'connect ETIMEDOUT', 'us-1': 'connect ETIMEDOUT' });
      const [msg] = await hook.waitFor(1);
      const body = msg!.json as {
        rrsets: { changes: unknown[]; all_down: boolean; serving: string[]; health_url: string }[];
        title: string;
      };
      expect(body.title).toBe('1 record set with every address down, 50 addresses down in notify.example');
      expect(body.rrsets[0]).toMatchObject({
        all_down: true,
        health_url: 'https://panel.vigil.test/zones/notify.example/www.notify.example/A/health',
      });
      expect(body.rrsets[0]!.changes).toHaveLength(50);
      expect(body.rrsets[0]!.serving).toHaveLength(50);
      const [mail] = await smtp.waitFor(1);
      expect(mail!.subject).toBe('[Vigil] 1 record set with every address down, 50 addresses down in notify.example');
      expect(mail!.text).toContain('192.0.2.7 is DOWN since');
      expect(mail!.text).toContain('(eu-1: connect ETIMEDOUT; us-1: connect ETIMEDOUT)');
      // PagerDuty: a trigger per address and one critical for the record set.
      const events = await pd.waitFor(51);
      expect(events.filter((e) => (e.json as { event_action: string }).event_action === 'trigger')).toHaveLength(51);
      expect(events.map((e) => (e.json as { payload?: { severity: string } }).payload?.severity)).toContain('critical');
      expect(events.flatMap((e) => pagerDutyProblems(e.json))).toEqual([]);
      // Slack and Discord asked for all_down only: one message each, in their formats.
      const chats = await chat.waitFor(2);
      expect(chats.map((c) => c.path).sort()).toEqual(['/discord', '/slack']);
      for (const c of chats) expect(c.path === '/slack' ? slackProblems(c.json) : discordProblems(c.json)).toEqual([]);
      expect((chats.find((c) => c.path === '/slack')!.json as { text: string }).text).toContain('EVERY ADDRESS IS DOWN');
      // Nothing more comes: one message per channel.
      await new Promise((r) => setTimeout(r, 2500));
      expect(hook.received).toHaveLength(1);
      expect(smtp.mails).toHaveLength(1);
      expect(pd.received).toHaveLength(51);
      expect(chat.received).toHaveLength(2);
    });

    it('retries while the receiver is down and delivers once when it is back; a repeated state is no news', async () => {
      hook.received.length = 0;
      hook.failWith = 503;
      await transition('192.0.2.1', 'available');
      await transition('192.0.2.2', 'unavailable');
      const channel = (await owner.get(base)).body.channels.find((c: { type: string }) => c.type === 'webhook');
      const log = async () =>
        (await owner.get(`${base}/${channel.id}/deliveries`).expect(200)).body.deliveries as {
          status: string;
          error: string | null;
          next_retry_at: string | null;
        }[];
      for (let i = 0; i < 100 && !(await log()).some((d) => d.status === 'retrying'); i++) await new Promise((r) => setTimeout(r, 100));
      expect((await log())[0]).toMatchObject({ status: 'retrying', error: 'HTTP 503: not now', next_retry_at: expect.any(String) });
      hook.failWith = null;
      const [msg] = await hook.waitFor(1);
      const body = msg!.json as { rrsets: { changes: { address: string; to: string }[]; all_down: boolean; serving: string[] }[] };
      expect(body.rrsets[0]!.changes).toEqual([expect.objectContaining({ address: '192.0.2.1', to: 'available' })]);
      expect(body.rrsets[0]).toMatchObject({ all_down: false, serving: ['192.0.2.1'] });
      expect(msg!.headers['x-vigil-delivery']).toEqual(expect.any(String));
      await new Promise((r) => setTimeout(r, 2000));
      expect(hook.received).toHaveLength(1);
      expect((await log())[0]).toMatchObject({ status: 'sent' });
      // The record set is no longer all down: PagerDuty resolves the address and the all-down event.
      const resolves = pd.received.slice(51).map((e) => e.json as { event_action: string; dedup_key: string });
      expect(resolves).toEqual([
        expect.objectContaining({ event_action: 'resolve', dedup_key: `vigil:${rrsetId}:192.0.2.1` }),
        expect.objectContaining({ event_action: 'resolve', dedup_key: `vigil:${rrsetId}:all-down` }),
      ]);
      expect(resolves.flatMap((e) => pagerDutyProblems(e))).toEqual([]);
      // Slack and Discord asked for all_down only: a recovery is not theirs.
      expect(chat.received).toHaveLength(2);
    });
  });

  describe('certificate changes', () => {
    const NAME = 'tls.notify.example';
    let rrsetId: string;
    const DAY = 86_400_000;

    /** As the aggregator announces a certificate's change: an entry on the certificate feed. */
    const certChange = async (address: string, over: Partial<CertEvent> = {}) => {
      const at = Date.now();
      const event: CertEvent = {
        checkId: rrsetId,
        address,
        level: 'expiring',
        previous: 'ok',
        renewed: false,
        days_left: 2,
        expires_at: at + 2 * DAY + 3_600_000,
        at,
        location: 'eu-1',
        ...over,
      };
      await redis.xadd(redisKeys.certFeed, '*', FEED_FIELD, JSON.stringify(event));
    };

    beforeAll(async () => {
      const res = await owner
        .put(`/v2/zones/notify.example/${NAME}/A`)
        .send({
          resource_records: [{ content: ['192.0.2.101'] }, { content: ['192.0.2.102'] }],
          meta: { failover: { protocol: 'HTTPS', port: 443, frequency: 30, timeout: 5, url: '/', cert_expiry_days: 14 } },
        })
        .expect(201);
      rrsetId = res.body.id;
      await owner
        .post(`/v2/zones/notify.example/${NAME}/A/overrides`)
        .send({ address: '192.0.2.102', action: 'maintenance', ends_at: new Date(Date.now() + 600_000).toISOString() })
        .expect(201);
      await new Promise((r) => setTimeout(r, 2500));
      hook.received.length = 0;
      pd.received.length = 0;
      chat.received.length = 0;
      smtp.mails.length = 0;
    });

    it('tells the channels that take cert_expiry once, in a message of its own; an address in maintenance is silent', async () => {
      await certChange('192.0.2.101');
      await certChange('192.0.2.102');
      const [msg] = await hook.waitFor(1);
      const body = msg!.json as { type: string; title: string; certificates: { address: string; days_left: number; rrset_id: string }[] };
      expect(body.type).toBe('certificate.expiry');
      expect(body.title).toBe('1 certificate expiring in notify.example');
      expect(body.certificates).toEqual([expect.objectContaining({ address: '192.0.2.101', days_left: 2, rrset_id: rrsetId })]);
      const [mail] = await smtp.waitFor(1);
      expect(mail!.subject).toBe('[Vigil] 1 certificate expiring in notify.example');
      expect(mail!.text).toContain(`${NAME} A: the certificate of 192.0.2.101 expires in 2 days`);
      const [page] = await pd.waitFor(1);
      expect(page!.json).toMatchObject({ event_action: 'trigger', dedup_key: `vigil:${rrsetId}:192.0.2.101:certificate` });
      expect(pagerDutyProblems(page!.json)).toEqual([]);
      await new Promise((r) => setTimeout(r, 2500));
      // Slack and Discord asked for all_down only; nothing came twice.
      expect([hook.received.length, smtp.mails.length, pd.received.length, chat.received.length]).toEqual([1, 1, 1, 0]);
      const channel = (await owner.get(base)).body.channels.find((c: { type: string }) => c.type === 'webhook');
      const log = (await owner.get(`${base}/${channel.id}/deliveries`).expect(200)).body.deliveries as { kind: string; status: string }[];
      expect(log[0]).toMatchObject({ kind: 'certificates', status: 'sent' });
    });

    it('tells of the renewal, and PagerDuty resolves the certificate incident', async () => {
      await certChange('192.0.2.101', {
        level: 'ok',
        previous: 'expiring',
        renewed: true,
        days_left: 89,
        expires_at: Date.now() + 89 * DAY + 60_000,
      });
      const [, msg] = await hook.waitFor(2);
      expect((msg!.json as { title: string }).title).toBe('1 certificate renewed in notify.example');
      const [, resolve] = await pd.waitFor(2);
      expect(resolve!.json).toMatchObject({ event_action: 'resolve', dedup_key: `vigil:${rrsetId}:192.0.2.101:certificate` });
    });
  });

  it('gives cert_expiry to the channels that took every event before it existed, and leaves the others their choice (migration)', async () => {
    const make = async (name: string) =>
      (
        await owner
          .post(base)
          .send({ type: 'webhook', name, url: `${hook.url}/${name}` })
          .expect(201)
      ).body.id as string;
    const [all, some] = [await make('all-before'), await make('some-before')];
    const ds = api.ds();
    await ds.query(`UPDATE notification_channels SET events = $2 WHERE id = $1`, [all, ['down', 'up', 'all_down']]);
    await ds.query(`UPDATE notification_channels SET events = $2 WHERE id = $1`, [some, ['all_down']]);
    const runner = ds.createQueryRunner();
    try {
      await new CertExpiryEvent1764150000000().up(runner);
      // Run twice, it adds nothing twice.
      await new CertExpiryEvent1764150000000().up(runner);
    } finally {
      await runner.release();
    }
    expect((await owner.get(`${base}/${all}`).expect(200)).body.events).toEqual(['down', 'up', 'all_down', 'cert_expiry']);
    expect((await owner.get(`${base}/${some}`).expect(200)).body.events).toEqual(['all_down']);
    for (const id of [all, some]) await owner.delete(`${base}/${id}`).expect(204);
  });

  it('refuses an e-mail channel where the operator has set up no SMTP server', async () => {
    const bare = await TestApi.start();
    try {
      const c = await bare.customer();
      expect((await c.agent.get(base).expect(200)).body).toEqual({ channels: [], email_available: false });
      const reason = expectInvalid(await c.agent.post(base).send({ type: 'email', name: 'mail', to: ['a@example.com'] }), 'type');
      expect(reason).toContain('SMTP_HOST');
    } finally {
      await bare.close();
    }
  });
});
