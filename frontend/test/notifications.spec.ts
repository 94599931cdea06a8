// Unit tests of the notifications page's model: the API body per channel type, the API's field
// errors on the form's fields, the edit form's PATCH body, and how a channel is described in the list.
import { ApiError } from '../src/api/client';
import type { Channel } from '../src/api/types';
import { fieldErrors } from '../src/lib/errors';
import {
  changeBody,
  channelBody,
  channelTarget,
  draftErrors,
  editDraft,
  eventsText,
  filterText,
  newChannelDraft,
  splitRecipients,
  targetField,
  typeOptions,
} from '../src/lib/notifications';

describe('channelBody', () => {
  it('puts the destination in the field of the type, trimmed, with every event by default and no zone filter', () => {
    expect(channelBody({ ...newChannelDraft('webhook'), name: ' Hook ', target: ' https://h.example/x ' })).toEqual({
      type: 'webhook',
      name: 'Hook',
      url: 'https://h.example/x',
      events: ['down', 'up', 'all_down', 'cert_expiry'],
      enabled: true,
    });
    expect(channelBody({ ...newChannelDraft('pagerduty'), name: 'PD', target: ' abc ' })).toMatchObject({
      type: 'pagerduty',
      routing_key: 'abc',
    });
    expect(channelBody({ ...newChannelDraft('discord'), name: 'D', target: 'https://discord.example/1' })).toMatchObject({
      type: 'discord',
      url: 'https://discord.example/1',
    });
  });

  it('splits e-mail recipients on commas, semicolons and white space, and sends zones and events as picked', () => {
    const body = channelBody({
      ...newChannelDraft('email'),
      name: 'Mail',
      target: 'a@x.test, b@x.test;\nc@x.test  ,',
      events: ['all_down'],
      zones: ['example.com'],
      enabled: false,
    });
    expect(body).toEqual({
      type: 'email',
      name: 'Mail',
      to: ['a@x.test', 'b@x.test', 'c@x.test'],
      events: ['all_down'],
      zones: ['example.com'],
      enabled: false,
    });
    expect(splitRecipients('  ')).toEqual([]);
  });

  it('names the destination field per type', () => {
    expect([targetField('webhook'), targetField('slack'), targetField('email'), targetField('pagerduty')]).toEqual([
      'url',
      'url',
      'to',
      'routing_key',
    ]);
  });
});

describe('the edit form', () => {
  const channel = (over: Partial<Channel>): Channel => ({
    id: '00000000-0000-4000-8000-000000000001',
    name: 'Hook',
    type: 'webhook',
    events: ['down', 'up', 'all_down'],
    zones: ['a.test'],
    rrset_ids: [],
    enabled: true,
    url: 'https://h.example/x',
    status: 'ok',
    failing_since: null,
    last_error: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...over,
  });

  it('starts from the channel: the URL of a webhook, the recipients of an e-mail channel, a secret empty', () => {
    expect(editDraft(channel({}))).toEqual({
      type: 'webhook',
      name: 'Hook',
      target: 'https://h.example/x',
      events: ['down', 'up', 'all_down'],
      zones: ['a.test'],
      enabled: true,
    });
    expect(editDraft(channel({ type: 'email', url: undefined, to: ['a@x.test', 'b@x.test'] })).target).toBe('a@x.test, b@x.test');
    expect(editDraft(channel({ type: 'slack', url: undefined, hint: 'https://hooks.slack.com/…abcd' })).target).toBe('');
    expect(editDraft(channel({ type: 'pagerduty', url: undefined, hint: '…wxyz' })).target).toBe('');
  });

  it('sends nothing when nothing changed, events and zones in another order included', () => {
    const c = channel({ zones: ['a.test', 'b.test'] });
    expect(changeBody(c, editDraft(c))).toEqual({});
    expect(changeBody(c, { ...editDraft(c), name: ' Hook ', events: ['all_down', 'up', 'down'], zones: ['b.test', 'a.test'] })).toEqual({});
  });

  it('sends only the changed fields', () => {
    const c = channel({});
    expect(changeBody(c, { ...editDraft(c), name: 'Renamed ', events: ['down'] })).toEqual({ name: 'Renamed', events: ['down'] });
    expect(changeBody(c, { ...editDraft(c), target: ' https://h.example/y ' })).toEqual({ url: 'https://h.example/y' });
    expect(changeBody(c, { ...editDraft(c), zones: [], enabled: false })).toEqual({ zones: [], enabled: false });
    const mail = channel({ type: 'email', url: undefined, to: ['a@x.test'] });
    expect(changeBody(mail, { ...editDraft(mail), target: 'a@x.test,  ' })).toEqual({});
    expect(changeBody(mail, { ...editDraft(mail), target: 'a@x.test; b@x.test' })).toEqual({ to: ['a@x.test', 'b@x.test'] });
  });

  it('leaves an empty secret out (the current one stays) and sends a new one in its field', () => {
    const slack = channel({ type: 'slack', url: undefined, hint: 'https://hooks.slack.com/…abcd' });
    expect(changeBody(slack, { ...editDraft(slack), name: 'Chat', target: '   ' })).toEqual({ name: 'Chat' });
    expect(changeBody(slack, { ...editDraft(slack), target: ' https://hooks.slack.com/services/new ' })).toEqual({
      url: 'https://hooks.slack.com/services/new',
    });
    const pd = channel({ type: 'pagerduty', url: undefined, hint: '…wxyz' });
    expect(changeBody(pd, editDraft(pd))).toEqual({});
    expect(changeBody(pd, { ...editDraft(pd), target: 'K'.repeat(32) })).toEqual({ routing_key: 'K'.repeat(32) });
  });

  it('offers e-mail only where the server has SMTP', () => {
    expect(typeOptions(true).every((t) => !t.disabled)).toBe(true);
    expect(
      typeOptions(false)
        .filter((t) => t.disabled)
        .map((t) => t.value),
    ).toEqual(['email']);
    expect(typeOptions(false).find((t) => t.value === 'email')?.label).toBe('E-mail (no SMTP on this server)');
  });
});

describe('draftErrors', () => {
  const error = (details: { field: string; reason: string }[]) => fieldErrors(new ApiError(400, 'invalid', details));

  it('puts url, to and routing_key errors on the destination field', () => {
    const d = newChannelDraft('webhook');
    expect(draftErrors(error([{ field: 'url', reason: 'must be a URL' }]), d)).toEqual({ target: 'must be a URL' });
    expect(draftErrors(error([{ field: 'routing_key', reason: 'must be 32' }]), { ...d, type: 'pagerduty' })).toEqual({
      target: 'must be 32',
    });
  });

  it("names the recipient an item's error is about, and keeps the first error of a field", () => {
    const d = { ...newChannelDraft('email'), target: 'ok@x.test, nope' };
    expect(
      draftErrors(
        error([
          { field: 'to[1]', reason: 'must be an e-mail address' },
          { field: 'to[0]', reason: 'other' },
          { field: 'name', reason: 'must not be empty' },
        ]),
        d,
      ),
    ).toEqual({ target: 'nope: must be an e-mail address', name: 'must not be empty' });
  });

  it('maps zones[i], type and events to their fields and ignores fields the form does not have', () => {
    expect(
      draftErrors(
        error([
          { field: 'zones[0]', reason: 'zone a.test is not one of this account’s' },
          { field: 'type', reason: 'e-mail is not set up on this server' },
          { field: 'events', reason: 'must name at least one event' },
          { field: 'rrset_ids[0]', reason: 'x' },
        ]),
        newChannelDraft('email'),
      ),
    ).toEqual({
      zones: 'zone a.test is not one of this account’s',
      type: 'e-mail is not set up on this server',
      events: 'must name at least one event',
    });
  });
});

describe('the list', () => {
  it('shows the URL, the recipients or the hint of the secret', () => {
    expect(channelTarget({ url: 'https://h.example/x' })).toBe('https://h.example/x');
    expect(channelTarget({ to: ['a@x.test', 'b@x.test'] })).toBe('a@x.test, b@x.test');
    expect(channelTarget({ hint: 'https://hooks.slack.com/…abcd' })).toBe('https://hooks.slack.com/…abcd');
    expect(channelTarget({})).toBe('—');
  });

  it('says "All events" for every one and names the others in order', () => {
    expect(eventsText(['cert_expiry', 'all_down', 'up', 'down'])).toBe('All events');
    expect(eventsText(['all_down', 'up', 'down'])).toBe('Address down, Address back up, Every address down');
    expect(eventsText(['cert_expiry'])).toBe('Certificate expiring');
    expect(eventsText(['up', 'down'])).toBe('Address down, Address back up');
    expect(eventsText(['all_down'])).toBe('Every address down');
  });

  it('shows the zone filter, the record sets it is narrowed to, or all zones', () => {
    expect(filterText({ zones: [], rrset_ids: [] })).toBe('All zones');
    expect(filterText({ zones: ['a.test', 'b.test'], rrset_ids: [] })).toBe('a.test, b.test');
    expect(filterText({ zones: [], rrset_ids: ['1'] })).toBe('All zones, only 1 record set');
    expect(filterText({ zones: ['a.test'], rrset_ids: ['1', '2'] })).toBe('a.test, only 2 record sets');
  });
});
