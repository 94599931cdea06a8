#!/usr/bin/env node
// `npm start`: every Vigil process on this machine, against local PostgreSQL and Redis,
// with their output prefixed: the api, the DNS server, probes for two locations, the health
// aggregator and the panel. Each process reads its settings from the environment.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import concurrently from 'concurrently';

const root = new URL('..', import.meta.url).pathname;
const env = process.env;
const apiPort = env.API_PORT ?? '3000';
const dnsPort = env.DNS_PORT ?? '5300';
const metricsPort = env.METRICS_PORT ?? '9153';
const panelPort = env.PANEL_PORT ?? '5173';
const locations = (env.LOCATIONS ?? 'local-1,local-2').split(',').filter(Boolean);

const processes = [
  {
    name: 'api',
    command: 'node backend/dist/main.js',
    requires: 'backend/dist/main.js',
    url: `http://127.0.0.1:${apiPort}/v2 (docs: http://127.0.0.1:${apiPort}/docs)`,
    env: {
      API_PORT: apiPort,
      PANEL_ORIGIN: env.PANEL_ORIGIN ?? `http://127.0.0.1:${panelPort}`,
      // The panel's server proxies /v2 from loopback: the client address comes from it.
      TRUST_PROXY: env.TRUST_PROXY ?? 'loopback',
      SUPPORT_EMAIL: env.SUPPORT_EMAIL ?? 'support@vigil.localhost',
      SUPPORT_PASSWORD: env.SUPPORT_PASSWORD ?? 'change-me-support',
    },
  },
  {
    name: 'dns',
    command: 'node workers/dist/dns/main.js',
    requires: 'workers/dist/dns/main.js',
    url: `udp+tcp 127.0.0.1:${dnsPort} (metrics: http://127.0.0.1:${metricsPort}/metrics)`,
    env: { DNS_PORT: dnsPort, METRICS_PORT: metricsPort },
  },
  ...locations.map((location) => ({
    name: `probe-${location}`,
    command: 'node workers/dist/probes/main.js',
    requires: 'workers/dist/probes/main.js',
    url: `location ${location}`,
    // The DNS server's metrics port is taken; probes expose none unless asked.
    env: { LOCATION: location, METRICS_PORT: '' },
  })),
  {
    name: 'aggregator',
    command: 'node workers/dist/health/main.js',
    requires: 'workers/dist/health/main.js',
    url: 'combines the probes’ results into each address’s state',
    env: { METRICS_PORT: '' },
  },
  {
    name: 'panel',
    command: 'npm run preview -w frontend',
    requires: 'frontend/dist/index.html',
    url: `http://127.0.0.1:${panelPort}`,
    env: { API_URL: `http://127.0.0.1:${apiPort}`, PANEL_PORT: panelPort },
  },
].filter((p) => existsSync(join(root, p.requires)));

console.log('Vigil is starting:');
for (const p of processes) console.log(`  ${p.name.padEnd(16)} ${p.url}`);
if (!env.SUPPORT_PASSWORD) {
  console.log('  support user support@vigil.localhost / change-me-support (set SUPPORT_EMAIL and SUPPORT_PASSWORD to choose)');
}

const { result } = concurrently(
  processes.map((p) => ({ name: p.name, command: p.command, cwd: root, env: p.env })),
  { prefix: 'name', killOthersOn: ['failure'], restartTries: 0 },
);
result.then(
  () => process.exit(0),
  () => process.exit(1),
);
