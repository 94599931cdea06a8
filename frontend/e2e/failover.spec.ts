// The whole story, through the panel: a customer asks for failover, support grants it, the
// customer puts a failover A record set over two local HTTP backends and a backup one, and the
// panel and the DNS server follow backends going down and coming back.
import { prerequisite } from '@vigil/stack';
import { Backends } from './backends';
import { digA, env, expect, newSupportPage, PASSWORD, test, uniq } from './fixtures';

const A = '127.0.0.2';
const B = '127.0.0.3';
/** A backup record: served only once A and B are both down. */
const C = '127.0.0.4';
// Generous deadlines: checks run every 10 s from two locations, then the aggregator decides.
const STATE_DEADLINE = 60_000;

test('failover: request, grant, health checks, DNS answers follow a backend down and up', async ({ page, browser }) => {
  const missing = env.dataPlaneMissing();
  test.skip(
    !prerequisite('the built data plane', missing ? `${missing} missing (npm run build -w workers)` : null),
    'the data plane is not built',
  );
  test.setTimeout(6 * 60_000);

  const backends = await Backends.start([A, B, C]);
  try {
    // A customer signs up in the panel.
    const email = `${uniq('failover')}@example.com`;
    await page.goto('/signup');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Zones' })).toBeVisible();

    // ... and asks for the failover beta.
    await page.getByRole('link', { name: 'Beta features' }).click();
    await expect(page.getByTestId('failover-beta')).toContainText('Failover is in beta');
    await page.getByLabel('Message to support (optional)').fill('Failover for our shop, please.');
    await page.getByRole('button', { name: 'Request access' }).click();
    await expect(page.getByTestId('feature-request-state')).toHaveText('pending');

    // Support, in another browser context, sees the request and grants it.
    const support = await newSupportPage(browser);
    const row = support.getByTestId(`request-${email}`);
    await expect(row).toContainText('Failover for our shop, please.');
    await row.getByRole('button', { name: `Grant failover to ${email}` }).click();
    await expect(support.getByTestId(`request-${email}`)).toHaveCount(0);
    await expect(support.getByTestId(`account-${email}`).getByRole('switch', { name: `Failover for ${email}` })).toBeChecked();
    await support.context().close();

    // The customer sees the feature enabled.
    await page.reload();
    await expect(page.getByRole('region', { name: 'Failover' }).getByText('enabled', { exact: true })).toBeVisible();

    // A zone...
    const zone = `${uniq('shop')}.test`;
    await page.getByRole('link', { name: 'Zones' }).click();
    await page.getByLabel('Zone name').fill(zone);
    await page.getByRole('button', { name: 'Add zone' }).click();
    await expect(page.getByRole('heading', { level: 1, name: zone })).toBeVisible();

    // ... and a failover A record set over both backends, checked over HTTP every 10 s.
    await page.getByRole('link', { name: 'Add record set' }).click();
    await page.getByLabel('Name', { exact: true }).fill('www');
    await page.getByLabel('Type', { exact: true }).selectOption('A');
    await page.getByLabel('TTL (seconds)').fill('5');
    await page.getByRole('group', { name: 'Record 1' }).getByLabel('IPv4 address').fill(A);
    await page.getByRole('button', { name: 'Add record' }).click();
    await page.getByRole('group', { name: 'Record 2' }).getByLabel('IPv4 address').fill(B);
    await page.getByRole('button', { name: 'Add record' }).click();
    await page.getByRole('group', { name: 'Record 3' }).getByLabel('IPv4 address').fill(C);
    const failover = page.getByTestId('failover-section');
    await failover.getByRole('switch', { name: /Check the health of each address/ }).check();
    await page
      .getByRole('group', { name: 'Record 3' })
      .getByRole('switch', { name: /Backup/ })
      .check();
    await failover.getByLabel('Protocol').selectOption('HTTP');
    await failover.getByLabel('Port').fill(String(backends.port));
    await failover.getByLabel('Frequency (seconds)').fill('10');
    await failover.getByLabel('Timeout (seconds)').fill('2');
    await failover.getByLabel('URL path').fill('/health');
    await page.getByRole('button', { name: 'Create record set' }).click();
    await expect(page.getByRole('heading', { level: 1, name: `www.${zone} A` })).toBeVisible();

    // The zone page lists it with its failover check.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: zone, exact: true }).click();
    const listed = page.getByTestId(`rrset-www.${zone}-A`);
    await expect(listed).toContainText(A);
    await expect(listed).toContainText(B);
    await expect(listed).toContainText(C);
    await expect(listed).toContainText(`HTTP :${backends.port}/health`);
    await expect(listed).toContainText('every 10 s');

    // Live health: both addresses become available, without reloading the page.
    await listed.getByRole('link', { name: `Health of www.${zone} A` }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(`www.${zone}`);
    const state = (address: string) => page.getByTestId(`address-${address}`).getByTestId('state');
    await expect(state(A)).toHaveText('available', { timeout: STATE_DEADLINE });
    await expect(state(B)).toHaveText('available', { timeout: STATE_DEADLINE });
    await expect(state(C)).toHaveText('available', { timeout: STATE_DEADLINE });
    await expect(page.getByTestId(`address-${A}`).getByTestId('location-e2e-1')).toContainText('ok');
    await expect(page.getByTestId(`address-${A}`).getByTestId('location-e2e-2')).toContainText('ok');
    await expect.poll(() => digA(`www.${zone}`), { timeout: 30_000 }).toEqual([A, B]);

    // One backend stops: the panel shows it unavailable and DNS leaves it out.
    await backends.stop(B);
    await expect(state(B)).toHaveText('unavailable', { timeout: STATE_DEADLINE });
    await expect(state(A)).toHaveText('available');
    await expect(page.getByTestId(`address-${B}`)).toContainText('failed');
    await expect.poll(() => digA(`www.${zone}`), { timeout: 30_000 }).toEqual([A]);

    // It comes back: available again, in the panel and in DNS.
    await backends.restart(B);
    await expect(state(B)).toHaveText('available', { timeout: STATE_DEADLINE });
    await expect.poll(() => digA(`www.${zone}`), { timeout: 30_000 }).toEqual([A, B]);

    // The history shows the transitions of B.
    const history = page.getByTestId('health-events');
    const rowsOfB = (became: string) =>
      history
        .getByRole('row')
        .filter({ hasText: B })
        .filter({ has: page.getByTestId('state').getByText(became, { exact: true }) });
    await expect(rowsOfB('unavailable')).toHaveCount(1, { timeout: 15_000 });
    await expect(rowsOfB('available')).toHaveCount(2);

    // Both primaries down: DNS answers with the backup, healthy all along but never served till now.
    await backends.stop(A);
    await backends.stop(B);
    await expect(state(A)).toHaveText('unavailable', { timeout: STATE_DEADLINE });
    await expect(state(B)).toHaveText('unavailable', { timeout: STATE_DEADLINE });
    await expect.poll(() => digA(`www.${zone}`), { timeout: 30_000 }).toEqual([C]);
    await backends.restart(A);
    await backends.restart(B);
    await expect(state(A)).toHaveText('available', { timeout: STATE_DEADLINE });
    await expect(state(B)).toHaveText('available', { timeout: STATE_DEADLINE });
    await expect.poll(() => digA(`www.${zone}`), { timeout: 30_000 }).toEqual([A, B]);

    // The zone page sums the live state up.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: zone, exact: true }).click();
    await expect(page.getByTestId(`rrset-www.${zone}-A`).getByTestId('failover-state')).toHaveText('3 up');
  } finally {
    await backends.stopAll();
  }
});
