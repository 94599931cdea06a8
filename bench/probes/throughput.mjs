#!/usr/bin/env node
// Probe throughput benchmark (not a test): one real probe process (workers/dist/probes/main.js)
// fed through its BullMQ queue, checking 1,000 local HTTP targets. Prints sustained HTTP checks
// per second, the probe's CPU and memory. Build first: `npm run build -w workers`.
//
//   node bench/probes/throughput.mjs
//   RATE=2000 ADDRESSES_PER_JOB=1 DURATION=30 node bench/probes/throughput.mjs
//
// RATE: checks/s offered (0 = as fast as the probe takes them: the queue is kept topped up).
// ADDRESSES_PER_JOB: addresses per record set (job); targets = 1,000 = ports x addresses, the
// addresses being 127.0.0.1..127.0.0.N. DURATION: measured seconds, after WARMUP seconds.
// Everything listens on loopback; the keys live under a unique REDIS_KEY_PREFIX, deleted at the end.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { freePort, Stack, until } from '../lib.mjs';

const root = new URL('../..', import.meta.url).pathname;
const require = createRequire(join(root, 'workers', 'package.json'));
const { Queue } = require('bullmq');
const Redis = require('ioredis');
const { bullPrefix } = require('@vigil/contract');

const env = process.env;
const TARGETS = Number(env.TARGETS ?? 1000);
const PER_JOB = Number(env.ADDRESSES_PER_JOB ?? 4);
const RATE = Number(env.RATE ?? 0);
const DURATION = Number(env.DURATION ?? 30);
const WARMUP = Number(env.WARMUP ?? 5);
const CONCURRENCY = Number(env.PROBE_CONCURRENCY ?? 200);
const LOCATION = 'bench';
const CLK_TCK = 100; // Linux USER_HZ

const ports = Math.ceil(TARGETS / PER_JOB);
const addresses = Array.from({ length: PER_JOB }, (_, i) => `127.0.0.${i + 1}`);

// --- targets: one tiny server per (address, port); ports are picked by the first address.
const servers = [];
const body = 'ok';
const handler = (_req, res) => res.writeHead(200, { 'Content-Length': body.length, Connection: 'close' }).end(body);
async function listen(host, port) {
  const s = createServer(handler);
  s.on('clientError', (_e, socket) => socket.destroy());
  await new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen({ host, port, backlog: 4096 }, resolve);
  });
  servers.push(s);
  return s.address().port;
}
const targetPorts = [];
for (let i = 0; i < ports; i++) {
  for (;;) {
    const port = await listen(addresses[0], 0);
    try {
      for (const a of addresses.slice(1)) await listen(a, port);
      targetPorts.push(port);
      break;
    } catch {
      // That port is taken on another loopback address: try another one.
    }
  }
}
console.log(`targets: ${servers.length} HTTP servers (${ports} ports x ${PER_JOB} addresses on 127.0.0.x)`);

// --- the probe, in a run of its own (a Redis key prefix; no database), its output shown
const stack = new Stack({ echo: 'all' });
const metricsPort = await freePort();
const probe = stack.startProbe(LOCATION, { PROBE_CONCURRENCY: String(CONCURRENCY), METRICS_PORT: String(metricsPort) }).child;

const redis = new Redis(stack.redisUrl);
const queue = new Queue(`probe-${LOCATION}`, { connection: { url: stack.redisUrl }, prefix: bullPrefix(stack.prefix) });

async function counters() {
  const text = await (await globalThis.fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const get = (result) =>
    Number(new RegExp(`vigil_probe_checks_total\\{protocol="HTTP",result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { ok: get('ok'), failed: get('failed') };
}
function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  return { cpuSeconds, rssMb };
}
async function redisCpu() {
  const info = await redis.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]);
}

await until("the probe's metrics endpoint", counters, 10_000, 100);

// --- the driver
let next = 0;
let added = 0;
const jobFor = () => {
  added++;
  const i = next++ % targetPorts.length;
  return {
    name: 'check',
    data: {
      checkId: `bench-${i}`,
      zone: 'bench.test',
      name: `t${i}.bench.test`,
      type: 'A',
      addresses,
      check: { protocol: 'HTTP', port: targetPorts[i], frequency: 10, timeout: 5, url: '/health' },
    },
    opts: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  };
};
let stopping = false;
const TICK_MS = 50;
let owed = 0;
let lastTick = performance.now();
async function drive() {
  while (!stopping) {
    if (RATE > 0) {
      // By the clock, not by the tick count: a tick takes longer than TICK_MS.
      const now = performance.now();
      owed += (RATE * (now - lastTick)) / 1000 / PER_JOB;
      lastTick = now;
      const n = Math.floor(owed);
      owed -= n;
      if (n > 0) await queue.addBulk(Array.from({ length: n }, jobFor));
    } else {
      // Keep a backlog of a few thousand checks so the probe never waits for work.
      const waiting = await queue.getWaitingCount();
      const want = Math.ceil((4 * CONCURRENCY) / PER_JOB) + 200;
      if (waiting < want) await queue.addBulk(Array.from({ length: want - waiting }, jobFor));
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
}
const driving = drive();

await new Promise((r) => setTimeout(r, WARMUP * 1000));
const c0 = await counters();
const added0 = added;
const p0 = procStats(probe.pid);
const r0 = await redisCpu();
const b0 = process.cpuUsage();
const t0 = performance.now();
let peakRss = p0.rssMb;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, procStats(probe.pid).rssMb)), 500);
await new Promise((r) => setTimeout(r, DURATION * 1000));
clearInterval(sampler);
const elapsed = (performance.now() - t0) / 1000;
const c1 = await counters();
const added1 = added;
const backlog = await queue.getWaitingCount();
const p1 = procStats(probe.pid);
const r1 = await redisCpu();
const b1 = process.cpuUsage(b0);

stopping = true;
await driving;
const checks = c1.ok + c1.failed - (c0.ok + c0.failed);
const failed = c1.failed - c0.failed;
const round = (n, d = 1) => Number(n.toFixed(d));
const report = {
  config: {
    targets: servers.length,
    addressesPerJob: PER_JOB,
    offeredRate: RATE || 'max',
    probeConcurrency: CONCURRENCY,
    seconds: round(elapsed),
  },
  offeredChecksPerSecond: round(((added1 - added0) * PER_JOB) / elapsed),
  httpChecksPerSecond: round(checks / elapsed),
  backlogJobsAtEnd: backlog,
  checks,
  failed,
  probe: {
    cpuPercentOfOneCore: round((100 * (p1.cpuSeconds - p0.cpuSeconds)) / elapsed),
    cpuMsPerCheck: round((1000 * (p1.cpuSeconds - p0.cpuSeconds)) / checks, 3),
    rssMb: round(p1.rssMb),
    peakRssMb: round(peakRss),
  },
  redisCpuPercentOfOneCore: round((100 * (r1 - r0)) / elapsed),
  benchProcessCpuPercent: round((100 * (b1.user + b1.system)) / 1e6 / elapsed),
  // The machine is shared (2 cores here): a load above ~2 means other work skewed the figures.
  loadAverage1m: round(loadavg()[0], 2),
};
console.log(JSON.stringify(report, null, 2));

// --- clean up: the probe stops, every key under the prefix goes
await queue.close();
redis.disconnect();
await stack.stop();
await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
process.exit(0);
