// Checks of CNAME targets: each name resolved by a real authoritative server (knotd), then the
// address it resolves to checked against real servers on loopback addresses.
import { type CheckJob, TargetPolicy } from '@vigil/contract';
import type { ServerResponse } from 'node:http';
import { waitFor } from '../common/testing/redis';
import {
  closedUdpPort,
  selfSignedCert,
  startHttpServer,
  startHttpsServer,
  startUdpServer,
  type TestServer,
  type UdpTestServer,
} from '../common/testing/servers';
import { ProbeMetrics } from './metrics';
import { type Check, ProbeRunner, type RunnerOptions } from './runner';
import { type KnotServer, type SlowResolver, startKnot, startSlowResolver, TEST_ZONES } from './testing/knot';

const LB1 = 'lb1.example.test';

let knot: KnotServer;
const runners: ProbeRunner[] = [];
/** A runner resolving through knotd (or `resolvers`); loopback targets allowed unless `policy` says otherwise. */
const runnerWith = (opts: Partial<RunnerOptions> = {}) => {
  const r = new ProbeRunner({
    location: 'test-1',
    policy: TargetPolicy.parse('127.0.0.0/8,::1/128'),
    concurrency: 20,
    // Timeouts here are the targets': a loaded test machine's stalls must not make them no votes.
    overloadToleranceMs: 1000,
    resolvers: [knot.resolver],
    ...opts,
  });
  runners.push(r);
  return r;
};
let runner: ProbeRunner;

beforeAll(async () => {
  knot = await startKnot(TEST_ZONES);
  runner = runnerWith();
}, 20_000);
afterAll(async () => {
  await Promise.all(runners.map((r) => r.close()));
  await knot?.stop();
});

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const keep = <T extends TestServer | UdpTestServer | SlowResolver>(s: T) => (servers.push(s), s);

const http = (port: number, extra: Partial<Check> = {}): Check => ({ protocol: 'HTTP', port, frequency: 10, timeout: 2, ...extra });
const okHandler = (_req: unknown, res: ServerResponse) => res.end('all ok');

describe('CNAME target: resolved, then checked', () => {
  it('checks the A record the name resolves to, with Host = the target name', async () => {
    const s = keep(await startHttpServer(okHandler, '127.0.0.2'));
    const o = await runner.checkTarget(LB1, http(s.port));
    expect(o).toMatchObject({ ok: true, error: null });
    expect(o.latencyMs).toEqual(expect.any(Number));
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]!.headers.host).toBe(`${LB1}:${s.port}`);
  });

  it('takes the name with a trailing dot as the same name, and sends it without the dot', async () => {
    const s = keep(await startHttpServer(okHandler, '127.0.0.2'));
    expect(await runner.checkTarget(`${LB1}.`, http(s.port, { url: '/dot' }))).toMatchObject({ ok: true, error: null });
    expect(s.requests[0]).toMatchObject({ url: '/dot', headers: expect.objectContaining({ host: `${LB1}:${s.port}` }) });
  });

  it("sends the check's own host when it has one", async () => {
    const s = keep(await startHttpServer(okHandler, '127.0.0.2'));
    expect(await runner.checkTarget(LB1, http(s.port, { host: 'shop.example.test' }))).toMatchObject({ ok: true });
    expect(s.requests[0]!.headers.host).toBe(`shop.example.test:${s.port}`);
  });

  it('uses the target name as SNI over TLS, for HTTPS and for TCP with tls', async () => {
    const s = keep(await startHttpsServer(selfSignedCert(LB1), okHandler, '127.0.0.2'));
    expect(await runner.checkTarget(LB1, { protocol: 'HTTPS', port: s.port, frequency: 10, timeout: 2, verify: false })).toMatchObject({
      ok: true,
    });
    expect(s.requests[0]).toMatchObject({ servername: LB1, headers: expect.objectContaining({ host: `${LB1}:${s.port}` }) });
    const tcp: Check = { protocol: 'TCP', port: s.port, frequency: 10, timeout: 2, tls: true, verify: false };
    expect(await runner.checkTarget(LB1, tcp)).toMatchObject({ ok: true });
    await waitFor('the TCP check to complete its handshake', () => s.servernames.length === 2);
    expect(s.servernames).toEqual([LB1, LB1]);
  });

  it('checks a UDP service at the resolved address', async () => {
    const s = keep(await startUdpServer((d) => d, '127.0.0.2'));
    const check: Check = { protocol: 'UDP', port: s.port, frequency: 10, timeout: 2, command: 'ping', regexp: '^ping$' };
    expect(await runner.checkTarget(LB1, check)).toMatchObject({ ok: true });
    expect(s.received.map(String)).toEqual(['ping']);
  });

  it('checks the AAAA record of a name without A records ([::1]: IPv6 on loopback is required)', async () => {
    const s = keep(await startHttpServer(okHandler, '::1'));
    expect(await runner.checkTarget('v6.example.test', http(s.port))).toMatchObject({ ok: true, error: null });
    expect(s.requests[0]!.headers.host).toBe(`v6.example.test:${s.port}`);
  });

  it('prefers the A record when the name has both', async () => {
    const s = keep(await startHttpServer(okHandler, '127.0.0.4'));
    expect(await runner.checkTarget('dual.example.test', http(s.port))).toMatchObject({ ok: true });
    expect(s.requests).toHaveLength(1);
  });

  it('connects to the address it resolved and asks DNS once per record type, never again', async () => {
    const resolver = keep(await startSlowResolver(knot.port, 0));
    const counting = runnerWith({ resolvers: [resolver.resolver] });
    const s = keep(await startHttpServer(okHandler, '127.0.0.2'));
    expect(await counting.checkTarget(LB1, http(s.port))).toMatchObject({ ok: true });
    expect(resolver.queries).toBe(1);
    expect(s.connections).toBe(1);
    const v6 = keep(await startHttpServer(okHandler, '::1'));
    expect(await counting.checkTarget('v6.example.test', http(v6.port))).toMatchObject({ ok: true });
    expect(resolver.queries).toBe(3);
  });

  it('says which address failed when the check of the resolved address fails', async () => {
    const s = keep(await startHttpServer((_req, res) => res.writeHead(503).end(), '127.0.0.2'));
    expect(await runner.checkTarget(LB1, http(s.port, { http_status_code: 200 }))).toEqual({
      ok: false,
      latencyMs: expect.any(Number),
      error: 'status 503, expected 200 (resolved to 127.0.0.2)',
    });
    const closed = await closedUdpPort('127.0.0.2');
    expect(await runner.checkTarget(LB1, { protocol: 'UDP', port: closed, frequency: 10, timeout: 2 })).toMatchObject({
      ok: false,
      error: 'port unreachable (resolved to 127.0.0.2)',
    });
  });
});

describe('CNAME target that does not resolve', () => {
  it.each([
    ['missing.example.test', 'resolve missing.example.test: NXDOMAIN'],
    ['empty.example.test', 'resolve empty.example.test: no A or AAAA records'],
    ['www.broken.test', 'resolve www.broken.test: SERVFAIL'],
  ])('%s fails: %s', async (name, error) => {
    expect(await runner.checkTarget(name, http(80))).toEqual({ ok: false, latencyMs: null, error });
  });
});

describe('the target policy judges the resolved address (DNS rebinding)', () => {
  it('refuses a name that resolves to a private address, without sending anything', async () => {
    expect(await runner.checkTarget('private.example.test', http(80))).toEqual({
      ok: false,
      latencyMs: null,
      error:
        'private.example.test resolves to 10.0.0.5: target 10.0.0.5 is in a private range; probes do not check it (ALLOW_PRIVATE_TARGETS)',
    });
  });

  it('refuses a public-looking name resolving to loopback unless ALLOW_PRIVATE_TARGETS admits that address', async () => {
    const metrics = new ProbeMetrics();
    const strict = runnerWith({ policy: TargetPolicy.parse(''), metrics });
    const one = runnerWith({ policy: TargetPolicy.parse('127.0.0.2') });
    const a = keep(await startHttpServer(okHandler, '127.0.0.2'));
    const b = keep(await startHttpServer(okHandler, '127.0.0.3', a.port));
    expect(await strict.checkTarget(LB1, http(a.port))).toEqual({
      ok: false,
      latencyMs: null,
      error: `${LB1} resolves to 127.0.0.2: target 127.0.0.2 is in a loopback range; probes do not check it (ALLOW_PRIVATE_TARGETS)`,
    });
    expect(a.connections).toBe(0);
    expect((await metrics.checks.get()).values).toEqual([
      expect.objectContaining({ labels: { protocol: 'HTTP', result: 'refused' }, value: 1 }),
    ]);
    expect(await one.checkTarget(LB1, http(a.port))).toMatchObject({ ok: true });
    expect(await one.checkTarget('lb2.example.test', http(a.port))).toMatchObject({
      ok: false,
      error: expect.stringContaining('lb2.example.test resolves to 127.0.0.3: target 127.0.0.3 is in a loopback range'),
    });
    expect(b.connections).toBe(0);
  });
});

describe("the check's deadline covers resolving", () => {
  it('fails by its timeout when the resolver never answers', async () => {
    const silent = keep(await startUdpServer(() => null));
    const stuck = runnerWith({ resolvers: [`127.0.0.1:${silent.port}`] });
    const started = Date.now();
    expect(await stuck.checkTarget(LB1, http(80, { timeout: 1 }))).toEqual({
      ok: false,
      latencyMs: null,
      error: `timeout after 1s: resolve ${LB1}: no answer`,
    });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(1800);
    // c-ares tried again within the deadline.
    expect(silent.received.length).toBeGreaterThanOrEqual(2);
  });

  it('counts resolving and the exchange together: each in time, both too late', async () => {
    const slow = keep(await startSlowResolver(knot.port, 600));
    const late = runnerWith({ resolvers: [slow.resolver] });
    const s = keep(await startHttpServer((_req, res) => void setTimeout(() => res.end('late'), 600), '127.0.0.2'));
    expect(await late.checkTarget(LB1, http(s.port, { timeout: 2 }))).toMatchObject({ ok: true });
    expect(await late.checkTarget(LB1, http(s.port, { timeout: 1 }))).toEqual({
      ok: false,
      latencyMs: null,
      error: 'timeout after 1s (resolved to 127.0.0.2)',
    });
    expect(s.requests).toHaveLength(2);
  });
});

describe('a resolver the probe cannot use is no vote', () => {
  it('leaves the target out when every resolver refuses datagrams (nothing listens)', async () => {
    const faults: string[] = [];
    const metrics = new ProbeMetrics();
    const broken = runnerWith({
      resolvers: [`127.0.0.1:${await closedUdpPort()}`],
      metrics,
      onProbeFault: (address, _check, error) => faults.push(`${address}: ${error}`),
    });
    const o = await broken.checkTarget(LB1, http(80));
    expect(o).toMatchObject({ ok: false, probeFault: true, noVote: 'resolver' });
    expect(faults).toEqual([`${LB1}: probe resolver unreachable, no vote: resolve ${LB1}: connection refused`]);
    expect((await metrics.checks.get()).values).toEqual([
      expect.objectContaining({ labels: { protocol: 'HTTP', result: 'resolver' }, value: 1 }),
    ]);
    const job: CheckJob = {
      checkId: 'c1',
      zone: 'example.test',
      name: 'www.example.test',
      type: 'CNAME',
      addresses: [LB1],
      check: http(80),
    };
    expect(await broken.runJob(job)).toEqual([]);
  });

  it('leaves the target out when the resolver refuses the query (REFUSED)', async () => {
    expect(await runner.checkTarget('www.elsewhere.test', http(80))).toMatchObject({
      ok: false,
      probeFault: true,
      noVote: 'resolver',
      error: 'probe resolver refused, no vote: resolve www.elsewhere.test: REFUSED',
    });
  });
});

describe('a CNAME job', () => {
  it('reports each target under its name, once', async () => {
    const s = keep(await startHttpServer(okHandler, '127.0.0.2'));
    const job: CheckJob = {
      checkId: 'c1',
      zone: 'example.test',
      name: 'www.example.test',
      type: 'CNAME',
      addresses: [LB1, 'missing.example.test', LB1, 'www.elsewhere.test'],
      check: http(s.port),
    };
    const reports = await runner.runJob(job);
    expect(reports.map((r) => [r.address, r.ok, r.error])).toEqual([
      [LB1, true, null],
      ['missing.example.test', false, 'resolve missing.example.test: NXDOMAIN'],
    ]);
    expect(reports[0]).toMatchObject({ checkId: 'c1', location: 'test-1', frequency: 10 });
    expect(s.requests).toHaveLength(1);
  });

  it('is not resolved for an A job: a name there is refused as before', async () => {
    const job: CheckJob = { checkId: 'c1', zone: 'example.test', name: 'www.example.test', type: 'A', addresses: [LB1], check: http(80) };
    expect(await runner.runJob(job)).toEqual([
      expect.objectContaining({ address: LB1, ok: false, error: `target "${LB1}" is not an IP address` }),
    ]);
  });
});
