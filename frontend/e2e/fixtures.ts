// Shared fixtures and helpers of the browser tests.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { type APIRequestContext, type Browser, type BrowserContext, expect, type Locator, type Page, request, test as base } from '@playwright/test';

export const env = {
  panelUrl: () => required('E2E_PANEL_URL'),
  apiUrl: () => required('E2E_API_URL'),
  dnsPort: () => Number(process.env.E2E_DNS_PORT ?? 0),
  dataPlaneMissing: () => process.env.E2E_DATA_PLANE_MISSING ?? '',
  support: () => ({ email: required('E2E_SUPPORT_EMAIL'), password: required('E2E_SUPPORT_PASSWORD') }),
  redis: () => ({ url: required('E2E_REDIS_URL'), prefix: required('E2E_REDIS_PREFIX') }),
};

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: the global setup (e2e/global-setup.ts) did not run`);
  return v;
}

/** Every page of every test talks to the panel the global setup started. */
export const test = base.extend({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern.
  baseURL: async ({}, use) => {
    await use(env.panelUrl());
  },
});
export { expect };

export const uniq = (what: string) => `${what}-${randomBytes(4).toString('hex')}`;
export const PASSWORD = 'a long e2e password';

export interface Customer {
  email: string;
  accountId: string;
  accountName: string;
}

/** Signs a new customer up through the API in this browser context (its cookie jar gets the session). */
export async function signUpByApi(
  ctx: BrowserContext | Page,
  accountName?: string,
  email = `${uniq('customer')}@example.com`,
): Promise<Customer> {
  const r = await ctx.request.post('/v2/auth/signup', {
    data: { email, password: PASSWORD, ...(accountName ? { account_name: accountName } : {}) },
  });
  expect(r.status(), await r.text()).toBe(201);
  const me = (await r.json()) as { current_account_id: string; accounts: { name: string }[] };
  return { email, accountId: me.current_account_id, accountName: me.accounts[0]!.name };
}

/** A request context signed in as the support user, for set-up steps that are not under test. */
export async function supportApi(): Promise<APIRequestContext> {
  const ctx = await request.newContext({ baseURL: env.panelUrl() });
  const r = await ctx.post('/v2/auth/signin', { data: env.support() });
  expect(r.status(), await r.text()).toBe(200);
  return ctx;
}

export async function grantFailoverByApi(accountId: string): Promise<void> {
  const support = await supportApi();
  const r = await support.patch(`/v2/admin/accounts/${accountId}`, { data: { features: { failover: true } } });
  expect(r.status(), await r.text()).toBe(200);
  await support.dispose();
}

export async function createZoneByApi(page: Page, name = `${uniq('zone')}.test`): Promise<string> {
  const r = await page.request.post('/v2/zones', { data: { name } });
  expect(r.status(), await r.text()).toBe(201);
  return name;
}

/** A signed-up customer (this page's session) with the beta feature and a zone of their own; returns the zone. */
export async function failoverZoneByApi(page: Page): Promise<string> {
  const customer = await signUpByApi(page);
  await grantFailoverByApi(customer.accountId);
  return createZoneByApi(page);
}

/** Opens the editor for a new A record set `name` with one address and its health check switched on; returns the failover section. */
export async function newCheckedRecordSet(page: Page, zone: string, name: string, address: string): Promise<Locator> {
  await page.goto(`/zones/${zone}/new`);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('group', { name: 'Record 1' }).getByLabel('IPv4 address').fill(address);
  const failover = page.getByTestId('failover-section');
  await failover.getByRole('switch', { name: /Check the health/ }).check();
  return failover;
}

/** Signs in through the sign-in form. */
export async function signInWithForm(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function newSupportPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ baseURL: env.panelUrl() });
  const page = await ctx.newPage();
  const { email, password } = env.support();
  await signInWithForm(page, email, password);
  await expect(page.getByRole('heading', { level: 1, name: 'Support console' })).toBeVisible();
  return page;
}

const run = promisify(execFile);

/** The A records `dig` gets from the Vigil DNS server for `name`. */
export async function digA(name: string): Promise<string[]> {
  const { stdout } = await run('dig', [`@127.0.0.1`, '-p', String(env.dnsPort()), name, 'A', '+short', '+time=2', '+tries=1']);
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l))
    .sort();
}
