import {
  type CertItem,
  discordBody,
  emailMessage,
  type Notice,
  type NoticeItem,
  noticeFirstAt,
  noticeFor,
  noticeKey,
  noticeLines,
  noticeTitle,
  pagerdutyEvents,
  slackBody,
  webhookBody,
} from './message';

const T0 = Date.UTC(2026, 11, 3, 7, 0, 0);
const item = (over: Partial<NoticeItem> = {}): NoticeItem => ({
  rrsetId: 'r1',
  zoneId: 'z1',
  zone: 'shop.example',
  name: 'www.shop.example',
  type: 'A',
  changes: [
    {
      feedId: '1-0',
      checkId: 'r1',
      address: '192.0.2.1',
      state: 'unavailable',
      previous: 'available',
      since: T0,
      reasons: { 'us-1': 'timeout', 'eu-1': 'connect ECONNREFUSED' },
    },
  ],
  serving: ['192.0.2.2'],
  allDown: false,
  healthUrl: 'https://panel.example/zones/shop.example/www.shop.example/A/health',
  ...over,
});
const notice = (...items: NoticeItem[]): Notice => ({ key: 'k1', accountId: 'a1', items, createdAt: T0 + 5000 });

describe('notification messages', () => {
  it('say which address of which record set changed, since when, why, and what DNS answers now', () => {
    expect(noticeLines(notice(item()))).toEqual([
      'www.shop.example A: 192.0.2.1 is DOWN since 2026-12-03T07:00:00Z (eu-1: connect ECONNREFUSED; us-1: timeout)',
      'www.shop.example A: DNS now answers 192.0.2.2',
    ]);
    const allDown = item({
      allDown: true,
      serving: ['192.0.2.1', '192.0.2.2'],
      changes: [
        { feedId: '2-0', checkId: 'r1', address: '192.0.2.2', state: 'unavailable', previous: 'available', since: T0, reasons: {} },
      ],
    });
    expect(noticeLines(notice(allDown))[1]).toBe(
      'www.shop.example A: EVERY ADDRESS IS DOWN; DNS fails open and answers all of them: 192.0.2.1, 192.0.2.2',
    );
    expect(noticeTitle(notice(allDown))).toBe('1 record set with every address down, 1 address down in shop.example');
  });

  it('count many transitions in one title', () => {
    const changes = Array.from({ length: 50 }, (_, i) => ({
      feedId: `${i}-0`,
      checkId: 'r1',
      address: `192.0.2.${i + 1}`,
      state: 'unavailable' as const,
      previous: 'available' as const,
      since: T0,
      reasons: {},
    }));
    const up = item({
      rrsetId: 'r2',
      zone: 'other.example',
      changes: [{ ...changes[0]!, checkId: 'r2', state: 'available', previous: 'unavailable' }],
    });
    expect(noticeTitle(notice(item({ changes }), up))).toBe('50 addresses down, 1 back up in shop.example, other.example');
  });

  it('give the same key to the same transitions in any order', () => {
    expect(noticeKey(['2-0', '1-0'])).toBe(noticeKey(['1-0', '2-0']));
    expect(noticeKey(['1-0'])).not.toBe(noticeKey(['1-0', '2-0']));
  });

  it('keep for a channel only what it subscribed to: its events, zones and record sets', () => {
    const n = notice(
      item(),
      item({ rrsetId: 'r2', zoneId: 'z2', changes: [{ ...item().changes[0]!, state: 'available', previous: 'unavailable' }] }),
    );
    const all = { events: ['down', 'up', 'all_down'] as const, zoneIds: [], rrsetIds: [] };
    expect(noticeFor(n, all)!.items).toHaveLength(2);
    expect(noticeFor(n, { ...all, events: ['up'] })!.items.map((i) => i.rrsetId)).toEqual(['r2']);
    expect(noticeFor(n, { ...all, zoneIds: ['z1'] })!.items.map((i) => i.rrsetId)).toEqual(['r1']);
    expect(noticeFor(n, { ...all, rrsetIds: ['r3'] })).toBeNull();
    expect(noticeFor(n, { ...all, events: ['all_down'] })).toBeNull();
  });

  it('render the webhook body with every change and what DNS serves', () => {
    expect(webhookBody(notice(item()))).toEqual({
      id: 'k1',
      type: 'health.transitions',
      created_at: '2026-12-03T07:00:05Z',
      account_id: 'a1',
      title: '1 address down in shop.example',
      text: expect.stringContaining('192.0.2.1 is DOWN'),
      rrsets: [
        {
          id: 'r1',
          zone: 'shop.example',
          name: 'www.shop.example',
          type: 'A',
          all_down: false,
          serving: ['192.0.2.2'],
          health_url: 'https://panel.example/zones/shop.example/www.shop.example/A/health',
          changes: [
            {
              address: '192.0.2.1',
              from: 'available',
              to: 'unavailable',
              at: '2026-12-03T07:00:00Z',
              reasons: { 'us-1': 'timeout', 'eu-1': 'connect ECONNREFUSED' },
            },
          ],
        },
      ],
    });
  });

  it("render Slack's and Discord's bodies, Discord's within its 2,000 characters and mentioning nobody", () => {
    expect((slackBody(notice(item())) as { text: string }).text).toMatch(
      /^\*Vigil: 1 address down in shop.example\*\n.*192\.0\.2\.1 is DOWN.*\n<https:\/\/panel\.example\/.*\|www\.shop\.example A>$/s,
    );
    const changes = Array.from({ length: 100 }, (_, i) => ({ ...item().changes[0]!, feedId: `${i}`, address: `192.0.2.${i}` }));
    const d = discordBody(notice(item({ changes }))) as { content: string; allowed_mentions: unknown };
    expect(d.content.length).toBeLessThanOrEqual(2000);
    expect(d.allowed_mentions).toEqual({ parse: [] });
  });

  it('trigger a PagerDuty event per address that went down and resolve it when it comes back, under one dedup key', () => {
    const down = pagerdutyEvents(notice(item()), 'R'.repeat(32));
    expect(down).toEqual([
      expect.objectContaining({
        routing_key: 'R'.repeat(32),
        event_action: 'trigger',
        dedup_key: 'vigil:r1:192.0.2.1',
        payload: expect.objectContaining({
          summary: 'www.shop.example A: 192.0.2.1 is down',
          source: '192.0.2.1',
          severity: 'error',
          group: 'shop.example',
        }),
      }),
    ]);
    const back = pagerdutyEvents(
      notice(item({ changes: [{ ...item().changes[0]!, state: 'available', previous: 'unavailable' }] })),
      'R'.repeat(32),
    );
    expect(back.map((e) => [(e as { event_action: string }).event_action, (e as { dedup_key: string }).dedup_key])).toEqual([
      ['resolve', 'vigil:r1:192.0.2.1'],
      ['resolve', 'vigil:r1:all-down'],
    ]);
    const all = pagerdutyEvents(notice(item({ allDown: true })), 'R'.repeat(32));
    expect(all[1]).toMatchObject({ event_action: 'trigger', dedup_key: 'vigil:r1:all-down', payload: { severity: 'critical' } });
  });

  it('write the e-mail as text and as HTML with the names escaped', () => {
    const m = emailMessage(notice(item({ name: '<b>.shop.example' })));
    expect(m.subject).toBe('[Vigil] 1 address down in shop.example');
    expect(m.text).toContain('<b>.shop.example A: 192.0.2.1 is DOWN');
    expect(m.html).toContain('&lt;b&gt;.shop.example A: 192.0.2.1 is DOWN');
    expect(m.html).not.toContain('<b>');
  });

  it('say what a test is, and page nobody for long with it', () => {
    const t: Notice = { key: 'test-1', accountId: 'a1', items: [], createdAt: T0, test: true };
    expect(noticeTitle(t)).toBe('test notification');
    expect(pagerdutyEvents(t, 'R'.repeat(32)).map((e) => (e as { event_action: string }).event_action)).toEqual(['trigger', 'resolve']);
  });
});

const DAY = 86_400_000;
const cert = (over: Partial<CertItem> = {}): CertItem => ({
  feedId: 'cert:9-0',
  rrsetId: 'r1',
  zoneId: 'z1',
  zone: 'shop.example',
  name: 'www.shop.example',
  type: 'A',
  address: '192.0.2.1',
  level: 'expiring',
  previous: 'ok',
  renewed: false,
  daysLeft: 2,
  expiresAt: T0 + 2 * DAY + 3_600_000,
  at: T0,
  location: 'eu-1',
  healthUrl: 'https://panel.example/zones/shop.example/www.shop.example/A/health',
  ...over,
});
const certNotice = (...certs: CertItem[]): Notice => ({ key: 'k2', accountId: 'a1', items: [], certs, createdAt: T0 + 5000 });

describe('certificate messages', () => {
  it('say which address of which record set has a certificate expiring, in how many days and on which date', () => {
    const renewed = cert({
      address: '192.0.2.2',
      level: 'ok',
      previous: 'expiring',
      renewed: true,
      daysLeft: 89,
      expiresAt: T0 + 89 * DAY + 60_000,
    });
    const n = certNotice(
      cert(),
      cert({ address: '192.0.2.3', level: 'critical', previous: 'expiring', daysLeft: 0, expiresAt: T0 + 3_600_000 }),
      cert({ address: '192.0.2.4', level: 'critical', daysLeft: -1, expiresAt: T0 - 3_600_000 }),
      renewed,
      cert({ address: '192.0.2.5', renewed: true, previous: 'critical', daysLeft: 5, expiresAt: T0 + 5 * DAY + 60_000 }),
    );
    expect(noticeLines(n)).toEqual([
      'www.shop.example A: the certificate of 192.0.2.1 expires in 2 days (2026-12-05)',
      'www.shop.example A: the certificate of 192.0.2.3 expires in less than a day (2026-12-03): LAST REMINDER',
      'www.shop.example A: the certificate of 192.0.2.4 expired on 2026-12-03: LAST REMINDER',
      'www.shop.example A: the certificate of 192.0.2.2 was renewed; it expires on 2027-03-02 (89 days)',
      'www.shop.example A: the certificate of 192.0.2.5 was replaced, but the new one expires in 5 days (2026-12-08)',
    ]);
    expect(noticeTitle(n)).toBe('4 certificates expiring, 1 certificate renewed in shop.example');
    expect(noticeFirstAt(certNotice(cert({ at: T0 + 10 }), cert({ at: T0 + 5 })))).toBe(T0 + 5);
  });

  it('go only to channels that take cert_expiry, within their zones and record sets', () => {
    const n = certNotice(cert(), cert({ rrsetId: 'r2', zoneId: 'z2', zone: 'other.example' }));
    expect(noticeFor(n, { events: ['down', 'up', 'all_down'], zoneIds: [], rrsetIds: [] })).toBeNull();
    expect(noticeFor(n, { events: ['cert_expiry'], zoneIds: [], rrsetIds: [] })!.certs).toHaveLength(2);
    expect(noticeFor(n, { events: ['cert_expiry'], zoneIds: ['z2'], rrsetIds: [] })!.certs!.map((c) => c.zone)).toEqual(['other.example']);
    expect(noticeFor(n, { events: ['cert_expiry'], zoneIds: [], rrsetIds: ['r9'] })).toBeNull();
    // A transitions message is not a certificate one.
    expect(noticeFor(notice(item()), { events: ['cert_expiry'], zoneIds: [], rrsetIds: [] })).toBeNull();
  });

  it("render the webhook body as type certificate.expiry, with every certificate's fields", () => {
    expect(webhookBody(certNotice(cert()))).toEqual({
      id: 'k2',
      type: 'certificate.expiry',
      created_at: '2026-12-03T07:00:05Z',
      account_id: 'a1',
      title: '1 certificate expiring in shop.example',
      text: 'www.shop.example A: the certificate of 192.0.2.1 expires in 2 days (2026-12-05)',
      certificates: [
        {
          rrset_id: 'r1',
          zone: 'shop.example',
          name: 'www.shop.example',
          type: 'A',
          address: '192.0.2.1',
          level: 'expiring',
          previous: 'ok',
          renewed: false,
          days_left: 2,
          expires_at: '2026-12-05T08:00:00Z',
          checked_at: '2026-12-03T07:00:00Z',
          location: 'eu-1',
          health_url: 'https://panel.example/zones/shop.example/www.shop.example/A/health',
        },
      ],
    });
  });

  it('link each health page once in Slack, Discord and e-mail', () => {
    const n = certNotice(cert(), cert({ address: '192.0.2.9' }));
    const slack = (slackBody(n) as { text: string }).text;
    expect(slack.match(/panel\.example/g)).toHaveLength(1);
    expect((discordBody(n) as { content: string }).content).toContain('192.0.2.9 expires in 2 days');
    const mail = emailMessage(n);
    expect(mail.subject).toBe('[Vigil] 2 certificates expiring in shop.example');
    expect(mail.text.match(/panel\.example/g)).toHaveLength(1);
  });

  it('trigger a PagerDuty warning per certificate (an error on its last reminder) and resolve it once renewed', () => {
    const events = pagerdutyEvents(
      certNotice(
        cert(),
        cert({ address: '192.0.2.3', level: 'critical', daysLeft: 1 }),
        cert({ address: '192.0.2.4', level: 'ok', renewed: true }),
      ),
      'k'.repeat(32),
    ) as { event_action: string; dedup_key: string; payload?: { severity: string; class: string } }[];
    expect(events.map((e) => [e.event_action, e.dedup_key, e.payload?.severity])).toEqual([
      ['trigger', 'vigil:r1:192.0.2.1:certificate', 'warning'],
      ['trigger', 'vigil:r1:192.0.2.3:certificate', 'error'],
      ['resolve', 'vigil:r1:192.0.2.4:certificate', undefined],
    ]);
    expect(events[0]!.payload!.class).toBe('certificate expiry');
  });
});
