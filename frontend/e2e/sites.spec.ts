// Sites through the panel: a third probe site runs a real probe next to the stack's two, checks
// a customer's backend, and is then shut down. The customer's health page shows it stale and its
// last result as not counted; support staff see it stale beside the reporting sites and forget it.
import { prerequisite, probeProcess, startProcess, stopProcess } from '@vigil/stack';
import Redis from 'ioredis';
import { Backends } from './backends';
import { createZoneByApi, env, expect, grantFailoverByApi, newSupportPage, signUpByApi, test, uniq } from './fixtures';
import { LOG_DIR } from './stack';

// The contract's LOCATIONS_KEY (sorted set: site -> last heartbeat ms). The e2e specs cannot
// import the contract: the panel's tsconfig maps it to its TypeScript source, which Node loads untranspiled.
const LOCATIONS_KEY = 'vigil:locations';
const BACKEND = '127.0.0.9';

test('a decommissioned site shows stale to the customer and is forgotten by support staff', async ({ page, browser }) => {
  const missing = env.dataPlaneMissing();
  test.skip(
    !prerequisite('the built data plane', missing ? `${missing} missing (npm run build -w workers)` : null),
    'the data plane is not built',
  );
  test.setTimeout(4 * 60_000);

  const site = uniq('site');
  const redisEnv = env.redis();
  const redis = new Redis(redisEnv.url, { keyPrefix: redisEnv.prefix });
  const backends = await Backends.start([BACKEND]);
  // A probe for the new site, on the stack's Redis like the stack's own two.
  const probe = startProcess(probeProcess(site, { ALLOW_PRIVATE_TARGETS: '127.0.0.0/8' }), {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, REDIS_URL: redisEnv.url, REDIS_KEY_PREFIX: redisEnv.prefix, LOG_LEVEL: 'info' },
    logDir: LOG_DIR,
  });
  try {
    // A customer with a failover record set over one backend, checked every 10 s.
    const customer = await signUpByApi(page);
    await grantFailoverByApi(customer.accountId);
    const zone = await createZoneByApi(page);
    const name = `www.${zone}`;
    const saved = await page.request.put(`/v2/zones/${zone}/${name}/A`, {
      data: {
        ttl: 30,
        resource_records: [{ content: [BACKEND] }],
        meta: { failover: { protocol: 'HTTP', port: backends.port, frequency: 10, timeout: 2, url: '/health' } },
      },
    });
    expect(saved.status(), await saved.text()).toBe(201);

    // Every site reports on it, the new one included.
    await page.goto(`/zones/${zone}/${name}/A/health`);
    const address = page.getByTestId(`address-${BACKEND}`);
    for (const location of ['e2e-1', 'e2e-2', site]) {
      await expect(address.getByTestId(`location-${location}`)).toContainText('ok', { timeout: 60_000 });
    }
    const sites = page.getByRole('table', { name: 'Sites' });
    await expect(sites.getByTestId(`site-${site}`).getByTestId('site-state')).toHaveText('reporting');

    // The site is shut down. It last beat when it stopped; a heartbeat five minutes old stands
    // for the minute that would have to pass before it turns stale.
    await stopProcess(probe);
    await redis.zadd(LOCATIONS_KEY, Date.now() - 5 * 60_000, site);

    // The customer sees it stale, its row marked, and its result not counted once it ages out.
    await expect(sites.getByTestId(`site-${site}`).getByTestId('site-state')).toHaveText('stale');
    await expect(sites.getByTestId('site-e2e-1').getByTestId('site-state')).toHaveText('reporting');
    const row = address.getByTestId(`location-${site}`);
    await expect(row.getByTestId('site-state')).toHaveText('site stale');
    await expect(row).toContainText('(not counted)', { timeout: 60_000 });
    await expect(address.getByTestId('location-e2e-1')).not.toContainText('(not counted)');

    // Support staff see the reporting sites and the stale one with its check, and forget it.
    const support = await newSupportPage(browser);
    const table = support.getByRole('table', { name: 'Sites' });
    const live = table.getByTestId('site-e2e-1');
    await expect(live.getByTestId('site-state')).toHaveText('reporting');
    await expect(live.getByRole('button')).toHaveCount(0);
    const stale = table.getByTestId(`site-${site}`);
    await expect(stale.getByTestId('site-state')).toHaveText('stale');
    await expect(stale.getByRole('cell').nth(3)).not.toHaveText('0');
    await stale.getByRole('button', { name: `Forget site ${site}` }).click();
    const dialog = support.getByRole('dialog', { name: `Forget site ${site}?` });
    await expect(dialog).toContainText('scheduled');
    await dialog.getByRole('button', { name: 'Forget site' }).click();
    await expect(support.getByText(`Site ${site} forgotten`)).toBeVisible();
    await expect(table.getByTestId(`site-${site}`)).toHaveCount(0);
    await expect(table.getByTestId('site-e2e-1')).toBeVisible();
    expect(await redis.zscore(LOCATIONS_KEY, site)).toBeNull();
    await support.context().close();

    // The customer's page no longer lists it, nor its last result.
    await expect(sites.getByTestId(`site-${site}`)).toHaveCount(0);
    await expect(address.getByTestId(`location-${site}`)).toHaveCount(0);
    await expect(address.getByTestId('location-e2e-1')).toContainText('ok');
  } finally {
    await stopProcess(probe);
    await backends.stopAll();
    redis.disconnect();
  }
});
