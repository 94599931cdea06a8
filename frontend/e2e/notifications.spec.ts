// Notification channels: an owner adds a webhook (pointing at a real receiver this test starts on
// loopback) and an e-mail channel (the stack's api mails a real SMTP server, see mailbox.ts),
// sends a test to both, and the test checks what arrived: the webhook's signature with the secret
// the page showed once, and the mail. Editing a channel sends only what changed; a server without
// SMTP offers no e-mail type. Members who are not owners do not get the page.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, signUpByApi, test, uniq } from './fixtures';
import { receivedMails } from './mailbox';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP receiver on 127.0.0.1 that answers 200 and records every request. */
async function startReceiver(): Promise<{ url: string; requests: Received[]; close: () => Promise<void> }> {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/vigil-hook`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The receiver's own check: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">, t within 5 minutes. */
function signatureValid(secret: string, header: string | string[] | undefined, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(header));
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex');
  return m[2] === expected && Math.abs(Date.now() / 1000 - Number(m[1])) < 300;
}

test('an owner adds a webhook and an e-mail channel, tests both, and sees the deliveries', async ({ page }) => {
  const receiver = await startReceiver();
  try {
    await signUpByApi(page);
    await page.goto('/zones');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Notifications' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
    await expect(page.getByText('No channels yet')).toBeVisible();

    // A URL the API refuses: its reason is on the URL field, and nothing is created.
    await page.getByLabel('Channel name').fill('Hook');
    await page.getByLabel('Webhook URL').fill('not a url');
    await page.getByRole('button', { name: 'Add channel' }).click();
    await expect(page.getByLabel('Webhook URL')).toHaveAccessibleDescription(/must be a full URL/);
    await page.getByLabel('Webhook URL').fill('ftp://127.0.0.1/x');
    await page.getByRole('button', { name: 'Add channel' }).click();
    await expect(page.getByLabel('Webhook URL')).toHaveAccessibleDescription(/must start with https:\/\/ or http:\/\//);
    await expect(page.getByText('No channels yet')).toBeVisible();

    // The webhook: its secret is shown once, with how to check the signature.
    await page.getByLabel('Webhook URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Add channel' }).click();
    const shown = page.getByTestId('new-secret');
    await expect(shown).toContainText('This is the only time the secret is shown');
    await expect(shown).toContainText('X-Vigil-Signature');
    await expect(shown.getByRole('button', { name: 'Copy' })).toBeVisible();
    const secret = (await page.getByTestId('webhook-secret').innerText()).trim();
    expect(secret.length).toBeGreaterThan(20);
    const hook = page.getByTestId('channel-Hook');
    await expect(hook).toContainText(receiver.url);
    await expect(hook).toContainText('All events');
    await expect(hook).toContainText('All zones');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await expect(shown).toHaveCount(0);

    // The e-mail channel: a recipient the API refuses is named at the field; then two good ones.
    const [a, b] = [`${uniq('oncall')}@example.com`, `${uniq('ops')}@example.com`];
    await page.getByRole('textbox', { name: 'Type' }).click();
    await page.getByRole('option', { name: 'E-mail' }).click();
    await page.getByLabel('Channel name').fill('Mail');
    await page.getByLabel('Recipients').fill(`${a}, nobody`);
    await page.getByRole('checkbox', { name: 'Address back up' }).uncheck();
    await page.getByRole('button', { name: 'Add channel' }).click();
    await expect(page.getByLabel('Recipients')).toHaveAccessibleDescription(/nobody: must be an e-mail address/);
    await page.getByLabel('Recipients').fill(`${a}, ${b}`);
    await page.getByRole('button', { name: 'Add channel' }).click();
    const mail = page.getByTestId('channel-Mail');
    await expect(mail).toContainText(`${a}, ${b}`);
    await expect(mail).toContainText('Address down, Every address down');
    // No secret for an e-mail channel.
    await expect(page.getByTestId('new-secret')).toHaveCount(0);

    // Send test on both: the page says it went, and it did.
    await hook.getByRole('button', { name: 'Send test to Hook' }).click();
    await expect(hook.getByRole('status')).toContainText(/Test sent \(\d+ ms\)/);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.headers['content-type']).toMatch(/application\/json/);
    expect(signatureValid(secret, request!.headers['x-vigil-signature'], request!.body)).toBe(true);
    expect(signatureValid('not-the-secret', request!.headers['x-vigil-signature'], request!.body)).toBe(false);

    await mail.getByRole('button', { name: 'Send test to Mail' }).click();
    await expect(mail.getByRole('status')).toContainText(/Test sent/);
    const mails = (await receivedMails()).filter((m) => m.envelope.to.includes(a));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.envelope.to.sort()).toEqual([a, b].sort());
    expect(mails[0]!.envelope.from).toBe('alerts@vigil-e2e.test');
    expect(mails[0]!.subject).toMatch(/^\[Vigil\] .*test/i);

    // The delivery logs show each attempt.
    await hook.getByRole('button', { name: 'Delivery log of Hook' }).click();
    let drawer = page.getByRole('dialog', { name: 'Delivery log of “Hook”' });
    await expect(drawer.getByTestId('delivery')).toHaveCount(1);
    await expect(drawer.getByTestId('delivery')).toContainText('sent');
    await page.keyboard.press('Escape');
    await expect(drawer).toHaveCount(0);
    await mail.getByRole('button', { name: 'Delivery log of Mail' }).click();
    drawer = page.getByRole('dialog', { name: 'Delivery log of “Mail”' });
    await expect(drawer.getByTestId('delivery')).toHaveCount(1);
    await expect(drawer.getByTestId('delivery')).toContainText('sent');
    await page.keyboard.press('Escape');

    // Rotating the secret shows the new one once; the next test is signed with it.
    await hook.getByRole('button', { name: 'Rotate the signing secret of Hook' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = (await page.getByTestId('webhook-secret').innerText()).trim();
    expect(rotated).not.toBe(secret);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await hook.getByRole('button', { name: 'Send test to Hook' }).click();
    await expect(hook.getByRole('status')).toContainText(/Test sent/);
    expect(receiver.requests).toHaveLength(2);
    expect(signatureValid(rotated, receiver.requests[1]!.headers['x-vigil-signature'], receiver.requests[1]!.body)).toBe(true);
    expect(signatureValid(secret, receiver.requests[1]!.headers['x-vigil-signature'], receiver.requests[1]!.body)).toBe(false);

    // Disabling (with the keyboard: the switch's track covers its input) sticks across a reload.
    await hook.getByRole('switch', { name: 'Channel Hook enabled' }).focus();
    await page.keyboard.press('Space');
    await expect(hook.getByRole('switch', { name: 'Channel Hook enabled' })).not.toBeChecked();
    await page.reload();
    await expect(page.getByTestId('channel-Hook').getByRole('switch', { name: 'Channel Hook enabled' })).not.toBeChecked();
    await expect(page.getByTestId('channel-Mail').getByRole('switch', { name: 'Channel Mail enabled' })).toBeChecked();

    // A receiver that is gone: the test fails, the page says why, the log has the failed attempt.
    await receiver.close();
    await page.getByTestId('channel-Hook').getByRole('button', { name: 'Send test to Hook' }).click();
    await expect(page.getByTestId('channel-Hook').getByRole('status')).toContainText('Test failed');
    await page.getByTestId('channel-Hook').getByRole('button', { name: 'Delivery log of Hook' }).click();
    drawer = page.getByRole('dialog', { name: 'Delivery log of “Hook”' });
    await expect(drawer.getByTestId('delivery')).toHaveCount(3);
    await expect(drawer.getByTestId('delivery').first()).toContainText('failed');
    await expect(drawer.getByTestId('delivery').nth(1)).toContainText('sent');
    await page.keyboard.press('Escape');

    // Deleting asks first.
    await page.getByTestId('channel-Mail').getByRole('button', { name: 'Delete channel Mail' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete channel “Mail”?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('channel-Mail')).toBeVisible();
    await page.getByTestId('channel-Mail').getByRole('button', { name: 'Delete channel Mail' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete channel' }).click();
    await expect(page.getByTestId('channel-Mail')).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId('channel-Hook')).toBeVisible();
    await expect(page.getByTestId('channel-Mail')).toHaveCount(0);
  } finally {
    await receiver.close();
  }
});

test('a member who is not an owner has no notifications page', async ({ browser, page }) => {
  const owner = await signUpByApi(page);
  const memberCtx = await browser.newContext();
  const memberPage = await memberCtx.newPage();
  const member = await signUpByApi(memberPage);
  const added = await page.request.post('/v2/account/members', { data: { email: member.email, role: 'member' } });
  expect(added.status(), await added.text()).toBe(201);
  // The member's session, in the owner's account (the panel's requests carry X-Account-Id).
  await memberCtx.setExtraHTTPHeaders({ 'X-Account-Id': owner.accountId });
  await memberPage.goto('/zones');
  await expect(memberPage.getByRole('heading', { level: 1, name: 'Zones' })).toBeVisible();
  const nav = memberPage.getByRole('navigation', { name: 'Main navigation' });
  await expect(nav.getByRole('link', { name: 'Zones' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Notifications' })).toHaveCount(0);
  await memberPage.goto('/notifications');
  await expect(memberPage.getByRole('alert')).toContainText('Only owners manage notifications');
  await expect(memberPage.getByRole('button', { name: 'Add channel' })).toHaveCount(0);
  // And the API refuses too.
  expect((await memberPage.request.get('/v2/account/notification-channels')).status()).toBe(403);
  await memberCtx.close();
});

test("an owner edits a webhook channel's name, events and URL; a bad URL is refused at the field", async ({ page }) => {
  await signUpByApi(page);
  const created = await page.request.post('/v2/account/notification-channels', {
    data: { type: 'webhook', name: 'Edit me', url: 'http://127.0.0.1:9/first' },
  });
  expect(created.status(), await created.text()).toBe(201);
  await page.goto('/notifications');
  await page.getByTestId('channel-Edit me').getByRole('button', { name: 'Edit channel Edit me' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit channel “Edit me”' });
  // Prefilled with the channel as it is.
  await expect(dialog.getByLabel('Channel name')).toHaveValue('Edit me');
  await expect(dialog.getByLabel('Webhook URL')).toHaveValue('http://127.0.0.1:9/first');
  await expect(dialog.getByRole('checkbox', { name: 'Address back up' })).toBeChecked();

  // The API's reason is on the URL field, and nothing changes.
  await dialog.getByLabel('Webhook URL').fill('not a url');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog.getByLabel('Webhook URL')).toHaveAccessibleDescription(/must be a full URL/);

  await dialog.getByLabel('Channel name').fill('Edited');
  await dialog.getByRole('checkbox', { name: 'Address back up' }).uncheck();
  await dialog.getByLabel('Webhook URL').fill('http://127.0.0.1:9/second');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('channel-Edit me')).toHaveCount(0);

  await page.reload();
  const row = page.getByTestId('channel-Edited');
  await expect(row).toContainText('http://127.0.0.1:9/second');
  await expect(row).toContainText('Address down, Every address down');
  await row.getByRole('button', { name: 'Edit channel Edited' }).click();
  const again = page.getByRole('dialog', { name: 'Edit channel “Edited”' });
  await expect(again.getByLabel('Webhook URL')).toHaveValue('http://127.0.0.1:9/second');
  await expect(again.getByRole('checkbox', { name: 'Address back up' })).not.toBeChecked();
});
