// Resolving CNAME targets against a real authoritative server (knotd), and PROBE_RESOLVERS.
import { ConfigError } from '../../common/env';
import { closedUdpPort, startUdpServer } from '../../common/testing/servers';
import { loadProbeConfig } from '../config';
import type { CheckProgress } from '../result';
import { type KnotServer, startKnot, TEST_ZONES } from '../testing/knot';
import { parseResolvers, resolveFailure, resolverOptions, resolveTarget } from './resolve';

describe('parseResolvers (PROBE_RESOLVERS)', () => {
  it('reads addresses with and without ports, IPv6 in brackets, and empty as the system resolvers', () => {
    expect(parseResolvers('')).toEqual([]);
    expect(parseResolvers(undefined)).toEqual([]);
    expect(parseResolvers(' 192.0.2.53 , 192.0.2.54:5353,2001:db8::53, [2001:db8::54]:5353,[::1]')).toEqual([
      '192.0.2.53:53',
      '192.0.2.54:5353',
      '[2001:db8::53]:53',
      '[2001:db8::54]:5353',
      '[::1]:53',
    ]);
  });

  it.each([
    ['dns.example.net'],
    ['192.0.2.53:0'],
    ['192.0.2.53:65536'],
    ['192.0.2.53:'],
    ['2001:db8::53:5353x'],
    ['[192.0.2.53]:53'],
    ['[2001:db8::53]:'],
    ['fe80::1%eth0'],
    ['192.0.2'],
  ])('refuses %s', (entry) => {
    expect(() => parseResolvers(`192.0.2.1,${entry}`)).toThrow(`"${entry}" is not a resolver address such as 192.0.2.53`);
  });

  it('is validated with the probe configuration, naming the variable', () => {
    expect(loadProbeConfig({ LOCATION: 'eu-1', PROBE_RESOLVERS: '[::1]:5300' }).PROBE_RESOLVERS).toEqual(['[::1]:5300']);
    expect(loadProbeConfig({ LOCATION: 'eu-1' }).PROBE_RESOLVERS).toEqual([]);
    expect(() => loadProbeConfig({ LOCATION: 'eu-1', PROBE_RESOLVERS: 'resolver.local' })).toThrow(ConfigError);
    expect(() => loadProbeConfig({ LOCATION: 'eu-1', PROBE_RESOLVERS: 'resolver.local' })).toThrow(
      /PROBE_RESOLVERS: "resolver.local" is not a resolver address .*\(IP addresses, not names\)/,
    );
  });
});

describe('resolverOptions', () => {
  it('retries within the deadline and gives up only after it', () => {
    for (const seconds of [1, 2, 5, 10]) {
      const { timeout, tries } = resolverOptions(seconds * 1000);
      // c-ares doubles the timeout at each try: the tries together outlast the deadline.
      const total = Array.from({ length: tries }, (_, i) => timeout * 2 ** i).reduce((a, b) => a + b);
      expect(tries).toBeGreaterThan(1);
      expect(timeout).toBeLessThan(seconds * 1000);
      expect(total).toBeGreaterThan(seconds * 1000);
    }
  });
});

describe('resolveFailure', () => {
  it('votes the target down for what DNS said about its name', () => {
    expect(resolveFailure('a.example.net', 'ENOTFOUND')).toEqual({ ok: false, latencyMs: null, error: 'resolve a.example.net: NXDOMAIN' });
    expect(resolveFailure('a.example.net', 'ENODATA')).toMatchObject({ error: 'resolve a.example.net: no A or AAAA records' });
    expect(resolveFailure('a.example.net', 'ESERVFAIL')).toMatchObject({ error: 'resolve a.example.net: SERVFAIL' });
    expect(resolveFailure('a.example.net', 'EWHATEVER')).toMatchObject({ ok: false, error: 'resolve a.example.net: EWHATEVER' });
    for (const code of ['ENOTFOUND', 'ENODATA', 'ESERVFAIL', 'ETIMEOUT'])
      expect(resolveFailure('a.example.net', code).probeFault).toBeFalsy();
  });

  it('marks a c-ares timeout as a timeout, for the runner to judge against its own stalls', () => {
    expect(resolveFailure('a.example.net', 'ETIMEOUT')).toMatchObject({
      ok: false,
      error: 'resolve a.example.net: timeout',
      timedOut: true,
    });
  });

  it('is no vote when the probe cannot resolve at all: its resolvers unreachable or refusing it', () => {
    expect(resolveFailure('a.example.net', 'ECONNREFUSED')).toEqual({
      ok: false,
      latencyMs: null,
      error: 'probe resolver unreachable, no vote: resolve a.example.net: connection refused',
      probeFault: true,
      noVote: 'resolver',
    });
    expect(resolveFailure('a.example.net', 'EREFUSED')).toMatchObject({ probeFault: true, noVote: 'resolver' });
    expect(resolveFailure('a.example.net', 'EFILE')).toMatchObject({ probeFault: true });
  });
});

describe('resolveTarget against knotd', () => {
  let knot: KnotServer;
  beforeAll(async () => {
    knot = await startKnot(TEST_ZONES);
  }, 20_000);
  afterAll(() => knot?.stop());

  const resolve = (name: string, servers = [knot.resolver], timeoutMs = 2000, signal = new AbortController().signal) => {
    const progress: CheckProgress = {};
    return resolveTarget(name, servers, timeoutMs, { signal, progress });
  };

  it('takes the A record, follows a CNAME, and asks AAAA only when there is no A record', async () => {
    expect(await resolve('lb1.example.test')).toEqual({ ok: true, address: '127.0.0.2' });
    expect(await resolve('chain.example.test')).toEqual({ ok: true, address: '127.0.0.2' });
    expect(await resolve('dual.example.test')).toEqual({ ok: true, address: '127.0.0.4' });
    expect(await resolve('v6.example.test')).toEqual({ ok: true, address: '::1' });
  });

  it('fails with the reason DNS gave', async () => {
    expect(await resolve('missing.example.test')).toEqual({
      ok: false,
      outcome: expect.objectContaining({ error: 'resolve missing.example.test: NXDOMAIN' }),
    });
    expect(await resolve('empty.example.test')).toEqual({
      ok: false,
      outcome: expect.objectContaining({ error: 'resolve empty.example.test: no A or AAAA records' }),
    });
    expect(await resolve('www.broken.test')).toEqual({
      ok: false,
      outcome: expect.objectContaining({ error: 'resolve www.broken.test: SERVFAIL' }),
    });
  });

  it('is no vote when the resolver refuses the query or cannot be reached', async () => {
    expect(await resolve('www.elsewhere.test')).toEqual({ ok: false, outcome: expect.objectContaining({ noVote: 'resolver' }) });
    const closed = `127.0.0.1:${await closedUdpPort()}`;
    expect(await resolve('lb1.example.test', [closed])).toEqual({ ok: false, outcome: expect.objectContaining({ noVote: 'resolver' }) });
    // One server that answers is enough.
    expect(await resolve('lb1.example.test', [closed, knot.resolver])).toEqual({ ok: true, address: '127.0.0.2' });
  });

  it('says what it waits for, and stops asking when the check is aborted', async () => {
    const silent = await startUdpServer(() => null);
    try {
      const ac = new AbortController();
      const progress: CheckProgress = {};
      const started = Date.now();
      const pending = resolveTarget('lb1.example.test', [`127.0.0.1:${silent.port}`], 10_000, { signal: ac.signal, progress });
      await new Promise((r) => setTimeout(r, 200));
      expect(progress.waitingFor).toBe('resolve lb1.example.test: no answer');
      ac.abort();
      expect(await pending).toEqual({ ok: false, outcome: expect.objectContaining({ error: 'aborted' }) });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(silent.received.length).toBeGreaterThan(0);
      expect(progress.waitingFor).toBeUndefined();
    } finally {
      await silent.close();
    }
  });
});
