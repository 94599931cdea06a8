// Vigil's processes, described once: the file `npm run build` leaves for each, the environment
// that places it, where it listens and how to tell it is ready. Everything else a caller wants
// (database, support user, rate limits) is plain environment it adds on top.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository root (this file runs from stack/src under jest, from stack/dist otherwise). */
export const ROOT = join(__dirname, '..', '..');
export const FRONTEND = join(ROOT, 'frontend');

export type Env = Record<string, string | undefined>;

export interface ProcessSpec {
  /** Names its output and log file: api, dns, probe-<location>, aggregator, panel. */
  name: string;
  /** Node's arguments, the entry file first. */
  args: string[];
  cwd: string;
  /** The file it cannot start without, relative to ROOT (made by `npm run build`). */
  requires?: string;
  env: Env;
  /** Answers 2xx once the process serves; none: ready once started (probes, aggregator). */
  readyUrl?: string;
  /** Where it listens, for npm start's table. */
  where?: string;
  /** A network namespace to run it in (`ip netns exec`), for multi-host tests. */
  netns?: string;
}

/** What `npm run build` leaves for each process, relative to ROOT. */
export const BUILT = {
  api: 'backend/dist/main.js',
  dns: 'workers/dist/dns/main.js',
  probe: 'workers/dist/probes/main.js',
  aggregator: 'workers/dist/aggregator/main.js',
  panel: 'frontend/dist/index.html',
} as const;

/** npm start's ports (API_PORT, DNS_PORT, METRICS_PORT, PANEL_PORT override them there). */
export const DEFAULT_PORTS = { api: 3000, dns: 5300, metrics: 9153, panel: 5173 } as const;

/** The ones of `files` (relative to ROOT) that are not there. */
export const missingBuilds = (files: readonly string[]) => files.filter((f) => !existsSync(join(ROOT, f)));

const nodeProcess = (name: string, entry: string, spec: Omit<ProcessSpec, 'name' | 'args' | 'cwd' | 'requires'>): ProcessSpec => ({
  name,
  args: [join(ROOT, entry)],
  cwd: ROOT,
  requires: entry,
  ...spec,
});

export const apiProcess = (port: number, env: Env = {}): ProcessSpec =>
  nodeProcess('api', BUILT.api, {
    env: { API_PORT: String(port), ...env },
    readyUrl: `http://127.0.0.1:${port}/healthz`,
    where: `http://127.0.0.1:${port}/v2 (docs: http://127.0.0.1:${port}/docs)`,
  });

/** The api's settings under `npm start`, where the caller's environment does not set them. */
export const localApiEnv = (env: Env, panelPort: number): Env => ({
  PANEL_ORIGIN: env.PANEL_ORIGIN ?? `http://127.0.0.1:${panelPort}`,
  // No TRUST_PROXY: the panel's server proxies /v2 from loopback, where anyone who reaches the api
  // directly also is, so the api cannot tell the proxy's X-Forwarded-For from a forged one. Trusting
  // it let every forged address have a sign-in budget of its own. Both listen on 127.0.0.1 only, so
  // every client is this machine, counted as the one address it is (and each e-mail address's
  // failures as well). TRUST_PROXY from the caller's environment still reaches the api.
  SUPPORT_EMAIL: env.SUPPORT_EMAIL ?? 'support@vigil.localhost',
  SUPPORT_PASSWORD: env.SUPPORT_PASSWORD ?? 'change-me-support',
});

/**
 * /healthz answers 200 once the zones are loaded from Redis, just before DNS listens (with several
 * processes, once every one has). One process unless `env` sets DNS_PROCESSES ('' is one per
 * core, as npm start runs it): tests and benchmarks read a DNS server's pid for its CPU and
 * memory, and on a shared machine a cluster per test would double what each suite loads.
 */
export const dnsProcess = (port: number, metricsPort: number, env: Env = {}): ProcessSpec => {
  const processes = env.DNS_PROCESSES ?? '1';
  const n = processes.trim() === '' ? availableParallelism() : Number(processes);
  const count = `${n} ${n === 1 ? 'process' : 'processes'}`;
  return nodeProcess('dns', BUILT.dns, {
    env: { DNS_PORT: String(port), METRICS_PORT: String(metricsPort), DNS_PROCESSES: processes, ...env },
    readyUrl: `http://127.0.0.1:${metricsPort}/healthz`,
    where: `udp+tcp 127.0.0.1:${port}, ${count} (metrics: http://127.0.0.1:${metricsPort}/metrics)`,
  });
};

// Probes and the aggregator expose no metrics unless asked (METRICS_PORT in `env`): an inherited
// METRICS_PORT would be the DNS server's.
export const probeProcess = (location: string, env: Env = {}): ProcessSpec =>
  nodeProcess(`probe-${location}`, BUILT.probe, { env: { LOCATION: location, METRICS_PORT: '', ...env }, where: `location ${location}` });

export const aggregatorProcess = (env: Env = {}): ProcessSpec =>
  nodeProcess('aggregator', BUILT.aggregator, {
    env: { METRICS_PORT: '', ...env },
    where: 'combines the probes’ results into each address’s state',
  });

/** The built panel (`vite preview`, host and port from frontend/vite.config.ts), proxying /v2 to `apiUrl`. */
export function panelProcess(port: number, apiUrl: string, env: Env = {}): ProcessSpec {
  let vite: string;
  try {
    vite = join(dirname(require.resolve('vite/package.json', { paths: [FRONTEND] })), 'bin', 'vite.js');
  } catch {
    vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'); // frontend not installed: fails at start, with node's message
  }
  return {
    name: 'panel',
    args: [vite, 'preview'],
    cwd: FRONTEND,
    requires: BUILT.panel,
    env: { API_URL: apiUrl, PANEL_PORT: String(port), ...env },
    readyUrl: `http://127.0.0.1:${port}/`,
    where: `http://127.0.0.1:${port}`,
  };
}
