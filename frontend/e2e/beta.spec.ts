// The failover beta from both sides: a request rejected, asked again, granted directly from the
// accounts list, and revoked.
import { expect, newSupportPage, signUpByApi, test, uniq } from './fixtures';

test('support rejects a request, then grants and revokes failover from the accounts list', async ({ page, browser }) => {
  const name = uniq('Initech');
  await signUpByApi(page, name);
  await page.goto('/account');
  await expect(page.getByRole('heading', { level: 1, name: 'Beta features' })).toBeVisible();
  await page.getByRole('button', { name: 'Request access' }).click();
  await expect(page.getByTestId('feature-request-state')).toHaveText('pending');
  // One pending request at a time: the button is gone while it waits.
  await expect(page.getByRole('button', { name: 'Request access' })).toHaveCount(0);

  const support = await newSupportPage(browser);
  await support.getByRole('button', { name: `Reject failover request of ${name}` }).click();
  await support.getByRole('dialog').getByRole('button', { name: 'Reject request' }).click();
  await expect(support.getByTestId(`request-${name}`)).toHaveCount(0);

  // The customer sees the rejection and may ask again.
  await page.reload();
  await expect(page.getByTestId('feature-request-state')).toHaveText('rejected');
  await expect(page.getByRole('table').getByText('rejected')).toBeVisible();
  await page.getByRole('button', { name: 'Request access' }).click();
  await expect(page.getByTestId('feature-request-state')).toHaveText('pending');

  // Support finds the account by searching, and grants failover directly.
  await support.reload();
  await support.getByLabel('Search accounts').fill(name);
  const account = support.getByTestId(`account-${name}`);
  await expect(support.getByRole('table', { name: 'Accounts' }).getByRole('row')).toHaveCount(2);
  await expect(account).toContainText('1 pending');
  await account.getByRole('switch', { name: `Failover for ${name}` }).click();
  await expect(account.getByRole('switch', { name: `Failover for ${name}` })).toBeChecked();
  // Granting closes the pending request.
  await expect(support.getByTestId(`request-${name}`)).toHaveCount(0);
  await expect(account).not.toContainText('pending');

  await page.reload();
  await expect(page.getByText('Failover is enabled for this account.')).toBeVisible();

  // Revoking asks first.
  await account.getByRole('switch', { name: `Failover for ${name}` }).click();
  await support.getByRole('dialog').getByRole('button', { name: 'Revoke failover' }).click();
  await expect(account.getByRole('switch', { name: `Failover for ${name}` })).not.toBeChecked();
  await page.reload();
  await expect(page.getByTestId('failover-beta')).toBeVisible();
  await support.context().close();
});
