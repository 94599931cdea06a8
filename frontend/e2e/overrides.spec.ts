// Overrides on the health page (issue 14): a customer with failover drains a server for
// maintenance from the panel and sees it leave the real DNS server's answers when the window
// starts and come back when it ends; the panel shows the window in UTC and in the browser's own
// zone (not UTC here); draining the last served address is refused with the API's message and
// can be forced; Undo brings the addresses back; the API's 400 lands at its field.
import { prerequisite, udpQuery } from '@vigil/stack';
import { Backends } from './backends';
import { env, expect, failoverZoneByApi, test } from './fixtures';

const A = '127.0.0.2';
const B = '127.0.0.3';
// A zone with a half-hour offset, so a time shown or sent in the wrong zone is seen (Chromium
// names it by its older alias, Asia/Calcutta, in the fields' labels).
const TZ = 'Asia/Kolkata';
test.use({ timezoneId: TZ });
// Generous deadlines: checks run every 10 s from two locations, then the aggregator decides.
const STATE_DEADLINE = 60_000;
const DNS_DEADLINE = 60_000;

/** `ms` as the browser's datetime-local value in TZ. */
const localValue = (ms: number) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  })
    .format(ms)
    .replace(' ', 'T');
/** `HH:mm:ss` of `ms` in TZ: how the panel's local time reads. */
const localClock = (ms: number) => localValue(ms).slice(11);
const utcText = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

interface Sample {
  sent: number;
  received: number;
  answers: string[];
}

/** Asks the DNS server for `name` A every 200 ms and keeps every answer with when it was asked and answered. */
function watchDns(name: string) {
  const samples: Sample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const sent = Date.now();
      try {
        const r = await udpQuery(env.dnsPort(), name, 'A', 2000);
        const answers = (r.answers ?? []).flatMap((a) => (a.type === 'A' ? [String(a.data)] : [])).sort();
        samples.push({ sent, received: Date.now(), answers });
      } catch {
        // A lost datagram: the next query asks again.
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    samples,
    last: () => samples.at(-1)?.answers,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

test('overrides: a maintenance window drains an address from DNS at its start and back at its end; the guard; undo', async ({ page }) => {
  const missing = env.dataPlaneMissing();
  test.skip(
    !prerequisite('the built data plane', missing ? `${missing} missing (npm run build -w workers)` : null),
    'the data plane is not built',
  );
  test.setTimeout(6 * 60_000);
  const zone = await failoverZoneByApi(page);
  const fqdn = `www.${zone}`;
  const backends = await Backends.start([A, B]);
  const dns = watchDns(fqdn);
  try {
    const put = await page.request.put(`/v2/zones/${zone}/${fqdn}/A`, {
      data: {
        ttl: 5,
        resource_records: [{ content: [A] }, { content: [B] }],
        meta: { failover: { protocol: 'HTTP', port: backends.port, frequency: 10, timeout: 2, url: '/health' } },
      },
    });
    expect(put.status(), await put.text()).toBe(201);

    await page.goto(`/zones/${zone}/${fqdn}/A/health`);
    const card = (address: string) => page.getByTestId(`address-${address}`);
    await expect(card(A).getByTestId('state')).toHaveText('available', { timeout: STATE_DEADLINE });
    await expect(card(B).getByTestId('state')).toHaveText('available', { timeout: STATE_DEADLINE });
    await expect(card(A).getByTestId('address-overrides')).toContainText('No override: health decides.');
    await expect.poll(dns.last, { timeout: DNS_DEADLINE }).toEqual([A, B]);
    const serving = page.getByTestId('serving');
    await expect(serving).toHaveText(`DNS answers now with: ${A}, ${B}`);

    // A maintenance window for A, drained, starting in a few seconds: set in the browser's time.
    await card(A)
      .getByRole('button', { name: `Schedule maintenance ${A}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Schedule maintenance: ${A}` });
    const start = Math.ceil((Date.now() + 15_000) / 1000) * 1000;
    const end = start + 30_000;
    const startsAt = dialog.getByLabel(/^Starts at \(your time, /);
    await startsAt.fill(localValue(start));
    await expect(dialog.getByText(`= ${utcText(start)}`)).toBeVisible();
    await dialog.getByLabel(/^Ends at \(your time, /).fill(localValue(end));
    await expect(dialog.getByRole('radio', { name: 'Once' })).toBeChecked();
    await expect(dialog.getByRole('checkbox', { name: /Also drain it/ })).toBeChecked();
    await dialog.getByLabel('Note (optional)').fill('kernel update');
    await dialog.getByRole('button', { name: 'Schedule maintenance' }).click();
    await expect(dialog).toBeHidden();

    // Listed with its times in UTC and in the browser's zone.
    const list = page.getByTestId('overrides');
    const row = list.getByRole('row').filter({ hasText: 'kernel update' });
    await expect(row).toContainText(A);
    await expect(row).toContainText('Maintenance, drained');
    await expect(row).toContainText(utcText(start));
    await expect(row).toContainText(localClock(start));
    await expect(row).toContainText(utcText(end));
    await expect(row).toContainText(localClock(end));

    // The window starts: A leaves the answers, and the panel says why and until when.
    await expect.poll(dns.last, { timeout: DNS_DEADLINE }).toEqual([B]);
    await expect(row).toContainText('active', { timeout: 15_000 });
    const stateOfA = card(A).getByTestId('override-state');
    await expect(stateOfA.filter({ hasText: 'drained' })).toContainText(`until ${utcText(end)}`);
    await expect(stateOfA.filter({ hasText: 'in maintenance' })).toContainText(`until ${utcText(end)}`);
    await expect(card(A).getByTestId('override-next')).toContainText(`Maintenance ends ${utcText(end)}`);
    await expect(serving).toHaveText(`DNS answers now with: ${B}`);

    // It ends: A comes back, and the window leaves the list.
    await expect.poll(dns.last, { timeout: DNS_DEADLINE }).toEqual([A, B]);
    await expect(card(A).getByTestId('address-overrides')).toContainText('No override: health decides.', { timeout: 15_000 });
    await expect(page.getByText('No overrides: health alone decides what is served.')).toBeVisible();

    // In that order, by the clock, from the first answer with both (before, the record set did not
    // exist yet): never drained before the window's start, only B while drained, back only after its end.
    const around = dns.samples.slice(dns.samples.findIndex((s) => s.answers.join() === [A, B].join()));
    const firstDrained = around.findIndex((s) => !s.answers.includes(A));
    expect(firstDrained).toBeGreaterThan(0);
    const backAt = firstDrained + around.slice(firstDrained).findIndex((s) => s.answers.includes(A));
    expect(backAt).toBeGreaterThan(firstDrained);
    for (const s of around.slice(firstDrained, backAt)) {
      expect(s.answers).toEqual([B]);
      expect(s.received).toBeGreaterThanOrEqual(start);
      expect(s.sent).toBeLessThan(end);
    }
    expect(around[backAt]!.answers).toEqual([A, B]);
    expect(around[backAt]!.received).toBeGreaterThanOrEqual(end);

    // The API's 400 at its field: a window that has already ended (the API's clock decides). With the keyboard.
    const openB = card(B).getByRole('button', { name: `Schedule maintenance ${B}` });
    await openB.focus();
    await page.keyboard.press('Enter');
    const dialogB = page.getByRole('dialog', { name: `Schedule maintenance: ${B}` });
    await expect(dialogB).toBeVisible();
    await dialogB.getByLabel(/^Starts at \(your time, /).fill(localValue(Date.now() - 2 * 3600_000));
    const endsB = dialogB.getByLabel(/^Ends at \(your time, /);
    await endsB.fill(localValue(Date.now() - 3600_000));
    await endsB.press('Enter');
    await expect(endsB).toHaveAttribute('aria-invalid', 'true');
    await expect(endsB).toHaveAccessibleDescription(/must be in the future/);
    await page.keyboard.press('Escape');
    await expect(dialogB).toBeHidden();
    await expect(openB).toBeFocused();

    // Drain A until undone: it leaves DNS.
    await card(A)
      .getByRole('button', { name: `Drain ${A}` })
      .click();
    const drainA = page.getByRole('dialog', { name: `Drain: ${A}` });
    await expect(drainA.getByRole('radio', { name: 'Until I undo it' })).toBeChecked();
    await drainA.getByRole('button', { name: 'Drain', exact: true }).click();
    await expect(drainA).toBeHidden();
    await expect(card(A).getByTestId('override-state')).toContainText('drained');
    await expect(card(A).getByTestId('override-state')).toContainText('until undone');
    await expect.poll(dns.last, { timeout: DNS_DEADLINE }).toEqual([B]);

    // Draining B too would leave nothing served: refused with the API's message, until forced.
    await card(B)
      .getByRole('button', { name: `Drain ${B}` })
      .click();
    const drainB = page.getByRole('dialog', { name: `Drain: ${B}` });
    await drainB.getByRole('button', { name: 'Drain', exact: true }).click();
    const refusal = drainB.getByRole('alert').filter({ hasText: 'Refused' });
    await expect(refusal).toContainText(`this would leave ${fqdn} A with no served address: every enabled record would be drained`);
    await expect(card(B).getByTestId('address-overrides')).toContainText('No override: health decides.');
    expect(dns.last()).toEqual([B]);
    await refusal.getByRole('button', { name: 'Do it anyway' }).click();
    await expect(drainB).toBeHidden();
    await expect(card(B).getByTestId('override-state')).toContainText('drained');
    await expect(serving).toContainText('nothing (every address is drained)');
    await expect.poll(dns.last, { timeout: DNS_DEADLINE }).toEqual([]);

    // Undo brings them back, one after the other.
    await list.getByRole('button', { name: `Undo drain of ${B}` }).click();
    await expect.poll(dns.last, { timeout: DNS_DEADLINE }).toEqual([B]);
    await list.getByRole('button', { name: `Undo drain of ${A}` }).click();
    await expect.poll(dns.last, { timeout: DNS_DEADLINE }).toEqual([A, B]);
    await expect(page.getByText('No overrides: health alone decides what is served.')).toBeVisible();
    await expect(serving).toHaveText(`DNS answers now with: ${A}, ${B}`);

    // Every field of the page and its dialogs is labelled.
    await card(A)
      .getByRole('button', { name: `Schedule maintenance ${A}` })
      .click();
    await page.getByRole('dialog').getByRole('radio', { name: 'Daily' }).check();
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input:not([type=hidden]):not([aria-hidden=true]), select, textarea:not([aria-hidden=true])')]
        .filter((el) => {
          const e = el as HTMLInputElement;
          const byFor = e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`);
          return !(byFor || e.closest('label') || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'));
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    expect(unlabelled).toEqual([]);
    await expect(page.getByRole('dialog').getByLabel(/^Last occurrence starts by \(your time, /)).toBeVisible();
  } finally {
    await dns.stop();
    await backends.stopAll();
  }
});

test('record set editor: a save that would leave only drained records is refused with the guard\'s message, then saved anyway', async ({ page }) => {
  const zone = await failoverZoneByApi(page);
  const path = `/v2/zones/${zone}/www.${zone}/A`;
  const created = await page.request.put(path, {
    data: { ttl: 60, resource_records: [{ content: [A] }, { content: [B] }], meta: { failover: { protocol: 'TCP', port: 80, frequency: 60, timeout: 5 } } },
  });
  expect(created.status(), await created.text()).toBe(201);
  expect((await page.request.post(`${path}/overrides`, { data: { address: A, action: 'drain' } })).status()).toBe(201);

  await page.goto(`/zones/${zone}/www.${zone}/A`);
  await page.getByRole('group', { name: 'Record 2' }).getByRole('switch', { name: 'Enabled' }).uncheck();
  await page.getByRole('button', { name: 'Save changes' }).click();
  const refusal = page.getByRole('alert').filter({ hasText: 'Refused' });
  await expect(refusal).toContainText(`this would leave www.${zone} A with no served address: every enabled record would be drained`);
  expect((await (await page.request.get(path)).json()).resource_records[1].enabled).toBe(true);
  await refusal.getByRole('button', { name: 'Do it anyway' }).click();
  await expect(refusal).toBeHidden();
  await expect.poll(async () => (await (await page.request.get(path)).json()).resource_records[1].enabled).toBe(false);
});
