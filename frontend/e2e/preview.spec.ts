// The pickers in the editor and the preview of what the real DNS server answers a client at a
// place: records in Paris, New York and Tokyo, nearest first; the Paris one dies and Paris gets
// the next nearest. And pickers an API client made (ip, asn, default) survive a save in the panel.
import type { Page } from '@playwright/test';
import { Backends } from './backends';
import { createZoneByApi, env, expect, failoverZoneByApi, signUpByApi, test } from './fixtures';

const PARIS = '127.0.0.2';
const NEW_YORK = '127.0.0.3';
const TOKYO = '127.0.0.4';

const rec = (page: Page, n: number) => page.getByRole('group', { name: `Record ${n}` });

/** Asks the preview from a place until it answers `address` (the DNS server follows saves and health within moments). */
async function expectAnswerFrom(page: Page, place: string, address: string, timeout = 15_000) {
  const preview = page.getByRole('region', { name: 'Preview' });
  await preview.getByLabel('From').selectOption({ label: place });
  await expect(async () => {
    await preview.getByRole('button', { name: 'Ask again' }).click();
    await expect(preview.getByTestId('preview-answer')).toContainText(`From ${place} (`, { timeout: 2000 });
    await expect(preview.getByTestId('preview-address')).toHaveText([address], { timeout: 2000 });
  }).toPass({ timeout });
}

test('nearest first: the preview from Paris answers the Paris address, from Tokyo the Tokyo one, and Paris the next nearest once its own is down', async ({
  page,
}) => {
  const missing = env.dataPlaneMissing();
  if (missing) throw new Error(`the preview needs the built data plane: ${missing} missing (npm run build -w workers)`);
  test.setTimeout(4 * 60_000);
  const zone = await failoverZoneByApi(page);
  const backends = await Backends.start([PARIS, NEW_YORK, TOKYO]);
  try {
    await page.goto(`/zones/${zone}/new`);
    await page.getByLabel('Name', { exact: true }).fill('near');
    await page.getByLabel('Type', { exact: true }).selectOption('A');
    for (const [i, ip] of [PARIS, NEW_YORK, TOKYO].entries()) {
      if (i > 0) await page.getByRole('button', { name: 'Add record' }).click();
      await rec(page, i + 1)
        .getByLabel('IPv4 address')
        .fill(ip);
    }
    // Nearest first, answering with the nearest alone.
    await page.getByLabel('Add a picker').selectOption({ label: 'Nearest first' });
    const nearest = page.getByRole('group', { name: 'Picker Nearest first' });
    await nearest.getByLabel('At most this many records (optional)').fill('1');
    // Each record's place: typed for Paris, a bad latitude first; from the list for the others.
    await rec(page, 1).getByLabel('Latitude').fill('148.8566');
    await rec(page, 1).getByLabel('Longitude').fill('2.3522');
    await rec(page, 2).getByLabel('Or a place').selectOption({ label: 'New York' });
    await rec(page, 3).getByLabel('Or a place').selectOption({ label: 'Tokyo' });
    await expect(rec(page, 3).getByLabel('Latitude')).toHaveValue('35.6764');
    const failover = page.getByTestId('failover-section');
    await failover.getByRole('switch', { name: /Check the health of each address/ }).check();
    await failover.getByLabel('Protocol').selectOption('HTTP');
    await failover.getByLabel('Port').fill(String(backends.port));
    await failover.getByLabel('Frequency (seconds)').fill('10');
    await failover.getByLabel('Timeout (seconds)').fill('2');
    await failover.getByLabel('URL path').fill('/health');
    await page.getByRole('button', { name: 'Create record set' }).click();
    await expect(rec(page, 1).getByLabel('Latitude')).toHaveAccessibleDescription(/must be from -90 to 90/);
    await rec(page, 1).getByLabel('Latitude').fill('48.8566');
    await page.getByRole('button', { name: 'Create record set' }).click();
    await expect(page.getByRole('heading', { level: 1, name: `near.${zone} A` })).toBeVisible();

    const stored = await (await page.request.get(`/v2/zones/${zone}/near.${zone}/A`)).json();
    expect(stored.pickers).toEqual([{ type: 'geodistance', limit: 1 }]);
    expect(stored.resource_records.map((r: { meta: { latlong: number[] } }) => r.meta.latlong)).toEqual([
      [48.8566, 2.3522],
      [40.7128, -74.006],
      [35.6764, 139.65],
    ]);

    await expectAnswerFrom(page, 'Paris', PARIS);
    await expectAnswerFrom(page, 'Tokyo', TOKYO);
    await expectAnswerFrom(page, 'New York', NEW_YORK);
    // An address of one's own: one that is no address is refused at the field.
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByLabel('From').selectOption({ label: 'Another client address…' });
    await preview.getByLabel('Client address').fill('10.1.2.3');
    await preview.getByRole('button', { name: 'Ask', exact: true }).click();
    await expect(preview.getByLabel('Client address')).toHaveAccessibleDescription(/must be a public address/);

    // The Paris backend dies: once the probes find it down, Paris gets the next nearest, New York.
    await backends.stop(PARIS);
    await expectAnswerFrom(page, 'Paris', NEW_YORK, 90_000);
    await expectAnswerFrom(page, 'Tokyo', TOKYO);
  } finally {
    await backends.stopAll();
  }
});

test('ip, asn and default pickers made through the API, with their record meta, are kept by a save in the panel', async ({ page }) => {
  await signUpByApi(page);
  const zone = await createZoneByApi(page);
  const body = {
    ttl: 300,
    resource_records: [
      { content: ['192.0.2.1'], enabled: true, meta: { ip: ['198.51.100.0/24', '2001:db8::/32'], notes: 'office' } },
      { content: ['192.0.2.2'], enabled: true, meta: { asn: [64496, 13335], cidr_labels: { eu: 1 } } },
      { content: ['192.0.2.3'], enabled: true, meta: { default: true, fallback: true } },
    ],
    pickers: [
      { type: 'ip', strict: false },
      { type: 'asn', limit: 0 },
      { type: 'default', strict: true, limit: 1 },
    ],
  };
  const put = await page.request.put(`/v2/zones/${zone}/api.${zone}/A`, { data: body });
  expect(put.status(), await put.text()).toBe(201);

  await page.goto(`/zones/${zone}/api.${zone}/A`);
  // The panel shows them in order, with what each reads of the records.
  await expect(page.getByRole('group', { name: /^Picker / })).toHaveCount(3);
  await expect(page.getByRole('group', { name: 'Picker By client network' })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Picker Default records' }).getByLabel(/Strict/)).toBeChecked();
  await expect(rec(page, 1).getByLabel('Client networks')).toHaveValue('198.51.100.0/24, 2001:db8::/32');
  await expect(rec(page, 2).getByLabel('AS numbers')).toHaveValue('64496, 13335');
  await expect(rec(page, 3).getByLabel(/Default record/)).toBeChecked();

  await page.getByLabel('TTL (seconds)').fill('120');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText(`api.${zone} A is saved.`)).toBeVisible();
  const saved = await (await page.request.get(`/v2/zones/${zone}/api.${zone}/A`)).json();
  expect(saved.ttl).toBe(120);
  expect(saved.pickers).toEqual(body.pickers);
  expect(saved.resource_records.map((r: { content: string[]; meta: unknown }) => ({ content: r.content, meta: r.meta }))).toEqual(
    body.resource_records.map((r) => ({ content: r.content, meta: r.meta })),
  );

  // Reordered and one removed in the panel: saved as shown.
  await page.getByRole('button', { name: 'Move By AS number up' }).click();
  await page.getByRole('button', { name: 'Remove Default records' }).click();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect
    .poll(async () => (await (await page.request.get(`/v2/zones/${zone}/api.${zone}/A`)).json()).pickers)
    .toEqual([
      { type: 'asn', limit: 0 },
      { type: 'ip', strict: false },
    ]);
});

test("geodistance's rtt switch: refused without a health check at its field, saved with one and read back", async ({ page }) => {
  const zone = await failoverZoneByApi(page);
  const body = {
    ttl: 60,
    resource_records: [
      { content: ['192.0.2.1'], meta: { latlong: [48.86, 2.35] } },
      { content: ['192.0.2.2'], meta: { latlong: [35.68, 139.69] } },
    ],
    pickers: [{ type: 'geodistance' }],
  };
  const put = await page.request.put(`/v2/zones/${zone}/near.${zone}/A`, { data: body });
  expect(put.status(), await put.text()).toBe(201);

  await page.goto(`/zones/${zone}/near.${zone}/A`);
  const geo = page.getByRole('group', { name: 'Picker Nearest first' });
  const rtt = geo.getByRole('checkbox', { name: /By measured speed/ });
  await expect(rtt).not.toBeChecked();
  await rtt.check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(rtt).toHaveAccessibleDescription(/needs a failover check \(meta.failover\): its probes measure the RTT/);

  const failover = page.getByTestId('failover-section');
  await failover.getByRole('switch', { name: /Check the health/ }).check();
  await failover.getByLabel('Protocol').selectOption('TCP');
  await failover.getByLabel('Port').fill('443');
  await failover.getByLabel('Frequency (seconds)').fill('30');
  await failover.getByLabel('Timeout (seconds)').fill('5');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText(`near.${zone} A is saved.`)).toBeVisible();
  expect((await (await page.request.get(`/v2/zones/${zone}/near.${zone}/A`)).json()).pickers).toEqual([{ type: 'geodistance', rtt: true }]);
  await page.reload();
  await expect(rtt).toBeChecked();
});
