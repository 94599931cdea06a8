import { createSocket, type Socket } from 'node:dgram';
import { redisKeys } from '@vigil/contract';
import { LocalPostgres, LocalRedis, sleep, waitReady } from '@vigil/stack';
import Redis from 'ioredis';
import { startHttpServer, type TestServer } from '../workers/src/common/testing/servers';
import { aData, decode, query } from '../workers/src/dns/testing/client';
import { type ApiClient, customerWithFailover, freePort, type Proc, Stack, until } from './stack';

const ZONE = 'fault.example';
const NAME = `www.${ZONE}`;
const BACKENDS = ['127.0.0.2', '127.0.0.3'];
const FREQUENCY = 10;
const TIMEOUT = 2;
/** Queries per second, all through the run. */
const RATE = 200;
/** A query not answered within this is a failed one (a resolver would have given up on it). */
const ANSWER_WITHIN_MS = 2000;

/**
 * DNS queries at a steady rate over UDP, each checked as it is answered: NOERROR and some of the
 * record set's addresses. Any query unanswered within ANSWER_WITHIN_MS, or answered otherwise, is
 * a failure, named with what was being done to the system at the time.
 */
class SteadyQueries {
  phase = 'start';
  sent = 0;
  answered = 0;
  readonly failures: string[] = [];
  /** The addresses of the latest answer. */
  latest = '';
  private readonly outstanding = new Map<number, { at: number; phase: string }>();
  private socket: Socket | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private nextId = 0;

  constructor(
    private readonly port: number,
    private readonly allowed: string[],
  ) {}

  private fail(what: string): void {
    if (this.failures.length < 50) this.failures.push(what);
  }

  async start(): Promise<void> {
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('message', (msg) => {
      const id = msg.readUInt16BE(0);
      const q = this.outstanding.get(id);
      if (!q) return this.fail(`an answer (id ${id}) to no query waiting`);
      this.outstanding.delete(id);
      this.answered++;
      const m = decode(msg);
      const got = aData(m).sort();
      if (m.rcode !== 'NOERROR' || got.length === 0 || got.some((a) => !this.allowed.includes(a)))
        this.fail(`${m.rcode} ${JSON.stringify(got)} while ${q.phase}`);
      else this.latest = got.join(',');
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const started = Date.now();
    // Every 10 ms, as many as keep the total at RATE per second since the start.
    this.ticker = setInterval(() => {
      const now = Date.now();
      while (this.sent < ((now - started) * RATE) / 1000) this.send(now);
      for (const [id, q] of this.outstanding) {
        if (now - q.at <= ANSWER_WITHIN_MS) continue;
        this.outstanding.delete(id);
        this.fail(`no answer within ${ANSWER_WITHIN_MS} ms while ${q.phase}`);
      }
    }, 10);
  }

  private send(now: number): void {
    const id = this.nextId;
    this.nextId = (this.nextId + 1) & 0xffff;
    this.outstanding.set(id, { at: now, phase: this.phase });
    this.sent++;
    this.socket!.send(query(NAME, 'A', { id }), this.port, '127.0.0.1');
  }

  /** Stops sending; resolves once every query sent is answered or has failed. */
  async stop(): Promise<void> {
    if (!this.socket) return;
    if (this.ticker) clearInterval(this.ticker);
    await until('the last answers', () => this.outstanding.size === 0, ANSWER_WITHIN_MS + 1000).catch(() => {
      for (const q of this.outstanding.values()) this.fail(`no answer while ${q.phase}`);
    });
    this.socket.close();
    this.socket = null;
  }
}

/** SIGKILL, as a crash or an OOM kill would: no chance to say goodbye. */
async function kill(p: Proc): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}

/**
 * Issue 11's fault test, with real processes against a PostgreSQL and a Redis of its own (the
 * shared ones are never touched): while DNS queries come at a steady rate, Redis is killed and
 * restarted empty, PostgreSQL is stopped and started, the api, a probe and the aggregator are
 * killed (the api and the aggregator started again). No query may fail or be answered wrong,
 * the zones are back in Redis within seconds of it coming back empty, and the health state
 * converges: an address taken down while the aggregator was dead is voted out after it returns.
 */
describe('faults: Redis, PostgreSQL, the api, a probe and the aggregator go away under steady DNS load', () => {
  let pg: LocalPostgres;
  let redisServer: LocalRedis;
  let stack: Stack;
  let api: ApiClient;
  let queries: SteadyQueries;
  let backendPort: number;
  const backends = new Map<string, TestServer>();
  const timings: Record<string, number> = {};

  const proc = (name: string) => {
    const p = stack.procs.filter((x) => x.name === name).pop();
    if (!p) throw new Error(`no ${name} process in the stack`);
    return p;
  };
  /** Starts a killed process again with the same ports and environment; resolves once it is ready. */
  const restart = async (p: Proc) => {
    const again = stack.start(p.spec);
    await waitReady(again);
    return again;
  };
  const health = async () => {
    const h = await api.ok('GET', `/v2/zones/${ZONE}/${NAME}/A/health`);
    return Object.fromEntries(h.addresses.map((a: { address: string; state: string }) => [a.address, a.state]));
  };
  const healthIs = (want: Record<string, string>) => async () => JSON.stringify(await health()) === JSON.stringify(want);
  const timed = async (what: string, fn: () => Promise<unknown>) => {
    const t = Date.now();
    await fn();
    timings[what] = Date.now() - t;
  };

  beforeAll(async () => {
    pg = new LocalPostgres(await freePort());
    redisServer = new LocalRedis(await freePort());
    await Promise.all([pg.start(), redisServer.start()]);
    stack = new Stack({ pgAdminUrl: pg.url, redisUrl: redisServer.url });
    // The default reconcile period (60 s): what brings checks back after Redis restarts empty is
    // the probes announcing themselves at once and the api scheduling them then, not the period.
    await stack.startApi();
    const dnsPort = await stack.startDns();
    await stack.startChecking(['fault-1', 'fault-2', 'fault-3']);

    backendPort = await freePort();
    for (const host of BACKENDS) backends.set(host, await startHttpServer((_req, res) => res.end('ok'), host, backendPort));
    api = await customerWithFailover(stack.apiUrl);
    await api.ok('POST', '/v2/zones', { name: ZONE });
    await api.ok('PUT', `/v2/zones/${ZONE}/${NAME}/A`, {
      ttl: 5,
      resource_records: BACKENDS.map((ip) => ({ content: [ip] })),
      meta: { failover: { protocol: 'TCP', port: backendPort, frequency: FREQUENCY, timeout: TIMEOUT } },
    });
    await until('both addresses available', healthIs({ '127.0.0.2': 'available', '127.0.0.3': 'available' }), 60_000, 250);
    queries = new SteadyQueries(dnsPort, BACKENDS);
    await queries.start();
    await until('the first answers', () => queries.latest === BACKENDS.join(','), 5000);
  }, 120_000);

  afterAll(async () => {
    await queries?.stop();
    await Promise.all([...backends.values()].map((b) => b.close()));
    await stack?.stop();
    await redisServer?.stop();
    await pg?.remove();
    console.log(`fault test: ${queries?.sent} queries, ${queries?.answered} answered; ms: ${JSON.stringify(timings)}`);
  });

  it('Redis killed and restarted empty: DNS answers from memory, the api refills Redis within seconds, health is checked again', async () => {
    const watch = new Redis(redisServer.url, { keyPrefix: stack.prefix, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      queries.phase = 'Redis was down';
      await redisServer.stop();
      await sleep(2000);
      await redisServer.start();
      queries.phase = 'Redis came back empty';
      await timed('zone back in Redis', () => until('the zone back in Redis', () => watch.exists(redisKeys.zone(ZONE)), 10_000, 100));
      // The probes and the aggregator work on an empty Redis too: the health state is determined anew.
      await timed('health determined again', () =>
        until('health determined again', healthIs({ '127.0.0.2': 'available', '127.0.0.3': 'available' }), 30_000, 250),
      );
    } finally {
      watch.disconnect();
    }
    expect(queries.failures).toEqual([]);
  }, 90_000);

  it('PostgreSQL stopped and started: DNS unaffected, the api serves again', async () => {
    queries.phase = 'PostgreSQL was down';
    await pg.stop();
    await sleep(2000);
    await pg.start();
    queries.phase = 'PostgreSQL came back';
    await timed('api serving after PostgreSQL', () =>
      until('the api to read the zone', () => api.ok('GET', `/v2/zones/${ZONE}`), 20_000, 250),
    );
    expect(queries.failures).toEqual([]);
  }, 60_000);

  it('the api killed and started again: DNS unaffected, the api serves the same data', async () => {
    queries.phase = 'the api was dead';
    await kill(proc('api'));
    await sleep(1000);
    await timed('api restart', () => restart(proc('api')));
    queries.phase = 'the api came back';
    expect((await api.ok('GET', `/v2/zones/${ZONE}`)).name).toBe(ZONE);
    expect(queries.failures).toEqual([]);
  }, 60_000);

  it('a probe and the aggregator killed, an address down meanwhile: voted out once the aggregator is back', async () => {
    queries.phase = 'a probe was dead';
    await kill(proc('probe-fault-3'));
    queries.phase = 'the aggregator was dead';
    await kill(proc('aggregator'));
    await backends.get('127.0.0.3')!.close();
    const downAt = Date.now();
    await sleep(3000);
    await restart(proc('aggregator'));
    queries.phase = 'the aggregator came back';
    await until('127.0.0.3 out of the DNS answers', () => queries.latest === '127.0.0.2', (3 * FREQUENCY + TIMEOUT) * 1000, 100);
    timings['down address out of DNS'] = Date.now() - downAt;
    expect(await health()).toEqual({ '127.0.0.2': 'available', '127.0.0.3': 'unavailable' });
    await queries.stop();
    expect(queries.failures).toEqual([]);
    expect(queries.answered).toBe(queries.sent);
    expect(queries.latest).toBe('127.0.0.2');
  }, 90_000);
});
