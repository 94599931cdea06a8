import { netnsProblem, prerequisite, type Site, Sites, steadyClient, stopProcess, stopService } from '@vigil/stack';
import { type ApiClient, customerWithFailover, SUPPORT, until } from './stack';

const can = prerequisite('network namespaces (root, iproute2)', netnsProblem());
const FREQUENCY = 10;
const ZONE = 'sites.example';

/**
 * Vigil across sites, on namespaces this test makes (see Sites in @vigil/stack): a core (PostgreSQL,
 * the api, the Redis primary, an aggregator) and three sites, each with a DNS server, a probe, a
 * Redis replica and a Sentinel; two HTTP backends in namespaces of their own. Site 1 runs two DNS
 * processes on its one port.
 */
(can ? describe : describe.skip)('Vigil across sites (network namespaces)', () => {
  const deployment = new Sites({
    kind: 'e2e',
    logLevel: process.env.E2E_LOG_LEVEL ?? 'warn',
    dnsProcesses: (n) => (n === 1 ? 2 : 1),
    apiEnv: { ...SUPPORT, SIGNIN_RATE_LIMIT_PER_MINUTE: '1000' },
  });
  const { sites, backends } = deployment;
  let api: ApiClient;
  const figures: Record<string, number> = {};

  const answer = (s: Site, name = `www.${ZONE}`) => deployment.answer(s, name);
  const everySite = (what: string, want: string, name = `www.${ZONE}`, ms = 60_000) => deployment.everySite(what, name, want, ms);
  const healthz = async (s: Site) => (await fetch(deployment.metricsUrl(s, '/healthz'))).json() as Promise<{ status: string }>;
  const both = () =>
    backends
      .map((b) => b.host.address)
      .sort()
      .join(',');

  beforeAll(async () => {
    api = await customerWithFailover(await deployment.start());
    await api.ok('POST', '/v2/zones', { name: ZONE });
    await api.ok('PUT', `/v2/zones/${ZONE}/www.${ZONE}/A`, {
      ttl: 5,
      resource_records: backends.map((b) => ({ content: [b.host.address] })),
      meta: { failover: { protocol: 'HTTP', port: 80, frequency: FREQUENCY, timeout: 2, url: '/', regexp: '^ok$' } },
    });
  }, 180_000);

  afterAll(async () => {
    try {
      await deployment.stop();
    } finally {
      console.log(`multi-site figures (ms): ${JSON.stringify(figures)}`);
    }
  });

  it('a backend unreachable from one of three sites (33% failing) is unavailable everywhere; reachable from all, available', async () => {
    await everySite('both backends checked', both(), undefined, 90_000);
    const [b1, b2] = backends;
    const s1 = sites[0]!;
    await deployment.topology.block(s1.host, b2!.host.address);
    let started = Date.now();
    await everySite('backend 2 voted out', b1!.host.address, undefined, 60_000);
    figures['one site of three cannot reach a backend → out of every site'] = Date.now() - started;
    const h = await api.ok('GET', `/v2/zones/${ZONE}/www.${ZONE}/A/health`);
    const down = h.addresses.find((a: { address: string }) => a.address === b2!.host.address);
    expect(down.state).toBe('unavailable');
    const views = Object.fromEntries(down.locations.map((l: { location: string; ok: boolean }) => [l.location, l.ok]));
    expect(views).toEqual({ 'site-1': false, 'site-2': true, 'site-3': true });

    await deployment.topology.unblock(s1.host, b2!.host.address);
    started = Date.now();
    await everySite('backend 2 back', both(), undefined, 60_000);
    figures['reachable again → back in every site'] = Date.now() - started;
  });

  it('one port, two DNS processes in site 1: queries from many source ports are answered by both', async () => {
    const s1 = sites[0]!;
    for (let i = 0; i < 200; i++) expect(await answer(s1)).toBe(both());
    const text = await (await fetch(deployment.metricsUrl(s1, '/metrics'))).text();
    const perProcess = new Map<string, number>();
    for (const m of text.matchAll(/^vigil_dns_process_queries_total\{([^}]*)\} (\d+)/gm)) {
      const process = /process="(\d+)"/.exec(m[1]!)![1]!;
      perProcess.set(process, (perProcess.get(process) ?? 0) + Number(m[2]));
    }
    expect(perProcess.size).toBe(2);
    for (const n of perProcess.values()) expect(n).toBeGreaterThan(0);
  });

  it('kill the Redis primary: Sentinel promotes a replica, every process follows, a change after it reaches every site; no DNS query fails', async () => {
    const clients = sites.map((s) => steadyClient(53, `www.${ZONE}`, 20, { host: s.host.address, from: deployment.client }));
    const old = await deployment.masterAddress();
    expect(old).toBe(`${deployment.core.address}:${deployment.primaryPort}`);
    await deployment.killPrimary();
    const killed = Date.now();
    const promoted = await deployment.promoted(old);
    figures['primary killed → promoted'] = Date.now() - killed;
    expect(sites.map((s) => `${s.host.address}:6379`)).toContain(promoted);

    // The api follows by itself: the first write after the promotion that it takes.
    await until(
      'the api to take a write',
      async () => {
        const r = await api.call('PUT', `/v2/zones/${ZONE}/after.${ZONE}/A`, { ttl: 60, resource_records: [{ content: ['192.0.2.77'] }] });
        return r.status === 200 || r.status === 201;
      },
      60_000,
      100,
    );
    figures['primary killed → api write accepted'] = Date.now() - killed;
    const perSite = await everySite('the change after the promotion', '192.0.2.77', `after.${ZONE}`, 30_000);
    figures['primary killed → change in every site'] = Date.now() - killed;
    // A site's replica takes the change once Sentinel has pointed it at the new primary.
    sites.forEach((s, i) => (figures[`api write accepted → change in ${s.location}`] = perSite[i]!));

    // The probes and the aggregator follow too: a backend going down after the promotion is voted out.
    const [b1, b2] = backends;
    await stopProcess(b2!.server);
    const stopped = Date.now();
    await everySite('backend 2 down after the promotion', b1!.host.address, undefined, 60_000);
    figures['after the promotion: backend down → out of every site'] = Date.now() - stopped;
    b2!.server = deployment.serve(2, b2!.host);
    await everySite('backend 2 back after the promotion', both(), undefined, 60_000);

    const results = await Promise.all(clients.map((c) => c.stop()));
    for (const r of results) {
      expect(r.lost).toBe(0);
      expect(r.answered).toBeGreaterThan(0);
    }
    figures['DNS queries during the failover'] = results.reduce((n, r) => n + r.answered, 0);
    figures['DNS queries lost'] = results.reduce((n, r) => n + r.lost, 0);
  });

  it('a site cut off from the core and the other sites keeps answering the last state, and catches up when reconnected', async () => {
    const s = await deployment.replicaSite();
    const others = sites.filter((o) => o !== s);
    // The test's client address stays reachable: the site's own users still ask its DNS.
    await deployment.topology.isolate(s.host, [deployment.client]);
    try {
      await api.ok('PUT', `/v2/zones/${ZONE}/cut.${ZONE}/A`, { ttl: 60, resource_records: [{ content: ['192.0.2.88'] }] });
      await until(
        'the change in the other sites',
        async () => (await Promise.all(others.map((o) => answer(o, `cut.${ZONE}`)))).every((a) => a === '192.0.2.88'),
        30_000,
        200,
      );
      // Meanwhile the cut-off site answers what it had: the record set did not exist there.
      expect(await answer(s, `cut.${ZONE}`)).toBe('');
      expect(await answer(s)).toBe(both());
      expect(await answer(s, `after.${ZONE}`)).toBe('192.0.2.77');
    } finally {
      await deployment.topology.reconnect(s.host, [deployment.client]);
    }
    const started = Date.now();
    await until('the cut-off site to catch up', async () => (await answer(s, `cut.${ZONE}`)) === '192.0.2.88', 60_000, 200);
    figures['reconnected → caught up'] = Date.now() - started;
  });

  it("a site's DNS restarted while its Redis is unreachable answers from its snapshot, says it is stale, and is current again once Redis is back", async () => {
    const s = await deployment.replicaSite();
    await stopProcess(s.dns);
    await stopService(s.redis, 'SIGKILL');
    s.redis = null;
    s.dns = await deployment.startDns(s);
    try {
      expect((await healthz(s)).status).toBe('stale');
      expect(await answer(s)).toBe(both());
      expect(await answer(s, `cut.${ZONE}`)).toBe('192.0.2.88');
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- ${s.location}'s DNS ---\n${s.dns.output().slice(-4000)}`);
    }

    await deployment.startRedis(s, await deployment.masterAddress());
    await until('the DNS to load from Redis again', async () => (await healthz(s)).status === 'ok', 30_000, 200);
    await api.ok('PUT', `/v2/zones/${ZONE}/cut.${ZONE}/A`, { ttl: 60, resource_records: [{ content: ['192.0.2.89'] }] });
    await everySite('a change after the restart', '192.0.2.89', `cut.${ZONE}`, 30_000);
  });
});
