import { hostHeader } from './checks/http';
import { sniFor } from './checks/tcp';
import { describeError, errorOutcome, failure, success, timeoutMessage, toProbeResult } from './result';
import { userAgentFor } from './runner';

const err = (code: string, message: string, extra: object = {}) => Object.assign(new Error(message), { code }, extra);

describe('describeError', () => {
  it.each([
    [err('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'connection refused'],
    [err('ECONNRESET', 'read ECONNRESET'), 'connection reset'],
    [err('ECONNRESET', 'socket hang up'), 'connection closed before the response'],
    [err('EHOSTUNREACH', 'connect EHOSTUNREACH'), 'host unreachable'],
    [err('ENETUNREACH', 'connect ENETUNREACH'), 'network unreachable'],
    [err('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'certificate: self-signed certificate'],
    [err('CERT_HAS_EXPIRED', 'certificate has expired'), 'certificate: certificate has expired'],
    [
      err('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
      'certificate: unable to verify the first certificate',
    ],
    [
      err(
        'ERR_TLS_CERT_ALTNAME_INVALID',
        "Hostname/IP does not match certificate's altnames: Host: shop.example.com. is not in the cert's altnames: DNS:a, DNS:b",
        { host: 'shop.example.com' },
      ),
      'certificate: not valid for shop.example.com',
    ],
    [err('HPE_INVALID_CONSTANT', 'Parse Error: Expected HTTP/', { reason: 'Expected HTTP/' }), 'invalid HTTP response (Expected HTTP/)'],
    [
      err('ERR_SSL_WRONG_VERSION_NUMBER', 'C0:error:0A00010B:SSL routines:ssl3_get_record:wrong version number', {
        reason: 'wrong version number',
      }),
      'TLS handshake failed: wrong version number',
    ],
  ])('%s -> %s', (e, text) => {
    expect(describeError(e)).toBe(text);
  });

  it('keeps unknown errors to one short line', () => {
    const text = describeError(new Error(`line one\nline two ${'x'.repeat(500)}`));
    expect(text).not.toContain('\n');
    expect(text.length).toBeLessThanOrEqual(200);
    expect(text.startsWith('line one line two')).toBe(true);
  });

  it('survives non-errors', () => {
    expect(describeError('weird')).toBe('weird');
    expect(describeError(undefined)).toBe('undefined');
  });
});

describe('errorOutcome', () => {
  it('marks local resource exhaustion as a probe fault (not stored, no vote)', () => {
    expect(errorOutcome(err('EMFILE', 'too many open files'))).toEqual({
      ok: false,
      latencyMs: null,
      error: 'probe out of file descriptors',
      probeFault: true,
    });
    expect(errorOutcome(err('EADDRNOTAVAIL', 'x')).probeFault).toBe(true);
  });

  it('blames the target for anything else', () => {
    expect(errorOutcome(err('ECONNREFUSED', 'x'))).toEqual({ ok: false, latencyMs: null, error: 'connection refused' });
  });
});

describe('toProbeResult', () => {
  it('stamps a success', () => {
    expect(toProbeResult(success(12.345), 'eu-1', 60, 1_700_000_000_123.9)).toEqual({
      ok: true,
      latency_ms: 12.3,
      error: null,
      at: 1_700_000_000_123,
      location: 'eu-1',
      frequency: 60,
    });
  });

  it('stamps a failure, with or without a latency', () => {
    expect(toProbeResult(failure('status 503, expected 200', 4.04), 'us-2', 10, 5)).toEqual({
      ok: false,
      latency_ms: 4,
      error: 'status 503, expected 200',
      at: 5,
      location: 'us-2',
      frequency: 10,
    });
    expect(toProbeResult(failure(timeoutMessage(5)), 'us-2', 10, 5)).toMatchObject({
      ok: false,
      latency_ms: null,
      error: 'timeout after 5s',
    });
  });

  it('clips long errors (a long regexp in "body does not match")', () => {
    const r = toProbeResult(failure(`body does not match /${'a'.repeat(256)}/`), 'l', 10, 1);
    expect(r.error!.length).toBeLessThanOrEqual(200);
    expect(r.error!.endsWith('…')).toBe(true);
  });
});

describe('request details', () => {
  it('Host header: the name or address, with the port unless it is the default', () => {
    expect(hostHeader({ https: false, address: '192.0.2.1', port: 80 })).toBe('192.0.2.1');
    expect(hostHeader({ https: false, address: '192.0.2.1', port: 8080 })).toBe('192.0.2.1:8080');
    expect(hostHeader({ https: true, address: '2001:db8::1', port: 443 })).toBe('[2001:db8::1]');
    expect(hostHeader({ https: true, address: '2001:db8::1', port: 8443 })).toBe('[2001:db8::1]:8443');
    expect(hostHeader({ https: true, address: '192.0.2.1', port: 443, host: 'shop.example.com' })).toBe('shop.example.com');
    expect(hostHeader({ https: false, address: '192.0.2.1', port: 443, host: 'shop.example.com' })).toBe('shop.example.com:443');
  });

  it('SNI only for host names', () => {
    expect(sniFor('shop.example.com')).toBe('shop.example.com');
    expect(sniFor('192.0.2.1')).toBeUndefined();
    expect(sniFor(undefined)).toBeUndefined();
    expect(sniFor('')).toBeUndefined();
  });

  it('User-Agent names the location', () => {
    expect(userAgentFor('eu-1')).toBe('Vigil-Probe/1 (location=eu-1)');
  });
});
