#!/usr/bin/env node
// `npm start`: every Vigil process on this machine, against local PostgreSQL and Redis,
// with their output prefixed. Each process reads its settings from the environment.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import concurrently from 'concurrently';

const root = new URL('..', import.meta.url).pathname;
const env = process.env;
const apiPort = env.API_PORT ?? '3000';
const dnsPort = env.DNS_PORT ?? '5300';
const metricsPort = env.METRICS_PORT ?? '9153';

const processes = [
  {
    name: 'api',
    command: 'node backend/dist/main.js',
    url: `http://127.0.0.1:${apiPort}/v2 (docs: http://127.0.0.1:${apiPort}/docs)`,
    env: { SUPPORT_EMAIL: env.SUPPORT_EMAIL ?? 'support@vigil.localhost', SUPPORT_PASSWORD: env.SUPPORT_PASSWORD ?? 'change-me-support' },
  },
  {
    name: 'dns',
    command: 'node workers/dist/dns/main.js',
    url: `udp+tcp 127.0.0.1:${dnsPort} (metrics: http://127.0.0.1:${metricsPort}/metrics)`,
  },
].filter((p) => existsSync(join(root, p.command.split(' ')[1])));

console.log('Vigil is starting:');
for (const p of processes) console.log(`  ${p.name.padEnd(10)} ${p.url}`);
if (!env.SUPPORT_PASSWORD) {
  console.log('  support user support@vigil.localhost / change-me-support (set SUPPORT_EMAIL and SUPPORT_PASSWORD to choose)');
}

const { result } = concurrently(
  processes.map((p) => ({ name: p.name, command: p.command, cwd: root, env: p.env ?? {} })),
  { prefix: 'name', killOthersOn: ['failure'], restartTries: 0 },
);
result.then(
  () => process.exit(0),
  () => process.exit(1),
);
