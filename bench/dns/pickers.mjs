#!/usr/bin/env node
// geodistance against geodns (not a test): dnsperf with one ECS subnet on three record sets of five
// addresses served by one DNS process (zones published by the real api), one with geodns and
// first_n 1, one with geodistance and first_n 1, one with geodistance's rtt option and first_n 1
// (a failover check; RTTs of three probe locations written to Redis as the aggregator writes them),
// taking turns ROUNDS times so noise spreads over them; qps, the server's CPU µs per query and the
// ratios to geodns. Then the memory of the databases: the RSS of a DNS process serving the same
// zone with DNS_GEO_DATA=on and =off.
// Usage: npm run build && node bench/dns/pickers.mjs [seconds per run, default 5] [rounds, default 3]
// Needs dnsperf (Debian: dnsperf).
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import Redis from 'ioredis';
import { formatRtt, healthField, redisKeys } from '@vigil/contract';
import { dnsProcess, stopProcess, udpQuery, waitReady } from '@vigil/stack';
import { cpuModel, customer, freePort, sleep, Stack, until } from '../lib.mjs';
import { cpuSeconds } from './measure.mjs';

const SECONDS = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.argv[3] ?? 3);
const ZONE = 'pickers.example';
// 212.27.48.0/24: Paris in both databases (the e2e test checks where they put it).
const ECS = '8:00011800d41b30'; // ECS: family 1, source /24, scope 0, 212.27.48
const dir = mkdtempSync(join(tmpdir(), 'vigil-pickers-'));

const places = [
  { content: ['192.0.2.1'], latlong: [50.11, 8.68], countries: ['de'], continents: ['eu'] },
  { content: ['192.0.2.2'], latlong: [39.04, -77.49], countries: ['us'], continents: ['na'] },
  { content: ['192.0.2.3'], latlong: [-23.55, -46.63], countries: ['br'], continents: ['sa'] },
  { content: ['192.0.2.4'], latlong: [1.35, 103.82], countries: ['sg'], continents: ['as'] },
  { content: ['192.0.2.5'], latlong: [-33.87, 151.21], countries: ['au'], continents: ['oc'] },
];

const rssMB = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

function dnsperf(port, pid, name) {
  const file = join(dir, `${name}.txt`);
  writeFileSync(file, `${name}.${ZONE} A\n`);
  const cpu0 = cpuSeconds(pid);
  const out = execFileSync('dnsperf', [
    ...['-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(SECONDS), '-c', '8', '-q', '200'],
    ...['-E', ECS],
  ]).toString();
  const completed = Number(/Queries completed:\s+(\d+)/.exec(out)[1]);
  return {
    qps: Number(/Queries per second:\s+([\d.]+)/.exec(out)[1]),
    cpuUs: ((cpuSeconds(pid) - cpu0) / completed) * 1e6,
  };
}

/** The A answers to `name` asked with ECS 212.27.48.0/24. */
function askFromParis(port, name) {
  const q = dnsPacket.encode({
    type: 'query',
    id: 1,
    questions: [{ type: 'A', name }],
    additionals: [
      { type: 'OPT', name: '.', udpPayloadSize: 1232, options: [{ code: 'CLIENT_SUBNET', ip: '212.27.48.0', sourcePrefixLength: 24 }] },
    ],
  });
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => (s.close(), reject(new Error(`no answer for ${name}`))), 2000);
    s.once('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(dnsPacket.decode(m).answers.map((a) => a.data));
    });
    s.send(q, port, '127.0.0.1');
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  execFileSync('dnsperf', ['-h'], { stdio: 'ignore' });
  const stack = new Stack();
  try {
    const call = await customer(await stack.startApi());
    await call('POST', '/v2/zones', { name: ZONE });
    await call('PUT', `/v2/zones/${ZONE}/geo.${ZONE}/A`, {
      ttl: 300,
      resource_records: places.map((p) => ({ content: p.content, meta: { countries: p.countries, continents: p.continents } })),
      pickers: [{ type: 'geodns' }, { type: 'first_n', limit: 1 }],
    });
    await call('PUT', `/v2/zones/${ZONE}/near.${ZONE}/A`, {
      ttl: 300,
      resource_records: places.map((p) => ({ content: p.content, meta: { latlong: p.latlong } })),
      pickers: [{ type: 'geodistance' }, { type: 'first_n', limit: 1 }],
    });
    // No probe runs: no health state, every address available. Its check id is the record set's id.
    const fast = await call('PUT', `/v2/zones/${ZONE}/fast.${ZONE}/A`, {
      ttl: 300,
      resource_records: places.map((p) => ({ content: p.content, meta: { latlong: p.latlong } })),
      pickers: [
        { type: 'geodistance', rtt: true },
        { type: 'first_n', limit: 1 },
      ],
      meta: { failover: { protocol: 'TCP', port: 9, frequency: 3600, timeout: 5 } },
    });
    // Three located probe locations; Paris's measures São Paulo fastest, so its answer is not geodistance's.
    const redis = new Redis(stack.redisUrl, { keyPrefix: stack.prefix });
    const at = Date.now();
    const rtts = { paris: [40, 90, 12, 150, 200], tokyo: [200, 150, 210, 60, 90], virginia: [80, 8, 110, 210, 190] };
    for (const [location, ms] of Object.entries(rtts)) {
      const fields = places.map((p, i) => [healthField(fast.id, p.content[0]), formatRtt({ ms: ms[i], at, frequency: 3600, ok: true })]);
      await redis.hset(redisKeys.rtt(location), Object.fromEntries(fields));
    }
    await redis.hset(redisKeys.locationPoints, { paris: '48.86,2.35', tokyo: '35.68,139.69', virginia: '39.04,-77.49' });
    redis.disconnect();
    const procs = {};
    for (const geo of ['on', 'off']) {
      const port = await freePort();
      const env = { DNS_HOST: '127.0.0.1', DNS_PROCESSES: '1', DNS_GEO_DATA: geo, DNS_RTT_RELOAD_SECONDS: '1' };
      const proc = stack.start(dnsProcess(port, await freePort(), env));
      await waitReady(proc);
      await until('the zone in DNS', async () => (await udpQuery(port, `near.${ZONE}`)).answers.length === 1, 30_000);
      procs[geo] = { port, pid: proc.child.pid, proc };
    }
    const runs = { geo: [], near: [], fast: [] };
    const { port, pid } = procs.on;
    // Answered as expected from Paris before measuring: Frankfurt by geodns and geodistance, São
    // Paulo (fastest from the Paris location) by rtt once the DNS server has reloaded the RTTs.
    await until('the RTTs in DNS', async () => (await askFromParis(port, `fast.${ZONE}`)).join() === '192.0.2.3', 30_000);
    for (const [name, want] of [
      ['geo', '192.0.2.1'],
      ['near', '192.0.2.1'],
      ['fast', '192.0.2.3'],
    ]) {
      const got = await askFromParis(port, `${name}.${ZONE}`);
      if (got.join() !== want) throw new Error(`${name}.${ZONE} from Paris answered ${got.join()}, not ${want}`);
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const name of ['geo', 'near', 'fast']) runs[name].push(dnsperf(port, pid, name));
    }
    await sleep(2000);
    const rss = { on: rssMB(procs.on.pid), off: rssMB(procs.off.pid) };
    const row = (name) => ({ qps: Math.round(median(runs[name].map((x) => x.qps))), cpuUs: median(runs[name].map((x) => x.cpuUs)) });
    const geo = row('geo');
    const near = row('near');
    const fastest = row('fast');
    console.log(`CPU: ${cpuModel()}; ${SECONDS} s per run, ${ROUNDS} rounds, medians; ECS 212.27.48.0/24 on every query`);
    console.log('| record set | qps | CPU µs per query |');
    console.log('| --- | --- | --- |');
    console.log(`| geodns + first_n 1 | ${geo.qps} | ${geo.cpuUs.toFixed(1)} |`);
    console.log(`| geodistance + first_n 1 | ${near.qps} | ${near.cpuUs.toFixed(1)} |`);
    console.log(`| geodistance rtt + first_n 1 | ${fastest.qps} | ${fastest.cpuUs.toFixed(1)} |`);
    console.log(`geodistance / geodns: qps ${(near.qps / geo.qps).toFixed(3)}, CPU per query ${(near.cpuUs / geo.cpuUs).toFixed(3)}`);
    console.log(
      `geodistance rtt / geodns: qps ${(fastest.qps / geo.qps).toFixed(3)}, CPU per query ${(fastest.cpuUs / geo.cpuUs).toFixed(3)}`,
    );
    console.log(
      `DNS process RSS: DNS_GEO_DATA=on ${rss.on.toFixed(0)} MB, off ${rss.off.toFixed(0)} MB, the databases ${(rss.on - rss.off).toFixed(0)} MB`,
    );
    for (const p of Object.values(procs)) await stopProcess(p.proc);
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
