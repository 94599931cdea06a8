// Accounts are apart: one customer never sees another's zones, and customers never reach the
// support console.
import { createZoneByApi, env, expect, signUpByApi, test } from './fixtures';

test("a second customer cannot see the first customer's zone", async ({ page, browser }) => {
  await signUpByApi(page);
  const zone = await createZoneByApi(page);
  await page.request.put(`/v2/zones/${zone}/www.${zone}/A`, { data: { resource_records: [{ content: ['192.0.2.1'] }] } });
  await page.goto('/zones');
  await expect(page.getByRole('link', { name: zone })).toBeVisible();

  const other = await browser.newContext({ baseURL: env.panelUrl() });
  const page2 = await other.newPage();
  await signUpByApi(page2);
  await page2.goto('/zones');
  await expect(page2.getByText('No zones yet')).toBeVisible();
  await expect(page2.getByRole('link', { name: zone })).toHaveCount(0);
  // Searching for it finds nothing either.
  await page2.getByLabel('Search zones').fill(zone);
  await expect(page2.getByText(`No zone matches “${zone}”.`)).toBeVisible();

  // Direct addresses answer "not found", exactly like a zone that does not exist.
  await page2.goto(`/zones/${zone}`);
  await expect(page2.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
  await expect(page2.getByText(/belongs to another account/)).toBeVisible();
  await page2.goto(`/zones/${zone}/www.${zone}/A`);
  await expect(page2.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
  await page2.goto(`/zones/${zone}/www.${zone}/A/health`);
  await expect(page2.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
  expect((await page2.request.get(`/v2/zones/${zone}`)).status()).toBe(404);
  expect((await page2.request.delete(`/v2/zones/${zone}`)).status()).toBe(404);
  await other.close();

  // Still there for its owner.
  await page.reload();
  await expect(page.getByRole('link', { name: zone })).toBeVisible();
});

test('the support console is refused to a customer', async ({ page }) => {
  await signUpByApi(page);
  await page.goto('/zones');
  await expect(page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Support console' })).toHaveCount(0);
  await page.goto('/support');
  await expect(page.getByRole('heading', { level: 1, name: 'Not allowed' })).toBeVisible();
  await expect(page.getByText('The support console is for Vigil support staff only.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Pending feature requests' })).toHaveCount(0);
  // The API refuses the same calls, whatever the panel shows.
  expect((await page.request.get('/v2/admin/accounts')).status()).toBe(403);
  expect((await page.request.get('/v2/admin/feature-requests?status=pending')).status()).toBe(403);
  const me = await (await page.request.get('/v2/auth/me')).json();
  const r = await page.request.patch(`/v2/admin/accounts/${me.current_account_id}`, { data: { features: { failover: true } } });
  expect(r.status()).toBe(403);
  expect((await (await page.request.get('/v2/account')).json()).features.failover).toBe(false);
});
