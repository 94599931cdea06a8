// Vigil's own check fields (issue 14): the DNS check, and HTTP's headers, status lists, inverted
// body match, response-time threshold and certificate expiry warning.
import { FailoverSchema, statusExpected, statusRange } from './failover';

const issues = (input: unknown) => {
  const r = FailoverSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

const base = { frequency: 60, timeout: 5 };
const http = { protocol: 'HTTP', ...base };

describe('DNS check', () => {
  it('fills port 53, type A, udp and NOERROR', () => {
    expect(FailoverSchema.parse({ protocol: 'DNS', ...base, dns: { name: 'www.example.com' } })).toEqual({
      protocol: 'DNS',
      ...base,
      port: 53,
      dns: { name: 'www.example.com', type: 'A', transport: 'udp', rcode: 'NOERROR' },
    });
  });

  it('keeps a complete one as sent', () => {
    const check = {
      protocol: 'DNS',
      ...base,
      port: 5353,
      dns: { name: 'example.com', type: 'MX', transport: 'tcp', rcode: 'NXDOMAIN', answer: '10 mail.example.com' },
    };
    expect(FailoverSchema.parse(check)).toEqual(check);
  });

  it.each([
    [{ protocol: 'DNS', ...base }, 'dns: is required for DNS checks: the name (and type) to ask'],
    [{ protocol: 'DNS', ...base, dns: {} }, 'dns.name: must be a domain name'],
    [{ protocol: 'DNS', ...base, dns: { name: 'a..b' } }, 'dns.name: must be a domain name: must not contain an empty label'],
    [
      { protocol: 'DNS', ...base, dns: { name: 'a.b', type: 'ANY' } },
      'dns.type: must be one of A, AAAA, CNAME, MX, NS, TXT, SOA, SRV, PTR, CAA',
    ],
    [{ protocol: 'DNS', ...base, dns: { name: 'a.b', transport: 'quic' } }, 'dns.transport: must be udp or tcp'],
    [{ protocol: 'DNS', ...base, dns: { name: 'a.b', rcode: 'OK' } }, 'dns.rcode: must be one of NOERROR, NXDOMAIN, SERVFAIL'],
    [{ protocol: 'DNS', ...base, dns: { name: 'a.b', answer: '' } }, 'dns.answer: must not be empty'],
    [{ protocol: 'DNS', ...base, dns: { name: 'a.b', answer: 'x'.repeat(256) } }, 'dns.answer: must be at most 255 characters'],
    [{ protocol: 'DNS', ...base, dns: { name: 'a.b', ttl: 1 } }, 'dns: Unrecognized key: "ttl"'],
    [{ protocol: 'DNS', ...base, port: 0, dns: { name: 'a.b' } }, 'port: must be from 1 to 65535'],
    [{ protocol: 'DNS', ...base, dns: { name: 'a.b' }, regexp: 'x' }, 'regexp: is not used by DNS checks; use dns.answer'],
    [{ protocol: 'DNS', ...base, dns: { name: 'a.b' }, tls: true }, 'tls: is only for HTTP and TCP checks'],
    [{ protocol: 'DNS', ...base, dns: { name: 'a.b' }, url: '/' }, 'url: is only for HTTP and HTTPS checks'],
    [{ protocol: 'DNS', ...base, dns: { name: 'a.b' }, command: 'x' }, 'command: is only for TCP and UDP checks'],
    [{ protocol: 'TCP', port: 53, ...base, dns: { name: 'a.b' } }, 'dns: is only for DNS checks'],
  ])('refuses %j', (input, message) => {
    expect(issues(input).join('\n')).toContain(message);
  });
});

describe('HTTP headers', () => {
  it('takes headers as given', () => {
    const check = FailoverSchema.parse({ ...http, headers: { 'X-Probe': 'vigil', Authorization: 'Bearer t0k\ten' } });
    expect(check).toMatchObject({ headers: { 'X-Probe': 'vigil', Authorization: 'Bearer t0k\ten' } });
  });

  it.each([
    [{ Host: 'other.example' }, 'headers.Host: cannot be set as a header; host sets the Host header (and the TLS name)'],
    [{ 'transfer-encoding': 'chunked' }, 'headers.transfer-encoding: cannot be set'],
    [{ 'Content-Length': '5' }, 'headers.Content-Length: cannot be set'],
    [
      { 'X-A': 'a\r\nX-Injected: 1' },
      'headers.X-A: must not contain line breaks (CR, LF), other control characters or characters beyond Latin-1',
    ],
    [{ 'X-A': 'a\nb' }, 'headers.X-A: must not contain line breaks'],
    [{ 'X-A': 'a\u0000b' }, 'headers.X-A: must not contain line breaks'],
    [
      { 'X-A': 'price: 5 \u20ac' },
      'headers.X-A: must not contain line breaks (CR, LF), other control characters or characters beyond Latin-1',
    ],
    [{ 'X A': '1' }, 'headers.X A: is not a valid header name'],
    [{ '': '1' }, 'headers.: is not a valid header name'],
    [{ ['x'.repeat(65)]: '1' }, 'is not a valid header name'],
    [{ 'X-A': 'v'.repeat(1025) }, 'headers.X-A: must be at most 1024 characters'],
    [{ 'X-A': '1', 'x-a': '2' }, 'headers.x-a: is given twice (header names are case-insensitive)'],
    [{ 'X-A': 1 }, 'headers.X-A: must be a string'],
  ])('refuses %j', (headers, message) => {
    expect(issues({ ...http, headers }).join('\n')).toContain(message);
  });

  it('refuses more than 20, and headers on other protocols', () => {
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-${i}`, 'v']));
    expect(issues({ ...http, headers: many })).toEqual(['headers: must have at most 20 headers']);
    expect(issues({ ...http, headers: 'X-A: 1' })).toEqual(['headers: must be an object of header names and values']);
    expect(issues({ protocol: 'TCP', port: 1, ...base, headers: { 'X-A': '1' } })).toEqual(['headers: is only for HTTP and HTTPS checks']);
  });
});

describe('HTTP expected statuses', () => {
  it('takes statuses and ranges, and leaves the Gcore field as it was', () => {
    const check = FailoverSchema.parse({ ...http, http_status_codes: ['200-299', 301, '404'] });
    expect(check).toMatchObject({ http_status_codes: ['200-299', 301, '404'], http_status_code: null });
    expect(statusExpected(check, 204)).toBe(true);
    expect(statusExpected(check, 301)).toBe(true);
    expect(statusExpected(check, 404)).toBe(true);
    expect(statusExpected(check, 302)).toBe(false);
    expect(statusExpected(check, 500)).toBe(false);
    // Gcore's single status works as before: null is any.
    expect(statusExpected(FailoverSchema.parse({ ...http, http_status_code: 200 }), 200)).toBe(true);
    expect(statusExpected(FailoverSchema.parse({ ...http, http_status_code: 200 }), 201)).toBe(false);
    expect(statusExpected(FailoverSchema.parse(http), 503)).toBe(true);
  });

  it('parses ranges', () => {
    expect(statusRange('200-299')).toEqual([200, 299]);
    expect(statusRange(' 301 ')).toEqual([301, 301]);
    expect(statusRange(204)).toEqual([204, 204]);
    expect(statusRange('299-200')).toBeNull();
    expect(statusRange('2xx')).toBeNull();
    expect(statusRange(600)).toBeNull();
  });

  it.each([
    [{ http_status_codes: [] }, 'http_status_codes: must not be empty; leave it out for any answer'],
    [
      { http_status_codes: ['299-200'] },
      'http_status_codes.0: must be from 100 to 599, a status such as 200 or a range such as "200-299" (low to high)',
    ],
    [{ http_status_codes: [200, '2xx'] }, 'http_status_codes.1: must be from 100 to 599'],
    [{ http_status_codes: [99] }, 'http_status_codes.0: must be from 100 to 599'],
    [{ http_status_codes: ['500-600'] }, 'http_status_codes.0: must be from 100 to 599'],
    [{ http_status_codes: [true] }, 'http_status_codes.0: must be a status such as 200 or a range such as "200-299"'],
    [{ http_status_codes: '200-299' }, 'http_status_codes: must be a list of statuses and ranges'],
    [{ http_status_codes: Array(21).fill(200) }, 'http_status_codes: must have at most 20 entries'],
    [{ http_status_codes: [200], http_status_code: 200 }, 'http_status_codes: cannot be given with http_status_code; use one of them'],
  ])('refuses %j', (extra, message) => {
    expect(issues({ ...http, ...extra }).join('\n')).toContain(message);
  });

  it('takes http_status_code: null beside a list (Gcore clients send null)', () => {
    expect(issues({ ...http, http_status_code: null, http_status_codes: [200] })).toEqual([]);
  });
});

describe('inverted body match, response time, certificate expiry', () => {
  it('takes them where they apply', () => {
    expect(FailoverSchema.parse({ ...http, regexp: 'error', regexp_invert: true })).toMatchObject({ regexp_invert: true });
    expect(FailoverSchema.parse({ ...http, max_response_ms: 200 })).toMatchObject({ max_response_ms: 200 });
    expect(FailoverSchema.parse({ protocol: 'TCP', port: 22, ...base, max_response_ms: 4999 })).toMatchObject({ max_response_ms: 4999 });
    expect(FailoverSchema.parse({ protocol: 'HTTPS', ...base, cert_expiry_days: 14 })).toMatchObject({ cert_expiry_days: 14 });
    expect(FailoverSchema.parse({ ...http, tls: true, cert_expiry_days: 14 })).toMatchObject({ cert_expiry_days: 14 });
  });

  it.each([
    [{ ...http, regexp_invert: true }, 'regexp_invert: needs a regexp to invert'],
    [{ ...http, regexp: 'x', regexp_invert: 'yes' }, 'regexp_invert: must be true or false'],
    [{ protocol: 'TCP', port: 1, ...base, regexp: 'x', regexp_invert: true }, 'regexp_invert: is only for HTTP and HTTPS checks'],
    [{ ...http, max_response_ms: 5000 }, 'max_response_ms: must be less than the timeout (5000 ms)'],
    [{ ...http, max_response_ms: 0 }, 'max_response_ms: must be at least 1 ms'],
    [{ ...http, max_response_ms: 1.5 }, 'max_response_ms: must be an integer number of milliseconds'],
    [{ ...http, cert_expiry_days: 14 }, 'cert_expiry_days: is only for HTTPS checks (or HTTP with tls)'],
    [{ protocol: 'HTTPS', ...base, cert_expiry_days: 0 }, 'cert_expiry_days: must be at least 1 day'],
    [{ protocol: 'HTTPS', ...base, cert_expiry_days: 366 }, 'cert_expiry_days: must be at most 365 days'],
  ])('refuses %j', (input, message) => {
    expect(issues(input).join('\n')).toContain(message);
  });
});

describe('Gcore compatibility', () => {
  it('adds none of these fields to a check written the Gcore way', () => {
    const parsed = FailoverSchema.parse({ protocol: 'HTTP', ...base, tls: true, http_status_code: 200, regexp: 'ok' });
    // As stored (JSON): a key whose value is undefined is not written.
    expect(Object.keys(JSON.parse(JSON.stringify(parsed))).sort()).toEqual([
      'frequency',
      'http_status_code',
      'method',
      'port',
      'protocol',
      'regexp',
      'timeout',
      'tls',
      'url',
    ]);
  });
});
