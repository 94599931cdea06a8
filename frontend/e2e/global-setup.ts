// Starts the real stack for the browser tests and returns the teardown that stops it:
// the api on a fresh database, the built panel (vite preview) proxying /v2 to it and, when the
// workers are built, the DNS server, two probe locations and the aggregator.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FullConfig } from '@playwright/test';
import {
  clearRedisPrefix,
  DATA_PLANE_FILES,
  databaseUrl,
  dropDatabase,
  freePort,
  FRONTEND,
  httpOk,
  missingFiles,
  Processes,
  randomId,
  stackSettings,
} from './stack';

const require = createRequire(import.meta.url);

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const missing = missingFiles(['backend/dist/main.js', 'frontend/dist/index.html']);
  if (missing.length) {
    throw new Error(
      `${missing.join(', ')} missing: build first (npm run build -w backend && npm run build -w frontend, or npm run build at the root)`,
    );
  }
  const settings = stackSettings();
  const run = randomId();
  const dbName = `vigil_e2e_${run}`;
  const prefix = `vigil-e2e-${run}:`;
  const support = { email: 'support@vigil-e2e.test', password: `support-${randomId(8)}` };
  const procs = new Processes();
  const baseEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    REDIS_URL: settings.redisUrl,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'info',
  };

  const teardown = async () => {
    await procs.stopAll();
    await dropDatabase(settings.pgAdminUrl, dbName).catch((e: Error) => console.warn(`could not drop ${dbName}: ${e.message}`));
    await clearRedisPrefix(settings.redisUrl, prefix).catch((e: Error) =>
      console.warn(`could not clear Redis keys ${prefix}*: ${e.message}`),
    );
  };

  try {
    const apiPort = await freePort();
    const panelPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const panelUrl = `http://127.0.0.1:${panelPort}`;

    const api = procs.start('api', ['backend/dist/main.js'], {
      ...baseEnv,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      DATABASE_URL: databaseUrl(settings.pgAdminUrl, dbName),
      SUPPORT_EMAIL: support.email,
      SUPPORT_PASSWORD: support.password,
      PANEL_ORIGIN: panelUrl,
      RECONCILE_INTERVAL_SECONDS: '2',
      // Every test signs in from 127.0.0.1, and the health page polls: lift the per-address limits.
      SIGNIN_RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_PER_MINUTE: '1000000',
    });

    const vite = join(require.resolve('vite/package.json'), '..', 'bin', 'vite.js');
    const panel = procs.start(
      'panel',
      [vite, 'preview', '--host', '127.0.0.1', '--port', String(panelPort), '--strictPort'],
      { ...baseEnv, API_URL: apiUrl, PANEL_PORT: String(panelPort) },
      FRONTEND,
    );

    await procs.ready(api, `the api at ${apiUrl}/healthz`, () => httpOk(`${apiUrl}/healthz`), 90_000);
    await procs.ready(panel, `the panel at ${panelUrl}`, () => httpOk(`${panelUrl}/`), 60_000);
    await procs.ready(
      panel,
      'the panel to proxy /v2 to the api',
      async () => (await fetch(`${panelUrl}/v2/auth/me`)).status === 401,
      30_000,
    );

    const missingWorkers = missingFiles(DATA_PLANE_FILES);
    let dnsPort = 0;
    if (missingWorkers.length === 0) {
      dnsPort = await freePort();
      const metricsPort = await freePort();
      const dns = procs.start('dns', ['workers/dist/dns/main.js'], {
        ...baseEnv,
        DNS_HOST: '127.0.0.1',
        DNS_PORT: String(dnsPort),
        METRICS_PORT: String(metricsPort),
      });
      for (const location of ['e2e-1', 'e2e-2']) {
        procs.start(`probe-${location}`, ['workers/dist/probes/main.js'], {
          ...baseEnv,
          LOCATION: location,
          ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
        });
      }
      procs.start('aggregator', ['workers/dist/health/main.js'], { ...baseEnv });
      await procs.ready(
        dns,
        `the dns server's metrics on 127.0.0.1:${metricsPort}`,
        () => httpOk(`http://127.0.0.1:${metricsPort}/metrics`),
        60_000,
      );
    }

    // Read by the tests (workers inherit this process's environment).
    Object.assign(process.env, {
      E2E_PANEL_URL: panelUrl,
      E2E_API_URL: apiUrl,
      E2E_DNS_PORT: String(dnsPort),
      E2E_DATA_PLANE_MISSING: missingWorkers.join(', '),
      E2E_SUPPORT_EMAIL: support.email,
      E2E_SUPPORT_PASSWORD: support.password,
    });
    console.log(
      `e2e stack: panel ${panelUrl}, api ${apiUrl}, database ${dbName}, Redis prefix ${prefix}${dnsPort ? `, dns 127.0.0.1:${dnsPort}` : ` (no data plane: ${missingWorkers.join(', ')} missing)`}`,
    );
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}
