// The audit log: every change, newest first, paged and filtered by action.
import { createZoneByApi, expect, signUpByApi, test, uniq } from './fixtures';

test('the audit log lists changes newest first, in pages, filtered by action', async ({ page }) => {
  await signUpByApi(page);
  const base = uniq('audit');
  // 27 zone creations and one token: more than one page of 25.
  for (let i = 1; i <= 27; i++) await createZoneByApi(page, `${base}-${String(i).padStart(2, '0')}.test`);
  expect((await page.request.post('/v2/account/tokens', { data: { name: 'audited' } })).status()).toBe(201);

  await page.goto('/zones');
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Audit log entries' });
  const firstRow = table.getByRole('row').nth(1);
  await expect(firstRow).toContainText('token.create');
  await expect(firstRow).toContainText('user:');
  await expect(table.getByRole('row')).toHaveCount(26);
  // 28 changes, and whatever signing up recorded.
  const total = (await (await page.request.get('/v2/account/audit-log?limit=1')).json()).total_amount as number;
  expect(total).toBeGreaterThanOrEqual(28);
  await expect(page.getByText(`${total} entries`)).toBeVisible();

  await page.getByRole('button', { name: 'Page 2' }).click();
  await expect(table.getByRole('row')).toHaveCount(total - 25 + 1);
  await expect(table).toContainText(`${base}-01.test`);

  await page.getByLabel('Action').fill('token.create');
  await expect(page.getByText('1 entry')).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(2);
  // Details open with the keyboard too (a native disclosure).
  await table.getByText('Show').click();
  await expect(table.locator('pre')).toContainText('token_id');
});
