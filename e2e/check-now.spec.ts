import { startHttpServer, type TestServer } from '../workers/src/common/testing/servers';
import { type ApiClient, customerWithFailover, freePort, type Proc, Stack, until } from './stack';

const LOCATIONS = ['now-1', 'now-2', 'now-3'];
const TIMEOUT = 2;

interface LocationRun {
  location: string;
  status: string;
  answered_ms: number | null;
  error: string | null;
  results: { address: string; ok: boolean | null; latency_ms: number | null; error: string | null }[];
}

/**
 * "Check now" with real processes: the api, a probe process per location (three) and local HTTP
 * servers on loopback, one healthy, one address where nothing listens, and a private address the
 * probes' target policy refuses. Each location's result per address comes back in one answer,
 * without counting as a scheduled result; a probe that stopped is listed as not answering.
 */
describe('check now: every location at once, each result per address (real processes)', () => {
  const stack = new Stack();
  const probes = new Map<string, Proc>();
  let api: ApiClient;
  let healthy: TestServer;
  let port: number;
  const path = '/v2/zones/now.example/www.now.example/A';

  const lastResults = async () => {
    const h = await api.ok('GET', `${path}/health`);
    const a = h.addresses.find((x: { address: string }) => x.address === '127.0.0.2');
    return Object.fromEntries(a.locations.map((l: { location: string; at: string }) => [l.location, l.at]));
  };

  beforeAll(async () => {
    // No interval between runs here: backend/src/check-now/check-now.spec.ts tests it.
    await stack.startApi({ RECONCILE_INTERVAL_SECONDS: '2', CHECK_NOW_INTERVAL_SECONDS: '0' });
    for (const l of LOCATIONS) probes.set(l, stack.startProbe(l));
    port = await freePort();
    healthy = await startHttpServer((req, res) => res.end(req.url === '/health' ? 'ok' : 'not here'), '127.0.0.2', port);
    api = await customerWithFailover(stack.apiUrl);
    await api.ok('POST', '/v2/zones', { name: 'now.example' });
    await api.ok('PUT', path, {
      ttl: 30,
      resource_records: [{ content: ['127.0.0.2'] }, { content: ['127.0.0.3'] }, { content: ['10.0.0.1'] }],
      // An hour between scheduled runs: after the first, every request the server sees is a one-off run's.
      meta: { failover: { protocol: 'HTTP', port, frequency: 3600, timeout: TIMEOUT, url: '/health', regexp: '^ok$' } },
    });
    await until('the live locations', async () => (await api.ok('GET', `${path}/health`)).locations.length === LOCATIONS.length, 30_000);
    await until('the first scheduled results from every location', async () => Object.keys(await lastResults()).length === 3, 30_000, 200);
  });

  afterAll(async () => {
    await healthy?.close();
    await stack.stop();
  });

  it("answers with each location's result per address, from a run of the probes' own", async () => {
    const scheduled = await lastResults();
    const seen = healthy.requests.length;
    const res = await api.call('POST', `${path}/check`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ joined: false, timeout: TIMEOUT, complete: true });
    const locations: LocationRun[] = res.body.locations;
    expect(locations.map((l) => l.location)).toEqual(LOCATIONS);
    for (const l of locations) {
      expect(l.status).toBe('answered');
      expect(l.error).toBeNull();
      expect(l.answered_ms).toEqual(expect.any(Number));
      const byAddress = Object.fromEntries(l.results.map((r) => [r.address, r]));
      expect(Object.keys(byAddress)).toEqual(['127.0.0.2', '127.0.0.3', '10.0.0.1']);
      expect(byAddress['127.0.0.2']).toMatchObject({ ok: true, error: null });
      expect(byAddress['127.0.0.2']!.latency_ms).toEqual(expect.any(Number));
      expect(byAddress['127.0.0.3']).toMatchObject({ ok: false, error: 'connection refused' });
      // The target policy applies to one-off runs as to scheduled ones: no traffic to a private address.
      expect(byAddress['10.0.0.1']!.ok).toBe(false);
      expect(byAddress['10.0.0.1']!.error).toMatch(/private/);
    }
    // Each location's probe checked the healthy server once for this run, and named itself.
    const agents = healthy.requests.slice(seen).map((r) => r.headers['user-agent']);
    expect(agents.sort()).toEqual(LOCATIONS.map((l) => `Vigil-Probe/1 (location=${l})`));
    // Not a vote: the results the quorum counts are the scheduled ones, unchanged.
    expect(await lastResults()).toEqual(scheduled);
  });

  it('lists a location whose probe stopped as not answering, beside the others’ results', async () => {
    const stopped = probes.get('now-3')!;
    stopped.child.kill('SIGTERM');
    await stopped.exited;
    // Its heartbeat is still recent (it counts as live for a minute), so it is asked and stays silent.
    const res = await api.call('POST', `${path}/check`);
    expect(res.status).toBe(200);
    expect(res.body.complete).toBe(false);
    const byLocation: Record<string, LocationRun> = Object.fromEntries(res.body.locations.map((l: LocationRun) => [l.location, l]));
    expect(byLocation['now-3']).toEqual({
      location: 'now-3',
      status: 'no_answer',
      answered_ms: null,
      error: `no answer within ${TIMEOUT + 2} s`,
      results: [],
    });
    for (const l of ['now-1', 'now-2']) {
      expect(byLocation[l]!.status).toBe('answered');
      expect(byLocation[l]!.results.map((r) => [r.address, r.ok])).toEqual([
        ['127.0.0.2', true],
        ['127.0.0.3', false],
        ['10.0.0.1', false],
      ]);
    }
  });
});
