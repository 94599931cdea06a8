#!/usr/bin/env node
// DNS processes on one port (not a test): dnsperf against the one UDP port of a Vigil DNS server
// run with DNS_PROCESSES=1 and =2 (zones published by the real api), and Knot serving the same
// name in the same run as the reference. qps, queries lost, p99 latency (from dnsperf -v, which
// prints every query's latency; it costs dnsperf the same for every server), and how the queries
// spread over the processes (vigil_dns_process_queries_total). The servers take turns, ROUNDS
// times, so noise on a shared machine spreads over all of them.
// Usage: npm run build && node bench/dns/processes.mjs [seconds per run, default 10] [rounds, default 3]
// Needs dnsperf; knotd for the Knot row (Debian: dnsperf, knot).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dnsProcess, stopProcess, udpQuery, waitReady } from '@vigil/stack';
import { cpuModel, customer, freePort, sleep, Stack, until } from '../lib.mjs';
import { startKnot } from './measure.mjs';

const SECONDS = Number(process.argv[2] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 3);
const ZONE = 'processes.example';
const NAME = `static.${ZONE}`;
// More clients than processes: the kernel spreads the addon's sockets by the sender's port.
const DNSPERF = ['-c', '16', '-q', '200'];
const dir = mkdtempSync(join(tmpdir(), 'vigil-processes-'));

/** One dnsperf run: qps, lost, and the p99 of the latencies it printed per query, in ms. */
function dnsperf(port, file) {
  return new Promise((resolve, reject) => {
    const child = spawn('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(SECONDS), ...DNSPERF, '-v']);
    const latencies = [];
    let summary = '';
    // "> NOERROR static.processes.example A 0.000123": one line per answered query.
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('> ')) latencies.push(Number(line.slice(line.lastIndexOf(' ') + 1)));
      else summary += `${line}\n`;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`dnsperf exited with ${code}\n${summary}`));
      latencies.sort((a, b) => a - b);
      resolve({
        qps: Number(/Queries per second:\s+([\d.]+)/.exec(summary)[1]),
        sent: Number(/Queries sent:\s+(\d+)/.exec(summary)[1]),
        lost: Number(/Queries lost:\s+(\d+)/.exec(summary)[1]),
        p99Ms: latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(0.99 * latencies.length))] * 1000 : NaN,
      });
    });
  });
}

/** Queries answered per process, from the server's summed metrics endpoint. */
async function spread(metricsPort) {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const per = new Map();
  for (const m of text.matchAll(/^vigil_dns_process_queries_total\{process="(\d+)",protocol="udp"\} (\S+)$/gm)) {
    per.set(m[1], Number(m[2]));
  }
  return [...per.values()];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  execFileSync('dnsperf', ['-h'], { stdio: 'ignore' });
  const file = join(dir, 'queries.txt');
  writeFileSync(file, `${NAME} A\n`);
  const stack = new Stack();
  const servers = [];
  try {
    const call = await customer(await stack.startApi());
    await call('POST', '/v2/zones', { name: ZONE });
    await call('PUT', `/v2/zones/${ZONE}/${NAME}/A`, { ttl: 300, resource_records: [{ content: ['192.0.2.1'] }] });
    for (const n of [1, 2]) {
      const port = await freePort();
      const metricsPort = await freePort();
      const proc = stack.start(dnsProcess(port, metricsPort, { DNS_HOST: '127.0.0.1', DNS_PROCESSES: String(n) }));
      await waitReady(proc);
      await until('the zone in DNS', async () => (await udpQuery(port, NAME)).answers.length === 1, 30_000);
      servers.push({ label: `Vigil, ${n} process${n > 1 ? 'es' : ''}`, port, metricsPort, stop: () => stopProcess(proc) });
    }
    const knot = await startKnot(join(dir, 'knot'), ZONE, ['static A 192.0.2.1'], NAME);
    if (knot) servers.push({ label: 'Knot', ...knot });

    const results = new Map(servers.map((s) => [s.label, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of servers) {
        results.get(s.label).push(await dnsperf(s.port, file));
        await sleep(300);
      }
    }
    const out = [
      `CPU: ${cpuModel()}; ${ROUNDS} rounds of dnsperf ${DNSPERF.join(' ')} -v for ${SECONDS} s on one static A name, UDP; medians; dnsperf shares the cores`,
      '',
      '| server | qps | lost (all rounds) | p99 ms | queries per process |',
      '| --- | ---: | ---: | ---: | --- |',
    ];
    for (const s of servers) {
      const rs = results.get(s.label);
      const lost = rs.reduce((n, r) => n + r.lost, 0);
      const sent = rs.reduce((n, r) => n + r.sent, 0);
      const per = s.metricsPort ? (await spread(s.metricsPort)).join(' / ') : '';
      out.push(
        `| ${s.label} | ${Math.round(median(rs.map((r) => r.qps)))} | ${lost} of ${sent} | ${median(rs.map((r) => r.p99Ms)).toFixed(2)} | ${per} |`,
      );
    }
    out.push('', `each run, qps: ${[...results].map(([l, rs]) => `${l} ${rs.map((r) => Math.round(r.qps)).join(' ')}`).join('; ')}`);
    console.log(out.join('\n'));
  } finally {
    for (const s of servers) await s.stop();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
