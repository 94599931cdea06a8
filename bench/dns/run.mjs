#!/usr/bin/env node
// DNS benchmark: dnsperf against the real Vigil DNS server (zones published by the real api)
// and against a bare dns-packet responder (the ceiling for Node here), with one and two
// server processes; then the time from an API change to the new answer in DNS.
// Usage: npm run build && node bench/dns/run.mjs [seconds per run, default 10]
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { udpQuery } from '@vigil/stack';
import { cpuModel, customer, freePort, sleep, Stack, until } from '../lib.mjs';

const SECONDS = Number(process.argv[2] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'vigil-dnsperf-'));

function queryFile(name, lines) {
  const f = join(dir, name);
  writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

/** Runs dnsperf against each port at once (one dnsperf per server process); returns total qps and loss. */
function dnsperf(ports, file, extra = []) {
  const runs = ports.map(
    (port) =>
      new Promise((resolve, reject) => {
        const child = execFileAsync('dnsperf', [
          '-s',
          '127.0.0.1',
          '-p',
          String(port),
          '-d',
          file,
          '-l',
          String(SECONDS),
          '-c',
          '8',
          '-q',
          '200',
          ...extra,
        ]);
        child.then(resolve, reject);
      }),
  );
  return Promise.all(runs).then((outs) => {
    let qps = 0;
    let lost = 0;
    let sent = 0;
    for (const out of outs) {
      qps += Number(/Queries per second:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
      lost += Number(/Queries lost:\s+(\d+)/.exec(out)?.[1] ?? 0);
      sent += Number(/Queries sent:\s+(\d+)/.exec(out)?.[1] ?? 0);
    }
    return { qps: Math.round(qps), lossPct: sent ? Math.round((lost / sent) * 10000) / 100 : 0 };
  });
}

function execFileAsync(cmd, args) {
  return new Promise((resolve, reject) => {
    import('node:child_process').then(({ execFile }) =>
      execFile(cmd, args, { maxBuffer: 1 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
  });
}

async function bareResponders(n) {
  const ports = [];
  const children = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    const child = fork(new URL('./bare-responder.mjs', import.meta.url), [], { env: { ...process.env, PORT: String(port) } });
    await new Promise((r) => child.once('message', r));
    ports.push(port);
    children.push(child);
  }
  return { ports, stop: () => children.forEach((c) => c.kill()) };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  execFileSync('dnsperf', ['-h'], { stdio: 'ignore' });
  const stack = new Stack();
  try {
    const api = await stack.startApi();
    const call = await customer(api);
    await call('POST', '/v2/zones', { name: 'bench.example' });
    await call('PUT', '/v2/zones/bench.example/static.bench.example/A', { ttl: 300, resource_records: [{ content: ['192.0.2.1'] }] });
    await call('PUT', '/v2/zones/bench.example/geo.bench.example/A', {
      ttl: 30,
      resource_records: [
        { content: ['192.0.2.10'], meta: { countries: ['GB'] } },
        { content: ['192.0.2.11'], meta: { continents: ['eu'] } },
        { content: ['192.0.2.12'], meta: { countries: ['US'] } },
        { content: ['192.0.2.13'], meta: { default: true } },
      ],
      pickers: [
        { type: 'geodns', strict: false },
        { type: 'first_n', limit: 1 },
      ],
      meta: { failover: { protocol: 'HTTP', port: 80, frequency: 60, timeout: 5, url: '/health' } },
    });

    const one = await stack.startDns();
    const two = [one, await stack.startDns()];
    for (const port of two) {
      await until('the zone in DNS', async () => (await udpQuery(port, 'static.bench.example')).answers.length === 1, 30_000);
    }

    const files = {
      'static A': queryFile('static.txt', ['static.bench.example A']),
      // ECS 81.2.69.0/24 (a GB range in the shipped database): the geo picker decides by country.
      'failover A with geo (ECS)': queryFile('geo.txt', ['geo.bench.example A']),
      NXDOMAIN: queryFile('nx.txt', ['nothing-here.bench.example A']),
    };
    const ecs = ['-E', '8:00011800510245'];

    const bare1 = await bareResponders(1);
    const bareOne = await dnsperf(bare1.ports, files['static A']);
    bare1.stop();
    const bare2 = await bareResponders(2);
    const bareTwo = await dnsperf(bare2.ports, files['static A']);
    bare2.stop();

    const rows = [];
    for (const [label, file] of Object.entries(files)) {
      const extra = label.includes('ECS') ? ecs : [];
      const r1 = await dnsperf([one], file, extra);
      const r2 = await dnsperf(two, file, extra);
      rows.push({ label, r1, r2 });
    }

    // API change → new answer in DNS: time from sending the PUT until a UDP query sees the new address.
    const latencies = [];
    for (let i = 0; i < 100; i++) {
      const address = `198.51.100.${(i % 250) + 1}`;
      const t0 = process.hrtime.bigint();
      await call('PUT', '/v2/zones/bench.example/static.bench.example/A', { ttl: 300, resource_records: [{ content: [address] }] });
      for (;;) {
        const r = await udpQuery(one, 'static.bench.example');
        if (r.answers[0]?.data === address) break;
        await sleep(1);
      }
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    latencies.sort((a, b) => a - b);

    const out = [];
    out.push(`CPU: ${cpuModel()}, ${SECONDS} s per run, dnsperf -c 8 -q 200, all on one 2-core machine (dnsperf shares the cores)`);
    out.push('');
    out.push('| query | 1 process (qps) | 2 processes (qps) | vs bare, 1 process | vs bare, 2 processes |');
    out.push('| --- | ---: | ---: | ---: | ---: |');
    out.push(`| bare dns-packet responder (ceiling) | ${bareOne.qps} | ${bareTwo.qps} | 100% | 100% |`);
    for (const { label, r1, r2 } of rows) {
      out.push(
        `| ${label} | ${r1.qps} (loss ${r1.lossPct}%) | ${r2.qps} (loss ${r2.lossPct}%) | ${Math.round((r1.qps / bareOne.qps) * 100)}% | ${Math.round((r2.qps / bareTwo.qps) * 100)}% |`,
      );
    }
    out.push('');
    out.push(
      `API change → new DNS answer over 100 changes: median ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms`,
    );
    console.log(out.join('\n'));
  } finally {
    await stack.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
