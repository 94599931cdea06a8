// What a notification says, pure and I/O-free: the transitions of one account within the
// coalescing window, grouped by record set, or its certificates' changes (cert_expiry_days),
// rendered for each kind of channel.
import type { CertLevel } from '@vigil/contract';
import { createHash } from 'node:crypto';
import type { NotifyEvent } from './dto/channel.dto';

/** One address's transition, as the change feed carried it, with the state it left. */
export interface Transition {
  feedId: string;
  checkId: string;
  address: string;
  state: 'available' | 'unavailable';
  previous: 'available' | 'unavailable';
  /** When the aggregator decided it (ms). */
  since: number;
  /** Location → why the check failed there (when it went down). */
  reasons: Record<string, string>;
}

/** A record set's changes in one message, and what DNS answers for it now. */
export interface NoticeItem {
  rrsetId: string;
  zoneId: string;
  zone: string;
  name: string;
  type: string;
  changes: Transition[];
  /** The addresses the health filter leaves now (before geo, weights and first_n). */
  serving: string[];
  /** Every enabled address is down: DNS fails open and serves them all. */
  allDown: boolean;
  healthUrl: string;
}

/** One address's certificate changing level (contract's cert.ts), in a certificate message. */
export interface CertItem {
  feedId: string;
  rrsetId: string;
  zoneId: string;
  zone: string;
  name: string;
  type: string;
  address: string;
  level: CertLevel;
  previous: CertLevel;
  /** A later certificate than the one `previous` was about. */
  renewed: boolean;
  daysLeft: number;
  /** When the certificate expires (ms). */
  expiresAt: number;
  /** The reading's time (ms) and location. */
  at: number;
  location: string;
  healthUrl: string;
}

export interface Notice {
  /** Idempotency key: the same transitions make the same key, whoever builds the message. */
  key: string;
  accountId: string;
  /** The transitions' record sets; empty in a certificate message. */
  items: NoticeItem[];
  /** A certificate message (its own, never mixed with transitions): the certificates whose level changed. */
  certs?: CertItem[];
  /** When the message was first built (ms). */
  createdAt: number;
  /** The "send test" message: no items, a line saying the channel works. */
  test?: boolean;
}

export const noticeKey = (feedIds: readonly string[]) =>
  createHash('sha256')
    .update([...feedIds].sort().join(','))
    .digest('hex')
    .slice(0, 32);

/** The events an item is about: its down and up changes, and all-down. */
export function itemEvents(item: NoticeItem): Set<NotifyEvent> {
  const out = new Set<NotifyEvent>();
  for (const c of item.changes) out.add(c.state === 'unavailable' ? 'down' : 'up');
  if (item.allDown) out.add('all_down');
  return out;
}

/** The part of a notice a channel subscribed to (its events and its zones or record sets), or null. */
export function noticeFor(
  notice: Notice,
  channel: { events: readonly NotifyEvent[]; zoneIds: readonly string[]; rrsetIds: readonly string[] },
): Notice | null {
  const scoped = (item: { zoneId: string; rrsetId: string }) =>
    (channel.zoneIds.length === 0 || channel.zoneIds.includes(item.zoneId)) &&
    (channel.rrsetIds.length === 0 || channel.rrsetIds.includes(item.rrsetId));
  if (notice.certs) {
    const certs = channel.events.includes('cert_expiry') ? notice.certs.filter(scoped) : [];
    return certs.length === 0 ? null : { ...notice, certs };
  }
  const items = notice.items.filter((item) => {
    if (!scoped(item)) return false;
    const events = itemEvents(item);
    return channel.events.some((e) => events.has(e));
  });
  return items.length === 0 ? null : { ...notice, items };
}

/** When the earliest change of a notice happened (ms): the transitions' or the certificate readings'. */
export const noticeFirstAt = (notice: Notice) =>
  Math.min(...(notice.certs?.map((c) => c.at) ?? notice.items.flatMap((i) => i.changes.map((c) => c.since))));

const time = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What a certificate's change says: when it expires, renewed or not. */
function certLine(c: CertItem): string {
  const owner = `${c.name} ${c.type}`;
  const when =
    c.daysLeft < 0 || c.expiresAt <= c.at
      ? `expired on ${day(c.expiresAt)}`
      : c.daysLeft === 0
        ? `expires in less than a day (${day(c.expiresAt)})`
        : `expires in ${plural(c.daysLeft, 'day')} (${day(c.expiresAt)})`;
  if (c.level === 'ok')
    return `${owner}: the certificate of ${c.address} was renewed; it expires on ${day(c.expiresAt)} (${plural(c.daysLeft, 'day')})`;
  if (c.renewed) return `${owner}: the certificate of ${c.address} was replaced, but the new one ${when}`;
  return `${owner}: the certificate of ${c.address} ${when}${c.level === 'critical' ? ': LAST REMINDER' : ''}`;
}

/** The zones a message is about, three at most by name. */
function zonesText(names: readonly string[]): string {
  const zones = [...new Set(names)];
  return zones.length <= 3 ? zones.join(', ') : `${zones.slice(0, 3).join(', ')} and ${zones.length - 3} more zones`;
}
const reasonsText = (reasons: Record<string, string>) =>
  Object.entries(reasons)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([location, why]) => `${location}: ${why}`)
    .join('; ');

/** One line per change and one for what DNS answers, per record set. */
export function noticeLines(notice: Notice): string[] {
  if (notice.test) return ['This is a test message from Vigil: this channel is set up, and health alerts will come here.'];
  if (notice.certs) return notice.certs.map(certLine);
  const lines: string[] = [];
  for (const item of notice.items) {
    const owner = `${item.name} ${item.type}`;
    for (const c of item.changes) {
      if (c.state === 'unavailable') {
        const why = reasonsText(c.reasons);
        lines.push(`${owner}: ${c.address} is DOWN since ${time(c.since)}${why ? ` (${why})` : ''}`);
      } else {
        lines.push(`${owner}: ${c.address} is back UP since ${time(c.since)}`);
      }
    }
    lines.push(
      item.allDown
        ? `${owner}: EVERY ADDRESS IS DOWN; DNS fails open and answers all of them: ${item.serving.join(', ')}`
        : `${owner}: DNS now answers ${item.serving.join(', ')}`,
    );
  }
  return lines;
}

/** A short title: how many went down and came up, and where. */
export function noticeTitle(notice: Notice): string {
  if (notice.test) return 'test notification';
  if (notice.certs) {
    const renewed = notice.certs.filter((c) => c.level === 'ok').length;
    const expiring = notice.certs.length - renewed;
    const parts = [];
    if (expiring) parts.push(`${plural(expiring, 'certificate')} expiring`);
    if (renewed) parts.push(`${plural(renewed, 'certificate')} renewed`);
    return `${parts.join(', ')} in ${zonesText(notice.certs.map((c) => c.zone))}`;
  }
  let down = 0;
  let up = 0;
  for (const item of notice.items) {
    for (const c of item.changes) {
      if (c.state === 'unavailable') down++;
      else up++;
    }
  }
  const allDown = notice.items.filter((i) => i.allDown).length;
  const parts = [];
  if (allDown) parts.push(`${allDown} record set${allDown > 1 ? 's' : ''} with every address down`);
  if (down) parts.push(`${down} address${down > 1 ? 'es' : ''} down`);
  if (up) parts.push(`${up} back up`);
  return `${parts.join(', ')} in ${zonesText(notice.items.map((i) => i.zone))}`;
}

/** The webhook's JSON body (documented in docs/api.md). */
export function webhookBody(notice: Notice): object {
  const head = {
    id: notice.key,
    type: notice.certs ? 'certificate.expiry' : 'health.transitions',
    created_at: time(notice.createdAt),
    account_id: notice.accountId,
    title: noticeTitle(notice),
    text: noticeLines(notice).join('\n'),
  };
  if (notice.certs) {
    return {
      ...head,
      certificates: notice.certs.map((c) => ({
        rrset_id: c.rrsetId,
        zone: c.zone,
        name: c.name,
        type: c.type,
        address: c.address,
        level: c.level,
        previous: c.previous,
        renewed: c.renewed,
        days_left: c.daysLeft,
        expires_at: time(c.expiresAt),
        checked_at: time(c.at),
        location: c.location,
        health_url: c.healthUrl,
      })),
    };
  }
  return {
    ...head,
    rrsets: notice.items.map((i) => ({
      id: i.rrsetId,
      zone: i.zone,
      name: i.name,
      type: i.type,
      all_down: i.allDown,
      serving: i.serving,
      health_url: i.healthUrl,
      changes: i.changes.map((c) => ({ address: c.address, from: c.previous, to: c.state, at: time(c.since), reasons: c.reasons })),
    })),
  };
}

/** Each record set's health page once, in the message's order. */
const pages = (notice: Notice) => [
  ...new Map((notice.certs ?? notice.items).map((i) => [i.healthUrl, { url: i.healthUrl, label: `${i.name} ${i.type}` }])).values(),
];

/** Slack's incoming webhook (`text` with mrkdwn), which Mattermost and Rocket.Chat take as well. */
export function slackBody(notice: Notice): object {
  const links = pages(notice)
    .map((p) => `<${p.url}|${p.label}>`)
    .join(' · ');
  return { text: `*Vigil: ${noticeTitle(notice)}*\n${noticeLines(notice).join('\n')}\n${links}` };
}

/** Discord's webhook: `content`, at most 2,000 characters, no mentions. */
export function discordBody(notice: Notice): object {
  const text = `**Vigil: ${noticeTitle(notice)}**\n${noticeLines(notice).join('\n')}\n${pages(notice)
    .map((p) => p.url)
    .join('\n')}`;
  return { content: text.length > 2000 ? `${text.slice(0, 1990)}\n…` : text, allowed_mentions: { parse: [] } };
}

/**
 * PagerDuty Events API v2: one event per address, triggered when it goes down and resolved when it
 * comes back, under a dedup key of its own; a record set with every address down triggers one
 * critical event of its own, resolved once any address is back.
 */
export function pagerdutyEvents(notice: Notice, routingKey: string): object[] {
  if (notice.test) {
    // A test pages nobody for long: an info event, resolved at once.
    const dedup = `vigil:test:${notice.key}`;
    const payload = { summary: 'Vigil test notification: this integration is set up', source: 'vigil', severity: 'info' };
    return [
      { routing_key: routingKey, event_action: 'trigger', dedup_key: dedup, payload },
      { routing_key: routingKey, event_action: 'resolve', dedup_key: dedup },
    ];
  }
  const events: object[] = [];
  // A certificate in its window is an incident of its own until it is renewed.
  for (const c of notice.certs ?? []) {
    const dedup = `vigil:${c.rrsetId}:${c.address}:certificate`;
    if (c.level === 'ok') {
      events.push({ routing_key: routingKey, event_action: 'resolve', dedup_key: dedup });
      continue;
    }
    events.push({
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: dedup,
      payload: {
        summary: certLine(c).slice(0, 1024),
        source: c.address,
        severity: c.level === 'critical' ? 'error' : 'warning',
        timestamp: time(c.at),
        component: `${c.name} ${c.type}`,
        group: c.zone,
        class: 'certificate expiry',
        custom_details: { days_left: c.daysLeft, expires_at: time(c.expiresAt), location: c.location },
      },
      links: [{ href: c.healthUrl, text: `${c.name} ${c.type} in Vigil` }],
    });
  }
  for (const i of notice.items) {
    const links = [{ href: i.healthUrl, text: `${i.name} ${i.type} in Vigil` }];
    for (const c of i.changes) {
      const down = c.state === 'unavailable';
      events.push({
        routing_key: routingKey,
        event_action: down ? 'trigger' : 'resolve',
        dedup_key: `vigil:${i.rrsetId}:${c.address}`,
        payload: {
          summary: `${i.name} ${i.type}: ${c.address} is ${down ? 'down' : 'back up'}`.slice(0, 1024),
          source: c.address,
          severity: 'error',
          timestamp: time(c.since),
          component: `${i.name} ${i.type}`,
          group: i.zone,
          class: 'health check',
          custom_details: { reasons: c.reasons, dns_answers: i.serving },
        },
        links,
      });
    }
    const dedup = `vigil:${i.rrsetId}:all-down`;
    if (i.allDown) {
      events.push({
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: dedup,
        payload: {
          summary: `${i.name} ${i.type}: every address is down; DNS fails open and serves them all`.slice(0, 1024),
          source: i.name,
          severity: 'critical',
          component: `${i.name} ${i.type}`,
          group: i.zone,
          class: 'health check',
          custom_details: { dns_answers: i.serving },
        },
        links,
      });
    } else if (i.changes.some((c) => c.state === 'available')) {
      // An address is back: the record set is not all down (any more).
      events.push({ routing_key: routingKey, event_action: 'resolve', dedup_key: dedup });
    }
  }
  return events;
}

/** The e-mail: subject, plain text and the same as simple HTML. */
export function emailMessage(notice: Notice): { subject: string; text: string; html: string } {
  const lines = noticeLines(notice);
  const links = pages(notice).map((p) => `${p.label}: ${p.url}`);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return {
    subject: `[Vigil] ${noticeTitle(notice)}`,
    text: `${lines.join('\n')}\n\nHealth pages:\n${links.join('\n')}\n`,
    html:
      `<p>${lines.map(esc).join('<br>\n')}</p>\n<p>` +
      pages(notice)
        .map((p) => `<a href="${esc(p.url)}">${esc(p.label)}</a>`)
        .join(' · ') +
      '</p>\n',
  };
}
