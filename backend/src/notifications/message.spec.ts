import {
  discordBody,
  emailMessage,
  type Notice,
  type NoticeItem,
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
