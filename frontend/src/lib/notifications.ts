import type { Channel, ChannelChange, ChannelType, NewChannel, NotifyEvent } from '../api/types';

/** The channel types in the order the form offers them, with how people call them. */
export const CHANNEL_TYPES: { value: ChannelType; label: string }[] = [
  { value: 'webhook', label: 'Webhook' },
  { value: 'email', label: 'E-mail' },
  { value: 'slack', label: 'Slack' },
  { value: 'discord', label: 'Discord' },
  { value: 'pagerduty', label: 'PagerDuty' },
];

/**
 * The type choices of the add form: e-mail only where the server has SMTP. A disabled option's
 * label says so (the select does not mark it aria-disabled).
 */
export const typeOptions = (emailAvailable: boolean): { value: ChannelType; label: string; disabled: boolean }[] =>
  CHANNEL_TYPES.map((t) =>
    t.value === 'email' && !emailAvailable
      ? { ...t, label: `${t.label} (no SMTP on this server)`, disabled: true }
      : { ...t, disabled: false },
  );

/** Types whose destination is a secret the API never returns (only a hint of it). */
export const secretTarget = (type: ChannelType): boolean => type === 'slack' || type === 'discord' || type === 'pagerduty';

export const typeLabel = (type: ChannelType): string => CHANNEL_TYPES.find((t) => t.value === type)?.label ?? type;

export const EVENTS: { value: NotifyEvent; label: string }[] = [
  { value: 'down', label: 'Address down' },
  { value: 'up', label: 'Address back up' },
  { value: 'all_down', label: 'Every address down' },
  { value: 'cert_expiry', label: 'Certificate expiring' },
];

/** The API field that holds a type's destination. */
export const targetField = (type: ChannelType): 'url' | 'to' | 'routing_key' =>
  type === 'email' ? 'to' : type === 'pagerduty' ? 'routing_key' : 'url';

/** The destination field's label and hint, per type. */
export function targetInput(type: ChannelType): { label: string; description: string; placeholder: string } {
  switch (type) {
    case 'webhook':
      return {
        label: 'Webhook URL',
        description: 'Vigil POSTs JSON here, signed with X-Vigil-Signature.',
        placeholder: 'https://hooks.example.com/vigil',
      };
    case 'email':
      return {
        label: 'Recipients',
        description: 'Up to 10 addresses, separated by commas or spaces.',
        placeholder: 'oncall@example.com, ops@example.com',
      };
    case 'slack':
      return {
        label: 'Slack webhook URL',
        description: 'An incoming webhook of a Slack app (or a Slack-compatible chat); shown only in part afterwards.',
        placeholder: 'https://hooks.slack.com/services/…',
      };
    case 'discord':
      return {
        label: 'Discord webhook URL',
        description: "A channel's webhook (Server settings → Integrations); shown only in part afterwards.",
        placeholder: 'https://discord.com/api/webhooks/…',
      };
    case 'pagerduty':
      return {
        label: 'Integration key',
        description: 'The 32-character routing key of an Events API v2 integration; shown only in part afterwards.',
        placeholder: 'R0UT1NGKEY…',
      };
  }
}

/** What the add-channel form holds. */
export interface ChannelDraft {
  type: ChannelType;
  name: string;
  /** The URL, the routing key, or the recipients as typed. */
  target: string;
  events: NotifyEvent[];
  zones: string[];
  enabled: boolean;
}

export const newChannelDraft = (type: ChannelType = 'webhook'): ChannelDraft => ({
  type,
  name: '',
  target: '',
  events: EVENTS.map((e) => e.value),
  zones: [],
  enabled: true,
});

/** The edit form's start: the channel as it is; a secret destination empty (meaning unchanged). */
export const editDraft = (c: Channel): ChannelDraft => ({
  type: c.type,
  name: c.name,
  target: secretTarget(c.type) ? '' : c.type === 'email' ? (c.to ?? []).join(', ') : (c.url ?? ''),
  events: [...c.events],
  zones: [...c.zones],
  enabled: c.enabled,
});

/** `a@x.test, b@x.test;c@x.test` (commas, semicolons, spaces or lines) → the addresses. */
export const splitRecipients = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The API body for a draft: the type's own destination field, no zone filter when none is picked. */
export function channelBody(d: ChannelDraft): NewChannel {
  const common = {
    name: d.name.trim(),
    events: d.events,
    enabled: d.enabled,
    ...(d.zones.length ? { zones: d.zones } : {}),
  };
  const target = d.target.trim();
  switch (d.type) {
    case 'email':
      return { type: 'email', to: splitRecipients(d.target), ...common };
    case 'pagerduty':
      return { type: 'pagerduty', routing_key: target, ...common };
    default:
      return { type: d.type, url: target, ...common };
  }
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x)) && b.every((x) => a.includes(x));

/**
 * The PATCH body for an edited channel: only the fields that differ from the channel; an empty
 * secret destination (Slack/Discord URL, PagerDuty key) is left out, which keeps the current one.
 */
export function changeBody(c: Channel, d: ChannelDraft): ChannelChange {
  const out: ChannelChange = {};
  const name = d.name.trim();
  if (name !== c.name) out.name = name;
  if (!sameSet(d.events, c.events)) out.events = d.events;
  if (!sameSet(d.zones, c.zones)) out.zones = d.zones;
  if (d.enabled !== c.enabled) out.enabled = d.enabled;
  const target = d.target.trim();
  const field = targetField(c.type);
  if (field === 'to') {
    const to = splitRecipients(d.target);
    if (to.join(',') !== (c.to ?? []).join(',')) out.to = to;
  } else if (secretTarget(c.type)) {
    if (target) out[field] = target;
  } else if (target !== (c.url ?? '')) {
    out.url = target;
  }
  return out;
}

export type DraftField = 'type' | 'name' | 'target' | 'events' | 'zones' | 'enabled';

/**
 * The API's field errors (`url`, `to[1]`, `zones[0]`, …) on the form's fields: an item's error
 * names the item (`b@x: must be an e-mail address`), the first error of a field wins.
 */
export function draftErrors(errors: Record<string, string>, d: ChannelDraft): Partial<Record<DraftField, string>> {
  const out: Partial<Record<DraftField, string>> = {};
  const recipients = d.type === 'email' ? splitRecipients(d.target) : [];
  for (const [field, reason] of Object.entries(errors)) {
    const m = /^([a-z_]+)(?:\[(\d+)\])?/.exec(field);
    if (!m) continue;
    const [, key, index] = m;
    let at: DraftField;
    let item: string | undefined;
    if (key === 'url' || key === 'to' || key === 'routing_key') {
      at = 'target';
      item = key === 'to' && index !== undefined ? recipients[Number(index)] : undefined;
    } else if (key === 'zones') {
      at = 'zones';
      // The API's reason for a zone already names it.
    } else if (key === 'type' || key === 'name' || key === 'events' || key === 'enabled') {
      at = key;
    } else {
      continue;
    }
    out[at] ??= item ? `${item}: ${reason}` : reason;
  }
  return out;
}

/** Where a channel sends to, as far as it may be shown: the URL, the recipients, or a hint of the secret. */
export function channelTarget(c: Pick<Channel, 'url' | 'to' | 'hint'>): string {
  if (c.url) return c.url;
  if (c.to?.length) return c.to.join(', ');
  return c.hint ?? '—';
}

/** `down, up` → `Address down, Address back up`; every one → `All events`. */
export function eventsText(events: readonly NotifyEvent[]): string {
  if (EVENTS.every((e) => events.includes(e.value))) return 'All events';
  return EVENTS.filter((e) => events.includes(e.value))
    .map((e) => e.label)
    .join(', ');
}

/** The zone and record-set filter in words (an alert must match both); none means every zone of the account. */
export function filterText(c: Pick<Channel, 'zones' | 'rrset_ids'>): string {
  const zones = c.zones.length ? c.zones.join(', ') : 'All zones';
  const n = c.rrset_ids.length;
  return n ? `${zones}, only ${n} record set${n === 1 ? '' : 's'}` : zones;
}
