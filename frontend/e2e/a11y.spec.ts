// Keyboard use, labels, focus and the phone layout.
import { createZoneByApi, expect, PASSWORD, signUpByApi, test, uniq } from './fixtures';

test('sign up and add a zone with the keyboard alone, with a visible focus ring', async ({ page }) => {
  await page.goto('/signup');
  const email = `${uniq('keys')}@example.com`;
  // The first Tab stops on the e-mail field.
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('E-mail')).toBeFocused();
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Zones' })).toBeVisible();

  // On a freshly loaded page the skip link comes first and moves to the main content.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Zones' })).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);

  // Tab into the zone name field; focus is visible (an outline is drawn).
  const zoneName = page.getByLabel('Zone name');
  for (let i = 0; i < 10 && !(await zoneName.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(zoneName).toBeFocused();
  const zone = `${uniq('keys')}.test`;
  await page.keyboard.type(zone);
  await page.keyboard.press('Tab');
  const add = page.getByRole('button', { name: 'Add zone' });
  await expect(add).toBeFocused();
  const outline = await add.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: zone })).toBeVisible();
});

test('every form field has a label', async ({ page }) => {
  const customer = await signUpByApi(page);
  void customer;
  const zone = await createZoneByApi(page);
  // A record set with every picker, so its page shows each picker's fields and the preview.
  const pickers = ['healthcheck', 'geodns', 'ip', 'asn', 'geodistance', 'weighted_shuffle', 'first_n', 'default'].map((type) => ({ type }));
  const put = await page.request.put(`/v2/zones/${zone}/all.${zone}/A`, {
    data: { resource_records: [{ content: ['192.0.2.1'] }], pickers },
  });
  expect(put.status(), await put.text()).toBe(201);
  for (const path of ['/zones', `/zones/${zone}/new`, `/zones/${zone}/all.${zone}/A`, '/tokens', '/account', '/audit', '/notifications']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    if (path.includes('/all.')) await expect(page.getByRole('group', { name: /^Picker / })).toHaveCount(pickers.length);
    const unlabelled = await page.evaluate(() =>
      [
        ...document.querySelectorAll(
          'input:not([type=hidden]):not([aria-hidden=true]), select:not([aria-hidden=true]), textarea:not([aria-hidden=true])',
        ),
      ]
        .filter((el) => {
          const e = el as HTMLInputElement;
          const byFor = e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`);
          return !(byFor || e.closest('label') || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'));
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    expect(unlabelled, `unlabelled fields on ${path}`).toEqual([]);
  }
});

test('at phone width the navigation opens from the menu button and pages fit the screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUpByApi(page);
  const zone = await createZoneByApi(page);
  await page.goto('/zones');
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await expect(nav.getByRole('link', { name: 'API tokens' })).not.toBeInViewport();
  await page.getByRole('button', { name: 'Open navigation' }).click();
  await nav.getByRole('link', { name: 'API tokens' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'API tokens' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'API tokens' })).not.toBeInViewport();
  for (const path of ['/zones', `/zones/${zone}`, `/zones/${zone}/new`, '/tokens', '/account', '/notifications']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    // Wide tables scroll inside their own box; the page itself never scrolls sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `horizontal overflow on ${path}`).toBeLessThanOrEqual(0);
  }
});
