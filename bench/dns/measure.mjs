// Shared by the DNS benchmarks: a server's CPU per query under dnsperf, and Knot or gdnsd serving
// a zone for the same run (Debian: dnsperf, knot, gdnsd).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { udpQuery } from '@vigil/stack';
import { freePort, until } from '../lib.mjs';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString());

/** User + system CPU seconds of a process so far. */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** dnsperf -c 8 -q 200 on the names of `file`; qps, lost, and the server's CPU µs per completed query. */
export async function dnsperfCpu(port, pid, file, seconds) {
  const cpu0 = cpuSeconds(pid);
  const out = await new Promise((resolve, reject) =>
    execFile(
      'dnsperf',
      ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(seconds), '-c', '8', '-q', '200'],
      { maxBuffer: 1 << 20 },
      (e, o) => (e ? reject(e) : resolve(o)),
    ),
  );
  const cpu = cpuSeconds(pid) - cpu0;
  const completed = Number(/Queries completed:\s+(\d+)/.exec(out)[1]);
  return {
    qps: Number(/Queries per second:\s+([\d.]+)/.exec(out)[1]),
    cpuUsPerQuery: (cpu / completed) * 1e6,
    lost: Number(/Queries lost:\s+(\d+)/.exec(out)?.[1] ?? 0),
  };
}

/**
 * knotd serving `zone` with `records` (zone-file lines) under an SOA and NS of its own, in `dir`;
 * resolves once it answers `readyName`, or null when knotd is not installed.
 */
export async function startKnot(dir, zone, records, readyName, timeoutMs = 30_000) {
  try {
    execFileSync('knotd', ['--version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  execFileSync('mkdir', ['-p', join(dir, 'db')]);
  const port = await freePort();
  writeZoneFile(join(dir, `${zone}.zone`), zone, records);
  writeFileSync(
    join(dir, 'knot.conf'),
    `server:\n  listen: 127.0.0.1@${port}\n  rundir: ${dir}\n  user: root\ndatabase:\n  storage: ${join(dir, 'db')}\n` +
      `template:\n  - id: default\n    storage: ${dir}\n    journal-content: none\n    zonefile-sync: -1\nzone:\n  - domain: ${zone}\n    file: ${zone}.zone\n` +
      `log:\n  - target: stderr\n    any: error\n`,
  );
  return serving('knot', spawn('knotd', ['-c', join(dir, 'knot.conf')], { stdio: 'ignore' }), port, readyName, timeoutMs);
}

/** As startKnot, with gdnsd (its rfc1035 zone files); null when gdnsd is not installed. */
export async function startGdnsd(dir, zone, records, readyName, timeoutMs = 30_000) {
  try {
    execFileSync('gdnsd', ['-c', '/nonexistent', 'checkconf'], { stdio: 'ignore' });
  } catch (e) {
    // It exits 1 on the missing directory; only a missing binary means no gdnsd.
    if (e.code === 'ENOENT') return null;
  }
  execFileSync('mkdir', ['-p', join(dir, 'zones')]);
  const port = await freePort();
  writeZoneFile(join(dir, 'zones', zone), zone, records);
  writeFileSync(join(dir, 'config'), `options => {\n  listen => [ 127.0.0.1:${port} ]\n}\n`);
  return serving('gdnsd', spawn('gdnsd', ['-c', dir, 'start'], { stdio: 'ignore' }), port, readyName, timeoutMs);
}

function writeZoneFile(path, zone, records) {
  writeFileSync(
    path,
    `$ORIGIN ${zone}.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.53\n${records.join('\n')}\n`,
  );
}

async function serving(what, child, port, readyName, timeoutMs) {
  try {
    await until(`${what} to serve the zone`, async () => (await udpQuery(port, readyName)).answers.length > 0, timeoutMs, 20);
  } catch (e) {
    child.kill();
    throw e;
  }
  return { port, pid: child.pid, stop: () => child.kill() };
}
