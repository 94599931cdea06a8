#!/usr/bin/env node
// `npm start`: every Vigil process on this machine, against local PostgreSQL and Redis,
// with their output prefixed: the api, the DNS server, probes for two locations, the health
// aggregator and the panel. Each process reads its settings from the environment, which it
// inherits from this one; the processes themselves are described in @vigil/stack.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  aggregatorProcess,
  apiProcess,
  DEFAULT_PORTS,
  dnsProcess,
  localApiEnv,
  panelProcess,
  probeProcess,
  ROOT,
  startProcess,
  stopProcess,
} from '@vigil/stack';

const env = process.env;
const apiPort = Number(env.API_PORT ?? DEFAULT_PORTS.api);
const panelPort = Number(env.PANEL_PORT ?? DEFAULT_PORTS.panel);
const locations = (env.LOCATIONS ?? 'local-1,local-2').split(',').filter(Boolean);

const dnsPort = Number(env.DNS_PORT ?? DEFAULT_PORTS.dns);

const processes = [
  // The record-set preview asks this machine's DNS server.
  apiProcess(apiPort, { ...localApiEnv(env, panelPort), DNS_PREVIEW_SERVER: env.DNS_PREVIEW_SERVER ?? `127.0.0.1:${dnsPort}` }),
  // One DNS process per core on the one port unless DNS_PROCESSES says otherwise ('' is the default).
  dnsProcess(dnsPort, Number(env.METRICS_PORT ?? DEFAULT_PORTS.metrics), {
    DNS_PROCESSES: env.DNS_PROCESSES ?? '',
    DNS_SNAPSHOT_FILE: env.DNS_SNAPSHOT_FILE ?? join(ROOT, '.data', 'dns.snapshot'),
  }),
  ...locations.map((location) => probeProcess(location)),
  aggregatorProcess(),
  panelProcess(panelPort, `http://127.0.0.1:${apiPort}`),
].filter((p) => existsSync(join(ROOT, p.requires)));

console.log('Vigil is starting:');
for (const p of processes) console.log(`  ${p.name.padEnd(16)} ${p.where}`);
if (!env.SUPPORT_PASSWORD) {
  console.log('  support user support@vigil.localhost / change-me-support (set SUPPORT_EMAIL and SUPPORT_PASSWORD to choose)');
}

const running = processes.map((p) => startProcess(p, { env, echo: 'all' }));
let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  await Promise.all(running.map((p) => stopProcess(p)));
  process.exit(code);
}
// npm runs this script in place of its shell (`exec`), so a SIGTERM to npm arrives here.
process.on('SIGTERM', () => stopAll(0));
process.on('SIGINT', () => stopAll(0));
// One process failing stops the others; all of them ending by themselves ends npm start.
for (const p of running) {
  p.exited.then((code) => {
    if (stopping) return;
    if (code !== 0) {
      console.log(`[${p.name}] exited with ${code ?? p.child.signalCode}; stopping the others`);
      stopAll(1);
    } else if (running.every((r) => r.child.exitCode !== null || r.child.signalCode !== null)) process.exit(0);
  });
}
