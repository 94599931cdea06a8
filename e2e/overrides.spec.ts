import { stopProcess, LocalPostgres, LocalRedis, udpQuery, waitReady } from '@vigil/stack';
import { startHttpServer, type TestServer } from '../workers/src/common/testing/servers';
import { type ApiClient, customerWithFailover, freePort, type Proc, Stack, until } from './stack';

const ZONE = 'drain.example';
const NAME = `www.${ZONE}`;
const A = '127.0.0.2';
const B = '127.0.0.3';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  at: number;
  answer: string;
}

/** Asks every 50 ms and keeps what DNS answered (sorted addresses, or the error). */
class Sampler {
  readonly samples: Sample[] = [];
  private running = false;
  private done: Promise<void> | null = null;

  constructor(private readonly port: () => number) {}

  start(): void {
    this.running = true;
    this.done = (async () => {
      while (this.running) {
        const at = Date.now();
        try {
          const m = await udpQuery(this.port(), NAME, 'A', 500);
          const got = (m.answers ?? []).filter((a) => a.type === 'A').map((a) => String(a.data));
          this.samples.push({ at, answer: m.rcode === 'NOERROR' ? got.sort().join(',') : m.rcode! });
        } catch {
          this.samples.push({ at, answer: 'timeout' });
        }
        await sleep(50);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  between(from: number, to: number): string[] {
    return [...new Set(this.samples.filter((s) => s.at >= from && s.at < to).map((s) => s.answer))];
  }

  get latest(): string {
    return this.samples.at(-1)?.answer ?? '';
  }
}

/**
 * Issue 14's overrides as a customer uses them, with real processes on a PostgreSQL and a Redis
 * of the test's own: a drain leaves real DNS answers and stays through a restart of every process
 * (Redis restarted empty, PostgreSQL too); the guard refuses draining the last address; a
 * maintenance window with drain takes the address out at its start and brings it back at its end.
 */
describe('overrides: drain, the guard, a maintenance window (real processes)', () => {
  let pg: LocalPostgres;
  let redisServer: LocalRedis;
  let stack: Stack;
  let api: ApiClient;
  let dnsPort = 0;
  let sampler: Sampler;
  const backends: TestServer[] = [];
  const delays: Record<string, number> = {};
  const path = `/v2/zones/${ZONE}/${NAME}/A`;

  beforeAll(async () => {
    pg = new LocalPostgres(await freePort());
    redisServer = new LocalRedis(await freePort());
    await Promise.all([pg.start(), redisServer.start()]);
    stack = new Stack({ pgAdminUrl: pg.url, redisUrl: redisServer.url });
    await stack.startApi({ RECONCILE_INTERVAL_SECONDS: '2' });
    dnsPort = await stack.startDns();
    await stack.startChecking(['ovr-1', 'ovr-2']);
    const port = await freePort();
    for (const host of [A, B]) backends.push(await startHttpServer((_req, res) => res.end('ok'), host, port));
    api = await customerWithFailover(stack.apiUrl);
    await api.ok('POST', '/v2/zones', { name: ZONE });
    await api.ok('PUT', path, {
      ttl: 5,
      resource_records: [{ content: [A] }, { content: [B] }],
      meta: { failover: { protocol: 'TCP', port, frequency: 10, timeout: 2 } },
    });
    sampler = new Sampler(() => dnsPort);
    sampler.start();
    await until('both addresses answered', () => sampler.latest === `${A},${B}`, 10_000);
  }, 120_000);

  afterAll(async () => {
    await sampler?.stop();
    await Promise.all(backends.map((b) => b.close()));
    await stack?.stop();
    await redisServer?.stop();
    await pg?.remove();
    console.log(`overrides test: ${sampler?.samples.length} queries; ms from the API's answer to DNS's: ${JSON.stringify(delays)}`);
  });

  let drainId = '';

  it('a drain leaves the answers, whatever the health, and the guard refuses draining the last address', async () => {
    const sent = Date.now();
    drainId = (await api.ok('POST', `${path}/overrides`, { address: A, action: 'drain', note: 'disk swap' })).id;
    await until('A left the answers', () => sampler.latest === B, 10_000, 10);
    delays.drain = sampler.samples.find((s) => s.at >= sent && s.answer === B)!.at - sent;

    const last = await api.call('POST', `${path}/overrides`, { address: B, action: 'drain' });
    expect(last.status).toBe(409);
    expect((last.body as { error: string }).error).toMatch(/no served address/);
    const health = await api.ok('GET', `${path}/health`);
    expect(health.serving).toEqual([B]);
    expect(health.addresses.map((a: { address: string; override: string | null }) => [a.address, a.override])).toEqual([
      [A, 'drain'],
      [B, null],
    ]);
  });

  it('the drain stays through a restart of every process, Redis restarted empty and PostgreSQL restarted', async () => {
    const procs: Proc[] = [...stack.procs];
    await Promise.all(procs.map((p) => stopProcess(p)));
    await redisServer.stop();
    await pg.stop();
    const restartedAt = Date.now();
    await Promise.all([pg.start(), redisServer.start()]);
    // The api first (it fills the empty Redis from PostgreSQL), then the data plane.
    const order = ['api', 'dns', 'probe', 'aggregator'];
    for (const name of order) {
      for (const p of procs.filter((x) => x.name.startsWith(name))) await waitReady(stack.start(p.spec));
    }
    await until('DNS answers again', () => sampler.samples.some((s) => s.at > restartedAt && s.answer === B), 30_000);
    // Once answering again, never with the drained address.
    expect(sampler.between(restartedAt, Date.now()).filter((a) => a !== 'timeout' && a !== 'SERVFAIL' && a !== 'REFUSED')).toEqual([B]);
    await sleep(2000);
    expect(sampler.between(Date.now() - 2000, Date.now())).toEqual([B]);
  }, 120_000);

  it('undone, the address is back; a maintenance window with drain takes it out at its start and back at its end', async () => {
    const undone = Date.now();
    await api.ok('DELETE', `${path}/overrides/${drainId}`);
    await until('A back in the answers', () => sampler.latest === `${A},${B}`, 10_000, 10);
    delays.undo = sampler.samples.find((s) => s.at >= undone && s.answer === `${A},${B}`)!.at - undone;

    const start = Date.now() + 4000;
    const end = start + 4000;
    const window = await api.ok('POST', `${path}/overrides`, {
      address: B,
      action: 'maintenance',
      drain: true,
      starts_at: new Date(start).toISOString(),
      ends_at: new Date(end).toISOString(),
    });
    expect(window).toMatchObject({ active: false, drain: true });
    await until('the window over', () => Date.now() > end + 2000, 20_000, 100);
    // The DNS server reads the same clock: before the start both, inside only A, after the end both.
    // (Half a second either side: a query is stamped when sent, the server reads the clock on receipt.)
    expect(sampler.between(start - 3000, start - 500)).toEqual([`${A},${B}`]);
    expect(sampler.between(start + 500, end - 500)).toEqual([A]);
    expect(sampler.between(end + 500, end + 2000)).toEqual([`${A},${B}`]);
    const list = await api.ok('GET', `${path}/overrides`);
    expect(list.overrides).toEqual([]);
  }, 60_000);
});
