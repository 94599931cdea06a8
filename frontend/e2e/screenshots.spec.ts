// Screenshots of the main pages for the README, in docs/screenshots/ (1280×800, one at 390×844).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { Backends } from './backends';
import { createZoneByApi, env, expect, grantFailoverByApi, newSupportPage, signUpByApi, test } from './fixtures';
import { ROOT } from './stack';

// A test run writes them under test-results, so running the tests leaves the work tree clean;
// `E2E_SCREENSHOTS_DIR=docs/screenshots` (from the repository root) refreshes the committed ones.
const OUT = process.env.E2E_SCREENSHOTS_DIR
  ? resolve(ROOT, process.env.E2E_SCREENSHOTS_DIR)
  : join(ROOT, 'frontend', 'test-results', 'screenshots');

async function shot(page: Page, name: string, fullPage = false) {
  // Toasts come and go; they are not part of the page.
  await page.addStyleTag({ content: '.mantine-Notifications-root { display: none !important; }' });
  const viewport = page.viewportSize()!;
  if (fullPage) {
    // A viewport as tall as the page, so the fixed header and navigation span all of it.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  }
  await page.screenshot({ path: join(OUT, `${name}.png`), animations: 'disabled' });
  await page.setViewportSize(viewport);
}

test('screenshots of the main pages', async ({ page, browser }) => {
  test.setTimeout(5 * 60_000);
  mkdirSync(OUT, { recursive: true });
  const dataPlane = env.dataPlaneMissing() === '';
  const backends = dataPlane ? await Backends.start(['127.0.0.2', '127.0.0.3']) : null;
  try {
    // Each run has a database of its own, so these names are free, except when the test is
    // repeated in one run (--repeat-each): then they get a suffix.
    const suffix = test.info().repeatEachIndex ? `-${test.info().repeatEachIndex}` : '';
    const customer = await signUpByApi(page, 'Acme Shop', `ops${suffix}@acme-shop.example`);
    await grantFailoverByApi(customer.accountId);
    const shopZone = await createZoneByApi(page, `acme-shop${suffix}.example`);
    await createZoneByApi(page, `acme-mail${suffix}.example`);
    await createZoneByApi(page, `acme-docs${suffix}.example`);
    const put = async (name: string, type: string, body: unknown) => {
      const r = await page.request.put(`/v2/zones/${shopZone}/${name}/${type}`, { data: body });
      expect(r.status(), await r.text()).toBeLessThan(300);
    };
    const port = backends?.port ?? 8080;
    await put(`www.${shopZone}`, 'A', {
      ttl: 30,
      resource_records: [{ content: ['127.0.0.2'] }, { content: ['127.0.0.3'] }],
      meta: { failover: { protocol: 'HTTP', port, frequency: 10, timeout: 2, url: '/health', host: `www.${shopZone}` } },
    });
    await put(shopZone, 'MX', {
      ttl: 3600,
      resource_records: [{ content: [10, `mx1.${shopZone}`] }, { content: [20, `mx2.${shopZone}`] }],
    });
    await put(shopZone, 'TXT', { ttl: 3600, resource_records: [{ content: ['v=spf1 mx -all'] }] });
    await put(shopZone, 'CAA', { ttl: 3600, resource_records: [{ content: [0, 'issue', 'letsencrypt.org'] }] });
    await put(`api.${shopZone}`, 'A', {
      ttl: 60,
      resource_records: [
        { content: ['192.0.2.10'], meta: { countries: ['FR', 'DE'], continents: ['eu'] } },
        { content: ['198.51.100.20'], meta: { continents: ['na'], default: true } },
      ],
      pickers: [
        { type: 'geodns', strict: false },
        { type: 'first_n', limit: 1 },
      ],
    });
    await put(`cdn.${shopZone}`, 'CNAME', { ttl: 300, resource_records: [{ content: ['shop.cdn.example.net'] }] });
    await put(`v6.${shopZone}`, 'AAAA', {
      ttl: 300,
      resource_records: [
        { content: ['2001:db8::10'], meta: { weight: 3 } },
        { content: ['2001:db8::20'], meta: { weight: 1 } },
      ],
      pickers: [{ type: 'weighted_shuffle' }],
    });
    await put(`_sip._tcp.${shopZone}`, 'SRV', { ttl: 300, resource_records: [{ content: [10, 5, 5060, `sip.${shopZone}`] }] });

    // Zones list.
    await page.goto('/zones');
    await expect(page.getByRole('link', { name: shopZone })).toBeVisible();
    await shot(page, 'zones');

    // A zone with its record sets.
    await page.goto(`/zones/${shopZone}`);
    await expect(page.getByTestId(`rrset-www.${shopZone}-A`)).toBeVisible();
    await shot(page, 'zone');

    // The record set editor with failover.
    await page.goto(`/zones/${shopZone}/www.${shopZone}/A`);
    await expect(page.getByTestId('failover-section').getByLabel('URL path')).toHaveValue('/health');
    await shot(page, 'rrset-editor', true);

    // Live health, with one backend down when the data plane runs.
    await page.goto(`/zones/${shopZone}/www.${shopZone}/A/health`);
    if (backends) {
      const state = (a: string) => page.getByTestId(`address-${a}`).getByTestId('state');
      await expect(state('127.0.0.2')).toHaveText('available', { timeout: 60_000 });
      await expect(state('127.0.0.3')).toHaveText('available', { timeout: 60_000 });
      await backends.stop('127.0.0.3');
      await expect(state('127.0.0.3')).toHaveText('unavailable', { timeout: 60_000 });
      await expect(page.getByTestId('health-events')).toContainText('unavailable', { timeout: 15_000 });
    } else {
      await expect(page.getByRole('heading', { name: 'Addresses' })).toBeVisible();
    }
    await shot(page, 'health', true);

    // The same at phone width.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'health-phone');
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await expect(page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Zones' })).toBeVisible();
    await shot(page, 'navigation-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    // API tokens, right after creating one: the secret is shown once.
    await page.goto('/tokens');
    await page.getByLabel('Token name').fill('old-ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByLabel('Token name').fill('deploy');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByTestId('token-secret')).toContainText('vgl_');
    await shot(page, 'tokens');

    // Another customer asks for failover; the support console shows the request.
    const other = await browser.newContext({ baseURL: env.panelUrl() });
    const otherPage = await other.newPage();
    await signUpByApi(otherPage, 'Globex Travel', `it${suffix}@globex.example`);
    const req = await otherPage.request.post('/v2/account/feature-requests', {
      data: { feature: 'failover', message: 'We run two data centres and want DNS failover between them.' },
    });
    expect(req.status()).toBe(201);
    await other.close();
    const support = await newSupportPage(browser);
    await expect(support.getByTestId('request-Globex Travel').first()).toBeVisible();
    await shot(support, 'support');
    await support.context().close();
  } finally {
    await backends?.stopAll();
  }
});
