#!/usr/bin/env node
// CPU per query (not a test): the DNS server's process CPU (user + system, from /proc/<pid>/stat)
// over the queries dnsperf completed, beside Knot serving the same name in the same run. Each
// Vigil UDP path (DNS_UDP_IO) runs as its own process; the servers take turns, ROUNDS times, so
// noise on the shared machine spreads over all of them.
// Usage: npm run build && node bench/dns/cpu.mjs [seconds per run, default 5] [rounds, default 3]
//   VIGIL_PATHS=dgram,batch  which UDP paths to measure (default: both when the addon is built)
//   CPU_PROF=dir             run the Vigil servers under node --cpu-prof, profiles written to dir
//   VIGIL_BEFORE=main.js     also measure another build's DNS entry (e.g. of the previous commit)
//   CPU_QUERIES=compressed   instead of the one static A name, answers whose names compress: a CNAME
//                            and its target's 8 addresses, 3 MX, a referral with glue, an NXDOMAIN
//                            with the SOA, and the static A (each fits 512 bytes uncompressed, so
//                            a build without compression sends the same records)
// Needs dnsperf; knotd (Debian: knot) for the Knot column.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dnsProcess, stopProcess, udpQuery, waitReady } from '@vigil/stack';
import { cpuModel, customer, freePort, ROOT, sleep, Stack, until } from '../lib.mjs';
import { dnsperfCpu, startKnot } from './measure.mjs';

const SECONDS = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.argv[3] ?? 3);
const ZONE = 'cpu.example';
const NAME = `static.${ZONE}`;
const COMPRESSED = process.env.CPU_QUERIES === 'compressed';
// The record sets of the compressed mix, as the api takes them and as Knot's zone-file lines.
const MIX = [
  ['alias', 'CNAME', [`lb.${ZONE}`]],
  ['lb', 'A', Array.from({ length: 8 }, (_, i) => `198.51.100.${i + 1}`)],
  [
    '',
    'MX',
    [
      [10, `mail.${ZONE}`],
      [20, `mail2.${ZONE}`],
      [30, `mx.other.example`],
    ],
  ],
  ['mail', 'A', ['192.0.2.25']],
  ['sub', 'NS', [`ns1.sub.${ZONE}`, `ns2.sub.${ZONE}`]],
  ['ns1.sub', 'A', ['192.0.2.101']],
  ['ns2.sub', 'A', ['192.0.2.102']],
];
const QUERIES = COMPRESSED ? [`alias.${ZONE} A`, `${ZONE} MX`, `host.sub.${ZONE} A`, `nope.${ZONE} A`, `${NAME} A`] : [`${NAME} A`];
const fqdn = (label) => (label ? `${label}.${ZONE}` : ZONE);
const zoneLines = () =>
  MIX.flatMap(([label, type, records]) =>
    records.map((r) => `${label || '@'} ${type} ${Array.isArray(r) ? `${r[0]} ${r[1]}.` : type === 'A' ? r : `${r}.`}`),
  );
const dir = mkdtempSync(join(tmpdir(), 'vigil-cpu-'));

// Where `npm install` leaves the batched UDP addon when it could build it.
const addonBuilt = () => existsSync(join(ROOT, 'workers/native/build/Release/dns_udp.node'));
const PATHS = (process.env.VIGIL_PATHS ?? (addonBuilt() ? 'dgram,batch' : 'dgram')).split(',');
if (process.env.VIGIL_BEFORE) PATHS.unshift('before');

async function dnsperf(port, pid) {
  const file = join(dir, 'queries.txt');
  writeFileSync(file, `${QUERIES.join('\n')}\n`);
  const r = await dnsperfCpu(port, pid, file, SECONDS);
  return { qps: r.qps, cpuUs: r.cpuUsPerQuery, lost: r.lost };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  execFileSync('dnsperf', ['-h'], { stdio: 'ignore' });
  const stack = new Stack();
  const servers = [];
  try {
    const call = await customer(await stack.startApi());
    await call('POST', '/v2/zones', { name: ZONE });
    await call('PUT', `/v2/zones/${ZONE}/${NAME}/A`, { ttl: 300, resource_records: [{ content: ['192.0.2.1'] }] });
    if (COMPRESSED)
      for (const [label, type, records] of MIX)
        await call('PUT', `/v2/zones/${ZONE}/${fqdn(label)}/${type}`, {
          ttl: 300,
          resource_records: records.map((r) => ({ content: Array.isArray(r) ? r : [r] })),
        });
    for (const path of PATHS) {
      const port = await freePort();
      const spec = dnsProcess(port, await freePort(), { DNS_HOST: '127.0.0.1', DNS_UDP_IO: path === 'before' ? '' : path });
      if (path === 'before') spec.args[0] = process.env.VIGIL_BEFORE;
      // --cpu-prof is refused in NODE_OPTIONS: it goes before the entry file.
      if (process.env.CPU_PROF)
        spec.args.unshift('--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF}`, `--cpu-prof-name=vigil-${path}.cpuprofile`);
      const proc = stack.start(spec);
      await waitReady(proc);
      await until('the zone in DNS', async () => (await udpQuery(port, NAME)).answers.length === 1, 30_000);
      if (COMPRESSED) await until('the mix in DNS', async () => (await udpQuery(port, `alias.${ZONE}`)).answers.length === 9, 30_000);
      servers.push({ label: `Vigil (${path})`, port, pid: proc.child.pid, stop: () => stopProcess(proc) });
    }
    const knot = await startKnot(join(dir, 'knot'), ZONE, ['static A 192.0.2.1', ...(COMPRESSED ? zoneLines() : [])], NAME);
    if (knot) servers.push({ label: 'Knot', ...knot });

    const results = new Map(servers.map((s) => [s.label, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of servers) {
        results.get(s.label).push(await dnsperf(s.port, s.pid));
        await sleep(300);
      }
    }
    const knotCpu = knot ? median(results.get('Knot').map((r) => r.cpuUs)) : null;
    const knotQps = knot ? median(results.get('Knot').map((r) => r.qps)) : null;
    const out = [
      `CPU: ${cpuModel()}; ${ROUNDS} rounds of dnsperf -c 8 -q 200 for ${SECONDS} s on ${COMPRESSED ? `the mix ${QUERIES.join(', ')}` : 'one static A name'}; medians; dnsperf shares the 2 cores`,
      '',
      '| server | qps | CPU µs per query | CPU vs Knot | qps vs Knot | lost |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const [label, rs] of results) {
      const cpu = median(rs.map((r) => r.cpuUs));
      const qps = median(rs.map((r) => r.qps));
      const lost = rs.reduce((n, r) => n + r.lost, 0);
      out.push(
        `| ${label} | ${Math.round(qps)} | ${cpu.toFixed(1)} | ${knotCpu ? `${(cpu / knotCpu).toFixed(2)}×` : ''} | ${knotQps ? `${(qps / knotQps).toFixed(2)}×` : ''} | ${lost} |`,
      );
    }
    out.push('', `each run, CPU µs: ${[...results].map(([l, rs]) => `${l} ${rs.map((r) => r.cpuUs.toFixed(1)).join(' ')}`).join('; ')}`);
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
