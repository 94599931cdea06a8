// Starts the real stack for the browser tests and returns the teardown that stops it:
// the api on a fresh database, the built panel (vite preview) proxying /v2 to it and, when the
// workers are built, the DNS server, two probe locations and the aggregator. Each process's
// output goes to test-results/stack-logs/<name>.log. The api sends its notification e-mails to a
// real SMTP server on loopback, whose mails the tests read from a small HTTP mailbox (mailbox.ts).
import { randomBytes } from 'node:crypto';
import type { FullConfig } from '@playwright/test';
import { BUILT, freePort, missingBuilds, Stack, until } from '@vigil/stack';
import { startMailbox } from './mailbox';
import { LOG_DIR } from './stack';

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const missing = missingBuilds([BUILT.api, BUILT.panel]);
  if (missing.length) {
    throw new Error(
      `${missing.join(', ')} missing: build first (npm run build -w backend && npm run build -w frontend, or npm run build at the root)`,
    );
  }
  const stack = new Stack({
    kind: 'e2e',
    logLevel: process.env.E2E_LOG_LEVEL ?? 'info',
    logDir: LOG_DIR,
  });
  const support = { email: 'support@vigil-e2e.test', password: `support-${randomBytes(8).toString('hex')}` };
  const mailbox = await startMailbox();
  const teardown = async () => {
    await stack.stop().catch((e: Error) => console.warn(`could not clean up after the e2e stack: ${e.message}`));
    await mailbox.close();
  };

  try {
    const panelPort = await freePort();
    // Chosen now: the api's record-set preview queries this DNS server, started after it.
    const dnsPort = await freePort();
    const apiUrl = await stack.startApi({
      DNS_PREVIEW_SERVER: `127.0.0.1:${dnsPort}`,
      API_HOST: '127.0.0.1',
      SUPPORT_EMAIL: support.email,
      SUPPORT_PASSWORD: support.password,
      PANEL_ORIGIN: `http://127.0.0.1:${panelPort}`,
      RECONCILE_INTERVAL_SECONDS: '2',
      // Every test signs in from 127.0.0.1, and the health page polls: lift the per-address limits.
      SIGNIN_RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_PER_MINUTE: '1000000',
      // Notification e-mails go to the mailbox's SMTP server; webhooks may go to the tests' receivers on loopback.
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(mailbox.smtpPort),
      SMTP_FROM: 'alerts@vigil-e2e.test',
      ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
    });
    const panelUrl = await stack.startPanel(apiUrl, panelPort);
    await until('the panel to proxy /v2 to the api', async () => (await fetch(`${panelUrl}/v2/auth/me`)).status === 401, 30_000);

    const missingWorkers = missingBuilds([BUILT.dns, BUILT.probe, BUILT.aggregator]);
    if (missingWorkers.length === 0) {
      await stack.startDns({}, dnsPort);
      for (const location of ['e2e-1', 'e2e-2']) stack.startProbe(location);
      stack.startAggregator();
    }

    // Read by the tests (workers inherit this process's environment).
    Object.assign(process.env, {
      E2E_PANEL_URL: panelUrl,
      E2E_API_URL: apiUrl,
      E2E_DNS_PORT: String(stack.dnsPort),
      E2E_DATA_PLANE_MISSING: missingWorkers.join(', '),
      E2E_SUPPORT_EMAIL: support.email,
      E2E_SUPPORT_PASSWORD: support.password,
      E2E_MAILBOX_URL: mailbox.url,
      // For tests that start a probe of their own, or age its heartbeat, in this stack's Redis.
      E2E_REDIS_URL: stack.redisUrl,
      E2E_REDIS_PREFIX: stack.prefix,
    });
    console.log(
      `e2e stack: panel ${panelUrl}, api ${apiUrl}, database ${stack.dbName}, Redis prefix ${stack.prefix}${stack.dnsPort ? `, dns 127.0.0.1:${stack.dnsPort}` : ` (no data plane: ${missingWorkers.join(', ')} missing)`}`,
    );
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}
