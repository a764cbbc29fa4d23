/**
 * The built web app in chromium under the API's real headers: the Content-Security-Policy must not
 * break a page (no violation, every page renders), and the second factor works end to end in the
 * browser: an admin or manager is sent to set up an authenticator app first, then signs in with a code.
 * The API runs on a real PostgreSQL with the test gateway; Temporal is not needed for these pages.
 */
import type { Browser, Page } from 'playwright-core';
import { totpAt } from '../../api/auth/mfa';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createAccount, createUser, PASSWORD, startApi, type TestApi } from '../api/support';
import { hasChromium, launch, newPage, screenshot } from './support/browser';
import { buildWeb } from './support/build';
import { webDist } from './support/stack';

jest.setTimeout(240_000);
const describeWithBrowser = hasChromium() ? describe : describe.skip;

/** Every CSP violation the page reports, from the DOM event and from the console. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  await page.exposeFunction('__cspViolation', (v: string) => seen.push(v));
  // Runs in the page; a string, because the test's TypeScript has no DOM types.
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber + ' ' + e.sample));`);
  return seen;
}

async function signInForm(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.locator('input[autocomplete="current-password"]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describeWithBrowser('security in the browser', () => {
  let db: TestDatabase;
  let api: TestApi;
  let browser: Browser;

  beforeAll(async () => {
    buildWeb();
    db = await createTestDatabase();
    // Real time: the authenticator codes the test computes must match the server's clock.
    api = await startApi(db, { config: { webDist, requireMfa: true } });
    api.clock.now = new Date();
    Object.defineProperty(api.clock, 'now', { get: () => new Date(), set: () => {} });
    await createAccount(db, { name: 'Northwind Traders' });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await db?.destroy();
  });

  it('every page renders under the CSP without a violation', async () => {
    const clerk = await createUser(db, 'clerk');
    const page = await newPage(browser, api.url);
    const violations = await watchViolations(page);
    const csp = (await page.goto('/login'))!.headers()['content-security-policy'];
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    await signInForm(page, clerk.email, PASSWORD);
    await page.getByTestId('signed-in-as').waitFor();
    for (const path of ['/queue', '/accounts', '/calls', '/command-center', '/account']) {
      await page.goto(path);
      await page.getByTestId('signed-in-as').waitFor();
      await page.locator('main h1, main h2').first().waitFor();
    }
    await screenshot(page, 'security-account-page');
    expect(violations).toEqual([]);
  });

  it('a manager sets up an authenticator app before anything else, then signs in with a code', async () => {
    const manager = await createUser(db, 'manager');
    let page = await newPage(browser, api.url);
    const violations = await watchViolations(page);
    await signInForm(page, manager.email, PASSWORD);
    await page.waitForURL('**/account');
    await page.goto('/queue');
    await page.waitForURL('**/account');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = (await page.getByLabel('Secret key').innerText()).replace(/\s+/g, '');
    await page.getByLabel('Code from the app').fill(totpAt(secret, new Date()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Your recovery codes: shown once').waitFor();
    await screenshot(page, 'security-recovery-codes');
    await page.goto('/queue');
    await page.waitForURL('**/queue');

    // The code just used is spent: wait for the next one, then sign in afresh in a new browser.
    await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 500));
    await page.context().close();
    page = await newPage(browser, api.url);
    await signInForm(page, manager.email, PASSWORD);
    await page.getByLabel('Code from your authenticator app').fill(totpAt(secret, new Date()));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').waitFor();
    expect(page.url()).not.toMatch(/\/account$/);
    expect(violations).toEqual([]);
    await page.getByRole('link', { name: 'Your account' }).click();
    await page.getByText('Recovery codes left: 10').waitFor();
  });

  it('a clerk changes their password from the account page', async () => {
    const clerk = await createUser(db, 'clerk');
    const page = await newPage(browser, api.url);
    await signInForm(page, clerk.email, PASSWORD);
    await page.getByTestId('signed-in-as').waitFor();
    await page.getByRole('link', { name: 'Your account' }).click();
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password').fill('password1234');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: /commonly used|breached/ }).waitFor();
    await page.getByLabel('New password').fill('seven tall lanterns drift east');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').waitFor();
  });
});
