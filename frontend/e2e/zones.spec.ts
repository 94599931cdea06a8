// Zones: create, search, open, delete with confirmation.
import { createZoneByApi, expect, signUpByApi, test, uniq } from './fixtures';

test('zones are created, searched and deleted after a confirmation', async ({ page }) => {
  await signUpByApi(page);
  const base = uniq('corp');
  await createZoneByApi(page, `${base}-alpha.test`);
  await createZoneByApi(page, `${base}-beta.test`);
  await page.goto('/zones');

  // Internationalised names are stored in punycode.
  await page.getByLabel('Zone name').fill(`Bücher-${base}.TEST`);
  await page.getByRole('button', { name: 'Add zone' }).click();
  const idn = `xn--bcher-${base}-`;
  await expect(page.getByRole('heading', { level: 1 })).toContainText('xn--');
  await expect(page.getByRole('table', { name: 'Record sets' })).toContainText('ns1.vigil.localhost');
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Zones' }).click();
  await expect(page.getByRole('table', { name: 'Zones' }).getByRole('row')).toHaveCount(4);

  await page.getByLabel('Search zones').fill('alpha');
  await expect(page.getByRole('table', { name: 'Zones' }).getByRole('row')).toHaveCount(2);
  await expect(page.getByRole('link', { name: `${base}-alpha.test` })).toBeVisible();
  await page.getByLabel('Search zones').fill('nothing-like-this');
  await expect(page.getByText('No zone matches “nothing-like-this”.')).toBeVisible();
  await page.getByLabel('Search zones').fill('');
  await expect(page.getByRole('table', { name: 'Zones' }).getByRole('row')).toHaveCount(4);
  await expect(page.getByRole('link', { name: new RegExp(`^${idn}`) })).toBeVisible();

  // Delete asks first; Cancel (or Escape) keeps the zone.
  await page.getByRole('button', { name: `Delete zone ${base}-beta.test` }).click();
  const dialog = page.getByRole('dialog', { name: `Delete zone ${base}-beta.test?` });
  await expect(dialog).toContainText('This cannot be undone');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('link', { name: `${base}-beta.test` })).toBeVisible();
  await page.getByRole('button', { name: `Delete zone ${base}-beta.test` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete zone' }).click();
  await expect(page.getByRole('link', { name: `${base}-beta.test` })).toHaveCount(0);
  expect((await page.request.get(`/v2/zones/${base}-beta.test`)).status()).toBe(404);
  await expect(page.getByText('2 zones')).toBeVisible();

  // From the zone page too.
  await page.getByRole('link', { name: `${base}-alpha.test` }).click();
  await expect(page.getByRole('heading', { level: 1, name: `${base}-alpha.test` })).toBeVisible();
  await page.getByRole('button', { name: 'Delete zone', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete zone' }).click();
  await expect(page).toHaveURL(/\/zones$/);
  await expect(page.getByRole('link', { name: `${base}-alpha.test` })).toHaveCount(0);
});
