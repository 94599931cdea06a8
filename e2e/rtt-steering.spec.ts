import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { redisKeys } from '@vigil/contract';
import {
  commandProblem,
  type Host,
  netnsProblem,
  prerequisite,
  probeProcess,
  redisAnswers,
  type Running,
  type Service,
  startService,
  stopProcess,
  stopService,
  Topology,
} from '@vigil/stack';
import Redis from 'ioredis';
import { type ApiClient, customerWithFailover, freePort, Stack, until } from './stack';

const run = promisify(execFile);
const can = prerequisite('network namespaces (root, iproute2) and kdig', netnsProblem() ?? commandProblem('kdig', ['-V']));
const ZONE = 'rtt.example';
const NAME = `www.${ZONE}`;

// Clients the DNS server's city database places in Paris and in Tokyo (contract's PREVIEW_PLACES).
const PARIS_CLIENT = '212.27.48.10';
const TOKYO_CLIENT = '133.242.0.1';

/**
 * geodistance with `rtt` across real probe locations: two probes in network namespaces of their own
 * (Paris and Tokyo by PROBE_LATLONG), three HTTP backends (placed in Frankfurt, New York and Sydney
 * by meta.latlong), each in its own namespace and answering each probe after a delay of its own, so
 * what is fast depends on where it is measured from and differs from the distance order. The api,
 * the aggregator, Redis and the DNS server run in the core; the DNS server is asked with kdig and
 * an ECS address placed in Paris or Tokyo.
 */
(can ? describe : describe.skip)('geodistance ranked by the RTT the nearest probe location measures (network namespaces)', () => {
  const topology = new Topology();
  let redis: Service | null = null;
  let stack: Stack;
  let api: ApiClient;
  let dnsPort = 0;
  let core: Host;
  const backends: { host: Host; server: Running | null; latlong: [number, number]; delay: Record<string, number> }[] = [];
  const sites: { location: string; latlong: string; host: Host | null }[] = [
    { location: 'paris', latlong: '48.86,2.35', host: null },
    { location: 'tokyo', latlong: '35.68,139.69', host: null },
  ];

  // Delays (ms) each backend answers each location after. From Paris: New York, Sydney, Frankfurt
  // (the distance order is Frankfurt, New York, Sydney); from Tokyo: Frankfurt, Sydney, New York
  // (by distance: Sydney, Frankfurt, New York).
  const plan = [
    { name: 'fra', latlong: [50.11, 8.68] as [number, number], delay: { paris: 800, tokyo: 10 } },
    { name: 'nyc', latlong: [40.71, -74.0] as [number, number], delay: { paris: 10, tokyo: 800 } },
    { name: 'syd', latlong: [-33.87, 151.21] as [number, number], delay: { paris: 300, tokyo: 400 } },
  ];
  const address = (name: string) => backends[plan.findIndex((p) => p.name === name)]!.host.address;

  /** An HTTP server on port 80 of `host` answering `ok` after the delay of the asking site's address. */
  const serve = (i: number): Running => {
    const b = backends[i]!;
    const bySource = Object.fromEntries(sites.map((s) => [s.host!.address, b.delay[s.location] ?? 0]));
    const script = `const d=${JSON.stringify(bySource)};require('http').createServer((q,s)=>setTimeout(()=>s.end('ok'),d[q.socket.remoteAddress]??0)).listen(80,'${b.host.address}')`;
    return stack.start({ name: `backend-${plan[i]!.name}`, args: ['-e', script], cwd: '/', env: {}, netns: b.host.netns! });
  };

  /** The A records the DNS server answers, in its order, for a client at `ecs` (kdig +subnet). */
  const answer = async (ecs: string): Promise<string[]> => {
    const { stdout } = await run('kdig', [`@127.0.0.1`, '-p', String(dnsPort), `+subnet=${ecs}/32`, '+short', '+timeout=1', NAME, 'A']);
    return stdout.split('\n').filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l));
  };
  const waitFor = async (what: string, ecs: string, want: () => string[], ms = 90_000) => {
    let last: string[] = [];
    try {
      await until(
        what,
        async () => {
          last = await answer(ecs);
          return JSON.stringify(last) === JSON.stringify(want());
        },
        ms,
        250,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}: answered ${JSON.stringify(last)}, wanted ${JSON.stringify(want())}`);
    }
  };

  beforeAll(async () => {
    core = await topology.create();
    // Reachable from the namespaces: bound to the core's address on the topology's subnet only.
    const port = await freePort(core.address);
    const url = `redis://${core.address}:${port}`;
    redis = await startService(
      'redis for the rtt test',
      'redis-server',
      ['--bind', core.address, '--port', String(port), '--protected-mode', 'no', '--save', '', '--appendonly', 'no'],
      () => redisAnswers(url),
    );
    stack = new Stack({ redisUrl: url });
    api = await customerWithFailover(await stack.startApi({ RECONCILE_INTERVAL_SECONDS: '2' }));
    dnsPort = await stack.startDns({ DNS_RTT_RELOAD_SECONDS: '1' });
    for (const s of sites) {
      s.host = await topology.host(s.location);
      const spec = probeProcess(s.location, { ALLOW_PRIVATE_TARGETS: `${topology.subnet}.0/24`, PROBE_LATLONG: s.latlong });
      stack.start({ ...spec, netns: s.host.netns! });
    }
    stack.startAggregator();
    for (const p of plan) backends.push({ host: await topology.host(p.name), server: null, latlong: p.latlong, delay: p.delay });
    backends.forEach((b, i) => (b.server = serve(i)));
    const r = new Redis(url, { keyPrefix: stack.prefix });
    try {
      // The probes announce where they are with their heartbeat.
      await until('both locations to announce their points', async () => {
        const points = await r.hgetall(redisKeys.locationPoints);
        return points.paris === '48.86,2.35' && points.tokyo === '35.68,139.69';
      });
    } finally {
      r.disconnect();
    }
    await api.ok('POST', '/v2/zones', { name: ZONE });
    await api.ok('PUT', `/v2/zones/${ZONE}/${NAME}/A`, {
      ttl: 5,
      resource_records: backends.map((b) => ({ content: [b.host.address], meta: { latlong: b.latlong } })),
      pickers: [{ type: 'geodistance', rtt: true }],
      meta: { failover: { protocol: 'HTTP', port: 80, frequency: 10, timeout: 2, url: '/', regexp: '^ok$' } },
    });
  }, 180_000);

  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      await stopService(redis, 'SIGKILL');
      await topology.destroy();
    }
  });

  it('the option reads back as sent; refused with the field and the reason without a failover check or with a bad value', async () => {
    const got = await api.ok('GET', `/v2/zones/${ZONE}/${NAME}/A`);
    expect(got.pickers).toEqual([{ type: 'geodistance', rtt: true }]);
    const plain = await api.call('PUT', `/v2/zones/${ZONE}/plain.${ZONE}/A`, {
      ttl: 5,
      resource_records: [{ content: ['192.0.2.1'] }],
      pickers: [{ type: 'geodistance', rtt: true }],
    });
    expect(plain.status).toBe(400);
    expect(plain.body.details).toEqual([
      { field: 'pickers[0].rtt', reason: 'needs a failover check (meta.failover): its probes measure the RTT' },
    ]);
    const bad = await api.call('PUT', `/v2/zones/${ZONE}/plain.${ZONE}/A`, {
      ttl: 5,
      resource_records: [{ content: ['192.0.2.1'] }],
      pickers: [{ type: 'geodistance', rtt: 1 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ field: 'pickers[0].rtt', reason: 'must be true or false' }]);
  });

  it('a client near Paris gets what is fastest from the Paris probes, one near Tokyo what is fastest from Tokyo', async () => {
    await waitFor('Paris: New York, Sydney, Frankfurt', PARIS_CLIENT, () => [address('nyc'), address('syd'), address('fra')]);
    await waitFor('Tokyo: Frankfurt, Sydney, New York', TOKYO_CLIENT, () => [address('fra'), address('syd'), address('nyc')]);
  });

  it('when the fastest goes down, the next fastest comes first', async () => {
    const nyc = plan.findIndex((p) => p.name === 'nyc');
    const b = backends[nyc]!;
    await stopProcess(b.server!);
    b.server = null;
    // Unavailable once both locations fail it: left out, Sydney (not the nearer Frankfurt) first.
    await waitFor('Paris: Sydney, Frankfurt', PARIS_CLIENT, () => [address('syd'), address('fra')]);
    expect(await answer(TOKYO_CLIENT)).toEqual([address('fra'), address('syd')]);
    b.server = serve(nyc);
    await waitFor('Paris: New York back first', PARIS_CLIENT, () => [address('nyc'), address('syd'), address('fra')]);
  });
});
