// The webhook sender against real servers on loopback (node:http, and node:https with a
// certificate the openssl CLI makes here: without openssl these tests fail, they do not skip).
import { TargetPolicy } from '@vigil/contract';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { DeliveryError, pinnedLookup, postJson, type PostOptions, validateWebhookUrl } from './http';

/** Loopback admitted, as on a developer's machine with ALLOW_PRIVATE_TARGETS=127.0.0.0/8. */
const loopback = TargetPolicy.parse('127.0.0.0/8');
const strict = TargetPolicy.parse('');
const opts = (more: Partial<PostOptions> = {}): PostOptions => ({ policy: loopback, timeoutMs: 5000, ...more });

interface Hit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  servername?: string;
}

interface Running {
  port: number;
  hits: Hit[];
}

const servers: Server[] = [];

/** A server on 127.0.0.1 that records every request (once its body is in) and answers with `handler`. */
async function serve(handler: RequestListener, server: Server = createServer()): Promise<Running> {
  const hits: Hit[] = [];
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const servername = (req.socket as Partial<TLSSocket>).servername;
      hits.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        servername: servername || undefined,
      });
      handler(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, hits };
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** What the promise rejected with, which must be a DeliveryError. */
async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const e = await p.then(
    () => new Error('it succeeded'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DeliveryError);
  return e as DeliveryError;
}

const ok: RequestListener = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');

describe('postJson', () => {
  it('POSTs the body with its headers and returns the answer', async () => {
    const s = await serve(ok);
    const r = await postJson(`http://127.0.0.1:${s.port}/hook?x=1`, '{"a":"é"}', { 'x-vigil-delivery': 'k1' }, opts());
    expect(r).toEqual({ status: 200, body: '{"ok":true}' });
    expect(s.hits).toHaveLength(1);
    const [hit] = s.hits;
    expect(hit).toMatchObject({ method: 'POST', url: '/hook?x=1', body: '{"a":"é"}' });
    expect(hit.headers).toMatchObject({
      host: `127.0.0.1:${s.port}`,
      'content-type': 'application/json',
      'user-agent': 'Vigil-Notifications/1',
      'content-length': String(Buffer.byteLength('{"a":"é"}')),
      'x-vigil-delivery': 'k1',
    });
  });

  it("keeps the caller's content-type and user-agent", async () => {
    const s = await serve(ok);
    await postJson(`http://127.0.0.1:${s.port}/`, '{}', { 'Content-Type': 'application/vnd.x+json', 'User-Agent': 'Other/2' }, opts());
    expect(s.hits[0].headers['content-type']).toBe('application/vnd.x+json');
    expect(s.hits[0].headers['user-agent']).toBe('Other/2');
  });

  it('fails, for good, on a header it cannot send', async () => {
    const e = await failure(postJson('http://127.0.0.1:9/', '{}', { 'x-bad': 'a\r\nb' }, opts()));
    expect(e.message).toBe('Invalid character in header content ["x-bad"]');
    expect(e.permanent).toBe(true);
  });

  it('takes any 2xx', async () => {
    const s = await serve((_req, res) => res.writeHead(202).end());
    await expect(postJson(`http://127.0.0.1:${s.port}/`, '{}', {}, opts())).resolves.toEqual({ status: 202, body: '' });
  });

  it('reads at most maxResponseBytes, without waiting for the rest', async () => {
    // An answer that never ends: the sender stops once it has its share.
    const s = await serve((_req, res) => {
      res.writeHead(200);
      const more = () => {
        if (!res.destroyed) res.write('x'.repeat(16 * 1024), () => setImmediate(more));
      };
      more();
    });
    const r = await postJson(`http://127.0.0.1:${s.port}/`, '{}', {}, opts({ maxResponseBytes: 1000 }));
    expect(r.body).toBe('x'.repeat(1000));
  });

  it('reads at most 64 KiB by default', async () => {
    const s = await serve((_req, res) => res.writeHead(200).end('y'.repeat(300 * 1024)));
    const r = await postJson(`http://127.0.0.1:${s.port}/`, '{}', {}, opts());
    expect(r.body).toBe('y'.repeat(64 * 1024));
  });

  it('fails a 5xx with the start of its body on one line, to be retried', async () => {
    const s = await serve((_req, res) => res.writeHead(500).end(`down\n  for\tmaintenance ${'z'.repeat(300)}`));
    const e = await failure(postJson(`http://127.0.0.1:${s.port}/`, '{}', {}, opts()));
    expect(e.message).toBe(`HTTP 500: ${`down for maintenance ${'z'.repeat(300)}`.slice(0, 200)}`);
    expect(e).toMatchObject({ permanent: false, status: 500 });
  });

  it.each([
    [404, true],
    [400, true],
    [401, true],
    [410, true],
    [408, false],
    [429, false],
    [502, false],
    [503, false],
  ])('HTTP %i is permanent: %s', async (status, permanent) => {
    const s = await serve((_req, res) => res.writeHead(status).end('no'));
    const e = await failure(postJson(`http://127.0.0.1:${s.port}/`, '{}', {}, opts()));
    expect(e.message).toBe(`HTTP ${status}: no`);
    expect(e).toMatchObject({ permanent, status });
  });

  it('names an empty-bodied failure by its status alone', async () => {
    const s = await serve((_req, res) => res.writeHead(503).end());
    expect((await failure(postJson(`http://127.0.0.1:${s.port}/`, '{}', {}, opts()))).message).toBe('HTTP 503');
  });

  it.each([301, 302, 307, 308])('does not follow a %i, and names where it pointed', async (status) => {
    const elsewhere = await serve(ok);
    const location = `http://127.0.0.1:${elsewhere.port}/other`;
    const s = await serve((_req, res) => res.writeHead(status, { location }).end());
    const e = await failure(postJson(`http://127.0.0.1:${s.port}/`, '{}', {}, opts()));
    expect(e.message).toBe(`HTTP ${status} redirect to ${location}, not followed`);
    expect(e).toMatchObject({ permanent: true, status });
    expect(s.hits).toHaveLength(1);
    expect(elsewhere.hits).toHaveLength(0);
  });

  it('times out on a server that never answers', async () => {
    const s = await serve(() => undefined);
    const started = Date.now();
    const e = await failure(postJson(`http://127.0.0.1:${s.port}/`, '{}', {}, opts({ timeoutMs: 300 })));
    expect(e.message).toBe('timed out after 300 ms');
    expect(e.permanent).toBe(false);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('times out on an answer that stalls halfway: one deadline covers the response too', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const e = await failure(postJson(`http://127.0.0.1:${s.port}/`, '{}', {}, opts({ timeoutMs: 300 })));
    expect(e.message).toBe('timed out after 300 ms');
  });

  it('fails on a refused connection, to be retried', async () => {
    const s = await serve(ok);
    const port = s.port;
    const server = servers.pop()!;
    await new Promise((r) => server.close(r));
    const e = await failure(postJson(`http://127.0.0.1:${port}/`, '{}', {}, opts()));
    expect(e.message).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(e.permanent).toBe(false);
  });

  it('fails on a server that closes the connection without answering', async () => {
    const s = await serve((req) => req.socket.destroy());
    const e = await failure(postJson(`http://127.0.0.1:${s.port}/`, '{}', {}, opts()));
    expect(e.message).toBe('the server closed the connection without answering');
    expect(e.permanent).toBe(false);
  });
});

describe('postJson: target policy', () => {
  it('refuses loopback by default, sending nothing', async () => {
    const s = await serve(ok);
    const e = await failure(postJson(`http://127.0.0.1:${s.port}/`, '{}', {}, opts({ policy: strict })));
    expect(e.message).toBe('target 127.0.0.1 is in a loopback range; webhooks are not sent there (ALLOW_PRIVATE_TARGETS)');
    expect(e.permanent).toBe(true);
    expect(s.hits).toHaveLength(0);
  });

  it('refuses an IPv6 literal and an IPv4 form the URL parser normalises', async () => {
    const v6 = await failure(postJson('http://[::1]:9/', '{}', {}, opts()));
    expect(v6.message).toBe('target ::1 is in a loopback range; webhooks are not sent there (ALLOW_PRIVATE_TARGETS)');
    const hex = await failure(postJson('http://0x7f.1:9/', '{}', {}, opts({ policy: strict })));
    expect(hex.message).toBe('target 127.0.0.1 is in a loopback range; webhooks are not sent there (ALLOW_PRIVATE_TARGETS)');
    const metadata = await failure(postJson('http://169.254.169.254/latest/meta-data/', '{}', {}, opts()));
    expect(metadata.message).toBe(
      'target 169.254.169.254 is a cloud metadata address; webhooks are not sent there (ALLOW_PRIVATE_TARGETS)',
    );
  });

  it('refuses a name that resolves to loopback, sending nothing', async () => {
    const s = await serve(ok);
    const e = await failure(postJson(`http://localhost:${s.port}/`, '{}', {}, opts({ policy: strict })));
    expect(e.message).toMatch(
      /^target localhost resolves to (127\.0\.0\.1|::1), which is in a loopback range; webhooks are not sent there \(ALLOW_PRIVATE_TARGETS\)$/,
    );
    expect(e.permanent).toBe(true);
    expect(s.hits).toHaveLength(0);
  });

  it('sends to a name whose addresses are all admitted, as that name', async () => {
    const s = await serve(ok);
    await postJson(`http://localhost:${s.port}/`, '{}', {}, opts({ policy: TargetPolicy.parse('127.0.0.0/8,::1/128') }));
    expect(s.hits[0].headers.host).toBe(`localhost:${s.port}`);
  });

  it('fails, to be retried, on a name that does not resolve', async () => {
    const e = await failure(postJson('http://no-such-host.invalid/', '{}', {}, opts()));
    expect(e.message).toMatch(/^cannot resolve no-such-host\.invalid: E[A-Z]+$/);
    expect(e.permanent).toBe(false);
  });

  it.each([
    ['not a url', 'bad URL: must be a full URL such as https://hooks.example.com/...'],
    ['ftp://hooks.example.com/x', 'bad URL: must start with https:// or http://, not ftp:'],
    ['file:///etc/passwd', 'bad URL: must start with https:// or http://, not file:'],
    ['https://user:secret@hooks.example.com/x', 'bad URL: must not hold a user name or password'],
  ])('refuses %j without sending', async (url, message) => {
    const e = await failure(postJson(url, '{}', {}, opts()));
    expect(e.message).toBe(message);
    expect(e.permanent).toBe(true);
  });
});

describe('pinnedLookup', () => {
  it('connects to the checked address without asking DNS again', async () => {
    const s = await serve(ok);
    // A name that resolves nowhere: only the pinned lookup can make this connection.
    const socket = connect({ host: 'never-resolved.invalid', port: s.port, lookup: pinnedLookup([{ address: '127.0.0.1', family: 4 }]) });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    expect(socket.remoteAddress).toBe('127.0.0.1');
    socket.destroy();
  });

  it('answers a family it has no address of with ENOTFOUND', async () => {
    const lookup = pinnedLookup([{ address: '127.0.0.1', family: 4 }]);
    const e = await new Promise<NodeJS.ErrnoException | null>((r) => lookup('example.test', { family: 6 }, (err) => r(err)));
    expect(e?.code).toBe('ENOTFOUND');
  });
});

/** A certificate for localhost and 127.0.0.1, made by the openssl CLI (no openssl: the tests fail). */
function certificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-webhook-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  try {
    const name = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', key, '-out', cert, ...name], {
      stdio: 'pipe',
    });
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } catch (e) {
    throw new Error(`the https tests need the openssl CLI (Debian: openssl): ${(e as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('postJson over https', () => {
  let tls: { key: Buffer; cert: Buffer };
  beforeAll(() => {
    tls = certificate();
  });

  it('sends to a name as that name (SNI and Host) while connecting to its checked address', async () => {
    const s = await serve(ok, createHttpsServer(tls));
    const policy = TargetPolicy.parse('127.0.0.0/8,::1/128');
    const r = await postJson(`https://localhost:${s.port}/hook`, '{"t":1}', {}, opts({ policy, ca: tls.cert }));
    expect(r.status).toBe(200);
    expect(s.hits[0]).toMatchObject({ servername: 'localhost', url: '/hook', body: '{"t":1}' });
    expect(s.hits[0].headers.host).toBe(`localhost:${s.port}`);
  });

  it('sends to an IP literal', async () => {
    const s = await serve(ok, createHttpsServer(tls));
    await expect(postJson(`https://127.0.0.1:${s.port}/`, '{}', {}, opts({ ca: tls.cert }))).resolves.toMatchObject({ status: 200 });
  });

  it('fails on a certificate it does not trust, to be retried', async () => {
    const s = await serve(ok, createHttpsServer(tls));
    const e = await failure(postJson(`https://127.0.0.1:${s.port}/`, '{}', {}, opts()));
    expect(e.message).toBe('TLS: self-signed certificate');
    expect(e.permanent).toBe(false);
    expect(s.hits).toHaveLength(0);
  });
});

describe('validateWebhookUrl', () => {
  it.each([
    'https://hooks.slack.com/services/T000/B000/XXXX',
    'https://discord.com/api/webhooks/1/abc',
    'http://hooks.example.com:8080/x?y=1',
    // A name is judged when a message is sent: what it resolves to may change.
    'http://localhost/hook',
    'https://8.8.8.8/',
    'https://[2606:4700:4700::1111]/',
  ])('takes %s', (url) => {
    expect(validateWebhookUrl(url, strict)).toBeNull();
  });

  it.each([
    ['', 'must be a full URL such as https://hooks.example.com/...'],
    ['hooks.example.com/x', 'must be a full URL such as https://hooks.example.com/...'],
    ['http://', 'must be a full URL such as https://hooks.example.com/...'],
    ['ftp://hooks.example.com/', 'must start with https:// or http://, not ftp:'],
    ['javascript:alert(1)', 'must start with https:// or http://, not javascript:'],
    ['https://user@hooks.example.com/', 'must not hold a user name or password'],
    ['https://:pw@hooks.example.com/', 'must not hold a user name or password'],
    ['http://127.0.0.1:3000/', 'target 127.0.0.1 is in a loopback range; webhooks are not sent there (ALLOW_PRIVATE_TARGETS)'],
    ['http://[::1]/', 'target ::1 is in a loopback range; webhooks are not sent there (ALLOW_PRIVATE_TARGETS)'],
    ['http://10.1.2.3/', 'target 10.1.2.3 is in a private range; webhooks are not sent there (ALLOW_PRIVATE_TARGETS)'],
    ['http://[::ffff:192.168.0.1]/', 'target ::ffff:c0a8:1 is in a private range; webhooks are not sent there (ALLOW_PRIVATE_TARGETS)'],
    ['http://169.254.169.254/', 'target 169.254.169.254 is a cloud metadata address; webhooks are not sent there (ALLOW_PRIVATE_TARGETS)'],
  ])('refuses %j: %s', (url, reason) => {
    expect(validateWebhookUrl(url, strict)).toBe(reason);
  });

  it('takes an address ALLOW_PRIVATE_TARGETS admits', () => {
    expect(validateWebhookUrl('http://127.0.0.1:3000/', loopback)).toBeNull();
    expect(validateWebhookUrl('http://10.1.2.3/', loopback)).toMatch(/private range/);
  });
});
