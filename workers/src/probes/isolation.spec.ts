// One tenant's costly check, or a stalled probe, must not vote other tenants' targets down. The
// healthy target runs in a process of its own, so it answers in time while this one is busy, as a
// real target would.
import { type CheckJob, type ProbeReport, TargetPolicy } from '@vigil/contract';
import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { startHttpServer, type TestServer } from '../common/testing/servers';
import { BODY_LIMIT } from './checks/http';
import { ProbeMetrics } from './metrics';
import { type Check, ProbeRunner } from './runner';

const LOCALHOST = '127.0.0.1';

// HTTP: /slow answers after 300 ms, /never never. TCP (the next port): a banner after 300 ms.
const TARGET_SOURCE = `
const server = require('node:http').createServer((req, res) => {
  if (req.url === '/never') return;
  setTimeout(() => res.end('all ok'), 300);
});
const banner = require('node:net').createServer((socket) => {
  socket.on('error', () => undefined);
  setTimeout(() => socket.write('220 mail.example.test ESMTP\\r\\n'), 300);
});
server.listen(0, '127.0.0.1', () =>
  banner.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + ' ' + banner.address().port + '\\n')),
);
`;

let target: ChildProcess;
let targetPort: number;
let bannerPort: number;
let heavy: TestServer;
const metrics = new ProbeMetrics();
// A tolerance well above what a loaded test machine stalls, well below the stalls made here.
const runner = new ProbeRunner({
  location: 'iso-1',
  policy: TargetPolicy.parse('127.0.0.0/8'),
  concurrency: 50,
  metrics,
  overloadToleranceMs: 500,
});

beforeAll(async () => {
  target = spawn(process.execPath, ['-e', TARGET_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
  [targetPort, bannerPort] = await new Promise<number[]>((resolve, reject) => {
    target.once('error', reject);
    target.stdout!.once('data', (d: Buffer) => resolve(String(d).trim().split(' ').map(Number)));
  });
  // A large body of words and spaces: what the costliest patterns RE2 accepts are slowest on.
  const body = 'ab '.repeat(Math.ceil((4 * BODY_LIMIT) / 3));
  heavy = await startHttpServer((_req, res) => res.end(body));
});

afterAll(async () => {
  target?.kill();
  await heavy?.close();
  await runner.close();
});

const http = (port: number, extra: Partial<Check> = {}): Check => ({ protocol: 'HTTP', port, frequency: 10, timeout: 1, ...extra });
const job = (checkId: string, zone: string, check: Check): CheckJob => ({
  checkId,
  zone,
  name: `www.${zone}`,
  type: 'A',
  addresses: [LOCALHOST],
  check,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Blocks the event loop for `ms`, from the check phase (as a long synchronous task in an I/O or
 * immediate callback would): in the next turn the due timers run before the sockets are read.
 */
const stallLoop = (ms: number) =>
  new Promise<void>((resolve) =>
    setImmediate(() => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // the event loop is blocked
      }
      resolve();
    }),
  );

it("keeps another tenant's HTTP checks up while one tenant's costly regexp is matched over a large body", async () => {
  // Valid RE2 (counted repetitions, no backtracking), linear in the body, but with a constant
  // large enough to take seconds over 64 KiB.
  const costly = job('costly-1', 'a.test', http(heavy.port, { regexp: '[\\w\\s]{1000}[\\w\\s]{500}!', url: '/' }));
  const costlyDone = runner.runJob(costly);
  const rounds: ProbeReport[][] = [];
  // Tenant B: a round every 200 ms for 3 s, each check with a 1 s timeout against a target that
  // answers in 300 ms (so the first rounds are in flight when the costly body arrives).
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  while (performance.now() - started < 3000) {
    inFlight.push(runner.runJob(job('healthy-1', 'b.test', http(targetPort, { url: '/slow' }))).then((r) => void rounds.push(r)));
    await sleep(200);
  }
  await Promise.all(inFlight);
  const reports = rounds.flat();
  expect(reports.filter((r) => !r.ok).map((r) => r.error)).toEqual([]);
  // The rounds kept coming and kept voting: the probe's event loop was not held by the match.
  expect(reports.length).toBeGreaterThanOrEqual(10);

  // The costly check is no vote (not stored, counted): the probe cannot say whether it matched.
  expect(await costlyDone).toEqual([]);
  const text = await metrics.registry.metrics();
  expect(text).toMatch(/vigil_probe_checks_total\{protocol="HTTP",result="regexp_budget"\} 1/);
  // Its pattern is not matched again for a while: its next round costs nothing.
  const again = performance.now();
  expect(await runner.runJob(costly)).toEqual([]);
  expect(performance.now() - again).toBeLessThan(500);
}, 30_000);

describe('a stalled event loop', () => {
  it('reads an answer that arrived during the stall before the deadline is judged', async () => {
    const checking = runner.checkAddress(LOCALHOST, http(targetPort, { url: '/slow' }));
    // The target answers at 300 ms; the probe is blocked from 100 ms to 1.6 s, past the 1 s deadline.
    await sleep(100);
    await stallLoop(1500);
    expect(await checking).toMatchObject({ ok: true, error: null });
  });

  it('matches a TCP reply that arrived during the stall before the deadline is judged', async () => {
    const checking = runner.checkAddress(LOCALHOST, { protocol: 'TCP', port: bannerPort, frequency: 10, timeout: 1, regexp: '^220 ' });
    await sleep(100);
    await stallLoop(1500);
    expect(await checking).toMatchObject({ ok: true, error: null });
  });

  it('makes a timeout during the stall no vote, not a failure', async () => {
    const reports = runner.runJob(job('never-1', 'c.test', http(targetPort, { url: '/never' })));
    const checking = runner.checkAddress(LOCALHOST, http(targetPort, { url: '/never' }));
    await sleep(100);
    await stallLoop(1500);
    expect(await checking).toMatchObject({ ok: false, probeFault: true, noVote: 'overloaded' });
    expect((await checking).error).toMatch(/^probe overloaded, no vote: its event loop stalled 1[45]\d\d ms during the check$/);
    expect(await reports).toEqual([]);
    expect(await metrics.registry.metrics()).toMatch(/vigil_probe_checks_total\{protocol="HTTP",result="overloaded"\} 2/);
  });

  it('still fails a target that does not answer while the probe keeps its time', async () => {
    expect(await runner.checkAddress(LOCALHOST, http(targetPort, { url: '/never' }))).toEqual({
      ok: false,
      latencyMs: null,
      error: 'timeout after 1s',
    });
  });
});
