// The richer checks (issue 14) in the record-set editor: a DNS check, and HTTPS with headers, a
// status list, an inverted match, a response-time threshold and a certificate expiry warning;
// bad values shown at their fields, good ones saved as the API stores them.
import { expect, failoverZoneByApi, newCheckedRecordSet, test } from './fixtures';

test('record set editor: a DNS check and the new HTTP fields, with their errors at their fields', async ({ page }) => {
  const zone = await failoverZoneByApi(page);

  // A DNS check: a bad query name is shown at its field, then fixed and saved.
  const failover = await newCheckedRecordSet(page, zone, 'ns', '192.0.2.53');
  await failover.getByLabel('Protocol').selectOption('DNS');
  await failover.getByLabel('Frequency (seconds)').fill('30');
  await failover.getByLabel('Timeout (seconds)').fill('5');
  await failover.getByLabel('Query name').fill('bad..name');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(failover.getByLabel('Query name')).toHaveAccessibleDescription(/must be a domain name: must not contain an empty label/);
  await failover.getByLabel('Query name').fill(`www.${zone}`);
  await failover.getByLabel('Query type').selectOption('AAAA');
  await failover.getByLabel('Sent over').selectOption('tcp');
  await failover.getByLabel('Expected answer').fill('2001:db8::1');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `ns.${zone} A` })).toBeVisible();
  const dns = await (await page.request.get(`/v2/zones/${zone}/ns.${zone}/A`)).json();
  expect(dns.meta.failover).toEqual({
    protocol: 'DNS',
    frequency: 30,
    timeout: 5,
    port: 53,
    dns: { name: `www.${zone}`, type: 'AAAA', transport: 'tcp', rcode: 'NOERROR', answer: '2001:db8::1' },
  });

  // HTTPS: a Host header, a bad status range and a threshold not below the timeout are refused at their fields.
  await newCheckedRecordSet(page, zone, 'web', '192.0.2.80');
  await failover.getByLabel('Protocol').selectOption('HTTPS');
  await failover.getByLabel('Frequency (seconds)').fill('30');
  await failover.getByLabel('Timeout (seconds)').fill('5');
  await failover.getByLabel('Request headers').fill('Host: other.example');
  await failover.getByLabel('Expected status').fill('299-200');
  await failover.getByLabel('Max response (ms)').fill('5000');
  await failover.getByLabel('Certificate expiry warning (days)').fill('400');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(failover.getByLabel('Request headers')).toHaveAccessibleDescription(/host sets the Host header/);
  await expect(failover.getByLabel('Expected status')).toHaveAccessibleDescription(/must be from 100 to 599/);
  await expect(failover.getByLabel('Max response (ms)')).toHaveAccessibleDescription(/must be less than the timeout \(5000 ms\)/);
  await expect(failover.getByLabel('Certificate expiry warning (days)')).toHaveAccessibleDescription(/must be at most 365 days/);
  expect((await page.request.get(`/v2/zones/${zone}/web.${zone}/A`)).status()).toBe(404);

  // Fixed, it saves, and the editor reads it back.
  await failover.getByLabel('Request headers').fill('X-Health-Token: s3cret');
  await failover.getByLabel('Expected status').fill('200-299, 301');
  await failover.getByLabel('Body must match (regular expression)').fill('maintenance');
  await failover.getByLabel(/^Invert/).check();
  await failover.getByLabel('Max response (ms)').fill('800');
  await failover.getByLabel('Certificate expiry warning (days)').fill('14');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `web.${zone} A` })).toBeVisible();
  const web = await (await page.request.get(`/v2/zones/${zone}/web.${zone}/A`)).json();
  expect(web.meta.failover).toMatchObject({
    protocol: 'HTTPS',
    headers: { 'X-Health-Token': 's3cret' },
    http_status_codes: ['200-299', 301],
    http_status_code: null,
    regexp: 'maintenance',
    regexp_invert: true,
    max_response_ms: 800,
    cert_expiry_days: 14,
  });
  await page.reload();
  await expect(failover.getByLabel('Expected status')).toHaveValue('200-299, 301');
  await expect(failover.getByLabel('Request headers')).toHaveValue('X-Health-Token: s3cret');
  await expect(failover.getByLabel('Body must NOT match (regular expression)')).toHaveValue('maintenance');
});
