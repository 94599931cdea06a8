#!/usr/bin/env node
// "Check now" benchmark (not a test): the real api and three probe processes (three locations) on
// loopback, local PostgreSQL and Redis, a local HTTP backend. Measures the round trip of
// POST /v2/zones/{zone}/{name}/{type}/check (request sent → every site's result in the answer),
// median / p90 / max over N runs one after the other, and per site when its report came (the
// answer's answered_ms, from the run's start: after the api's reads and the run's claim, before
// the jobs are queued) and what its check itself took (latency_ms).
// References, measured in the same run and interleaved with the runs, so load changes them alike:
// - a plain HTTP check of the same backend from this process (a new connection and GET /health,
//   what each probe does once): the work itself, without the queues, the api and PostgreSQL;
// - an api round trip of the same customer and record set (GET of the record set: auth, one
//   PostgreSQL read): what any api request costs before a check-now's own work.
// Usage: npm run build && node bench/checks/check-now.mjs [runs, default 50]
import { createServer, request } from 'node:http';
import Redis from 'ioredis';
import { cpuModel, customer, freePort, Stack, until } from '../lib.mjs';

const N = Number(process.argv[2] ?? 50);
const LOCATIONS = ['bench-1', 'bench-2', 'bench-3'];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
};
const row = (label, xs) => `| ${label} | ${median(xs).toFixed(1)} | ${pct(xs, 90).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`;

/** One GET on a new connection, as a probe's HTTP check makes it: ms to the end of the body. */
function plainCheck(host, port) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host, port, path: '/health', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - t0));
    });
    req.on('error', reject);
    req.end();
  });
}

const stack = new Stack();
const backend = createServer((_req, res) => res.end('ok'));
try {
  // No interval between runs: the benchmark asks again as soon as an answer came.
  const api = await stack.startApi({ CHECK_NOW_INTERVAL_SECONDS: '0', LOG_LEVEL: 'warn' });
  for (const l of LOCATIONS) stack.startProbe(l, { LOG_LEVEL: 'warn' });
  const redis = new Redis(stack.redisUrl, { keyPrefix: stack.prefix });
  await until('the probe locations', async () => (await redis.zcard('vigil:locations')) === LOCATIONS.length, 30_000);
  redis.disconnect();

  const port = await freePort();
  await new Promise((r) => backend.listen(port, '127.0.0.2', r));
  const call = await customer(api);
  await call('POST', '/v2/zones', { name: 'now.example' });
  const path = '/v2/zones/now.example/www.now.example/A';
  await call('PUT', path, {
    ttl: 5,
    resource_records: [{ content: ['127.0.0.2'] }],
    // A long period: the scheduled checks stay out of the way of the measured runs.
    meta: { failover: { protocol: 'HTTP', port, frequency: 3600, timeout: 2, url: '/health', regexp: '^ok$' } },
  });
  // The first run opens connections and compiles code paths; not measured.
  await call('POST', `${path}/check`);

  const trips = [];
  const plain = [];
  const apiGets = [];
  const answered = Object.fromEntries(LOCATIONS.map((l) => [l, []]));
  const checked = Object.fromEntries(LOCATIONS.map((l) => [l, []]));
  const last = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const answer = await call('POST', `${path}/check`);
    trips.push(performance.now() - t0);
    if (!answer.complete || answer.joined) throw new Error(`run ${i + 1}: ${JSON.stringify(answer)}`);
    for (const l of answer.locations) {
      if (l.status !== 'answered' || l.results[0]?.ok !== true) throw new Error(`run ${i + 1}, ${l.location}: ${JSON.stringify(l)}`);
      answered[l.location].push(l.answered_ms);
      checked[l.location].push(l.results[0].latency_ms);
    }
    last.push(Math.max(...answer.locations.map((l) => l.answered_ms)));
    plain.push(await plainCheck('127.0.0.2', port));
    const t1 = performance.now();
    await call('GET', path);
    apiGets.push(performance.now() - t1);
  }

  console.log(`"check now" with ${LOCATIONS.length} sites, ${N} runs one after the other; CPU: ${cpuModel()}\n`);
  console.log('| measure (ms) | median | p90 | max |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(row("POST .../check round trip (request → every site's result)", trips));
  console.log(row("the last site's report, from the run's start", last));
  for (const l of LOCATIONS) console.log(row(`${l}: its report, from the run's start (answered_ms)`, answered[l]));
  for (const l of LOCATIONS) console.log(row(`${l}: its HTTP check itself (latency_ms)`, checked[l]));
  console.log(row('reference: plain HTTP check of the backend from the bench', plain));
  console.log(row('reference: api GET of the record set', apiGets));
  console.log(
    `\nround trip / plain check, medians: ${(median(trips) / median(plain)).toFixed(1)}; round trip / api GET, medians: ${(median(trips) / median(apiGets)).toFixed(1)}`,
  );
} finally {
  await new Promise((r) => backend.close(r));
  await stack.stop();
}
