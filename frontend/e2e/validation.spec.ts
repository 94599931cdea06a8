// Errors show next to the field they are about: the panel's own checks (the contract's schemas)
// and the API's answers (400 details, 409, 403).
import { createZoneByApi, expect, failoverZoneByApi, signUpByApi, test } from './fixtures';

test('record set editor: bad IPv4, timeout not below frequency and TTL out of range are shown at their fields', async ({ page }) => {
  const zone = await failoverZoneByApi(page);

  await page.goto(`/zones/${zone}/new`);
  await page.getByLabel('Name', { exact: true }).fill('www');
  await page.getByLabel('TTL (seconds)').fill('700000');
  const record1 = page.getByRole('group', { name: 'Record 1' });
  await record1.getByLabel('IPv4 address').fill('192.0.2.300');
  await page.getByRole('button', { name: 'Add record' }).click();
  await page.getByRole('group', { name: 'Record 2' }).getByLabel('IPv4 address').fill('192.0.2.20');
  const failover = page.getByTestId('failover-section');
  await failover.getByRole('switch', { name: /Check the health/ }).check();
  await failover.getByLabel('Frequency (seconds)').fill('10');
  await failover.getByLabel('Timeout (seconds)').fill('10');
  await page.getByRole('button', { name: 'Create record set' }).click();

  // A summary at the top, which takes the focus, and each reason at its field.
  const summary = page.getByTestId('error-summary');
  await expect(summary).toBeFocused();
  await expect(summary).toContainText('Record 1, IPv4 address: must be an IPv4 address such as 192.0.2.1');
  await expect(record1.getByLabel('IPv4 address')).toHaveAccessibleDescription(/must be an IPv4 address such as 192\.0\.2\.1/);
  await expect(record1.getByLabel('IPv4 address')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('group', { name: 'Record 2' }).getByLabel('IPv4 address')).toHaveAttribute('aria-invalid', 'false');
  await expect(page.getByLabel('TTL (seconds)')).toHaveAccessibleDescription(/must be from 0 to 604800/);
  await expect(failover.getByLabel('Timeout (seconds)')).toHaveAccessibleDescription(/must be less than frequency/);
  await expect(failover.getByLabel('Frequency (seconds)')).toHaveAttribute('aria-invalid', 'false');
  // Nothing was saved.
  expect((await page.request.get(`/v2/zones/${zone}/www.${zone}/A`)).status()).toBe(404);

  // Out-of-range frequency, and a URL that is not a path.
  await failover.getByLabel('Frequency (seconds)').fill('5');
  await failover.getByLabel('Timeout (seconds)').fill('2');
  await failover.getByLabel('URL path').fill('health check');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(failover.getByLabel('Frequency (seconds)')).toHaveAccessibleDescription(/must be at least 10 seconds/);
  await expect(failover.getByLabel('URL path')).toHaveAccessibleDescription(/must be a path that starts with "\/"/);

  // Fixed, it saves.
  await page.getByLabel('TTL (seconds)').fill('60');
  await record1.getByLabel('IPv4 address').fill('192.0.2.10');
  await failover.getByLabel('Frequency (seconds)').fill('30');
  await failover.getByLabel('URL path').fill('/health');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `www.${zone} A` })).toBeVisible();
  await expect(page.getByTestId('error-summary')).toHaveCount(0);
  const saved = await (await page.request.get(`/v2/zones/${zone}/www.${zone}/A`)).json();
  expect(saved.ttl).toBe(60);
  expect(saved.resource_records.map((r: { content: string[] }) => r.content[0])).toEqual(['192.0.2.10', '192.0.2.20']);
  expect(saved.meta.failover).toMatchObject({ protocol: 'HTTP', frequency: 30, timeout: 2, url: '/health', port: 80 });
});

test("the API's own errors show at their fields: CNAME at the apex, duplicate record set, zone hosted twice", async ({ page }) => {
  await signUpByApi(page);
  const zone = await createZoneByApi(page);

  // Only the API knows a CNAME cannot sit at the apex: its 400 names the field "name".
  await page.goto(`/zones/${zone}/new`);
  await page.getByLabel('Name', { exact: true }).fill('@');
  await page.getByLabel('Type', { exact: true }).selectOption('CNAME');
  await page.getByLabel('Target').fill('elsewhere.example.net');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByLabel('Name', { exact: true })).toHaveAccessibleDescription(/a CNAME cannot be at the zone apex/);
  await expect(page.getByTestId('error-summary')).toContainText('Name: a CNAME cannot be at the zone apex');

  // An MX with a bad preference: the contract's check, at the right sub-field.
  await page.getByLabel('Name', { exact: true }).fill('@');
  await page.getByLabel('Type', { exact: true }).selectOption('MX');
  await page.getByLabel('Preference').fill('70000');
  await page.getByLabel('Mail exchange').fill(`mx.${zone}`);
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByLabel('Preference')).toHaveAccessibleDescription(/preference must be an integer from 0 to 65535/);
  await page.getByLabel('Preference').fill('10');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `${zone} MX` })).toBeVisible();

  // The same record set again: 409 from the API, shown in the summary.
  await page.goto(`/zones/${zone}/new`);
  await page.getByLabel('Name', { exact: true }).fill('@');
  await page.getByLabel('Type', { exact: true }).selectOption('MX');
  await page.getByLabel('Preference').fill('20');
  await page.getByLabel('Mail exchange').fill(`mx2.${zone}`);
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByTestId('error-summary')).toContainText(`record set ${zone} MX already exists`);

  // A zone that is hosted already.
  await page.goto('/zones');
  await page.getByLabel('Zone name').fill(zone);
  await page.getByRole('button', { name: 'Add zone' }).click();
  await expect(page.getByLabel('Zone name')).toHaveAccessibleDescription(/already/);
});

test('without the beta feature, saving failover is not offered and the API refuses it with its message', async ({ page }) => {
  await signUpByApi(page);
  const zone = await createZoneByApi(page);
  await page.goto(`/zones/${zone}/new`);
  await page.getByLabel('Name', { exact: true }).fill('www');
  await page.getByLabel('IPv4 address').fill('192.0.2.1');
  const failover = page.getByTestId('failover-section');
  await expect(failover.getByTestId('failover-beta')).toContainText('Failover is in beta');
  await expect(failover.getByRole('button', { name: 'Request access' })).toBeVisible();
  await expect(failover.getByLabel('Protocol')).toHaveCount(0);
  // The API says the same to an integrator who tries anyway.
  const r = await page.request.put(`/v2/zones/${zone}/api.${zone}/A`, {
    data: { resource_records: [{ content: ['192.0.2.1'] }], meta: { failover: { protocol: 'ICMP', frequency: 60, timeout: 5 } } },
  });
  expect(r.status()).toBe(403);
  expect((await r.json()).error).toContain('Request access');
  // Requesting from the editor shows the state until support decides.
  await failover.getByRole('button', { name: 'Request access' }).click();
  await expect(failover.getByTestId('feature-request-state')).toHaveText('pending');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `www.${zone} A` })).toBeVisible();
  await expect(page.getByTestId('failover-section').getByTestId('feature-request-state')).toHaveText('pending');
});
