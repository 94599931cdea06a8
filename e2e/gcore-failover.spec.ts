import { startHttpServer, startUdpServer, type TestServer, type UdpTestServer } from '../workers/src/common/testing/servers';
import { aData, query, udp } from '../workers/src/dns/testing/client';
import { type ApiClient, customerWithFailover, freePort, Stack, until } from './stack';

const FREQUENCY = 10;
const TIMEOUT = 2;
const PRIMARIES = ['127.0.0.2', '127.0.0.3'];
const BACKUP = '127.0.0.4';

/** A UDP service that answers PONG to PING, as the check's command and regexp expect. */
const startEcho = (host: string, port: number) => startUdpServer((d) => (d.toString() === 'PING' ? 'PONG' : null), host, port);

/**
 * Issue 10's system test: failover record sets written the way Gcore's clients write them (the Go
 * SDK's body: `type`, null meta, `filters` with a healthcheck step and limit 0, `meta.healthchecks`
 * beside `meta.failover`, Terraform's `notes: [""]`, a backup record), through Gcore's `/dns/v2`
 * root, with real probes, aggregator and DNS server: a UDP check against local echo services fails
 * over to the backup record when both primaries stop, and an HTTP check with `tls: false` checks
 * plain HTTP.
 */
describe('failover written the Gcore way (real processes)', () => {
  const stack = new Stack();
  let api: ApiClient;
  let dns: number;
  let udpPort: number;
  const echoes = new Map<string, UdpTestServer>();
  let web: TestServer;

  const answer = async (name: string) =>
    aData(await udp(dns, query(name, 'A')))
      .sort()
      .join(',');

  beforeAll(async () => {
    await stack.startApi({ RECONCILE_INTERVAL_SECONDS: '2' });
    dns = await stack.startDns();
    await stack.startChecking(['gc-1', 'gc-2']);

    // One UDP port on three addresses: the kernel picks it for the first; another suite's socket
    // may hold it on the others, then try another.
    for (let attempt = 0; echoes.size < 3; attempt++) {
      await Promise.all([...echoes.values()].map((s) => s.close()));
      echoes.clear();
      const first = await startEcho(PRIMARIES[0]!, 0);
      udpPort = first.port;
      echoes.set(PRIMARIES[0]!, first);
      try {
        for (const host of [PRIMARIES[1]!, BACKUP]) echoes.set(host, await startEcho(host, udpPort));
      } catch (e) {
        if (attempt >= 5) throw e;
      }
    }
    web = await startHttpServer((_req, res) => res.end('ok'), '127.0.0.5', await freePort());

    api = await customerWithFailover(stack.apiUrl);
    await api.ok('POST', '/dns/v2/zones', { name: 'gc.example' });
    const check = { protocol: 'UDP', port: udpPort, frequency: FREQUENCY, timeout: TIMEOUT, command: 'PING', regexp: 'PONG' };
    await api.ok('PUT', '/dns/v2/zones/gc.example/udp.gc.example/A', {
      type: 'A',
      ttl: 5,
      filters: [{ type: 'healthcheck', strict: false, limit: 0 }],
      meta: { failover: check, healthchecks: check },
      resource_records: [
        ...PRIMARIES.map((ip) => ({ content: [ip], enabled: true, meta: null })),
        { content: [BACKUP], enabled: true, meta: { backup: true, notes: [''] } },
      ],
    });
    await api.ok('PUT', '/dns/v2/zones/gc.example/web.gc.example/A', {
      type: 'A',
      ttl: 5,
      filters: null,
      meta: { failover: { protocol: 'HTTP', tls: false, port: web.port, frequency: FREQUENCY, timeout: TIMEOUT, url: '/', command: null } },
      resource_records: [{ content: ['127.0.0.5'], enabled: true, meta: null }],
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...echoes.values()].map((s) => s.close()));
    await web?.close();
    await stack.stop();
  });

  const states = async (name: string) => {
    const h = await api.ok('GET', `/dns/v2/zones/gc.example/${name}.gc.example/A/health`);
    return Object.fromEntries(h.addresses.map((a: { address: string; state: string }) => [a.address, a.state]));
  };

  it('checks over UDP and plain HTTP, and serves the primaries, never the backup, while they answer', async () => {
    await until(
      'every address available',
      async () =>
        Object.values({ ...(await states('udp')), ...(await states('web')) }).every((s) => s === 'available') &&
        Object.keys(await states('udp')).length === 3,
      60_000,
      250,
    );
    expect(await answer('udp.gc.example')).toBe(PRIMARIES.join(','));
    expect(await answer('web.gc.example')).toBe('127.0.0.5');
  }, 90_000);

  it('answers with the backup once both primaries stop, and with the primaries again when one comes back', async () => {
    for (const host of PRIMARIES) {
      await echoes.get(host)!.close();
      echoes.delete(host);
    }
    await until(
      'the backup alone in the answer',
      async () => (await answer('udp.gc.example')) === BACKUP,
      2 * (FREQUENCY + TIMEOUT + 2) * 1000,
      200,
    );
    const h = await api.ok('GET', '/dns/v2/zones/gc.example/udp.gc.example/A/health');
    const down = h.addresses.filter((a: { state: string }) => a.state === 'unavailable').map((a: { address: string }) => a.address);
    expect(down.sort()).toEqual(PRIMARIES);

    echoes.set(PRIMARIES[0]!, await startEcho(PRIMARIES[0]!, udpPort));
    await until(
      'the primary back in the answer',
      async () => (await answer('udp.gc.example')) === PRIMARIES[0],
      2 * (FREQUENCY + TIMEOUT + 2) * 1000,
      200,
    );
  }, 120_000);
});
