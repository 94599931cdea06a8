import { startHttpServer, type TestServer } from '../workers/src/common/testing/servers';
import { aData, query, udp } from '../workers/src/dns/testing/client';
import { type ApiClient, customerWithFailover, freePort, Stack, until } from './stack';

const FREQUENCY = 10;
const TIMEOUT = 2;

/**
 * The whole loop with real processes: api → job schedulers → two probe locations → aggregator →
 * change feed → DNS server. A local HTTP backend stops; its address leaves the DNS answer within
 * frequency + timeout + 2 s (the product's promise); it restarts and comes back.
 */
describe('failover loop: backend down → out of DNS → back (real processes)', () => {
  const stack = new Stack();
  let api: ApiClient;
  let port: number;
  let backendPort: number;
  const backends = new Map<string, TestServer>();

  const serve = async (host: string) => {
    backends.set(host, await startHttpServer((_req, res) => res.end('ok'), host, backendPort));
  };
  const answer = async () =>
    aData(await udp(port, query('www.loop.example', 'A')))
      .sort()
      .join(',');
  const health = async () => {
    const h = await api.ok('GET', '/v2/zones/loop.example/www.loop.example/A/health');
    return Object.fromEntries(h.addresses.map((a: { address: string; state: string }) => [a.address, a.state]));
  };

  beforeAll(async () => {
    await stack.startApi({ RECONCILE_INTERVAL_SECONDS: '2' });
    port = await stack.startDns();
    await stack.startChecking(['loop-1', 'loop-2']);

    backendPort = await freePort();
    await serve('127.0.0.2');
    await serve('127.0.0.3');
    api = await customerWithFailover(stack.apiUrl);
    await api.ok('POST', '/v2/zones', { name: 'loop.example' });
    await api.ok('PUT', '/v2/zones/loop.example/www.loop.example/A', {
      ttl: 5,
      resource_records: [{ content: ['127.0.0.2'] }, { content: ['127.0.0.3'] }],
      meta: { failover: { protocol: 'HTTP', port: backendPort, frequency: FREQUENCY, timeout: TIMEOUT, url: '/health', regexp: '^ok$' } },
    });
  });

  afterAll(async () => {
    await Promise.all([...backends.values()].map((b) => b.close()));
    await stack.stop();
  });

  it('shows both addresses available once the probes have checked them', async () => {
    await until(
      'both available',
      async () => JSON.stringify(await health()) === JSON.stringify({ '127.0.0.2': 'available', '127.0.0.3': 'available' }),
      60_000,
      250,
    );
    expect(await answer()).toBe('127.0.0.2,127.0.0.3');
  });

  it('drops a stopped backend from the answer within frequency + timeout + 2 s, and brings it back', async () => {
    await backends.get('127.0.0.3')!.close();
    const stoppedAt = Date.now();
    await until('127.0.0.3 out of the DNS answer', async () => (await answer()) === '127.0.0.2', (FREQUENCY + TIMEOUT + 2) * 1000, 100);
    const h = await api.ok('GET', '/v2/zones/loop.example/www.loop.example/A/health');
    const down = h.addresses.find((a: { address: string }) => a.address === '127.0.0.3');
    expect(down.state).toBe('unavailable');
    expect(Object.values(down.reasons).join(' ')).toMatch(/refused/);
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual((FREQUENCY + TIMEOUT + 2) * 1000);

    await serve('127.0.0.3');
    await until(
      '127.0.0.3 back in the answer',
      async () => (await answer()) === '127.0.0.2,127.0.0.3',
      (FREQUENCY + TIMEOUT + 2) * 1000,
      100,
    );
    await until('the transitions in the history', async () => {
      const e = await api.ok('GET', '/v2/zones/loop.example/www.loop.example/A/health/events?address=127.0.0.3');
      return e.events.map((x: { state: string }) => x.state).join() === 'available,unavailable,available';
    });
  });

  it('answers with every address when all are down (fail open)', async () => {
    await backends.get('127.0.0.2')!.close();
    await backends.get('127.0.0.3')!.close();
    await until(
      'both unavailable',
      async () => JSON.stringify(await health()) === JSON.stringify({ '127.0.0.2': 'unavailable', '127.0.0.3': 'unavailable' }),
      60_000,
      250,
    );
    expect(await answer()).toBe('127.0.0.2,127.0.0.3');
  });
});
