import { FailoverSchema } from './failover';
import { compileRegexp, regexpEngineName } from './regexp';

const issues = (input: unknown) => {
  const r = FailoverSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

const base = { frequency: 60, timeout: 5 };

describe('failover settings', () => {
  it('fills HTTP defaults', () => {
    expect(FailoverSchema.parse({ protocol: 'HTTPS', frequency: 30, timeout: 5 })).toEqual({
      protocol: 'HTTPS',
      frequency: 30,
      timeout: 5,
      port: 443,
      method: 'GET',
      url: '/',
      tls: true,
      http_status_code: null,
      verify: true,
    });
  });

  it('keeps a complete HTTP check as it was sent', () => {
    const check = {
      protocol: 'HTTP',
      port: 8080,
      frequency: 60,
      timeout: 10,
      method: 'HEAD',
      url: '/health',
      host: 'shop.example.com',
      http_status_code: 204,
      regexp: 'ok',
      tls: false,
    };
    expect(FailoverSchema.parse(check)).toEqual(check);
    expect(issues({ ...check, verify: false })).toEqual(['verify: is only for checks over TLS: HTTPS (or HTTP with tls), TCP with tls']);
  });

  it.each([
    [{ protocol: 'SCTP', ...base }, 'protocol: must be one of ICMP, TCP, UDP, HTTP, HTTPS'],
    [{ protocol: 'TCP', ...base }, 'port: is required for TCP checks'],
    [{ protocol: 'UDP', ...base }, 'port: is required for UDP checks'],
    [{ protocol: 'UDP', port: 0, ...base }, 'port: must be from 1 to 65535'],
    [{ protocol: 'UDP', port: 65536, ...base }, 'port: must be from 1 to 65535'],
    [{ protocol: 'HTTP', port: 0, ...base }, 'port: must be from 1 to 65535'],
    [{ protocol: 'ICMP', port: 1, ...base }, 'port: is not used by ICMP checks; leave it out'],
    [{ protocol: 'ICMP', frequency: 5, timeout: 1 }, 'frequency: must be at least 10 seconds'],
    [{ protocol: 'ICMP', frequency: 4000, timeout: 1 }, 'frequency: must be at most 3600 seconds'],
    [{ protocol: 'ICMP', frequency: 10, timeout: 11 }, 'timeout: must be at most 10 seconds'],
    [{ protocol: 'ICMP', frequency: 10, timeout: 10 }, 'timeout: must be less than frequency'],
    [{ protocol: 'TCP', port: 22, ...base, url: '/x' }, 'url: is only for HTTP and HTTPS checks'],
    [{ protocol: 'UDP', port: 53, ...base, path: '/x' }, 'path: is only for HTTP and HTTPS checks'],
    [{ protocol: 'UDP', port: 53, ...base, http_status_code: 200 }, 'http_status_code: is only for HTTP and HTTPS checks'],
    [{ protocol: 'HTTP', ...base, url: 'health' }, 'url: must be a path that starts with "/" and has no spaces, such as /health'],
    [{ protocol: 'HTTP', ...base, path: '/a b' }, 'path: must be a path that starts with "/" and has no spaces, such as /health'],
    [{ protocol: 'HTTP', ...base, extra: 1 }, 'Unrecognized key'],
  ])('refuses %j', (input, message) => {
    expect(issues(input).join('\n')).toContain(message);
  });
});

describe('tls on HTTP checks, as Gcore writes them', () => {
  it('takes HTTP with tls: false as HTTP and tls: true as HTTPS, keeping what was sent', () => {
    expect(FailoverSchema.parse({ protocol: 'HTTP', ...base, tls: false })).toMatchObject({ protocol: 'HTTP', tls: false, port: 80 });
    const https = FailoverSchema.parse({ protocol: 'HTTP', ...base, tls: true });
    expect(https).toMatchObject({ protocol: 'HTTP', tls: true, port: 443 });
    // No field Gcore lacks is added (its clients would read it back as drift); verify defaults to true in the probe.
    expect(https).not.toHaveProperty('verify', expect.anything());
    expect(FailoverSchema.parse({ protocol: 'HTTP', ...base, tls: true, verify: false })).toMatchObject({ verify: false });
    expect(FailoverSchema.parse({ protocol: 'HTTPS', ...base, tls: true })).toMatchObject({ protocol: 'HTTPS', tls: true, port: 443 });
  });

  it('refuses protocol HTTPS with tls: false, and tls or verify where nothing speaks TLS', () => {
    expect(issues({ protocol: 'HTTPS', ...base, tls: false })).toEqual([
      'tls: is false but protocol is HTTPS; leave tls out, or use protocol HTTP with tls: false',
    ]);
    expect(issues({ protocol: 'UDP', port: 53, ...base, tls: true })).toEqual(['tls: is only for HTTP and TCP checks']);
    expect(issues({ protocol: 'ICMP', ...base, tls: true })).toEqual(['tls: is only for HTTP and TCP checks']);
    expect(issues({ protocol: 'HTTP', ...base, tls: 'yes' })).toEqual(['tls: must be true or false']);
    expect(issues({ protocol: 'UDP', port: 53, ...base, verify: true })).toEqual([
      'verify: is only for checks over TLS: HTTPS (or HTTP with tls), TCP with tls',
    ]);
    // tls: false says "no TLS", which is true of every check.
    expect(issues({ protocol: 'UDP', port: 53, ...base, tls: false })).toEqual([]);
  });
});

describe('command', () => {
  it('is the payload of TCP and UDP checks, null or a string of at most 255 characters', () => {
    const ping = { protocol: 'TCP', port: 6379, ...base, command: 'PING\r\n', regexp: 'PONG' };
    expect(FailoverSchema.parse(ping)).toEqual(ping);
    expect(FailoverSchema.parse({ protocol: 'UDP', port: 53, ...base, command: null })).toEqual({
      protocol: 'UDP',
      port: 53,
      ...base,
      command: null,
    });
    expect(issues({ ...ping, command: 'x'.repeat(255) })).toEqual([]);
    expect(issues({ ...ping, command: 'x'.repeat(256) })).toEqual(['command: must be at most 255 characters']);
    expect(issues({ ...ping, command: 42 })).toEqual(['command: must be a string']);
  });

  it('is accepted as null on HTTP and ICMP checks (Gcore clients send it), refused as a string', () => {
    expect(issues({ protocol: 'HTTP', ...base, command: null })).toEqual([]);
    expect(issues({ protocol: 'ICMP', ...base, command: null })).toEqual([]);
    expect(issues({ protocol: 'HTTP', ...base, command: 'GET /' })).toEqual(['command: is only for TCP and UDP checks']);
    expect(issues({ protocol: 'ICMP', ...base, command: 'ping' })).toEqual(['command: is only for TCP and UDP checks']);
  });
});

describe('port on ICMP checks', () => {
  it("keeps port 0 as sent (Gcore's Go SDK always sends it; no port is used), and refuses any other", () => {
    expect(FailoverSchema.parse({ protocol: 'ICMP', port: 0, ...base })).toEqual({ protocol: 'ICMP', port: 0, ...base });
    expect(FailoverSchema.parse({ protocol: 'ICMP', ...base })).toEqual({ protocol: 'ICMP', ...base });
    expect(issues({ protocol: 'ICMP', port: 7, ...base })).toEqual(['port: is not used by ICMP checks; leave it out']);
    expect(issues({ protocol: 'ICMP', port: -1, ...base })).toEqual(['port: must be from 1 to 65535']);
  });
});

describe('http_status_code', () => {
  it('null or absent means any HTTP answer, as in Gcore, and comes back as null', () => {
    expect(FailoverSchema.parse({ protocol: 'HTTP', ...base })).toMatchObject({ http_status_code: null });
    expect(FailoverSchema.parse({ protocol: 'HTTP', ...base, http_status_code: null })).toMatchObject({ http_status_code: null });
    expect(FailoverSchema.parse({ protocol: 'HTTP', ...base, http_status_code: 200 })).toMatchObject({ http_status_code: 200 });
  });

  it.each([99, 600, 200.5, '200'])('refuses %j', (code) => {
    expect(issues({ protocol: 'HTTP', ...base, http_status_code: code })).toEqual([
      typeof code === 'number' && Number.isInteger(code)
        ? 'http_status_code: must be from 100 to 599'
        : 'http_status_code: must be an integer',
    ]);
  });
});

describe('path (octoDNS)', () => {
  it('is another name for url: taken as url when alone, kept as sent', () => {
    expect(FailoverSchema.parse({ protocol: 'HTTP', ...base, path: '/monitor' })).toMatchObject({ url: '/monitor', path: '/monitor' });
    expect(FailoverSchema.parse({ protocol: 'HTTP', ...base, url: '/monitor', path: '/monitor' })).toMatchObject({
      url: '/monitor',
      path: '/monitor',
    });
  });

  it('must agree with url when both are given', () => {
    expect(issues({ protocol: 'HTTP', ...base, url: '/a', path: '/b' })).toEqual([
      'path: must equal url when both are given (path is another name for url)',
    ]);
  });
});

describe('regexp', () => {
  it('is validated by RE2, the engine the probes match with', () => {
    expect(regexpEngineName()).toBe('RE2');
    const r = compileRegexp('"status":\\s*"up"');
    expect(r.ok && r.regexp.test('{"status": "up"}')).toBe(true);
  });

  it('applies to HTTP, TCP and UDP checks, not ICMP; null and "" mean none', () => {
    for (const c of [
      { protocol: 'HTTP', ...base },
      { protocol: 'TCP', port: 25, ...base },
      { protocol: 'UDP', port: 53, ...base },
    ]) {
      expect(issues({ ...c, regexp: '^220 ' })).toEqual([]);
      expect(issues({ ...c, regexp: null })).toEqual([]);
    }
    expect(issues({ protocol: 'ICMP', ...base, regexp: '' })).toEqual([]);
    expect(issues({ protocol: 'ICMP', ...base, regexp: 'ok' })).toEqual([
      'regexp: is not used by ICMP checks: an echo reply has nothing to match',
    ]);
  });

  it.each([
    ['(', 'missing ): ('],
    ['status=(?=up)', 'invalid perl operator: (?='],
    ['(?<!status=)down', 'invalid perl operator: (?<!'],
    ['(up);\\1', 'invalid escape sequence: \\1'],
    ['a{1001}', 'invalid repetition size: {1001}'],
  ])('refuses %s, naming what RE2 says', (regexp, reason) => {
    expect(issues({ protocol: 'TCP', port: 25, ...base, regexp })).toEqual([
      `regexp: is not a valid regular expression for RE2 (no back-references or lookaround): ${reason}`,
    ]);
  });

  it('refuses a pattern longer than 256 characters', () => {
    expect(issues({ protocol: 'HTTP', ...base, regexp: 'x'.repeat(257) })).toEqual(['regexp: must be at most 256 characters']);
  });
});

describe('the published check', () => {
  it.each([
    { protocol: 'HTTP', port: 80, ...base, tls: false, url: '/health', path: '/health', command: null, http_status_code: null },
    { protocol: 'HTTP', port: 443, ...base, tls: true, host: 'shop.example.com', regexp: 'ok' },
    { protocol: 'UDP', port: 53, ...base, command: 'ping', regexp: 'pong' },
    { protocol: 'ICMP', port: 0, ...base },
  ])('parses again as the input schema (what probes and DNS servers read): %j', (check) => {
    const stored = FailoverSchema.parse(check);
    expect(FailoverSchema.in.safeParse(stored).success).toBe(true);
    expect(FailoverSchema.parse(stored)).toEqual(stored);
  });
});
