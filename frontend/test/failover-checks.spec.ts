// The editor's model of the richer checks (issue 14): the DNS check, headers, status lists,
// inverted match, response-time threshold and certificate expiry: draft ↔ API body, and the
// contract's validation with the API's field paths.
import { fieldLabel } from '../src/components/rrset-editor/form';
import { buildBody, emptyRecord, newDraft, parseHeaderLines, validateDraft, type RrsetDraft } from '../src/lib/rrset';
import { readBack } from './drafts';

const ZONE = 'example.com';

function aDraft(failover: Partial<RrsetDraft['failover']>): RrsetDraft {
  const d = newDraft('A');
  d.name = 'www';
  d.records = [{ ...emptyRecord('A'), fields: ['192.0.2.10'] }];
  d.failover = { ...d.failover, enabled: true, frequency: '30', timeout: '5', ...failover };
  return d;
}

describe('DNS check in the editor', () => {
  it('builds the dns object, and reads it back', () => {
    const d = aDraft({ protocol: 'DNS', dns_name: 'www.example.net', dns_type: 'AAAA', dns_transport: 'tcp', dns_answer: '2001:db8::1' });
    const failover = buildBody(d, true).meta?.failover;
    expect(failover).toEqual({
      protocol: 'DNS',
      frequency: 30,
      timeout: 5,
      dns: { name: 'www.example.net', type: 'AAAA', transport: 'tcp', rcode: 'NOERROR', answer: '2001:db8::1' },
    });
    expect(validateDraft(d, ZONE, true)).toEqual({});
    expect(readBack({ ...failover, port: 53 }).failover).toMatchObject({
      protocol: 'DNS',
      port: '53',
      dns_name: 'www.example.net',
      dns_type: 'AAAA',
      dns_transport: 'tcp',
      dns_rcode: 'NOERROR',
      dns_answer: '2001:db8::1',
    });
  });

  it('shows the API reason on the query name', () => {
    expect(validateDraft(aDraft({ protocol: 'DNS', dns_name: '' }), ZONE, true)).toMatchObject({
      'meta.failover.dns.name': 'must be a domain name: must not be empty',
    });
  });
});

describe('HTTP fields in the editor', () => {
  it('sends one status as http_status_code and a list or range as http_status_codes', () => {
    expect(buildBody(aDraft({ http_status_code: '204' }), true).meta?.failover).toMatchObject({ http_status_code: 204 });
    const list = buildBody(aDraft({ http_status_code: '200-299, 301' }), true).meta?.failover as Record<string, unknown>;
    expect(list.http_status_codes).toEqual(['200-299', 301]);
    expect(list).not.toHaveProperty('http_status_code');
    expect(readBack({ protocol: 'HTTP', ...list }).failover.http_status_code).toBe('200-299, 301');
    expect(validateDraft(aDraft({ http_status_code: '300-200' }), ZONE, true)).toEqual({
      'meta.failover.http_status_codes[0]': 'must be from 100 to 599, a status such as 200 or a range such as "200-299" (low to high)',
    });
    expect(fieldLabel('meta.failover.http_status_codes[0]', aDraft({}))).toBe('Failover expected status');
  });

  it('parses header lines, sends the invert, threshold and expiry fields, and reads them back', () => {
    expect(parseHeaderLines('X-Token: a:b\n\n  Accept : text/plain ')).toEqual({ 'X-Token': 'a:b', Accept: 'text/plain' });
    expect(parseHeaderLines(' \n')).toBeUndefined();
    const d = aDraft({
      protocol: 'HTTPS',
      headers: 'X-Token: abc',
      regexp: 'maintenance',
      regexp_invert: true,
      max_response_ms: '800',
      cert_expiry_days: '14',
    });
    const failover = buildBody(d, true).meta?.failover;
    expect(failover).toMatchObject({
      headers: { 'X-Token': 'abc' },
      regexp: 'maintenance',
      regexp_invert: true,
      max_response_ms: 800,
      cert_expiry_days: 14,
    });
    expect(validateDraft(d, ZONE, true)).toEqual({});
    expect(readBack(failover as Record<string, unknown>).failover).toMatchObject({
      headers: 'X-Token: abc',
      regexp_invert: true,
      max_response_ms: '800',
      cert_expiry_days: '14',
    });
    // Not sent where it does not apply: expiry on plain HTTP, invert without a regexp.
    expect(buildBody(aDraft({ protocol: 'HTTP', cert_expiry_days: '14', regexp_invert: true }), true).meta?.failover).not.toHaveProperty(
      'cert_expiry_days',
    );
  });

  it('shows the reasons of bad headers, thresholds and expiry days under their fields', () => {
    expect(
      validateDraft(
        aDraft({ protocol: 'HTTPS', headers: 'Host: other.example', max_response_ms: '5000', cert_expiry_days: '400' }),
        ZONE,
        true,
      ),
    ).toEqual({
      'meta.failover.headers.Host': 'cannot be set as a header; host sets the Host header (and the TLS name)',
      'meta.failover.max_response_ms': 'must be less than the timeout (5000 ms)',
      'meta.failover.cert_expiry_days': 'must be at most 365 days',
    });
  });
});
