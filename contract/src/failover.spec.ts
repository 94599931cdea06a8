import { FailoverSchema } from './failover';

const issues = (input: unknown) => {
  const r = FailoverSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('failover settings', () => {
  it('fills HTTP defaults', () => {
    expect(FailoverSchema.parse({ protocol: 'HTTPS', frequency: 30, timeout: 5 })).toEqual({
      protocol: 'HTTPS',
      frequency: 30,
      timeout: 5,
      port: 443,
      method: 'GET',
      url: '/',
      http_status_code: 200,
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
      verify: false,
    };
    expect(issues(check)).toEqual(['verify: is only for HTTPS checks and TCP checks with tls']);
    const { verify: _v, ...rest } = check;
    expect(FailoverSchema.parse(rest)).toEqual(rest);
  });

  it.each([
    [{ protocol: 'UDP', frequency: 60, timeout: 5 }, 'protocol: must be one of ICMP, TCP, HTTP, HTTPS'],
    [{ protocol: 'TCP', frequency: 60, timeout: 5 }, 'port: is required for TCP checks'],
    [{ protocol: 'ICMP', port: 1, frequency: 60, timeout: 5 }, 'port: is not used by ICMP checks; leave it out'],
    [{ protocol: 'ICMP', frequency: 5, timeout: 1 }, 'frequency: must be at least 10 seconds'],
    [{ protocol: 'ICMP', frequency: 4000, timeout: 1 }, 'frequency: must be at most 3600 seconds'],
    [{ protocol: 'ICMP', frequency: 10, timeout: 11 }, 'timeout: must be at most 10 seconds'],
    [{ protocol: 'ICMP', frequency: 10, timeout: 10 }, 'timeout: must be less than frequency'],
    [{ protocol: 'TCP', port: 22, frequency: 60, timeout: 5, url: '/x' }, 'url: is only for HTTP and HTTPS checks'],
    [
      { protocol: 'HTTP', frequency: 60, timeout: 5, url: 'health' },
      'url: must be a path that starts with "/" and has no spaces, such as /health',
    ],
    [{ protocol: 'HTTP', frequency: 60, timeout: 5, regexp: '(' }, 'regexp: is not a valid regular expression'],
    [{ protocol: 'HTTP', frequency: 60, timeout: 5, tls: true }, 'tls: HTTP over TLS is protocol HTTPS; use that instead'],
    [{ protocol: 'HTTP', frequency: 60, timeout: 5, extra: 1 }, 'Unrecognized key'],
  ])('refuses %j', (input, message) => {
    expect(issues(input).join('\n')).toContain(message);
  });
});
