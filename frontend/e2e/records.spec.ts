// The editor of every record type and balancing option, checked against what the API stored.
import type { Page } from '@playwright/test';
import { createZoneByApi, expect, signUpByApi, test } from './fixtures';

async function newRrset(page: Page, zone: string, name: string, type: string) {
  await page.goto(`/zones/${zone}/new`);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Type', { exact: true }).selectOption(type);
}

async function create(page: Page, zone: string, full: string, type: string) {
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `${full} ${type}` })).toBeVisible();
  const r = await page.request.get(`/v2/zones/${zone}/${full}/${type}`);
  expect(r.status()).toBe(200);
  return r.json();
}

const rec = (page: Page, n: number) => page.getByRole('group', { name: `Record ${n}` });

test('every record type has its editor, and the zone page lists the values', async ({ page }) => {
  await signUpByApi(page);
  const zone = await createZoneByApi(page);

  await newRrset(page, zone, '@', 'MX');
  await rec(page, 1).getByLabel('Preference').fill('10');
  await rec(page, 1).getByLabel('Mail exchange').fill(`mx1.${zone}`);
  await page.getByRole('button', { name: 'Add record' }).click();
  await rec(page, 2).getByLabel('Preference').fill('20');
  await rec(page, 2).getByLabel('Mail exchange').fill(`MX2.${zone}.`);
  let body = await create(page, zone, zone, 'MX');
  expect(body.resource_records.map((r: { content: unknown[] }) => r.content)).toEqual([
    [10, `mx1.${zone}`],
    // Names come back as sent (Gcore's clients compare what they read with what they wrote).
    [20, `MX2.${zone}.`],
  ]);

  await newRrset(page, zone, '@', 'TXT');
  await rec(page, 1).getByLabel('Text').fill('v=spf1 mx -all');
  await rec(page, 1).getByRole('button', { name: 'Add a string' }).click();
  await rec(page, 1).getByLabel('Text 2', { exact: true }).fill('second string');
  body = await create(page, zone, zone, 'TXT');
  expect(body.resource_records[0].content).toEqual(['v=spf1 mx -all', 'second string']);

  await newRrset(page, zone, '_sip._tcp', 'SRV');
  await rec(page, 1).getByLabel('Priority').fill('10');
  await rec(page, 1).getByLabel('Weight').fill('5');
  await rec(page, 1).getByLabel('Port').fill('5060');
  await rec(page, 1).getByLabel('Target').fill(`sip.${zone}`);
  body = await create(page, zone, `_sip._tcp.${zone}`, 'SRV');
  expect(body.resource_records[0].content).toEqual([10, 5, 5060, `sip.${zone}`]);

  await newRrset(page, zone, '@', 'CAA');
  await rec(page, 1).getByLabel('Flags').fill('0');
  await rec(page, 1).getByLabel('Tag').fill('issue');
  await rec(page, 1).getByLabel('Value').fill('letsencrypt.org');
  body = await create(page, zone, zone, 'CAA');
  expect(body.resource_records[0].content).toEqual([0, 'issue', 'letsencrypt.org']);

  await newRrset(page, zone, 'cdn', 'CNAME');
  await rec(page, 1).getByLabel('Target').fill('shop.cdn.example.net');
  // A CNAME holds one record: no second one can be added.
  await expect(page.getByRole('button', { name: 'Add record' })).toBeDisabled();
  body = await create(page, zone, `cdn.${zone}`, 'CNAME');
  expect(body.resource_records[0].content).toEqual(['shop.cdn.example.net']);

  await newRrset(page, zone, 'sub', 'NS');
  await rec(page, 1).getByLabel('Name server').fill('ns1.example.net');
  body = await create(page, zone, `sub.${zone}`, 'NS');
  expect(body.resource_records[0].content).toEqual(['ns1.example.net']);

  await newRrset(page, zone, 'v6', 'AAAA');
  await rec(page, 1).getByLabel('IPv6 address').fill('2001:DB8:0:0::10');
  body = await create(page, zone, `v6.${zone}`, 'AAAA');
  expect(body.resource_records[0].content).toEqual(['2001:db8::10']);

  await newRrset(page, zone, '@', 'HTTPS');
  await rec(page, 1).getByLabel('Priority').fill('1');
  await rec(page, 1).getByLabel('Target').fill('.');
  await rec(page, 1).getByRole('button', { name: 'Add a parameter' }).click();
  await rec(page, 1).getByLabel('Parameter 1', { exact: true }).fill('port=99999');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(rec(page, 1).getByText('port: takes one port, an integer from 0 to 65535')).toBeVisible();
  await rec(page, 1).getByLabel('Parameter 1', { exact: true }).fill('port=8443');
  await rec(page, 1).getByRole('button', { name: 'Add a parameter' }).click();
  await rec(page, 1).getByLabel('Parameter 2', { exact: true }).fill('alpn=h3,h2');
  body = await create(page, zone, zone, 'HTTPS');
  expect(body.resource_records[0].content).toEqual([1, '.', ['alpn', 'h3', 'h2'], ['port', 8443]]);

  await page.goto(`/zones/${zone}`);
  const row = (name: string, type: string) => page.getByTestId(`rrset-${name}-${type}`);
  await expect(row(zone, 'HTTPS')).toContainText('1 . alpn=h3,h2 port=8443');
  await expect(row(zone, 'MX')).toContainText(`10 mx1.${zone}`);
  await expect(row(zone, 'TXT')).toContainText('"v=spf1 mx -all" "second string"');
  await expect(row(`_sip._tcp.${zone}`, 'SRV')).toContainText(`10 5 5060 sip.${zone}`);
  await expect(row(zone, 'CAA')).toContainText('0 issue "letsencrypt.org"');
  await expect(row(`cdn.${zone}`, 'CNAME')).toContainText('shop.cdn.example.net');
  await expect(row(`v6.${zone}`, 'AAAA')).toContainText('2001:db8::10');
  await expect(row(zone, 'NS')).toContainText('ns1.vigil.localhost');

  // Editing: remove a record and change the TTL.
  await row(zone, 'MX')
    .getByRole('link', { name: `Edit ${zone} MX` })
    .click();
  await expect(rec(page, 2).getByLabel('Mail exchange')).toHaveValue(`MX2.${zone}.`);
  await rec(page, 1).getByRole('button', { name: 'Remove record 1' }).click();
  await page.getByLabel('TTL (seconds)').fill('600');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('group', { name: 'Record 2' })).toHaveCount(0);
  await expect(rec(page, 1).getByLabel('Mail exchange')).toHaveValue(`MX2.${zone}.`);
  body = await (await page.request.get(`/v2/zones/${zone}/${zone}/MX`)).json();
  expect(body.ttl).toBe(600);
  expect(body.resource_records).toHaveLength(1);

  // Deleting a record set from the zone page asks first.
  await page.goto(`/zones/${zone}`);
  await row(`cdn.${zone}`, 'CNAME')
    .getByRole('button', { name: `Delete cdn.${zone} CNAME` })
    .click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete record set' }).click();
  await expect(row(`cdn.${zone}`, 'CNAME')).toHaveCount(0);
  // The apex NS belongs to the zone: it has no delete button.
  await expect(row(zone, 'NS').getByRole('button', { name: /Delete/ })).toHaveCount(0);
});

test('balancing: geo with countries, continents and a default record; weighted; first N; disabled records', async ({ page }) => {
  await signUpByApi(page);
  const zone = await createZoneByApi(page);

  // Geo, strict, at most one answer.
  await newRrset(page, zone, 'geo', 'A');
  await rec(page, 1).getByLabel('IPv4 address').fill('192.0.2.10');
  await page.getByRole('button', { name: 'Add record' }).click();
  await rec(page, 2).getByLabel('IPv4 address').fill('198.51.100.20');
  await page.getByLabel('Add a picker').selectOption({ label: 'Geo (country, continent)' });
  const geo = page.getByRole('group', { name: 'Picker Geo (country, continent)' });
  // The pickers filter as one types; an option is picked by click or with the keyboard.
  await rec(page, 1).getByLabel('Countries').fill('fra');
  await page.getByRole('option', { name: 'FR — France' }).click();
  await rec(page, 1).getByLabel('Countries').fill('DE');
  await page.getByRole('option', { name: 'DE — Germany' }).click();
  await page.keyboard.press('Escape');
  await rec(page, 1).getByLabel('Continents').fill('Euro');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await rec(page, 2)
    .getByLabel(/Default record/)
    .check();
  await geo.getByLabel(/Strict: answer nothing/).check();
  await page.getByLabel('Add a picker').selectOption({ label: 'First N' });
  await page.getByRole('group', { name: 'Picker First N' }).getByLabel('Number of records (N)').fill('1');
  let body = await create(page, zone, `geo.${zone}`, 'A');
  expect(body.pickers).toEqual([
    { type: 'geodns', strict: true },
    { type: 'first_n', limit: 1 },
  ]);
  expect(body.resource_records[0].meta).toEqual({ countries: ['FR', 'DE'], continents: ['eu'] });
  expect(body.resource_records[1].meta).toEqual({ default: true });
  // Loaded back into the editor as it was saved.
  await page.reload();
  await expect(page.getByRole('group', { name: 'Picker Geo (country, continent)' }).getByLabel(/Strict/)).toBeChecked();
  await expect(rec(page, 2).getByLabel(/Default record/)).toBeChecked();
  await expect(page.getByRole('group', { name: 'Picker First N' }).getByLabel('Number of records (N)')).toHaveValue('1');

  // Weighted, with a weight out of range first.
  await newRrset(page, zone, 'weighted', 'A');
  await rec(page, 1).getByLabel('IPv4 address').fill('192.0.2.1');
  await page.getByRole('button', { name: 'Add record' }).click();
  await rec(page, 2).getByLabel('IPv4 address').fill('192.0.2.2');
  await page.getByLabel('Add a picker').selectOption({ label: 'Weighted' });
  await rec(page, 1).getByLabel('Weight').fill('70000');
  await rec(page, 2).getByLabel('Weight').fill('1');
  await page.getByRole('button', { name: 'Create record set' }).click();
  await expect(rec(page, 1).getByLabel('Weight')).toHaveAccessibleDescription(/must be from 0 to 65535/);
  await rec(page, 1).getByLabel('Weight').fill('3');
  body = await create(page, zone, `weighted.${zone}`, 'A');
  expect(body.pickers).toEqual([{ type: 'weighted_shuffle' }]);
  expect(body.resource_records.map((r: { meta: { weight: number } }) => r.meta.weight)).toEqual([3, 1]);

  // First N, with a record switched off.
  await newRrset(page, zone, 'first', 'A');
  for (const [i, ip] of ['192.0.2.1', '192.0.2.2', '192.0.2.3'].entries()) {
    if (i > 0) await page.getByRole('button', { name: 'Add record' }).click();
    await rec(page, i + 1)
      .getByLabel('IPv4 address')
      .fill(ip);
  }
  await rec(page, 3).getByRole('switch', { name: 'Enabled' }).uncheck();
  await page.getByLabel('Add a picker').selectOption({ label: 'First N' });
  await page.getByRole('button', { name: 'Create record set' }).click();
  // N is required for "first N".
  await expect(page.getByLabel('Number of records (N)')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Number of records (N)').fill('2');
  body = await create(page, zone, `first.${zone}`, 'A');
  expect(body.pickers).toEqual([{ type: 'first_n', limit: 2 }]);
  expect(body.resource_records.map((r: { enabled: boolean }) => r.enabled)).toEqual([true, true, false]);

  await page.goto(`/zones/${zone}`);
  await expect(page.getByTestId(`rrset-geo.${zone}-A`)).toContainText('Geo (strict) → First 1');
  await expect(page.getByTestId(`rrset-weighted.${zone}-A`)).toContainText('Weighted');
  await expect(page.getByTestId(`rrset-first.${zone}-A`)).toContainText('First 2');
  await expect(page.getByTestId(`rrset-first.${zone}-A`)).toContainText('192.0.2.3 (disabled)');
});
