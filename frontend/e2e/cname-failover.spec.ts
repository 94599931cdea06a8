// Failover on a CNAME record set, through the panel: with a check (or pickers) it holds several
// candidate targets, one of them a backup; without, a second target is refused with the API's reason.
import type { Page } from '@playwright/test';
import { createZoneByApi, expect, grantFailoverByApi, signUpByApi, test } from './fixtures';

// The contract's reason, as the API gives it with a 400 at resource_records.
const ONE_CNAME = 'a CNAME record set holds exactly one record, unless it has failover or pickers (DNS then answers with one of them)';
const PRIMARY = 'shop.primary-cdn.example.net';
const BACKUP = 'shop.backup-cdn.example.net';

const rec = (page: Page, n: number) => page.getByRole('group', { name: `Record ${n}` });

async function newCname(page: Page, zone: string, name: string) {
  await page.goto(`/zones/${zone}/new`);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Type', { exact: true }).selectOption('CNAME');
}

test('a CNAME record set with failover holds a primary and a backup target, saved and read back', async ({ page }) => {
  const customer = await signUpByApi(page);
  await grantFailoverByApi(customer.accountId);
  const zone = await createZoneByApi(page);

  await newCname(page, zone, 'shop');
  await expect(page.getByText(/several candidate targets, of which DNS answers with the first healthy one/)).toBeVisible();
  await rec(page, 1).getByLabel('Target').fill(PRIMARY);
  const failover = page.getByTestId('failover-section');
  await failover.getByRole('switch', { name: 'Check the health of each target and answer with the first one that is up' }).check();
  // With the check on, the record set takes candidates: a second target, marked backup.
  await expect(page.getByTestId('add-record-refusal')).toHaveCount(0);
  await page.getByRole('button', { name: 'Add record' }).click();
  await rec(page, 2).getByLabel('Target').fill(BACKUP);
  await rec(page, 2)
    .getByRole('switch', { name: /Backup/ })
    .check();
  await failover.getByLabel('Protocol').selectOption('HTTP');
  await expect(failover.getByLabel('Protocol')).toHaveAccessibleDescription('How each target is checked');
  await failover.getByLabel('Port').fill('8080');
  await failover.getByLabel('Frequency (seconds)').fill('30');
  await failover.getByLabel('Timeout (seconds)').fill('5');
  await failover.getByLabel('URL path').fill('/health');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `shop.${zone} CNAME` })).toBeVisible();

  const saved = await (await page.request.get(`/v2/zones/${zone}/shop.${zone}/CNAME`)).json();
  expect(saved.resource_records.map((r: { content: string[]; meta: object }) => [r.content[0], r.meta])).toEqual([
    [PRIMARY, {}],
    [BACKUP, { backup: true }],
  ]);
  expect(saved.meta.failover).toMatchObject({ protocol: 'HTTP', port: 8080, frequency: 30, timeout: 5, url: '/health' });

  // Reloaded, the editor shows both targets in order, the backup toggle on the second only, and the check.
  await page.reload();
  await expect(rec(page, 1).getByLabel('Target')).toHaveValue(PRIMARY);
  await expect(rec(page, 2).getByLabel('Target')).toHaveValue(BACKUP);
  await expect(rec(page, 1).getByRole('switch', { name: /Backup/ })).not.toBeChecked();
  await expect(rec(page, 2).getByRole('switch', { name: /Backup/ })).toBeChecked();
  await expect(failover.getByRole('switch', { name: /Check the health of each target/ })).toBeChecked();
  await expect(failover.getByLabel('Protocol')).toHaveValue('HTTP');
  await expect(failover.getByLabel('Port')).toHaveValue('8080');
  await expect(failover.getByLabel('Frequency (seconds)')).toHaveValue('30');
  await expect(failover.getByLabel('Timeout (seconds)')).toHaveValue('5');
  await expect(failover.getByLabel('URL path')).toHaveValue('/health');

  // The zone page lists both targets with the check; the health page names them targets.
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: zone, exact: true }).click();
  const listed = page.getByTestId(`rrset-shop.${zone}-CNAME`);
  await expect(listed).toContainText(PRIMARY);
  await expect(listed).toContainText(BACKUP);
  await expect(listed).toContainText('HTTP :8080/health');
  await expect(listed).toContainText('every 30 s');
  await listed.getByRole('link', { name: `Health of shop.${zone} CNAME` }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Targets' })).toBeVisible();
  await expect(page.getByTestId(`address-${PRIMARY}`)).toBeVisible();
  await expect(page.getByTestId(`address-${BACKUP}`)).toBeVisible();
});

test('without failover or pickers a CNAME record set takes one target, and says why', async ({ page }) => {
  const customer = await signUpByApi(page);
  await grantFailoverByApi(customer.accountId);
  const zone = await createZoneByApi(page);

  await newCname(page, zone, 'plain');
  await rec(page, 1).getByLabel('Target').fill(PRIMARY);
  const add = page.getByRole('button', { name: 'Add record' });
  await expect(add).toBeDisabled();
  await expect(page.getByTestId('add-record-refusal')).toHaveText(ONE_CNAME);
  await expect(add).toHaveAccessibleDescription(ONE_CNAME);

  // A balancing option is a picker: a second target may be added then...
  await page.getByLabel('Add a picker').selectOption({ label: 'Weighted' });
  await expect(add).toBeEnabled();
  await add.click();
  await rec(page, 2).getByLabel('Target').fill(BACKUP);
  // ... and back to round robin, saving two targets is refused before anything is sent.
  await page.getByRole('button', { name: 'Remove Weighted' }).click();
  await expect(add).toBeDisabled();
  await expect(page.getByTestId('add-record-refusal')).toHaveText(ONE_CNAME);
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByTestId('error-summary')).toContainText(`Records: ${ONE_CNAME}`);
  await expect(page.getByRole('region', { name: 'Records' }).getByRole('alert')).toHaveText(ONE_CNAME);
  // Said once in the records section: the alert stands for the hint beside the button.
  await expect(page.getByTestId('add-record-refusal')).toHaveCount(0);
  expect((await page.request.get(`/v2/zones/${zone}/plain.${zone}/CNAME`)).status()).toBe(404);

  // With one target left it saves.
  await rec(page, 2).getByRole('button', { name: 'Remove record 2' }).click();
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `plain.${zone} CNAME` })).toBeVisible();
  const saved = await (await page.request.get(`/v2/zones/${zone}/plain.${zone}/CNAME`)).json();
  expect(saved.resource_records.map((r: { content: string[] }) => r.content[0])).toEqual([PRIMARY]);
});
