#!/usr/bin/env node
// Large-zone benchmark (not a test): a zone of N A records imported through the real api and
// served by the real DNS server, beside Knot and gdnsd serving the same records in the same run.
// Measures: import time, DNS RSS and bytes per record (right after the import, settled, and of a
// server started with the zone), start to serving, qps on random names,
// CPU µs per query, API write → DNS answer latency and the longest query gap during changes,
// and API record-set writes per second on the large zone.
// Usage: npm run build && node bench/dns/large-zone.mjs [records, default 100000] [seconds per qps run, default 10]
// Needs dnsperf, and knotd and gdnsd for the reference columns (Debian: dnsperf, knot, gdnsd); a
// reference that is not installed is left out.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { steadyClient, stopProcess, udpQuery } from '@vigil/stack';
import { cpuModel, customer, sleep, Stack, until } from '../lib.mjs';
import { dnsperfCpu, startGdnsd, startKnot } from './measure.mjs';

const N = Number(process.argv[2] ?? 100_000);
const SECONDS = Number(process.argv[3] ?? 10);
const ZONE = 'large.example';
const dir = mkdtempSync(join(tmpdir(), 'vigil-large-'));
const addr = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

const rssBytes = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

const answerOf = async (port, name) => (await udpQuery(port, name)).answers.filter((a) => a.type === 'A').map((a) => a.data);

/** dnsperf over random names of the zone; qps, and the server's CPU µs per answered query. */
async function dnsperf(port, pid) {
  const names = Array.from({ length: 20_000 }, () => `h${Math.floor(Math.random() * N)}.${ZONE} A`);
  const file = join(dir, 'queries.txt');
  writeFileSync(file, `${names.join('\n')}\n`);
  const r = await dnsperfCpu(port, pid, file, SECONDS);
  return { qps: Math.round(r.qps), cpuUsPerQuery: Math.round(r.cpuUsPerQuery * 10) / 10 };
}

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function vigil() {
  const stack = new Stack();
  try {
    const apiUrl = await stack.startApi();
    const port = await stack.startDns();
    const dnsPid = stack.procs.at(-1).child.pid;
    const call = await customer(apiUrl);
    await call('POST', '/v2/zones', { name: ZONE });
    await until('the empty zone in DNS', async () => (await udpQuery(port, ZONE, 'SOA')).answers.length === 1);
    const rssEmpty = rssBytes(dnsPid);

    const lines = Array.from({ length: N }, (_, i) => `h${i} 300 IN A ${addr(i)}`);
    const t0 = performance.now();
    await call('POST', `/v2/zones/${ZONE}/import`, { content: `$ORIGIN ${ZONE}.\n${lines.join('\n')}\n` });
    const importS = (performance.now() - t0) / 1000;
    await until('the imported zone in DNS', async () => (await answerOf(port, `h${N - 1}.${ZONE}`)).length === 1, 600_000, 100);
    const importToServedS = (performance.now() - t0) / 1000;
    await sleep(2000);
    const rss = rssBytes(dnsPid);
    // V8's memory reducer hands the load's garbage back once the process has been quiet for a
    // while (about a minute here): the lowest RSS over the next two minutes is what it keeps.
    let rssSettled = rss;
    for (let waited = 0; waited < 120_000; waited += 5000) {
      await sleep(5000);
      rssSettled = Math.min(rssSettled, rssBytes(dnsPid));
    }

    // A second DNS server: from start to serving the zone, loaded from Redis.
    const t1 = performance.now();
    const port2 = await stack.startDns();
    const startS = (performance.now() - t1) / 1000;
    // What a DNS server holds after starting with the zone (a restart), once it has settled.
    await sleep(3000);
    const rssStarted = rssBytes(stack.procs.at(-1).child.pid);
    await stopProcess(stack.procs.at(-1));

    const perf = await dnsperf(port, dnsPid);

    // 100 changes while a client asks every 5 ms; a second client asks Knot, serving a small zone
    // meanwhile, so the gaps this busy machine and this process cause anyway are measured too.
    const ref = await startKnot(join(dir, 'knot-ref'), 'ref.example', ['www 300 IN A 192.0.2.1'], 'www.ref.example');
    const refClient = ref && steadyClient(ref.port, 'www.ref.example');
    const client = steadyClient(port, `h1.${ZONE}`);
    const latencies = [];
    for (let i = 0; i < 100; i++) {
      const address = `192.0.2.${(i % 250) + 1}`;
      const s = performance.now();
      await call('PUT', `/v2/zones/${ZONE}/changed${i % 10}.${ZONE}/A`, { ttl: 60, resource_records: [{ content: [address] }] });
      await until('the change', async () => (await answerOf(port, `changed${i % 10}.${ZONE}`))[0] === address, 10_000, 1);
      latencies.push(performance.now() - s);
    }
    const { longestGapMs, lost } = await client.stop();
    const referenceGapMs = refClient ? (await refClient.stop()).longestGapMs : null;
    ref?.stop();

    // Record-set writes per second: 8 writers for 5 s.
    let writes = 0;
    const until5 = performance.now() + 5000;
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; performance.now() < until5; i++) {
          await call('PUT', `/v2/zones/${ZONE}/w${w}-${i % 50}.${ZONE}/A`, { ttl: 60, resource_records: [{ content: [addr(i)] }] });
          writes++;
        }
      }),
    );
    void port2;
    return {
      importS: Math.round(importS * 10) / 10,
      importToServedS: Math.round(importToServedS * 10) / 10,
      rssMB: Math.round(rss / 1e6),
      bytesPerRecord: Math.round((rss - rssEmpty) / N),
      rssSettledMB: Math.round(rssSettled / 1e6),
      bytesPerRecordSettled: Math.round((rssSettled - rssEmpty) / N),
      rssStartedMB: Math.round(rssStarted / 1e6),
      bytesPerRecordStarted: Math.round((rssStarted - rssEmpty) / N),
      startToServingS: Math.round(startS * 100) / 100,
      ...perf,
      writeToAnswerMs: { p50: Math.round(pct(latencies, 50) * 10) / 10, p99: Math.round(pct(latencies, 99) * 10) / 10 },
      longestGapMs,
      referenceGapMs,
      lost,
      writesPerSecond: Math.round(writes / 5),
    };
  } finally {
    await stack.stop();
  }
}

/** A reference server (startKnot, startGdnsd) serving the same records: RSS, start, qps, CPU. */
async function reference(start, name) {
  const records = Array.from({ length: N }, (_, i) => `h${i} 300 IN A ${addr(i)}`);
  const t0 = performance.now();
  const server = await start(join(dir, name), ZONE, records, `h${N - 1}.${ZONE}`, 300_000);
  if (server === null) return null;
  try {
    const startS = (performance.now() - t0) / 1000;
    await sleep(1000);
    const rss = rssBytes(server.pid);
    const perf = await dnsperf(server.port, server.pid);
    return { rssMB: Math.round(rss / 1e6), bytesPerRecord: Math.round(rss / N), startToServingS: Math.round(startS * 100) / 100, ...perf };
  } finally {
    server.stop();
  }
}

const k = await reference(startKnot, 'knot');
const g = await reference(startGdnsd, 'gdnsd');
const v = await vigil();
rmSync(dir, { recursive: true, force: true });
const row = (what, vv, key) => `| ${what} | ${vv} | ${key ? (k?.[key] ?? '') : ''} | ${key ? (g?.[key] ?? '') : ''} |`;
console.log(
  [
    `${N.toLocaleString('en')} A records; CPU: ${cpuModel()}; dnsperf -c 8 -q 200 for ${SECONDS} s on random names; all on one 2-core machine`,
    '',
    '| measure | Vigil | Knot (same run) | gdnsd (same run) |',
    '| --- | ---: | ---: | ---: |',
    row('import through the API (s)', v.importS),
    row('import → served by DNS (s)', v.importToServedS),
    row('DNS RSS (MB), started with the zone', v.rssStartedMB, 'rssMB'),
    row('bytes per record, started with the zone', v.bytesPerRecordStarted, 'bytesPerRecord'),
    row('DNS RSS (MB) / bytes per record, 2 s after taking the import while running', `${v.rssMB} / ${v.bytesPerRecord}`),
    row('the same, settled (lowest over the next 2 minutes)', `${v.rssSettledMB} / ${v.bytesPerRecordSettled}`),
    row('start to serving (s)', v.startToServingS, 'startToServingS'),
    row('qps, random names', v.qps, 'qps'),
    row('CPU µs per query', v.cpuUsPerQuery, 'cpuUsPerQuery'),
    row('API write → DNS answer p50 / p99 (ms), 100 changes', `${v.writeToAnswerMs.p50} / ${v.writeToAnswerMs.p99}`),
    `| longest gap for a client asking every 5 ms (ms); Knot: a small zone, same window | ${v.longestGapMs} | ${v.referenceGapMs ?? ''} | |`,
    row('queries lost during the changes', v.lost),
    row('API record-set writes per second (8 writers)', v.writesPerSecond),
  ].join('\n'),
);
process.exit(0);
