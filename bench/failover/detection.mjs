#!/usr/bin/env node
// Detection time: from a backend's death to the DNS answer without it, at frequency 10 s,
// through the real processes (api, two probe locations, aggregator, DNS server). Ten runs.
// Usage: npm run build && node bench/failover/detection.mjs [runs, default 10]
import { createServer } from 'node:http';
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import Redis from 'ioredis';
import { customer, freePort, sleep, Stack, until } from '../lib.mjs';

const RUNS = Number(process.argv[2] ?? 10);
const FREQUENCY = 10;
const TIMEOUT = 2;

function answer(port) {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => (s.close(), reject(new Error('timeout'))), 1000);
    s.once('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(
        dnsPacket
          .decode(m)
          .answers.map((a) => a.data)
          .sort()
          .join(','),
      );
    });
    s.send(dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'www.detect.example' }] }), port, '127.0.0.1');
  });
}

function backend(host, port) {
  const server = createServer((_req, res) => res.end('ok'));
  const sockets = new Set();
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  return new Promise((resolve) =>
    server.listen(port, host, () => resolve({ close: () => new Promise((r) => (sockets.forEach((s) => s.destroy()), server.close(r))) })),
  );
}

async function main() {
  const stack = new Stack();
  try {
    const api = await stack.startApi();
    const port = await stack.startDns();
    stack.startProbe('bench-1');
    stack.startProbe('bench-2');
    stack.startAggregator();
    const redis = new Redis(stack.redisUrl, { keyPrefix: stack.prefix });
    await until('the probes', async () => (await redis.zcard('vigil:locations')) === 2, 30_000);
    redis.disconnect();

    const backendPort = await freePort();
    const a = await backend('127.0.0.2', backendPort);
    let b = await backend('127.0.0.3', backendPort);
    const call = await customer(api);
    await call('POST', '/v2/zones', { name: 'detect.example' });
    await call('PUT', '/v2/zones/detect.example/www.detect.example/A', {
      ttl: 5,
      resource_records: [{ content: ['127.0.0.2'] }, { content: ['127.0.0.3'] }],
      meta: { failover: { protocol: 'HTTP', port: backendPort, frequency: FREQUENCY, timeout: TIMEOUT, url: '/health' } },
    });
    await until(
      'both available',
      async () =>
        (await call('GET', '/v2/zones/detect.example/www.detect.example/A/health')).addresses.every((x) => x.state === 'available'),
      60_000,
    );

    const times = [];
    for (let i = 0; i < RUNS; i++) {
      // Stop at a random phase of the check period, as a real failure would.
      await sleep(Math.random() * FREQUENCY * 1000);
      await b.close();
      const t0 = Date.now();
      await until('the address out of DNS', async () => (await answer(port)) === '127.0.0.2', 120_000);
      times.push((Date.now() - t0) / 1000);
      console.log(`run ${i + 1}: ${times.at(-1).toFixed(2)} s`);
      b = await backend('127.0.0.3', backendPort);
      await until('the address back', async () => (await answer(port)) === '127.0.0.2,127.0.0.3', 120_000);
    }
    await a.close();
    await b.close();
    times.sort((x, y) => x - y);
    const median = (times[Math.floor((times.length - 1) / 2)] + times[Math.ceil((times.length - 1) / 2)]) / 2;
    console.log(
      `detection at frequency ${FREQUENCY} s, timeout ${TIMEOUT} s, ${RUNS} runs: median ${median.toFixed(2)} s, min ${times[0].toFixed(2)} s, max ${times.at(-1).toFixed(2)} s (target ≤ ${FREQUENCY + TIMEOUT + 1} s)`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
