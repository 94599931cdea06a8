#!/usr/bin/env node
// Notification benchmark (not a test): the real api with its notification pipeline, on local
// PostgreSQL and Redis, delivering to a webhook receiver on loopback.
// Measures: health transition (written to the change feed as the aggregator does) → webhook
// received, median and p99 over N transitions one at a time; and the deliveries per second one api
// process sustains: one transition to an account with C webhook channels, first to last received.
// Usage: npm run build && node bench/notifications/delivery.mjs [transitions, default 100] [channels, default 500]
import { createServer } from 'node:http';
import { FEED_FIELD, healthField, redisKeys } from '@vigil/contract';
import Redis from 'ioredis';
import { cpuModel, signUp, sleep, Stack, until } from '../lib.mjs';

const N = Number(process.argv[2] ?? 100);
const CHANNELS = Number(process.argv[3] ?? 500);
const COALESCE_S = 0;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** A webhook receiver: the arrival time of each delivery, by path. */
async function receiver() {
  const arrivals = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push({ path: req.url, at: performance.now() });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, arrivals, close: () => new Promise((r) => server.close(r)) };
}

const stack = new Stack();
const hook = await receiver();
const redis = new Redis(stack.redisUrl, { keyPrefix: stack.prefix });
try {
  const api = await stack.startApi({
    ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
    NOTIFY_COALESCE_SECONDS: String(COALESCE_S),
    LOG_LEVEL: 'warn',
  });
  const { session: call } = await signUp(api);
  await call('POST', '/v2/zones', { name: 'bench.example' });
  const addresses = ['192.0.2.1', '192.0.2.2'];
  const rrset = await call('PUT', '/v2/zones/bench.example/www.bench.example/A', {
    resource_records: addresses.map((a) => ({ content: [a] })),
    meta: { failover: { protocol: 'TCP', port: 443, frequency: 60, timeout: 5 } },
  });
  let seq = 0;
  const transition = async (state) => {
    const health = {
      checkId: rrset.id,
      address: addresses[0],
      state,
      since: Date.now(),
      reasons: state === 'unavailable' ? { 'eu-1': 'bench' } : {},
    };
    await redis.hset(redisKeys.health, healthField(rrset.id, addresses[0]), JSON.stringify(health));
    await redis.xadd(redisKeys.feed, '*', FEED_FIELD, JSON.stringify({ kind: 'health', health }));
    seq++;
  };

  // Latency: one channel, one transition at a time (down, up, down, ...).
  const one = await call('POST', '/v2/account/notification-channels', { type: 'webhook', name: 'latency', url: `${hook.url}/latency` });
  const latencies = [];
  for (let i = 0; i < N; i++) {
    const before = hook.arrivals.length;
    const t0 = performance.now();
    await transition(i % 2 === 0 ? 'unavailable' : 'available');
    await until('the webhook', async () => hook.arrivals.length > before, 30_000, 2);
    latencies.push(hook.arrivals[before].at - t0);
    await sleep(20);
  }
  await call('DELETE', `/v2/account/notification-channels/${one.id}`);

  // Throughput: CHANNELS webhooks, one transition; deliveries per second from first to last.
  for (let i = 0; i < CHANNELS; i++) {
    await call('POST', '/v2/account/notification-channels', { type: 'webhook', name: `c${i}`, url: `${hook.url}/c${i}` });
  }
  const before = hook.arrivals.length;
  const t0 = performance.now();
  await transition(seq % 2 === 0 ? 'unavailable' : 'available');
  await until(`${CHANNELS} deliveries`, async () => hook.arrivals.length - before >= CHANNELS, 300_000, 20);
  const burst = hook.arrivals.slice(before);
  const spanS = (burst.at(-1).at - burst[0].at) / 1000;
  const cpu = cpuModel();
  console.log(`notifications, CPU: ${cpu}; coalescing window ${COALESCE_S} s\n`);
  console.log('| measure | value |');
  console.log('| --- | ---: |');
  console.log(
    `| transition → webhook received, median / p99 (ms), ${N} transitions | ${pct(latencies, 50).toFixed(0)} / ${pct(latencies, 99).toFixed(0)} |`,
  );
  console.log(`| deliveries per second, one api process, ${CHANNELS} webhooks of one message | ${(CHANNELS / spanS).toFixed(0)} |`);
  console.log(`| transition → last of the ${CHANNELS} received (s) | ${((burst.at(-1).at - t0) / 1000).toFixed(2)} |`);
} finally {
  redis.disconnect();
  await hook.close();
  await stack.stop();
}
