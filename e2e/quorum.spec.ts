import type { IncomingMessage, ServerResponse } from 'node:http';
import { startHttpServer, type TestServer } from '../workers/src/common/testing/servers';
import { runTool } from '../workers/src/dns/testing/client';
import { type ApiClient, customerWithFailover, freePort, Stack, until } from './stack';

const LOCATIONS = ['site-a', 'site-b', 'site-c'];
const ZONE = 'quorum.example';
const FREQUENCY = 10;
const TIMEOUT = 2;

/** The location a probe names in its User-Agent (`Vigil-Probe/1 (location=site-a)`). */
const locationOf = (req: IncomingMessage) => /location=([a-z0-9-]+)/.exec(req.headers['user-agent'] ?? '')?.[1] ?? '';

/**
 * Per-check quorum and sites with real processes: the api, three probe processes (three
 * locations), the aggregator and the DNS server, and HTTP backends on loopback that fail for the
 * locations a test picks (told apart by the User-Agent each probe sends). Answers are real DNS
 * queries (dig) to the DNS server.
 */
describe('per-check thresholds with three probe sites (real processes)', () => {
  const stack = new Stack();
  let api: ApiClient;
  let dnsPort: number;
  let port: number;
  const backends: TestServer[] = [];
  /** path -> address -> the locations it fails for ('*': all). */
  const failing = new Map<string, Map<string, Set<string>>>();

  const failFor = (path: string, address: string, locations: string[]) => {
    const byAddress = failing.get(path) ?? failing.set(path, new Map()).get(path)!;
    byAddress.set(address, new Set(locations));
  };
  const handler = (address: string) => (req: IncomingMessage, res: ServerResponse) => {
    const fails = failing.get(req.url ?? '')?.get(address);
    if (fails && (fails.has('*') || fails.has(locationOf(req)))) {
      res.statusCode = 503;
      res.end('down');
    } else res.end('ok');
  };
  const seenFrom = (path: string) => new Set(backends.flatMap((b) => b.requests.filter((r) => r.url === path).map((r) => locationOf({ headers: r.headers } as IncomingMessage))));

  const answer = async (name: string) =>
    (await runTool('dig', dnsPort, ['+short', '+tries=1', '+time=2', `${name}.${ZONE}`, 'A']))
      .split('\n')
      .filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l))
      .sort()
      .join(',');
  const waitAnswer = async (name: string, want: string, ms = 60_000) => {
    let last = '';
    try {
      await until(`${name} answering ${want}`, async () => (last = await answer(name)) === want, ms, 250);
    } catch (e) {
      throw new Error(`${(e as Error).message}: answered ${last}`);
    }
  };
  const health = (name: string) => api.ok('GET', `/v2/zones/${ZONE}/${name}.${ZONE}/A/health`);
  const states = async (name: string) =>
    Object.fromEntries((await health(name)).addresses.map((a: { address: string; state: string }) => [a.address, a.state]));
  const waitStates = async (name: string, want: Record<string, string>, ms = 60_000) => {
    let last = {};
    try {
      await until(`${name}: ${JSON.stringify(want)}`, async () => JSON.stringify((last = await states(name))) === JSON.stringify(want), ms, 250);
    } catch (e) {
      throw new Error(`${(e as Error).message}: ${JSON.stringify(last)}`);
    }
  };
  const check = (path: string, own: object = {}) => ({
    protocol: 'HTTP',
    port,
    frequency: FREQUENCY,
    timeout: TIMEOUT,
    url: path,
    http_status_code: 200,
    ...own,
  });
  const put = (name: string, records: object[], failover: object) =>
    api.ok('PUT', `/v2/zones/${ZONE}/${name}.${ZONE}/A`, { ttl: 5, resource_records: records, meta: { failover } });
  const a = (address: string, backup = false) => ({ content: [address], ...(backup && { meta: { backup: true } }) });

  beforeAll(async () => {
    await stack.startApi({ RECONCILE_INTERVAL_SECONDS: '2' });
    dnsPort = await stack.startDns();
    await stack.startChecking(LOCATIONS);
    port = await freePort();
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) backends.push(await startHttpServer(handler(address), address, port));
    api = await customerWithFailover(stack.apiUrl);
    await api.ok('POST', '/v2/zones', { name: ZONE });
    // 127.0.0.2 fails for site-c only, on the three record sets that show the thresholds and the sites.
    for (const path of ['/default', '/own', '/chosen']) failFor(path, '127.0.0.2', ['site-c']);
    const pair = [a('127.0.0.2'), a('127.0.0.3')];
    await put('default', pair, check('/default'));
    await put('own', pair, check('/own', { quorum: { available: 0.6, unavailable: 0.5 } }));
    await put('chosen', pair, check('/chosen', { locations: ['site-a', 'site-b'], min_locations: 2 }));
    await put('backed', [...pair, a('127.0.0.4', true)], check('/backed', { min_healthy: 2 }));
    await put('open', pair, check('/open', { min_healthy: 2 }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(backends.map((b) => b.close()));
    await stack.stop();
  });

  it('the default rule takes 127.0.0.2 out (1 of 3 failed is 20% or more); available 0.6 keeps it (2 of 3 ok)', async () => {
    await waitStates('default', { '127.0.0.2': 'unavailable', '127.0.0.3': 'available' });
    await waitStates('own', { '127.0.0.2': 'available', '127.0.0.3': 'available' });
    await waitAnswer('default', '127.0.0.3');
    await waitAnswer('own', '127.0.0.2,127.0.0.3');

    const own = await health('own');
    expect(own.quorum).toMatchObject({ available: 0.6, unavailable: 0.5, own: true, locations: null, checking: LOCATIONS });
    const two = own.addresses.find((x: { address: string }) => x.address === '127.0.0.2');
    expect(two).toMatchObject({ fresh_locations: 3, min_locations_met: true });
    expect(Object.fromEntries(two.locations.map((l: { location: string; ok: boolean }) => [l.location, l.ok]))).toEqual({
      'site-a': true,
      'site-b': true,
      'site-c': false,
    });
    const defaults = await health('default');
    expect(defaults.quorum).toMatchObject({ available: 0.85, unavailable: 0.2, own: false });
    expect(defaults.addresses[0].reasons).toEqual({ 'site-c': 'status 503, expected 200' });
  });

  it('only the chosen sites check a record set, so the failing one has no say; a site added to the list starts checking it', async () => {
    await waitStates('chosen', { '127.0.0.2': 'available', '127.0.0.3': 'available' });
    expect(await answer('chosen')).toBe('127.0.0.2,127.0.0.3');
    // Every site has checked the other record sets by now; site-c never checked this one.
    expect(seenFrom('/default')).toEqual(new Set(LOCATIONS));
    expect(seenFrom('/chosen')).toEqual(new Set(['site-a', 'site-b']));
    const h = await health('chosen');
    expect(h.quorum).toMatchObject({ locations: ['site-a', 'site-b'], checking: ['site-a', 'site-b'], not_checking: [], min_locations: 2 });
    for (const address of h.addresses) {
      expect(address.locations.map((l: { location: string }) => l.location)).toEqual(['site-a', 'site-b']);
      expect(address).toMatchObject({ fresh_locations: 2, min_locations_met: true });
    }

    // Now site-c instead of site-a: site-c's failure counts (1 of 2 failed), site-a's result stops counting.
    await put('chosen', [a('127.0.0.2'), a('127.0.0.3')], check('/chosen', { locations: ['site-b', 'site-c'], min_locations: 2 }));
    await waitStates('chosen', { '127.0.0.2': 'unavailable', '127.0.0.3': 'available' });
    await waitAnswer('chosen', '127.0.0.3');
    expect(seenFrom('/chosen')).toEqual(new Set(LOCATIONS));
    const after = await health('chosen');
    const two = after.addresses.find((x: { address: string }) => x.address === '127.0.0.2');
    expect(Object.keys(two.reasons)).toEqual(['site-c']);
    const counted = Object.fromEntries(two.locations.map((l: { location: string; counted: boolean }) => [l.location, l.counted]));
    expect(counted['site-b']).toBe(true);
    expect(counted['site-c']).toBe(true);
    expect(counted['site-a'] ?? false).toBe(false);
  });

  it('min_healthy 2: with one primary up DNS serves the backup; without backups it serves every address', async () => {
    await waitStates('backed', { '127.0.0.2': 'available', '127.0.0.3': 'available', '127.0.0.4': 'available' });
    await waitAnswer('backed', '127.0.0.2,127.0.0.3');
    await waitStates('open', { '127.0.0.2': 'available', '127.0.0.3': 'available' });

    failFor('/backed', '127.0.0.3', ['*']);
    failFor('/open', '127.0.0.3', ['*']);
    await waitStates('backed', { '127.0.0.2': 'available', '127.0.0.3': 'unavailable', '127.0.0.4': 'available' });
    await waitAnswer('backed', '127.0.0.4');
    expect((await health('backed')).serving).toEqual(['127.0.0.4']);
    await waitStates('open', { '127.0.0.2': 'available', '127.0.0.3': 'unavailable' });
    expect(await answer('open')).toBe('127.0.0.2,127.0.0.3');
    expect((await health('open')).serving).toEqual(['127.0.0.2', '127.0.0.3']);

    // Back to two primaries up: the backup leaves the answer.
    failFor('/backed', '127.0.0.3', []);
    await waitAnswer('backed', '127.0.0.2,127.0.0.3');
  });
});
