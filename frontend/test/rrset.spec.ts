// Unit tests of the panel's record set model: draft ↔ API body, and client-side validation with
// the contract's schemas (same messages and field paths as the API).
import { ApiError } from '../src/api/client';
import type { Rrset } from '../src/api/types';
import { balancingText, contentText } from '../src/lib/display';
import { fieldErrors, formatPath } from '../src/lib/errors';
import {
  addRecordRefusal,
  buildBody,
  draftFromRrset,
  emptyRecord,
  failoverApplies,
  fullName,
  MAX_RECORDS,
  newDraft,
  relativeName,
  validateDraft,
  type RrsetDraft,
} from '../src/lib/rrset';
import { addablePickers, buildPickerList, newPicker, pickerDrafts, type PickerDraft } from '../src/lib/pickers';

/** Pickers as the editor makes them: type, and limit and strict as typed. */
const pickers = (...ps: [type: string, limit?: string, strict?: boolean][]): PickerDraft[] =>
  ps.map(([type, limit = '', strict = false]) => ({ ...newPicker(type), limit, strict }));

const ZONE = 'example.com';

function aDraft(patch: Partial<RrsetDraft> = {}): RrsetDraft {
  const d = newDraft('A');
  d.name = 'www';
  d.records = [{ ...emptyRecord('A'), fields: ['192.0.2.10'] }];
  return { ...d, ...patch };
}

/** A record set as the API returns it (of `www` unless named, no pickers, no meta), read into the editor's draft. */
function readBack(r: Partial<Rrset> & Pick<Rrset, 'type' | 'resource_records'>): RrsetDraft {
  return draftFromRrset({ id: 'x', name: `www.${ZONE}`, ttl: 300, pickers: [], meta: {}, ...r } as Rrset, ZONE);
}

describe('names', () => {
  it('turns what the user typed into the full name, and back', () => {
    expect(fullName('www', ZONE)).toBe('www.example.com');
    expect(fullName('@', ZONE)).toBe(ZONE);
    expect(fullName('', ZONE)).toBe(ZONE);
    expect(fullName('WWW.Example.com.', ZONE)).toBe('www.example.com');
    expect(fullName('*.dev', ZONE)).toBe('*.dev.example.com');
    expect(relativeName('www.example.com', ZONE)).toBe('www');
    expect(relativeName(ZONE, ZONE)).toBe('@');
  });
});

describe('buildBody', () => {
  it('builds a round-robin A record set without failover', () => {
    expect(buildBody(aDraft({ ttl: '60' }), true)).toEqual({
      ttl: 60,
      resource_records: [{ content: ['192.0.2.10'], enabled: true, meta: {} }],
      pickers: [],
      meta: { failover: null },
    });
  });

  it('sends only the fields of the check protocol', () => {
    const d = aDraft();
    d.failover = {
      ...d.failover,
      enabled: true,
      protocol: 'HTTP',
      port: '8080',
      frequency: '10',
      timeout: '2',
      url: '/health',
      regexp: '',
      host: '',
    };
    expect(buildBody(d, true).meta?.failover).toEqual({
      protocol: 'HTTP',
      port: 8080,
      frequency: 10,
      timeout: 2,
      method: 'GET',
      url: '/health',
      http_status_code: 200,
    });
    d.failover = { ...d.failover, protocol: 'TCP', port: '25', tls: true, verify: false };
    expect(buildBody(d, true).meta?.failover).toEqual({ protocol: 'TCP', port: 25, frequency: 10, timeout: 2, tls: true, verify: false });
    d.failover = { ...d.failover, protocol: 'ICMP' };
    expect(buildBody(d, true).meta?.failover).toEqual({ protocol: 'ICMP', frequency: 10, timeout: 2 });
    // Without the beta feature the body carries no failover at all.
    expect(buildBody(d, false).meta?.failover).toBeNull();
  });

  it('builds the pickers in their order, each with its limit and strict, and the record meta each reads', () => {
    const d = aDraft({ pickers: pickers(['geodns', '', true], ['first_n', '1']) });
    d.records = [
      { ...emptyRecord('A'), fields: ['192.0.2.1'], countries: ['FR'], continents: ['eu'], weight: '5' },
      { ...emptyRecord('A'), fields: ['192.0.2.2'], isDefault: true },
    ];
    const geo = buildBody(d, true);
    expect(geo.pickers).toEqual([
      { type: 'geodns', strict: true },
      { type: 'first_n', limit: 1 },
    ]);
    // Meta is saved whichever pickers read it: removing a picker drops nothing the records hold.
    expect(geo.resource_records.map((r) => r.meta)).toEqual([{ countries: ['FR'], continents: ['eu'], weight: 5 }, { default: true }]);
    expect(buildBody({ ...d, pickers: pickers(['weighted_shuffle']) }, true).pickers).toEqual([{ type: 'weighted_shuffle' }]);

    const every = aDraft({
      pickers: pickers(['healthcheck'], ['ip', '', true], ['asn', '2'], ['geodistance', '1'], ['default', '', true], ['weighted_shuffle']),
    });
    every.records = [
      { ...emptyRecord('A'), fields: ['192.0.2.1'], ip: '192.0.2.0/24, 2001:db8::/32', asn: '64496 13335', lat: '48.8566', lon: '2.3522' },
      { ...emptyRecord('A'), fields: ['192.0.2.2'], isDefault: true, weight: '0.5', lat: '-33.87', lon: '151.21' },
    ];
    const body = buildBody(every, true);
    expect(body.pickers).toEqual([
      { type: 'healthcheck' },
      { type: 'ip', strict: true },
      { type: 'asn', limit: 2 },
      { type: 'geodistance', limit: 1 },
      { type: 'default', strict: true },
      { type: 'weighted_shuffle' },
    ]);
    expect(body.resource_records.map((r) => r.meta)).toEqual([
      { ip: ['192.0.2.0/24', '2001:db8::/32'], asn: [64496, 13335], latlong: [48.8566, 2.3522] },
      { default: true, weight: 0.5, latlong: [-33.87, 151.21] },
    ]);
    expect(validateDraft(every, ZONE, true)).toEqual({});
    // Read back, the same draft builds the same body.
    const back = readBack({
      type: 'A',
      resource_records: body.resource_records as Rrset['resource_records'],
      pickers: body.pickers as Rrset['pickers'],
    });
    expect(buildBody(back, true)).toEqual(body);
  });

  it('offers each picker step once, the health filter under one name', () => {
    expect(addablePickers([])).toEqual(['healthcheck', 'geodns', 'ip', 'asn', 'geodistance', 'weighted_shuffle', 'first_n', 'default']);
    expect(addablePickers(pickers(['is_healthy'], ['geodns'], ['first_n']))).toEqual([
      'ip',
      'asn',
      'geodistance',
      'weighted_shuffle',
      'default',
    ]);
  });

  it('names the bad entry of a record field at its path: networks, AS numbers, latitude and longitude', () => {
    const d = aDraft({ pickers: pickers(['ip'], ['asn'], ['geodistance']) });
    d.records = [
      { ...emptyRecord('A'), fields: ['192.0.2.1'], ip: '192.0.2.0/24 10.0.0.0/33', asn: '64496, AS13335', lat: '91', lon: 'east' },
    ];
    expect(validateDraft(d, ZONE, true)).toEqual({
      'resource_records[0].meta.ip[1]': 'must be an address or network such as 192.0.2.0/24',
      'resource_records[0].meta.asn[1]': 'must be an AS number',
      'resource_records[0].meta.latlong[0]': 'must be from -90 to 90',
      'resource_records[0].meta.latlong[1]': 'must be a number',
    });
    // One of the two coordinates alone is not a place.
    d.records[0] = { ...d.records[0]!, ip: '', asn: '', lat: '48.85', lon: '' };
    expect(validateDraft(d, ZONE, true)).toEqual({ 'resource_records[0].meta.latlong[1]': 'must be a number' });
  });

  it('writes checks as Gcore does: UDP and TCP with what they send and match, an empty status as any answer, HTTP over TLS read as HTTPS', () => {
    const d = aDraft();
    d.failover = {
      ...d.failover,
      enabled: true,
      protocol: 'UDP',
      port: '5353',
      frequency: '30',
      timeout: '2',
      command: 'PING',
      regexp: 'PONG',
    };
    expect(buildBody(d, true).meta?.failover).toEqual({
      protocol: 'UDP',
      port: 5353,
      frequency: 30,
      timeout: 2,
      command: 'PING',
      regexp: 'PONG',
    });
    d.failover = { ...d.failover, protocol: 'HTTP', port: '', http_status_code: '', regexp: '' };
    expect(buildBody(d, true).meta?.failover).toMatchObject({ protocol: 'HTTP', http_status_code: null });
    const read = readBack({
      type: 'A',
      resource_records: [{ id: 1, content: ['192.0.2.1'], enabled: true, meta: {} }],
      meta: { failover: { protocol: 'HTTP', tls: true, port: 443, frequency: 60, timeout: 5, http_status_code: null } },
    });
    expect(read.failover).toMatchObject({ protocol: 'HTTPS', http_status_code: '' });
  });

  it('marks backup records in their meta, and reads the mark back', () => {
    const d = aDraft();
    d.records = [
      { ...emptyRecord('A'), fields: ['192.0.2.1'] },
      { ...emptyRecord('A'), fields: ['198.51.100.1'], backup: true },
    ];
    const body = buildBody(d, true);
    expect(body.resource_records.map((r) => r.meta)).toEqual([{}, { backup: true }]);
    const back = readBack({ type: 'A', resource_records: body.resource_records as Rrset['resource_records'] });
    expect(back.records.map((r) => [r.backup, r.kept])).toEqual([
      [false, {}],
      [true, {}],
    ]);
  });

  it('sends numeric content fields as numbers', () => {
    const d = { ...newDraft('SRV'), name: '_sip._tcp' };
    d.records = [{ ...emptyRecord('SRV'), fields: ['10', '5', '5060', 'sip.example.com'] }];
    expect(buildBody(d, true).resource_records[0]!.content).toEqual([10, 5, 5060, 'sip.example.com']);
  });
});

describe('validateDraft', () => {
  it('accepts a good record set', () => {
    expect(validateDraft(aDraft(), ZONE, true)).toEqual({});
  });

  it('names each bad field with the API path and message', () => {
    const d = aDraft({ ttl: '700000' });
    d.records = [
      { ...emptyRecord('A'), fields: ['192.0.2.300'] },
      { ...emptyRecord('A'), fields: ['192.0.2.20'] },
    ];
    d.failover = { ...d.failover, enabled: true, frequency: '10', timeout: '10' };
    const errors = validateDraft(d, ZONE, true);
    expect(errors).toEqual({
      ttl: 'must be from 0 to 604800',
      'meta.failover.timeout': 'must be less than frequency',
      'resource_records[0].content[0]': 'must be an IPv4 address such as 192.0.2.1',
    });
  });

  it('finds duplicates, bad names and a missing first N limit', () => {
    const d = aDraft({ name: 'bad name', pickers: pickers(['first_n']) });
    d.records = [
      { ...emptyRecord('A'), fields: ['192.0.2.1'] },
      { ...emptyRecord('A'), fields: ['192.0.2.01'] },
    ];
    const errors = validateDraft(d, ZONE, true);
    expect(errors.name).toMatch(/may contain only letters/);
    expect(errors['pickers[0].limit']).toBe('needs N, the number of records to answer with (1–100)');
    expect(validateDraft({ ...d, pickers: pickers(['first_n', 'two']) }, ZONE, true)['pickers[0].limit']).toBe('must be an integer');
    expect(validateDraft({ ...d, pickers: pickers(['first_n', '101']) }, ZONE, true)['pickers[0].limit']).toBe(
      'must be from 0 (no limit) to 100',
    );
    expect(errors['resource_records[1].content[0]'] ?? errors['resource_records[1].content']).toBeDefined();
  });
});

describe('draftFromRrset', () => {
  it('loads what the API returns back into the same draft', () => {
    const r: Rrset = {
      id: 'x',
      name: 'www.example.com',
      type: 'A',
      ttl: 30,
      resource_records: [
        { id: 1, content: ['192.0.2.1'], enabled: true, meta: { countries: ['FR'], continents: ['eu'] } },
        { id: 2, content: ['192.0.2.2'], enabled: false, meta: { default: true } },
      ],
      pickers: [
        { type: 'geodns', strict: false },
        { type: 'first_n', limit: 1 },
      ],
      meta: {
        failover: {
          protocol: 'HTTPS',
          port: 443,
          frequency: 30,
          timeout: 5,
          method: 'HEAD',
          url: '/',
          http_status_code: 204,
          verify: false,
        },
      },
      created_at: '',
      updated_at: '',
    };
    const d = draftFromRrset(r, ZONE);
    expect(d).toMatchObject({ name: 'www', type: 'A', ttl: '30' });
    expect(d.pickers.map((p) => [p.type, p.limit, p.strict])).toEqual([
      ['geodns', '', false],
      ['first_n', '1', false],
    ]);
    expect(d.failover).toMatchObject({
      enabled: true,
      protocol: 'HTTPS',
      port: '443',
      method: 'HEAD',
      http_status_code: '204',
      verify: false,
    });
    const body = buildBody(d, true);
    expect(body.resource_records).toEqual(r.resource_records.map(({ id: _id, ...rec }) => rec));
    expect(body.pickers).toEqual(r.pickers);
    expect(body.meta?.failover).toEqual(r.meta.failover);
  });

  it('keeps the ip, asn, geodistance and default pickers an API client made, and every meta field, through a save', () => {
    const r: Rrset = {
      id: 'x',
      name: 'www.example.com',
      type: 'A',
      ttl: 30,
      resource_records: [
        {
          id: 1,
          content: ['192.0.2.1'],
          enabled: true,
          meta: { ip: ['198.51.100.0/24'], asn: [64500], latlong: [48.86, 2.35], notes: 'paris' },
        },
        { id: 2, content: ['192.0.2.2'], enabled: true, meta: { default: true, fallback: true, cidr_labels: { eu: 2 } } },
      ],
      pickers: [
        { type: 'ip', strict: false },
        { type: 'asn', limit: 0 },
        { type: 'geodistance' },
        { type: 'default', strict: true, limit: 1 },
      ],
      meta: {},
      created_at: '',
      updated_at: '',
    };
    const d = draftFromRrset(r, ZONE);
    expect(d.records[0]).toMatchObject({ ip: '198.51.100.0/24', asn: '64500', lat: '48.86', lon: '2.35', kept: { notes: 'paris' } });
    const body = buildBody(d, false);
    expect(body.pickers).toEqual(r.pickers);
    expect(body.resource_records).toEqual(r.resource_records.map(({ id: _id, ...rec }) => rec));
    // A picker type this panel does not know yet, with fields it does not know, goes back as it came.
    expect(buildPickerList(pickerDrafts([{ type: 'rtt', limit: 2, window: 30 }]))).toEqual([{ type: 'rtt', limit: 2, window: 30 }]);
    // Strict left off on a picker sent without it: still left out.
    expect(buildPickerList([{ ...pickerDrafts([{ type: 'ip' }])[0]!, strict: false }])).toEqual([{ type: 'ip' }]);
  });

  it("sets geodistance's rtt from its switch, sends it only when on or sent before, and refuses it without a check", () => {
    const [geo] = pickerDrafts([{ type: 'geodistance' }]);
    expect(geo!.rtt).toBe(false);
    expect(buildPickerList([geo!])).toEqual([{ type: 'geodistance' }]);
    expect(buildPickerList([{ ...geo!, rtt: true }])).toEqual([{ type: 'geodistance', rtt: true }]);
    const [was] = pickerDrafts([{ type: 'geodistance', rtt: true, limit: 1 }]);
    expect(was!.rtt).toBe(true);
    expect(buildPickerList([{ ...was!, rtt: false }])).toEqual([{ type: 'geodistance', rtt: false, limit: 1 }]);
    // Only geodistance takes it: the switch is not shown elsewhere, and nothing is sent.
    expect(buildPickerList([{ ...pickers(['geodns'])[0]!, rtt: true }])).toEqual([{ type: 'geodns' }]);
    const d = aDraft({ pickers: [{ ...pickers(['geodistance'])[0]!, rtt: true }] });
    expect(validateDraft(d, ZONE, true)['pickers[0].rtt']).toBe('needs a failover check (meta.failover): its probes measure the RTT');
  });

  it("saves back what Gcore's clients wrote that the editor does not show: record meta and the health step", () => {
    const extra = { notes: [''], ip: ['192.0.2.0/24'], asn: [64496], latlong: [48.8, 2.3], fallback: true, cidr_labels: { dc: 1 } };
    const r: Rrset = {
      id: 'x',
      name: 'www.example.com',
      type: 'A',
      ttl: 30,
      resource_records: [{ id: 1, content: ['192.0.2.1'], enabled: true, meta: { ...extra, weight: 5 } }],
      pickers: [{ type: 'is_healthy', limit: 0, strict: true }, { type: 'weighted_shuffle' }],
      filters: [{ type: 'is_healthy', limit: 0, strict: true }, { type: 'weighted_shuffle' }],
      meta: {},
      created_at: '',
      updated_at: '',
    };
    const body = buildBody(draftFromRrset(r, ZONE), false);
    expect(body.resource_records).toEqual([{ content: ['192.0.2.1'], enabled: true, meta: { ...extra, weight: 5 } }]);
    expect(body.pickers).toEqual(r.pickers);
  });
});

describe('display helpers', () => {
  it('writes content in zone-file style', () => {
    expect(contentText('MX', [10, 'mx.example.com'])).toBe('10 mx.example.com');
    expect(contentText('TXT', ['a b', 'c"d'])).toBe('"a b" "c\\"d"');
    expect(contentText('CAA', [0, 'issue', 'ca.example'])).toBe('0 issue "ca.example"');
    expect(balancingText({ pickers: [] })).toBe('Round robin');
    expect(balancingText({ pickers: [{ type: 'weighted_shuffle' }, { type: 'first_n', limit: 2 }] })).toBe('Weighted → First 2');
    expect(balancingText({ pickers: [{ type: 'geodistance' }, { type: 'first_n', limit: 1 }] })).toBe('Nearest first → First 1');
    expect(balancingText({ pickers: [{ type: 'geodistance', limit: 2 }] })).toBe('Nearest 2');
    expect(balancingText({ pickers: [{ type: 'ip' }, { type: 'asn', strict: true }] })).toBe('By network → By AS number (strict)');
    expect(balancingText({ pickers: [{ type: 'default', strict: true }, { type: 'rtt' }] } as never)).toBe(
      'Default records (strict) → rtt',
    );
  });

  it("maps the API's error details to fields", () => {
    const e = new ApiError(400, 'bad', [
      { field: 'meta.failover.timeout', reason: 'must be less than frequency' },
      { field: 'ttl', reason: 'must be from 0 to 604800' },
    ]);
    expect(fieldErrors(e)).toEqual({ 'meta.failover.timeout': 'must be less than frequency', ttl: 'must be from 0 to 604800' });
    expect(fieldErrors(new Error('x'))).toEqual({});
    expect(formatPath(['resource_records', 0, 'content', 1])).toBe('resource_records[0].content[1]');
  });
});

describe('SVCB and HTTPS in the editor', () => {
  const httpsDraft = (params: string[], priority = '1', target = '.') => {
    const d = newDraft('HTTPS');
    d.name = '@';
    d.records = [{ ...emptyRecord('HTTPS'), fields: [priority, target, ...params] }];
    return d;
  };

  it('starts with priority and target, no parameters', () => {
    expect(emptyRecord('HTTPS').fields).toEqual(['', '']);
  });

  it('sends key=value parameters as SvcParams, and reads them back as key=value', () => {
    const d = httpsDraft(['alpn=h3,h2', ' port=8443 ', 'ipv4hint=192.0.2.1,192.0.2.2', 'no-default-alpn']);
    expect(buildBody(d, false).resource_records[0]!.content).toEqual([
      1,
      '.',
      ['alpn', 'h3', 'h2'],
      ['port', '8443'],
      ['ipv4hint', '192.0.2.1', '192.0.2.2'],
      ['no-default-alpn'],
    ]);
    expect(validateDraft(d, ZONE, false)).toEqual({});
    const rrset = {
      id: '1',
      name: ZONE,
      type: 'HTTPS',
      ttl: 300,
      resource_records: [{ id: 1, content: [1, '.', ['alpn', 'h3', 'h2'], ['port', 8443], ['key667', 'a b']], enabled: true, meta: {} }],
      pickers: [],
      meta: {},
      created_at: '',
      updated_at: '',
    } as Rrset;
    expect(draftFromRrset(rrset, ZONE).records[0]!.fields).toEqual(['1', '.', 'alpn=h3,h2', 'port=8443', 'key667="a b"']);
    expect(contentText('HTTPS', rrset.resource_records[0]!.content)).toBe('1 . alpn=h3,h2 port=8443 key667="a b"');
  });

  it('names the parameter field that is wrong, with the reason the API would give', () => {
    expect(validateDraft(httpsDraft(['alpn=h2', 'port=99999']), ZONE, false)).toEqual({
      'resource_records[0].content[3]': 'port: takes one port, an integer from 0 to 65535',
    });
    expect(validateDraft(httpsDraft(['=h2']), ZONE, false)).toEqual({
      'resource_records[0].content[2]': '"=h2" is not a SvcParam: write key=value, such as alpn=h2',
    });
    expect(validateDraft(httpsDraft(['alpn=h2'], '0', 'svc.example.net'), ZONE, false)).toEqual({
      'resource_records[0].content[2]': 'AliasMode (priority 0) takes no SvcParams: give a priority from 1 for ServiceMode',
    });
    expect(validateDraft(httpsDraft(['mandatory=port']), ZONE, false)).toEqual({
      'resource_records[0].content[2]': 'mandatory lists port, which this record does not have',
    });
  });
});

describe('CNAME record sets with failover or pickers', () => {
  // The contract's reason, word for word: the API answers a 400 with it at resource_records.
  const ONE_CNAME = 'a CNAME record set holds exactly one record, unless it has failover or pickers (DNS then answers with one of them)';
  const cnameDraft = (targets: string[], patch: Partial<RrsetDraft> = {}): RrsetDraft => ({
    ...newDraft('CNAME'),
    name: 'shop',
    records: targets.map((t) => ({ ...emptyRecord('CNAME'), fields: [t] })),
    ...patch,
  });
  const withCheck = (d: RrsetDraft): RrsetDraft => ({ ...d, failover: { ...d.failover, enabled: true, protocol: 'ICMP' } });

  it('takes failover on A, AAAA and CNAME, and on no other type', () => {
    expect(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV'].filter((t) => failoverApplies(t as never))).toEqual(['A', 'AAAA', 'CNAME']);
    expect(buildBody(withCheck(cnameDraft(['a.example.net'])), true).meta?.failover).toEqual({
      protocol: 'ICMP',
      frequency: 60,
      timeout: 10,
    });
    expect(
      buildBody(withCheck({ ...newDraft('TXT'), records: [{ ...emptyRecord('TXT'), fields: ['t'] }] }), true).meta?.failover,
    ).toBeNull();
  });

  it('refuses a second target without failover or pickers, with the reason the API gives', () => {
    expect(validateDraft(cnameDraft(['a.example.net', 'b.example.net']), ZONE, true)).toEqual({ resource_records: ONE_CNAME });
    // Failover switched on in a draft of an account without the feature is not sent, so it does not count.
    expect(validateDraft(withCheck(cnameDraft(['a.example.net', 'b.example.net'])), ZONE, false)).toEqual({
      resource_records: ONE_CNAME,
    });
    expect(validateDraft(cnameDraft(['a.example.net']), ZONE, true)).toEqual({});
  });

  it('takes several candidate targets with failover (one a backup) or with pickers', () => {
    const d = withCheck(cnameDraft(['a.example.net', 'b.example.net']));
    d.records[1]!.backup = true;
    expect(validateDraft(d, ZONE, true)).toEqual({});
    expect(buildBody(d, true).resource_records).toEqual([
      { content: ['a.example.net'], enabled: true, meta: {} },
      { content: ['b.example.net'], enabled: true, meta: { backup: true } },
    ]);
    expect(validateDraft(cnameDraft(['a.example.net', 'b.example.net'], { pickers: pickers(['weighted_shuffle']) }), ZONE, true)).toEqual(
      {},
    );
    expect(validateDraft(cnameDraft(['a.example.net', 'b.example.net'], { pickers: pickers(['first_n', '1']) }), ZONE, false)).toEqual({});
    // Two candidates that are the same target are still one too many.
    expect(validateDraft(withCheck(cnameDraft(['a.example.net', 'A.example.net.'])), ZONE, true)).toEqual({
      'resource_records[1].content': 'duplicates resource_records[0]',
    });
  });

  it('reads a failover CNAME record set back with its targets in order, the backup marked', () => {
    const back = readBack({
      name: `shop.${ZONE}`,
      type: 'CNAME',
      meta: { failover: { protocol: 'HTTP', port: 443, frequency: 30, timeout: 5, method: 'GET', url: '/', tls: true } },
      resource_records: [
        { id: 1, content: ['a.example.net.'], enabled: true, meta: {} },
        { id: 2, content: ['b.example.net.'], enabled: true, meta: { backup: true } },
      ],
    });
    expect(back.records.map((r) => [r.fields, r.backup])).toEqual([
      [['a.example.net.'], false],
      [['b.example.net.'], true],
    ]);
    expect(back.failover).toMatchObject({ enabled: true, protocol: 'HTTPS', port: '443', frequency: '30' });
    expect(validateDraft(back, ZONE, true)).toEqual({});
  });

  it('tells why no record can be added, and allows what the API allows', () => {
    expect(addRecordRefusal(cnameDraft(['a.example.net']), true)).toBe(ONE_CNAME);
    expect(addRecordRefusal(withCheck(cnameDraft(['a.example.net'])), false)).toBe(ONE_CNAME);
    expect(addRecordRefusal(withCheck(cnameDraft(['a.example.net'])), true)).toBeNull();
    expect(addRecordRefusal(cnameDraft(['a.example.net'], { pickers: pickers(['geodns']) }), false)).toBeNull();
    expect(addRecordRefusal(aDraft(), false)).toBeNull();
    const full = aDraft();
    full.records = Array.from({ length: MAX_RECORDS }, (_, i) => ({ ...emptyRecord('A'), fields: [`192.0.2.${i}`] }));
    expect(addRecordRefusal(full, true)).toBe(`must hold at most ${MAX_RECORDS} records`);
    expect(addRecordRefusal({ ...full, records: full.records.slice(1) }, true)).toBeNull();
  });
});
