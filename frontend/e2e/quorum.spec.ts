// A check's own quorum and probe sites (issue 14) in the record-set editor: bad values shown at
// their fields (the contract's reasons in the browser, the api's for a site it does not know),
// good ones saved as the API stores them and read back.
import { expect, failoverZoneByApi, newCheckedRecordSet, test } from './fixtures';

test('record set editor: quorum, probe sites and minimums, with their errors at their fields', async ({ page }) => {
  const zone = await failoverZoneByApi(page);

  const failover = await newCheckedRecordSet(page, zone, 'www', '192.0.2.1');
  await failover.getByLabel('Protocol').selectOption('TCP');
  await failover.getByLabel('Port').fill('443');
  await failover.getByLabel('Frequency (seconds)').fill('30');
  await failover.getByLabel('Timeout (seconds)').fill('5');

  // Refused in the browser, each at its field.
  await failover.getByLabel('Available at (share ok)').fill('0.5');
  await failover.getByLabel('Unavailable at (share failed)').fill('0.4');
  await failover.getByLabel('Probe sites').fill('e2e-1, e2e-1');
  await failover.getByLabel('Minimum fresh sites').fill('0');
  await failover.getByLabel('Minimum healthy').fill('2');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(failover.getByLabel('Available at (share ok)')).toHaveAccessibleDescription(/available plus unavailable must be more than 1 \(now 0.5 \+ 0.4\)/);
  await expect(failover.getByLabel('Probe sites')).toHaveAccessibleDescription(/duplicates locations\[0\]/);
  await expect(failover.getByLabel('Minimum fresh sites')).toHaveAccessibleDescription(/must be at least 1/);
  await expect(failover.getByLabel('Minimum healthy')).toHaveAccessibleDescription(/must be at most 1, the number of enabled records that are not backups/);

  // A site the api does not know: its 400 at the field, naming the known sites.
  await failover.getByLabel('Available at (share ok)').fill('0.6');
  await failover.getByLabel('Unavailable at (share failed)').fill('0.5');
  await failover.getByLabel('Probe sites').fill('e2e-1, nowhere-1');
  await failover.getByLabel('Minimum fresh sites').fill('2');
  await failover.getByLabel('Minimum healthy').fill('1');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(failover.getByLabel('Probe sites')).toHaveAccessibleDescription(/is not a known probe site; the known ones are e2e-1, e2e-2/);
  expect((await page.request.get(`/v2/zones/${zone}/www.${zone}/A`)).status()).toBe(404);

  await failover.getByLabel('Probe sites').fill('e2e-1, e2e-2');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `www.${zone} A` })).toBeVisible();
  const saved = await (await page.request.get(`/v2/zones/${zone}/www.${zone}/A`)).json();
  expect(saved.meta.failover).toMatchObject({
    quorum: { available: 0.6, unavailable: 0.5 },
    locations: ['e2e-1', 'e2e-2'],
    min_locations: 2,
    min_healthy: 1,
  });
  await page.reload();
  await expect(failover.getByLabel('Available at (share ok)')).toHaveValue('0.6');
  await expect(failover.getByLabel('Probe sites')).toHaveValue('e2e-1, e2e-2');
  await expect(failover.getByLabel('Minimum fresh sites')).toHaveValue('2');
});

test('health page: how the check decides, by its own rule or the defaults', async ({ page }) => {
  const zone = await failoverZoneByApi(page);
  const check = { protocol: 'TCP', port: 443, frequency: 30, timeout: 5 };
  const put = (name: string, failover: object) =>
    page.request.put(`/v2/zones/${zone}/${name}.${zone}/A`, {
      data: { ttl: 60, resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }], meta: { failover } },
    });
  const own = await put('own', { ...check, quorum: { available: 0.6, unavailable: 0.5 }, locations: ['e2e-1'], min_locations: 1, min_healthy: 2 });
  expect(own.status(), await own.text()).toBe(201);
  expect((await put('plain', check)).status()).toBe(201);

  await page.goto(`/zones/${zone}/own.${zone}/A/health`);
  const q = page.getByTestId('quorum');
  await expect(q.getByTestId('quorum-available')).toHaveText('at least 60 % of the fresh sites succeed');
  await expect(q.getByTestId('quorum-unavailable')).toHaveText('at least 50 % of them fail; in between the state stays');
  await expect(q.getByTestId('quorum-sites')).toHaveText('e2e-1 · checking now: e2e-1');
  await expect(q.getByTestId('quorum-min-healthy')).toContainText('2 addresses up');

  await page.goto(`/zones/${zone}/plain.${zone}/A/health`);
  await expect(q.getByTestId('quorum-available')).toHaveText('at least 85 % of the fresh sites succeed (the default)');
  await expect(q.getByTestId('quorum-sites')).toHaveText('every site · checking now: e2e-1, e2e-2');
  await expect(q.getByTestId('quorum-min-locations')).toHaveText('1 fresh site');
  await expect(page.getByTestId('address-192.0.2.1').getByTestId('fresh-locations')).toBeVisible();
});
