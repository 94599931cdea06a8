// Every check against real servers on loopback addresses (ALLOW_PRIVATE_TARGETS=127.0.0.0/8).
import { prerequisite } from '@vigil/stack';
import { type CheckJob, FailoverSchema, TargetPolicy } from '@vigil/contract';
import { X509Certificate } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { waitFor } from '../common/testing/redis';
import {
  closedPort,
  closedUdpPort,
  selfSignedCert,
  startHttpServer,
  startHttpsServer,
  startSilentServer,
  startTcpServer,
  startUdpServer,
  type TestServer,
  type TlsFiles,
  type UdpTestServer,
} from '../common/testing/servers';
import { BODY_LIMIT } from './checks/http';
import { IcmpPinger } from './checks/icmp';
import { toProbeResult } from './result';
import { type Check, ProbeRunner } from './runner';
import { type KnotServer, startKnot } from './testing/knot';

const LOCALHOST = '127.0.0.1';
const HOST = 'shop.example.test';

// Timeouts here are the targets': a loaded test machine's stalls must not make them no votes.
const runner = new ProbeRunner({
  location: 'test-1',
  policy: TargetPolicy.parse('127.0.0.0/8,::1/128'),
  concurrency: 50,
  overloadToleranceMs: 1000,
});
afterAll(() => runner.close());

const servers: (TestServer | UdpTestServer)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const keep = <T extends TestServer | UdpTestServer>(s: T) => (servers.push(s), s);

const http = (port: number, extra: Partial<Check> = {}): Check => ({ protocol: 'HTTP', port, frequency: 10, timeout: 2, ...extra });
const https = (port: number, extra: Partial<Check> = {}): Check => ({ protocol: 'HTTPS', port, frequency: 10, timeout: 2, ...extra });
const tcp = (port: number, extra: Partial<Check> = {}): Check => ({ protocol: 'TCP', port, frequency: 10, timeout: 2, ...extra });
const udp = (port: number, extra: Partial<Check> = {}): Check => ({ protocol: 'UDP', port, frequency: 10, timeout: 2, ...extra });

const okHandler = (_req: unknown, res: ServerResponse) => res.end('all ok');

describe('TCP', () => {
  it('succeeds on an open port', async () => {
    const s = keep(await startSilentServer());
    const o = await runner.checkAddress(LOCALHOST, tcp(s.port));
    expect(o).toMatchObject({ ok: true, error: null });
    expect(o.latencyMs).toEqual(expect.any(Number));
    expect(s.connections).toBe(1);
  });

  it('fails on a closed port: connection refused', async () => {
    const o = await runner.checkAddress(LOCALHOST, tcp(await closedPort()));
    expect(o).toEqual({ ok: false, latencyMs: null, error: 'connection refused' });
  });
});

describe('TCP with command and regexp', () => {
  /** A line server as Redis answers PING: `+PONG` to `PING`, `-ERR` to anything else; it never closes. */
  const pingServer = (seen: string[] = []) =>
    startTcpServer((socket) => {
      socket.setEncoding('utf8');
      socket.on('data', (line: string) => {
        seen.push(line);
        socket.write(line === 'PING\r\n' ? '+PONG\r\n' : '-ERR unknown command\r\n');
      });
    });

  it('sends the command and passes when the reply matches', async () => {
    const seen: string[] = [];
    const s = keep(await pingServer(seen));
    const o = await runner.checkAddress(LOCALHOST, tcp(s.port, { command: 'PING\r\n', regexp: '^\\+PONG' }));
    expect(o).toMatchObject({ ok: true, error: null });
    expect(o.latencyMs).toEqual(expect.any(Number));
    expect(seen).toEqual(['PING\r\n']);
  });

  it('fails at the deadline with the reply that did not match, when the target keeps the connection open', async () => {
    const s = keep(await pingServer());
    const o = await runner.checkAddress(LOCALHOST, tcp(s.port, { command: 'HELLO\r\n', regexp: 'PONG', timeout: 1 }));
    expect(o).toEqual({ ok: false, latencyMs: null, error: 'timeout after 1s: reply does not match /PONG/' });
  });

  it('fails as soon as the target closes without a matching reply', async () => {
    const s = keep(await startTcpServer((socket) => socket.end('554 go away\r\n')));
    const started = Date.now();
    const o = await runner.checkAddress(LOCALHOST, tcp(s.port, { regexp: '^220 ', timeout: 5 }));
    expect(o).toMatchObject({ ok: false, error: 'reply does not match /^220 /' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('matches a banner the target sends first, without a command', async () => {
    const s = keep(await startTcpServer((socket) => socket.write('220 mail.example.test ESMTP\r\n')));
    expect(await runner.checkAddress(LOCALHOST, tcp(s.port, { regexp: '^220 ' }))).toMatchObject({ ok: true });
  });

  it('says there was no reply when the target answers nothing', async () => {
    const s = keep(await startSilentServer());
    expect(await runner.checkAddress(LOCALHOST, tcp(s.port, { command: 'PING\r\n', regexp: 'PONG', timeout: 1 }))).toEqual({
      ok: false,
      latencyMs: null,
      error: 'timeout after 1s: no reply',
    });
    const closing = keep(await startTcpServer((socket) => socket.end()));
    expect(await runner.checkAddress(LOCALHOST, tcp(closing.port, { regexp: 'PONG' }))).toMatchObject({
      ok: false,
      error: 'connection closed without a reply',
    });
  });

  it('passes once the command is sent when there is no regexp', async () => {
    const seen: string[] = [];
    const s = keep(await pingServer(seen));
    expect(await runner.checkAddress(LOCALHOST, tcp(s.port, { command: 'PING\r\n' }))).toMatchObject({ ok: true });
    await waitFor('the command to arrive', () => seen.length > 0);
    expect(seen).toEqual(['PING\r\n']);
  });
});

describe('UDP', () => {
  const echo = () => startUdpServer((d) => d);

  it('sends the command and passes on a reply that matches the regexp', async () => {
    const s = keep(await echo());
    const o = await runner.checkAddress(LOCALHOST, udp(s.port, { command: 'ping vigil', regexp: '^ping \\w+$' }));
    expect(o).toMatchObject({ ok: true, error: null });
    expect(o.latencyMs).toEqual(expect.any(Number));
    expect(s.received.map(String)).toEqual(['ping vigil']);
  });

  it('fails on a reply that does not match, without waiting for the deadline', async () => {
    const s = keep(await startUdpServer(() => 'ERR'));
    const started = Date.now();
    const o = await runner.checkAddress(LOCALHOST, udp(s.port, { command: 'ping', regexp: 'PONG', timeout: 5 }));
    expect(o).toMatchObject({ ok: false, error: 'reply does not match /PONG/' });
    expect(o.latencyMs).toEqual(expect.any(Number));
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('sends an empty datagram without a command, and passes on any reply without a regexp', async () => {
    const s = keep(await startUdpServer(() => 'anything'));
    expect(await runner.checkAddress(LOCALHOST, udp(s.port, { command: null }))).toMatchObject({ ok: true });
    expect(s.received).toEqual([Buffer.alloc(0)]);
  });

  it('fails quickly on a closed port: the ICMP port unreachable comes back', async () => {
    const started = Date.now();
    const o = await runner.checkAddress(LOCALHOST, udp(await closedUdpPort(), { command: 'ping', timeout: 5 }));
    expect(o).toEqual({ ok: false, latencyMs: null, error: 'port unreachable' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails at the deadline when nothing answers: no reply', async () => {
    const s = keep(await startUdpServer(() => null));
    const started = Date.now();
    const o = await runner.checkAddress(LOCALHOST, udp(s.port, { command: 'ping', timeout: 1 }));
    expect(o).toEqual({ ok: false, latencyMs: null, error: 'timeout after 1s: no reply' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(s.received.map(String)).toEqual(['ping']);
  });

  it('reaches [::1] when IPv6 is up', async () => {
    let s: UdpTestServer;
    try {
      s = keep(await startUdpServer((d) => d, '::1'));
    } catch (e) {
      if (!prerequisite('IPv6 on loopback', `cannot bind ::1 (${(e as Error).message})`)) return;
      throw e;
    }
    expect(await runner.checkAddress('::1', udp(s.port, { command: 'hi', regexp: '^hi$' }))).toMatchObject({ ok: true });
  });
});

describe('TCP with TLS', () => {
  let tls: TlsFiles;
  beforeAll(() => {
    tls = selfSignedCert(HOST);
  });

  it('succeeds with verify off, sending SNI = host', async () => {
    const s = keep(await startHttpsServer(tls, okHandler));
    const o = await runner.checkAddress(LOCALHOST, tcp(s.port, { tls: true, verify: false, host: HOST }));
    expect(o).toMatchObject({ ok: true, error: null });
    // The handshake completes; no HTTP request is sent.
    await waitFor('the handshake to be seen', () => s.servernames.length > 0);
    expect(s.servernames).toEqual([HOST]);
    expect(s.requests).toHaveLength(0);
  });

  it('fails with verify on: certificate: self-signed certificate', async () => {
    const s = keep(await startHttpsServer(tls, okHandler));
    const o = await runner.checkAddress(LOCALHOST, tcp(s.port, { tls: true, verify: true, host: HOST }));
    expect(o).toMatchObject({ ok: false, error: 'certificate: self-signed certificate' });
  });

  it('fails with a TLS reason when the server does not speak TLS', async () => {
    const s = keep(await startHttpServer(okHandler));
    const o = await runner.checkAddress(LOCALHOST, tcp(s.port, { tls: true, verify: false }));
    expect(o.ok).toBe(false);
    expect(o.error).toMatch(/^TLS handshake failed: |^connection (reset|closed)/);
  });

  it('times out when the server never answers the handshake', async () => {
    const s = keep(await startSilentServer());
    const o = await runner.checkAddress(LOCALHOST, tcp(s.port, { tls: true, verify: false, timeout: 1 }));
    expect(o).toEqual({ ok: false, latencyMs: null, error: 'timeout after 1s' });
  });
});

describe('HTTP', () => {
  it('GETs / with the probe User-Agent and Host = address:port by default', async () => {
    const s = keep(await startHttpServer(okHandler));
    const o = await runner.checkAddress(LOCALHOST, http(s.port));
    expect(o).toMatchObject({ ok: true, error: null });
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]).toMatchObject({ method: 'GET', url: '/' });
    expect(s.requests[0]!.headers).toMatchObject({ host: `127.0.0.1:${s.port}`, 'user-agent': 'Vigil-Probe/1 (location=test-1)' });
  });

  it('uses the method and path of the check', async () => {
    const s = keep(await startHttpServer(okHandler));
    expect((await runner.checkAddress(LOCALHOST, http(s.port, { method: 'POST', url: '/health?deep=1' }))).ok).toBe(true);
    expect((await runner.checkAddress(LOCALHOST, http(s.port, { method: 'HEAD', url: '/h' }))).ok).toBe(true);
    expect(s.requests.map((r) => [r.method, r.url])).toEqual([
      ['POST', '/health?deep=1'],
      ['HEAD', '/h'],
    ]);
    expect(s.requests[0]!.headers['content-length']).toBe('0');
  });

  it('sends Host = check.host', async () => {
    const s = keep(await startHttpServer(okHandler));
    await runner.checkAddress(LOCALHOST, http(s.port, { host: HOST }));
    expect(s.requests[0]!.headers.host).toBe(`${HOST}:${s.port}`);
  });

  it('passes on the expected status and fails on another, with a latency', async () => {
    const s = keep(
      await startHttpServer((req, res) => {
        res.statusCode = req.url === '/down' ? 503 : req.url === '/empty' ? 204 : 200;
        res.end();
      }),
    );
    const down = await runner.checkAddress(LOCALHOST, http(s.port, { url: '/down', http_status_code: 200 }));
    expect(down).toMatchObject({ ok: false, error: 'status 503, expected 200' });
    expect(down.latencyMs).toEqual(expect.any(Number));
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { url: '/empty', http_status_code: 204 }))).toMatchObject({ ok: true });
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { url: '/empty', http_status_code: 200 }))).toMatchObject({
      ok: false,
      error: 'status 204, expected 200',
    });
  });

  it('takes any answer when no status is expected (http_status_code null or absent, as Gcore means it)', async () => {
    const s = keep(await startHttpServer((_req, res) => res.writeHead(503).end('down')));
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { http_status_code: null }))).toMatchObject({ ok: true, error: null });
    expect(await runner.checkAddress(LOCALHOST, http(s.port))).toMatchObject({ ok: true, error: null });
    // The body regexp still applies.
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { regexp: '^up$' }))).toMatchObject({
      ok: false,
      error: 'body does not match /^up$/',
    });
    // No answer is still a failure.
    expect(await runner.checkAddress(LOCALHOST, http(await closedPort()))).toMatchObject({ ok: false, error: 'connection refused' });
  });

  it('does not follow redirects', async () => {
    const s = keep(await startHttpServer((_req, res) => res.writeHead(301, { Location: 'http://192.0.2.1/' }).end()));
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { http_status_code: 200 }))).toMatchObject({
      ok: false,
      error: 'status 301, expected 200',
    });
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { http_status_code: 301 }))).toMatchObject({ ok: true });
    expect(s.requests).toHaveLength(2);
  });

  it('speaks plain HTTP with tls: false, as Gcore clients send it', async () => {
    const s = keep(await startHttpServer(okHandler));
    const o = await runner.checkAddress(LOCALHOST, http(s.port, { tls: false, url: '/health', http_status_code: 200, command: null }));
    expect(o).toMatchObject({ ok: true, error: null });
    expect(s.requests).toEqual([expect.objectContaining({ method: 'GET', url: '/health' })]);
  });

  it('matches the body regexp, or says it does not match', async () => {
    const s = keep(await startHttpServer((_req, res) => res.end('{"status": "up", "db": "ok"}')));
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { regexp: '"status":\\s*"up"' }))).toMatchObject({ ok: true });
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { regexp: '"db":\\s*"down"' }))).toMatchObject({
      ok: false,
      error: 'body does not match /"db":\\s*"down"/',
    });
  });

  it('looks only at the first 64 KiB: a match after it fails, a match before it passes', async () => {
    const filler = 'x'.repeat(BODY_LIMIT);
    const s = keep(
      await startHttpServer((req, res) => res.end(req.url === '/late' ? `${filler}MARKER` : `${filler.slice(0, 1000)}MARKER${filler}`)),
    );
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { url: '/late', regexp: 'MARKER' }))).toMatchObject({
      ok: false,
      error: 'body does not match /MARKER/',
    });
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { url: '/early', regexp: 'MARKER' }))).toMatchObject({ ok: true });
  });

  it('stops reading after 64 KiB: a huge body is never read to its end', async () => {
    let closed!: (finishedWriting: boolean) => void;
    const whenClosed = new Promise<boolean>((resolve) => (closed = resolve));
    const s = keep(
      await startHttpServer((_req, res) => {
        res.on('close', () => closed(res.writableFinished));
        res.write('MARKER');
        // 256 MiB: far more than the socket buffers hold, so the response cannot finish unless read.
        const chunk = Buffer.alloc(64 * 1024, 'y');
        let sent = 0;
        const pump = () => {
          while (sent < 4096) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      }),
    );
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { regexp: '^MARKER' }))).toMatchObject({ ok: true });
    expect(await whenClosed).toBe(false);
  });

  it('matches with RE2: a pattern that backtracks for ages elsewhere takes milliseconds', async () => {
    const s = keep(await startHttpServer((_req, res) => res.end(`${'a'.repeat(60_000)}!`)));
    // A backtracking engine takes exponential time on (a+)+$ over 60,000 a's and a "!".
    const started = performance.now();
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { regexp: '(a+)+$', timeout: 5 }))).toMatchObject({
      ok: false,
      error: 'body does not match /(a+)+$/',
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { regexp: '(a+)+!$' }))).toMatchObject({ ok: true });
  });

  it('fails, saying why, on a stored pattern RE2 cannot run (the API refuses such patterns now)', async () => {
    const s = keep(await startHttpServer((_req, res) => res.end('status=up')));
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { regexp: 'status=(?=up)' }))).toMatchObject({
      ok: false,
      error: 'invalid regexp: invalid perl operator: (?=',
    });
  });

  it('times out on a server that never answers, and the other addresses of the job finish first', async () => {
    // Same port on three loopback addresses: one answers, one hangs, one has nothing listening.
    const ok = keep(await startHttpServer(okHandler, '127.0.0.1'));
    keep(await startSilentServer('127.0.0.2', ok.port));
    const job: CheckJob = {
      checkId: 'c1',
      zone: 'example.test',
      name: 'www.example.test',
      type: 'A',
      addresses: ['127.0.0.2', '127.0.0.1', '127.0.0.3'],
      check: http(ok.port, { timeout: 1 }),
    };
    const reports = await runner.runJob(job);
    const by = Object.fromEntries(reports.map((r) => [r.address, r]));
    expect(by['127.0.0.1']).toMatchObject({ ok: true, error: null, location: 'test-1', frequency: 10, checkId: 'c1' });
    expect(by['127.0.0.2']).toMatchObject({ ok: false, error: 'timeout after 1s', latency_ms: null });
    expect(by['127.0.0.3']).toMatchObject({ ok: false, error: 'connection refused' });
    expect(by['127.0.0.1']!.at).toBeLessThan(by['127.0.0.2']!.at);
    expect(by['127.0.0.3']!.at).toBeLessThan(by['127.0.0.2']!.at);
  });
});

describe('HTTP over IPv6', () => {
  it('reaches [::1] with Host = [::1]:port', async () => {
    let s: TestServer;
    try {
      s = keep(await startHttpServer(okHandler, '::1'));
    } catch (e) {
      if (!prerequisite('IPv6 on loopback', `cannot listen on ::1 (${(e as Error).message})`)) return;
      throw e;
    }
    expect(await runner.checkAddress('::1', http(s.port))).toMatchObject({ ok: true });
    expect(s.requests[0]!.headers.host).toBe(`[::1]:${s.port}`);
  });
});

describe('HTTPS', () => {
  let tls: TlsFiles;
  beforeAll(() => {
    tls = selfSignedCert(HOST);
  });

  it('fails on a self-signed certificate when verifying', async () => {
    const s = keep(await startHttpsServer(tls, okHandler));
    expect(await runner.checkAddress(LOCALHOST, https(s.port, { verify: true, host: HOST }))).toEqual({
      ok: false,
      latencyMs: null,
      error: 'certificate: self-signed certificate',
    });
    expect(s.requests).toHaveLength(0);
  });

  it('verifies by default', async () => {
    const s = keep(await startHttpsServer(tls, okHandler));
    expect(await runner.checkAddress(LOCALHOST, https(s.port))).toMatchObject({ ok: false, error: 'certificate: self-signed certificate' });
  });

  it('succeeds without verification, with SNI and Host = check.host', async () => {
    const s = keep(await startHttpsServer(tls, okHandler));
    const o = await runner.checkAddress(LOCALHOST, https(s.port, { verify: false, host: HOST, url: '/tls', regexp: 'all ok' }));
    expect(o).toMatchObject({ ok: true, error: null });
    expect(s.requests[0]).toMatchObject({ url: '/tls', servername: HOST });
    expect(s.requests[0]!.headers).toMatchObject({ host: `${HOST}:${s.port}`, 'user-agent': 'Vigil-Probe/1 (location=test-1)' });
  });

  it("speaks HTTPS for protocol HTTP with tls: true (Gcore's way), verifying by default", async () => {
    const s = keep(await startHttpsServer(tls, okHandler));
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { tls: true, host: HOST }))).toMatchObject({
      ok: false,
      error: 'certificate: self-signed certificate',
    });
    expect(await runner.checkAddress(LOCALHOST, http(s.port, { tls: true, verify: false, host: HOST, url: '/gcore' }))).toMatchObject({
      ok: true,
      error: null,
    });
    expect(s.requests).toEqual([expect.objectContaining({ url: '/gcore', servername: HOST })]);
  });

  it('sends no SNI when no host is set (an IP address cannot be SNI)', async () => {
    const s = keep(await startHttpsServer(tls, okHandler));
    expect(await runner.checkAddress(LOCALHOST, https(s.port, { verify: false }))).toMatchObject({ ok: true });
    expect(s.requests[0]!.servername).toBeFalsy();
    expect(s.requests[0]!.headers.host).toBe(`127.0.0.1:${s.port}`);
  });
});

describe('target policy', () => {
  it('refuses a private target without sending anything', async () => {
    const strict = new ProbeRunner({ location: 'test-1', policy: TargetPolicy.parse(''), concurrency: 5 });
    try {
      const s = keep(await startHttpServer(okHandler));
      const u = keep(await startUdpServer((d) => d));
      const checks = [
        http(s.port),
        tcp(s.port),
        udp(u.port, { command: 'ping' }),
        { protocol: 'ICMP', frequency: 10, timeout: 1 } as Check,
      ];
      for (const check of checks) {
        expect(await strict.checkAddress(LOCALHOST, check)).toEqual({
          ok: false,
          latencyMs: null,
          error: 'target 127.0.0.1 is in a loopback range; probes do not check it (ALLOW_PRIVATE_TARGETS)',
        });
      }
      expect(await strict.checkAddress('::1', udp(u.port))).toMatchObject({ ok: false, error: expect.stringContaining('loopback') });
      expect(s.connections).toBe(0);
      expect(s.requests).toHaveLength(0);
      expect(u.received).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });
});

// Raw sockets need root or CAP_NET_RAW; elsewhere these tests are skipped, saying why.
const icmpProblem = (() => {
  const p = new IcmpPinger();
  try {
    p.selfTest('ipv4');
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    p.close();
  }
})();
const icmpIt = prerequisite('ICMP (raw sockets: root or CAP_NET_RAW)', icmpProblem) ? it : it.skip;

describe('ICMP', () => {
  icmpIt('gets an echo reply from 127.0.0.1', async () => {
    const o = await runner.checkAddress(LOCALHOST, { protocol: 'ICMP', frequency: 10, timeout: 2 });
    expect(o).toMatchObject({ ok: true, error: null });
    expect(o.latencyMs).toEqual(expect.any(Number));
  });

  icmpIt('pings many addresses at once over one session', async () => {
    const addresses = Array.from({ length: 20 }, (_, i) => `127.0.0.${i + 1}`);
    const reports = await runner.runJob({
      checkId: 'icmp',
      zone: 'example.test',
      name: 'example.test',
      type: 'A',
      addresses,
      check: { protocol: 'ICMP', frequency: 10, timeout: 2 },
    });
    expect(reports.map((r) => [r.address, r.ok])).toEqual(addresses.map((a) => [a, true]));
  });

  icmpIt('gets an echo reply from ::1 when IPv6 is up', async () => {
    const v6 = new ProbeRunner({ location: 'test-1', policy: TargetPolicy.parse('::1/128'), concurrency: 5 });
    try {
      v6.icmp.selfTest('ipv6');
    } catch (e) {
      if (!prerequisite('ICMPv6 on loopback', (e as Error).message)) return;
      throw e;
    }
    try {
      expect(await v6.checkAddress('::1', { protocol: 'ICMP', frequency: 10, timeout: 2 })).toMatchObject({ ok: true });
    } finally {
      await v6.close();
    }
  });
});

// The checks of issue 14: a DNS check asking a real authoritative (knotd), HTTP servers that answer
// slowly, with chosen statuses, bodies and headers, and a TLS server whose certificate expires in 3 days.
/** A check as the api stores and publishes it: parsed by the contract (defaults filled, bad input refused). */
const check = (input: Record<string, unknown>): Check => FailoverSchema.parse({ frequency: 10, timeout: 3, ...input }) as Check;

describe('DNS check against knotd', () => {
  let knot: KnotServer;
  beforeAll(async () => {
    knot = await startKnot({
      'checks.test': `$ORIGIN checks.test.
$TTL 60
@       SOA   ns.checks.test. hostmaster.checks.test. 7 3600 600 86400 60
@       NS    ns
@       MX    10 mail.checks.test.
ns      A     127.0.0.1
www     A     192.0.2.10
www     A     192.0.2.11
v6      AAAA  2001:db8::1
txt     TXT   "v=spf1 -all"
alias   CNAME www
`,
    });
  });
  afterAll(() => knot?.stop());
  const dns = (d: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    check({ protocol: 'DNS', port: knot.port, dns: d, ...extra });

  it.each(['udp', 'tcp'])('passes on NOERROR with the expected answer over %s', async (transport) => {
    const o = await runner.checkAddress(LOCALHOST, dns({ name: 'www.checks.test', transport, answer: '192.0.2.11' }));
    expect(o).toMatchObject({ ok: true, error: null });
    expect(o.latencyMs).toEqual(expect.any(Number));
  });

  it('matches answers in presentation form: AAAA, MX, TXT, a CNAME chain, names without case or the dot', async () => {
    const cases: Record<string, unknown>[] = [
      { name: 'v6.checks.test', type: 'AAAA', answer: '2001:DB8:0::1' },
      { name: 'checks.test', type: 'MX', answer: '10 Mail.Checks.Test.' },
      { name: 'txt.checks.test', type: 'TXT', answer: 'v=spf1 -all' },
      { name: 'alias.checks.test', type: 'A', answer: '192.0.2.10' },
      { name: 'alias.checks.test', type: 'CNAME', answer: 'www.checks.test' },
      { name: 'missing.checks.test', rcode: 'NXDOMAIN' },
    ];
    for (const d of cases) expect([d, await runner.checkAddress(LOCALHOST, dns(d))]).toEqual([d, expect.objectContaining({ ok: true })]);
  });

  it('fails when the rcode is not the expected one, saying which it got', async () => {
    expect(await runner.checkAddress(LOCALHOST, dns({ name: 'missing.checks.test' }))).toMatchObject({
      ok: false,
      error: 'rcode NXDOMAIN, expected NOERROR',
    });
    // Outside its zones knotd refuses.
    expect(await runner.checkAddress(LOCALHOST, dns({ name: 'www.other.test', transport: 'tcp' }))).toMatchObject({
      ok: false,
      error: 'rcode REFUSED, expected NOERROR',
    });
  });

  it('fails when the expected answer is missing, listing what came', async () => {
    const o = await runner.checkAddress(LOCALHOST, dns({ name: 'www.checks.test', answer: '192.0.2.99' }));
    expect(o.ok).toBe(false);
    expect(o.error).toMatch(/^answer has no A 192\.0\.2\.99 \(got A 192\.0\.2\.1[01], A 192\.0\.2\.1[01]\)$/);
    expect(await runner.checkAddress(LOCALHOST, dns({ name: 'txt.checks.test', answer: '192.0.2.10' }))).toMatchObject({
      ok: false,
      error: 'answer has no A 192.0.2.10 (got an empty answer section)',
    });
  });

  it('fails on a port where nothing answers: unreachable over UDP, refused over TCP', async () => {
    const port = await closedUdpPort();
    expect(await runner.checkAddress(LOCALHOST, check({ protocol: 'DNS', port, dns: { name: 'www.checks.test' } }))).toMatchObject({
      ok: false,
      error: 'port unreachable',
    });
    expect(
      await runner.checkAddress(LOCALHOST, check({ protocol: 'DNS', port, dns: { name: 'www.checks.test', transport: 'tcp' } })),
    ).toMatchObject({ ok: false, error: 'connection refused' });
  });

  it('times out on a server that never answers, saying so', async () => {
    const tcp = keep(await startSilentServer());
    const udp = keep(await startUdpServer(() => null));
    const ask = (port: number, transport: string) => check({ protocol: 'DNS', port, timeout: 1, dns: { name: 'a.test', transport } });
    expect(await runner.checkAddress(LOCALHOST, ask(tcp.port, 'tcp'))).toMatchObject({ ok: false, error: 'timeout after 1s: no answer' });
    expect(await runner.checkAddress(LOCALHOST, ask(udp.port, 'udp'))).toMatchObject({ ok: false, error: 'timeout after 1s: no answer' });
    expect(udp.received).toHaveLength(1);
  });

  it('ignores a datagram that is not the answer to its query', async () => {
    const udp = keep(await startUdpServer(() => 'not a DNS message'));
    const o = await runner.checkAddress(LOCALHOST, check({ protocol: 'DNS', port: udp.port, timeout: 1, dns: { name: 'a.test' } }));
    expect(o).toMatchObject({ ok: false, error: 'timeout after 1s: no valid DNS answer (a reply that was not one came)' });
  });
});

describe('HTTP: headers, statuses, inverted match, response time', () => {
  it('sends the custom headers, replacing the probe User-Agent when one is given', async () => {
    const s = keep(await startHttpServer((_req, res) => res.end('ok')));
    const o = await runner.checkAddress(
      LOCALHOST,
      check({ protocol: 'HTTP', port: s.port, host: HOST, headers: { 'X-Vigil-Token': 's3cret', 'User-Agent': 'custom/1' } }),
    );
    expect(o).toMatchObject({ ok: true });
    expect(s.requests[0]!.headers).toMatchObject({ 'x-vigil-token': 's3cret', 'user-agent': 'custom/1', host: `${HOST}:${s.port}` });
  });

  it('passes when the status is in the list or a range, and fails naming the list otherwise', async () => {
    const s = keep(
      await startHttpServer((req, res) => {
        res.statusCode = Number(req.url!.slice(1));
        res.end();
      }),
    );
    const codes = { http_status_codes: ['200-299', 301] };
    for (const [status, ok] of [
      [200, true],
      [204, true],
      [301, true],
      [302, false],
      [503, false],
    ] as const) {
      const o = await runner.checkAddress(LOCALHOST, check({ protocol: 'HTTP', port: s.port, url: `/${status}`, ...codes }));
      expect([status, o.ok, o.error]).toEqual([status, ok, ok ? null : `status ${status}, expected one of 200-299, 301`]);
    }
    // Gcore's single status, exactly as before.
    expect(
      await runner.checkAddress(LOCALHOST, check({ protocol: 'HTTP', port: s.port, url: '/204', http_status_code: 200 })),
    ).toMatchObject({
      ok: false,
      error: 'status 204, expected 200',
    });
  });

  it('fails an inverted match when the body matches, and passes it when it does not', async () => {
    const s = keep(await startHttpServer((req, res) => res.end(req.url === '/broken' ? 'Fatal error: database gone' : 'all ok')));
    const invert = { regexp: 'Fatal error', regexp_invert: true };
    expect(await runner.checkAddress(LOCALHOST, check({ protocol: 'HTTP', port: s.port, url: '/fine', ...invert }))).toMatchObject({
      ok: true,
      error: null,
    });
    expect(await runner.checkAddress(LOCALHOST, check({ protocol: 'HTTP', port: s.port, url: '/broken', ...invert }))).toMatchObject({
      ok: false,
      error: 'body matches /Fatal error/, which it must not (regexp_invert)',
    });
    // Not inverted: as before.
    expect(
      await runner.checkAddress(LOCALHOST, check({ protocol: 'HTTP', port: s.port, url: '/fine', regexp: 'Fatal error' })),
    ).toMatchObject({
      ok: false,
      error: 'body does not match /Fatal error/',
    });
  });

  it('fails a response slower than max_response_ms, saying how slow, though within the timeout', async () => {
    const s = keep(await startHttpServer((_req, res) => void setTimeout(() => res.end('late but ok'), 1500)));
    const o = await runner.checkAddress(
      LOCALHOST,
      check({ protocol: 'HTTP', port: s.port, timeout: 5, max_response_ms: 200, regexp: 'ok' }),
    );
    expect(o.ok).toBe(false);
    expect(o.error).toMatch(/^answered in \d+ ms, over max_response_ms 200$/);
    expect(o.latencyMs).toBeGreaterThanOrEqual(1400);
    // Without the threshold the same server passes.
    expect(await runner.checkAddress(LOCALHOST, check({ protocol: 'HTTP', port: s.port, timeout: 5 }))).toMatchObject({ ok: true });
  });
});

describe('HTTPS certificate expiry', () => {
  it('passes with a warning and the days left when the certificate expires within cert_expiry_days', async () => {
    const cert = selfSignedCert(HOST, 3);
    const s = keep(await startHttpsServer(cert, (_req, res) => res.end('ok')));
    const o = await runner.checkAddress(
      LOCALHOST,
      check({ protocol: 'HTTPS', port: s.port, host: HOST, verify: false, cert_expiry_days: 7 }),
    );
    const validTo = Date.parse(new X509Certificate(cert.cert).validTo);
    const expires = new Date(validTo).toISOString().slice(0, 10);
    expect(o).toMatchObject({ ok: true, error: null, certDaysLeft: 2, certExpiresAt: validTo, warning: `certificate expires in 2 days (${expires})` });
    // Stored with the result, for the health read-out and the certificate notifications.
    expect(toProbeResult(o, 'test-1', 10, Date.now())).toMatchObject({
      ok: true,
      warning: o.warning,
      cert_days_left: 2,
      cert_expires_at: validTo,
    });
  });

  it('carries no warning when the certificate lasts longer, but the days left', async () => {
    const s = keep(await startHttpsServer(selfSignedCert(HOST, 3), (_req, res) => res.end('ok')));
    const o = await runner.checkAddress(
      LOCALHOST,
      check({ protocol: 'HTTPS', port: s.port, host: HOST, verify: false, cert_expiry_days: 2 }),
    );
    expect(o).toMatchObject({ ok: true, certDaysLeft: 2, certExpiresAt: expect.any(Number) });
    expect(o.warning).toBeUndefined();
  });

  it('adds nothing to the result of a check without cert_expiry_days', async () => {
    const s = keep(await startHttpsServer(selfSignedCert(HOST, 3), (_req, res) => res.end('ok')));
    const o = await runner.checkAddress(LOCALHOST, check({ protocol: 'HTTPS', port: s.port, host: HOST, verify: false }));
    expect(Object.keys(toProbeResult(o, 'test-1', 10, 0)).sort()).toEqual(['at', 'error', 'frequency', 'latency_ms', 'location', 'ok']);
  });

  it('keeps the warning on a check that fails for another reason', async () => {
    const s = keep(await startHttpsServer(selfSignedCert(HOST, 3), (_req, res) => res.writeHead(503).end()));
    const o = await runner.checkAddress(
      LOCALHOST,
      check({ protocol: 'HTTPS', port: s.port, host: HOST, verify: false, cert_expiry_days: 30, http_status_code: 200 }),
    );
    expect(o).toMatchObject({ ok: false, error: 'status 503, expected 200', certDaysLeft: 2 });
    expect(o.warning).toMatch(/^certificate expires in 2 days \(/);
  });
});
