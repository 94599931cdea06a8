// "Check now" in the record-set editor: saving a record set with a check runs it at once from
// every probe location of the stack (e2e-1, e2e-2: real probe processes) against two local HTTP
// backends, one up and one down, and the editor shows each location's result per address; the
// button runs it again once the record set's interval has passed.
import { prerequisite } from '@vigil/stack';
import { Backends } from './backends';
import { env, expect, failoverZoneByApi, test } from './fixtures';

const UP = '127.0.0.2';
const DOWN = '127.0.0.3';
const LOCATIONS = ['e2e-1', 'e2e-2'];

test("check now: saving a check shows each location's result per address within seconds", async ({ page }) => {
  const missing = env.dataPlaneMissing();
  test.skip(
    !prerequisite('the built data plane', missing ? `${missing} missing (npm run build -w workers)` : null),
    'the data plane is not built',
  );
  const zone = await failoverZoneByApi(page);
  const backends = await Backends.start([UP, DOWN]);
  try {
    await backends.stop(DOWN);
    await page.goto(`/zones/${zone}/new`);
    await page.getByLabel('Name', { exact: true }).fill('app');
    await page.getByRole('group', { name: 'Record 1' }).getByLabel('IPv4 address').fill(UP);
    await page.getByRole('button', { name: 'Add record' }).click();
    await page.getByRole('group', { name: 'Record 2' }).getByLabel('IPv4 address').fill(DOWN);
    const failover = page.getByTestId('failover-section');
    await failover.getByRole('switch', { name: /Check the health of each address/ }).check();
    await failover.getByLabel('Protocol').selectOption('HTTP');
    await failover.getByLabel('Port').fill(String(backends.port));
    await failover.getByLabel('Frequency (seconds)').fill('60');
    await failover.getByLabel('Timeout (seconds)').fill('2');
    await failover.getByLabel('URL path').fill('/health');
    await page.getByRole('button', { name: 'Create record set' }).click();
    await expect(page.getByRole('heading', { level: 1, name: `app.${zone} A` })).toBeVisible();

    // The save ran the check from every location; the result is announced and tabulated.
    const checkNow = page.getByRole('region', { name: 'Check now' });
    const status = checkNow.getByRole('status');
    await expect(status).toHaveText(/^Checked from 2 of 2 locations: 2 of 4 checks did not pass\.$/, { timeout: 15_000 });
    const table = checkNow.getByRole('table', { name: 'Check now' });
    for (const location of LOCATIONS) {
      const up = table.getByRole('row').filter({ hasText: location }).filter({ hasText: UP });
      await expect(up.getByRole('cell').nth(2)).toHaveText('ok');
      await expect(up.getByRole('cell').nth(3)).toHaveText(/^\d+ ms$/);
      const down = table.getByRole('row').filter({ hasText: location }).filter({ hasText: DOWN });
      await expect(down.getByRole('cell').nth(2)).toHaveText('failed');
      await expect(down.getByRole('cell').nth(4)).toHaveText('connection refused');
    }

    // The backend comes back; the button runs the check again (the api allows one run per record
    // set every 10 s: until then it says so, and the results shown stay the last ones).
    await backends.restart(DOWN);
    await expect(async () => {
      await checkNow.getByRole('button', { name: 'Check now' }).click();
      await expect(status).toHaveText('Checked from 2 of 2 locations: every check passed.', { timeout: 5000 });
    }).toPass({ timeout: 30_000, intervals: [2000] });
    for (const location of LOCATIONS) {
      const down = table.getByRole('row').filter({ hasText: location }).filter({ hasText: DOWN });
      await expect(down.getByRole('cell').nth(2)).toHaveText('ok');
    }
  } finally {
    await backends.stopAll();
  }
});
