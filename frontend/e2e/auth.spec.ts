import { expect, PASSWORD, test, uniq } from './fixtures';

test('a customer signs up, signs out and signs in again', async ({ page }) => {
  const email = `${uniq('signup')}@example.com`;
  await page.goto('/');
  // Signed out: every page leads to the sign-in form.
  await expect(page).toHaveURL(/\/signin$/);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  // The API's reason shows under the password field.
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/must be at least 10 characters/);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Zones' })).toBeVisible();
  await expect(page.getByText('No zones yet')).toBeVisible();

  await page.getByRole('button', { name: `Account menu for ${email}` }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await page.goto('/zones');
  await expect(page).toHaveURL(/\/signin$/);

  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Back where the user wanted to go.
  await expect(page).toHaveURL(/\/zones$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Zones' })).toBeVisible();
});
