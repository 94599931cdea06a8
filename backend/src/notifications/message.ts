// What a notification says, pure and I/O-free: the transitions of one account within the
// coalescing window, grouped by record set, rendered for each kind of channel.
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

export interface Notice {
  /** Idempotency key: the same transitions make the same key, whoever builds the message. */
  key: string;
  accountId: string;
  items: NoticeItem[];
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
  const items = notice.items.filter((item) => {
    if (channel.zoneIds.length > 0 && !channel.zoneIds.includes(item.zoneId)) return false;
    if (channel.rrsetIds.length > 0 && !channel.rrsetIds.includes(item.rrsetId)) return false;
    const events = itemEvents(item);
    return channel.events.some((e) => events.has(e));
  });
  return items.length === 0 ? null : { ...notice, items };
}

const time = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const reasonsText = (reasons: Record<string, string>) =>
  Object.entries(reasons)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([location, why]) => `${location}: ${why}`)
    .join('; ');

/** One line per change and one for what DNS answers, per record set. */
export function noticeLines(notice: Notice): string[] {
  if (notice.test) return ['This is a test message from Vigil: this channel is set up, and health alerts will come here.'];
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
  let down = 0;
  let up = 0;
  for (const item of notice.items) {
    for (const c of item.changes) {
      if (c.state === 'unavailable') down++;
      else up++;
    }
  }
  const allDown = notice.items.filter((i) => i.allDown).length;
  const zones = [...new Set(notice.items.map((i) => i.zone))];
  const parts = [];
  if (allDown) parts.push(`${allDown} record set${allDown > 1 ? 's' : ''} with every address down`);
  if (down) parts.push(`${down} address${down > 1 ? 'es' : ''} down`);
  if (up) parts.push(`${up} back up`);
  const where = zones.length <= 3 ? zones.join(', ') : `${zones.slice(0, 3).join(', ')} and ${zones.length - 3} more zones`;
  return `${parts.join(', ')} in ${where}`;
}

/** The webhook's JSON body (documented in docs/api.md). */
export function webhookBody(notice: Notice): object {
  return {
    id: notice.key,
    type: 'health.transitions',
    created_at: time(notice.createdAt),
    account_id: notice.accountId,
    title: noticeTitle(notice),
    text: noticeLines(notice).join('\n'),
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

/** Slack's incoming webhook (`text` with mrkdwn), which Mattermost and Rocket.Chat take as well. */
export function slackBody(notice: Notice): object {
  const links = notice.items.map((i) => `<${i.healthUrl}|${i.name} ${i.type}>`).join(' · ');
  return { text: `*Vigil: ${noticeTitle(notice)}*\n${noticeLines(notice).join('\n')}\n${links}` };
}

/** Discord's webhook: `content`, at most 2,000 characters, no mentions. */
export function discordBody(notice: Notice): object {
  const text = `**Vigil: ${noticeTitle(notice)}**\n${noticeLines(notice).join('\n')}\n${notice.items.map((i) => i.healthUrl).join('\n')}`;
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
  const links = notice.items.map((i) => `${i.name} ${i.type}: ${i.healthUrl}`);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return {
    subject: `[Vigil] ${noticeTitle(notice)}`,
    text: `${lines.join('\n')}\n\nHealth pages:\n${links.join('\n')}\n`,
    html:
      `<p>${lines.map(esc).join('<br>\n')}</p>\n<p>` +
      notice.items.map((i) => `<a href="${esc(i.healthUrl)}">${esc(`${i.name} ${i.type}`)}</a>`).join(' · ') +
      '</p>\n',
  };
}
