import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { redisKeys } from '@vigil/contract';
import Redis from 'ioredis';
import { type Received, startReceiver, type Receiver } from '../backend/src/testing/receivers';
import { selfSignedCert } from '../workers/src/common/testing/servers';
import { ownerWithFailover, Stack, until, type ApiClient } from './stack';

const FREQUENCY = 10;
const TIMEOUT = 2;
const COALESCE = 1;
/** A check period, the aggregator, the coalescing window and a sweep, with room for a loaded machine. */
const NOTIFIED_MS = (2 * FREQUENCY + TIMEOUT + COALESCE + 5) * 1000;
const ADDRESS = '127.0.0.7';
const HOST = 'tls.cert.example';
const NAME = 'www.cert.example';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CertBody {
  type: string;
  title: string;
  text: string;
  certificates: {
    rrset_id: string;
    address: string;
    level: string;
    previous: string;
    renewed: boolean;
    days_left: number;
    expires_at: string;
  }[];
}

/**
 * Issue 14's certificate expiry notification, end to end: a real TLS server on loopback whose
 * certificate expires in 3 days, an HTTPS check with cert_expiry_days 7 from two probe sites, two
 * aggregators and two api processes, and a real webhook receiver: one message when the
 * certificate comes within the window, none over the following check periods, one when it is renewed.
 */
describe('certificate expiry: a certificate within cert_expiry_days → one webhook, once (real processes)', () => {
  const stack = new Stack();
  let api: ApiClient;
  let hook: Receiver;
  let tls: Server;
  let rrsetId: string;
  const soon = selfSignedCert(HOST, 3);

  const certMessages = () => hook.received.map((r: Received) => r.json as CertBody).filter((b) => b.type === 'certificate.expiry');

  beforeAll(async () => {
    hook = await startReceiver();
    tls = createServer({ key: soon.key, cert: soon.cert }, (_req, res) => res.end('ok'));
    tls.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => tls.listen(0, ADDRESS, resolve));
    const env = { ALLOW_PRIVATE_TARGETS: '127.0.0.0/8', NOTIFY_COALESCE_SECONDS: String(COALESCE), RECONCILE_INTERVAL_SECONDS: '2' };
    // Two api processes (two consumers of the certificate feed) and two aggregators (racing on each reading).
    const apis = [await stack.startApi(env), await stack.startApi(env)];
    await stack.startChecking(['ce-1', 'ce-2']);
    stack.startAggregator();
    let session: ApiClient;
    ({ token: api, session } = await ownerWithFailover(apis[0]!));
    await session.ok('POST', '/v2/account/notification-channels', { type: 'webhook', name: 'ops', url: `${hook.url}/vigil` });
    await api.ok('POST', '/v2/zones', { name: 'cert.example' });
    rrsetId = (
      await api.ok('PUT', `/v2/zones/cert.example/${NAME}/A`, {
        ttl: 5,
        resource_records: [{ content: [ADDRESS] }],
        meta: {
          failover: {
            protocol: 'HTTPS',
            port: (tls.address() as AddressInfo).port,
            host: HOST,
            verify: false,
            frequency: FREQUENCY,
            timeout: TIMEOUT,
            url: '/',
            cert_expiry_days: 7,
          },
        },
      })
    ).id;
  });

  afterAll(async () => {
    await stack.stop();
    await new Promise((r) => tls?.close(r));
    await hook?.close();
  });

  it('tells the webhook once when the certificate is within the window, and not again over the next check periods', async () => {
    await until('a certificate message', async () => certMessages().length >= 1, NOTIFIED_MS, 200);
    const validTo = Date.parse(new X509Certificate(soon.cert).validTo);
    const [msg] = certMessages();
    expect(msg!.title).toBe('1 certificate expiring in cert.example');
    expect(msg!.certificates).toEqual([
      expect.objectContaining({
        rrset_id: rrsetId,
        address: ADDRESS,
        level: 'expiring',
        previous: 'ok',
        renewed: false,
        days_left: 2,
        expires_at: new Date(validTo).toISOString().replace('.000Z', 'Z'),
      }),
    ]);
    expect(msg!.text).toContain(
      `${NAME} A: the certificate of ${ADDRESS} expires in 2 days (${new Date(validTo).toISOString().slice(0, 10)})`,
    );
    // The health read-out shows the same warning from both sites.
    const health = await api.ok('GET', `/v2/zones/cert.example/${NAME}/A/health`);
    const results = health.addresses[0].locations as { warning: string | null; cert_days_left: number | null }[];
    expect(results.map((r) => r.cert_days_left)).toEqual([2, 2]);
    // Three more periods of both sites' readings: nothing more is sent.
    const redis = new Redis(stack.redisUrl, { keyPrefix: stack.prefix });
    try {
      const before = await redis.xlen(redisKeys.resultsFeed);
      await sleep(3 * FREQUENCY * 1000 + 2000);
      expect((await redis.xlen(redisKeys.resultsFeed)) - before).toBeGreaterThanOrEqual(4);
      expect(await redis.xlen(redisKeys.certFeed)).toBe(1);
    } finally {
      redis.disconnect();
    }
    expect(hook.received).toHaveLength(1);
  });

  it('tells of the renewal once when the server is given a certificate that lasts longer', async () => {
    const renewed = selfSignedCert(HOST, 90);
    tls.setSecureContext({ key: renewed.key, cert: renewed.cert });
    await until('a second certificate message', async () => certMessages().length >= 2, NOTIFIED_MS, 200);
    expect(certMessages()[1]!.certificates).toEqual([
      expect.objectContaining({ address: ADDRESS, level: 'ok', previous: 'expiring', renewed: true, days_left: 89 }),
    ]);
    expect(certMessages()[1]!.title).toBe('1 certificate renewed in cert.example');
    await sleep(2 * FREQUENCY * 1000);
    expect(hook.received).toHaveLength(2);
    expect(new Set(hook.received.map((r) => r.headers['x-vigil-delivery'])).size).toBe(2);
  });
});
