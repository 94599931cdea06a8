// API tokens: the secret is shown once, works against the API, and stops working when revoked.
import { request } from '@playwright/test';
import { env, expect, signUpByApi, test } from './fixtures';

test('a token is created (secret shown once), used, listed and revoked', async ({ page }) => {
  await signUpByApi(page);
  await page.goto('/zones');
  await page.getByRole('link', { name: 'API tokens' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'API tokens' })).toBeVisible();
  await expect(page.getByText('No tokens yet.')).toBeVisible();

  // An empty name is refused by the API, at the field.
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByLabel('Token name')).toHaveAccessibleDescription(/must not be empty/);

  await page.getByLabel('Token name').fill('ci-deploy');
  await page.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByTestId('new-token');
  await expect(shown).toContainText('This is the only time the secret is shown');
  await expect(shown.getByRole('button', { name: 'Copy' })).toBeVisible();
  const secret = (await page.getByTestId('token-secret').innerText()).trim();
  expect(secret).toMatch(/^vgl_/);

  // The list shows the prefix, never the secret.
  const row = page.getByTestId('token-ci-deploy');
  await expect(row).toContainText('never'); // last used
  const prefix = (await row.getByRole('cell').nth(1).innerText()).replace('…', '').trim();
  expect(secret.startsWith(prefix)).toBe(true);
  expect(prefix.length).toBeLessThan(secret.length);

  // The secret works against the API.
  const integrator = await request.newContext({ baseURL: env.apiUrl(), extraHTTPHeaders: { Authorization: `APIKey ${secret}` } });
  expect((await integrator.get('/v2/zones')).status()).toBe(200);

  // Once dismissed (or after a reload) the secret is gone for good; "last used" now shows.
  await page.getByRole('button', { name: 'I have stored it' }).click();
  await expect(page.getByTestId('new-token')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('token-ci-deploy')).toBeVisible();
  await expect(page.getByText(secret)).toHaveCount(0);
  // The API records the use off the request's path, so it may take a moment to show.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('token-ci-deploy').getByRole('cell').nth(3)).not.toHaveText('never', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });

  // Revoking asks first; cancelling keeps the token.
  await row.getByRole('button', { name: 'Revoke token ci-deploy' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke token “ci-deploy”?' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  expect((await integrator.get('/v2/zones')).status()).toBe(200);

  await row.getByRole('button', { name: 'Revoke token ci-deploy' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
  await expect(row.getByText('revoked')).toBeVisible();
  await expect(row.getByRole('button', { name: 'Revoke token ci-deploy' })).toHaveCount(0);
  expect((await integrator.get('/v2/zones')).status()).toBe(401);
  await integrator.dispose();
});
