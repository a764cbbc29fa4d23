/**
 * Issue 17 points 6 and 12 in a real browser against the real servers: the account page tells the
 * account's story (sent messages with their text, payments, invoices) and lists invoices with days
 * overdue and pay-page links; the token form starts with no write scope and an admin is not offered
 * a switch for their own sign-in. Screenshots go to test-artifacts/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launch, newPage, screenshot, signIn } from './support/browser';
import { buildWeb } from './support/build';
import { apiFromPage, axeFindings, until } from './support/page-api';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(240_000);

const describeWithBrowser = hasChromium() ? describe : describe.skip;
const PASSWORD = 'tactful-demo';

describeWithBrowser('the account feed and the admin forms', () => {
  let stack: Stack;
  let browser: Browser;

  const signedIn = async (email: string): Promise<Page> => {
    const page = await newPage(browser, stack.url);
    await signIn(page, email, PASSWORD);
    return page;
  };

  beforeAll(async () => {
    buildWeb();
    [stack, browser] = await Promise.all([startStack({ alwaysOpen: true }), launch()]);
    await until('the first drafts', async () => (await stack.db.sql`select 1 from messages where status = 'pending_approval' and cardinality(sensitive_reasons) = 0 limit 1`).length > 0, 120_000);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('12: the account page shows what was sent with its text, the payments, and invoices with days overdue and pay links', async () => {
    // A routine draft, approved by a manager through the API as the queue would, goes out for real.
    const draft = await until('a routine draft', async () => {
      const [d] = await stack.db.sql`
        select m.id from messages m where m.status = 'pending_approval' and m.channel = 'email' and cardinality(m.sensitive_reasons) = 0
        order by exists (select 1 from payments p where p.account_id = m.account_id and p.dated) desc, m.created_at limit 1`;
      return d;
    }, 120_000);
    const page = await signedIn('manager@tactful.local');
    expect((await apiFromPage(page, 'POST', `/api/queue/${draft.id}/decision`, { decision: 'approve' })).status).toBe(200);
    const sent = await until('the approved draft to be sent', async () => {
      const [m] = await stack.db.sql`select account_id, subject, body_text from messages where id = ${draft.id} and status = 'sent'`;
      return m;
    }, 90_000);
    await page.goto(`/accounts/${sent.account_id}`);
    const feed = page.getByTestId('account-feed');
    await feed.waitFor();
    const message = feed.locator('li[data-kind="message"]').filter({ hasText: sent.subject }).first();
    await message.waitFor();
    // The text of what the client received, not just "message sent".
    const firstLine = String(sent.body_text).split('\n').find((l: string) => l.trim().length > 10)!.trim();
    expect(await message.getByTestId('feed-body').textContent()).toContain(firstLine);
    // The manager's approval is a decision in the feed, by name.
    await feed.locator('li[data-kind="decision"]').filter({ hasText: 'Priya Raman approved' }).first().waitFor();
    expect(await feed.locator('li[data-kind="invoice"]').count()).toBeGreaterThan(0);
    // Dates in words, never an ISO timestamp or a step id.
    expect(await feed.textContent()).not.toMatch(/\d{4}-\d\d-\d\dT|first_reminder|second_reminder|final_notice/);

    await screenshot(page, 'account-feed');
    expect(await axeFindings(page)).toEqual([]);

    // The invoice list, on an account that owes money well past due.
    const [late] = await stack.db.sql`select account_id from invoices where status = 'open' and balance_cents > 0 and due_date < current_date - 10 order by due_date limit 1`;
    await page.goto(`/accounts/${late.account_id}`);
    const invoices = page.getByTestId('invoice-list');
    await invoices.waitFor();
    expect(await invoices.getByRole('columnheader', { name: 'Days overdue' }).count()).toBe(1);
    const overdue = await invoices.getByTestId('days-overdue').allTextContents();
    expect(overdue.some((d) => /^\d+ days?$/.test(d))).toBe(true);
    const { body } = await apiFromPage(page, 'GET', `/api/accounts/${late.account_id}/feed`);
    const open = body.invoices.find((i: { payLink: string | null; daysOverdue: number | null }) => i.payLink && i.daysOverdue);
    const payLink = invoices.getByRole('link', { name: `Pay page for invoice ${open.number} (opens in a new tab)` });
    expect(await payLink.getAttribute('href')).toBe(open.payLink);
    expect(await invoices.getByRole('row').filter({ hasText: open.number }).getByTestId('days-overdue').textContent()).toBe(`${open.daysOverdue} ${open.daysOverdue === 1 ? 'day' : 'days'}`);
    // The invoice number leads to its own entry in the feed.
    await invoices.getByRole('link', { name: open.number, exact: true }).click();
    await until('the invoice entry in the feed', async () => new URL(page.url()).hash.startsWith('#feed-invoice-'), 5_000);
    expect(await page.locator(`#feed-invoice-${open.id}`).count()).toBe(1);
    await screenshot(page, 'account-invoice-list');
  });

  it('6: a new API token starts with no write scope, and an admin is not offered their own sign-in switch', async () => {
    const page = await signedIn('admin@tactful.local');
    await page.goto('/admin');
    const users = page.getByRole('table').first();
    await users.waitFor();
    await page.getByRole('switch', { name: 'Priya Raman may sign in' }).waitFor();
    expect(await page.getByRole('switch', { name: 'Alex Morgan may sign in' }).count()).toBe(0);
    expect(await page.getByTestId('own-sign-in').textContent()).toMatch(/you/);
    // The API refuses it too, for anyone who tries without the page.
    const refused = await apiFromPage(page, 'GET', '/api/me').then(async (me) => apiFromPage(page, 'PATCH', `/api/users/${me.body.user.id}`, { active: false }));
    expect(refused.status).toBe(409);
    expect((await apiFromPage(page, 'GET', '/api/me')).status).toBe(200);
    await screenshot(page, 'admin-users-own-sign-in');

    await page.getByRole('tab', { name: 'API tokens' }).click();
    const form = page.getByRole('form', { name: 'Create an API token' });
    await form.waitFor();
    const chosen = await form.locator('.mantine-Pill-label').allTextContents();
    expect(chosen.filter((s) => s.includes('write'))).toEqual([]);
    await form.getByLabel('Name').fill('Read-only dashboard');
    await form.getByRole('button', { name: 'Create token' }).click();
    await page.getByTestId('new-token').waitFor();
    const [token] = await stack.db.sql`select scopes from api_tokens where name = 'Read-only dashboard'`;
    expect(token.scopes.filter((s: string) => s.endsWith(':write'))).toEqual([]);
    await screenshot(page, 'admin-token-no-write-scope');
  });

  it('10: the policy review lists what changed in words, and the collections floor is set in one place', async () => {
    const page = await signedIn('manager@tactful.local');
    await page.goto('/policies');
    const coolDown = page.getByLabel('Cool-down days');
    await coolDown.waitFor();
    const before = Number(await coolDown.inputValue());
    await coolDown.fill(String(before + 2));
    // The floor is not a second, silently ignored field here: the page says where it is set.
    expect(await page.getByLabel('Collections floor ($)').count()).toBe(0);
    expect(await page.getByTestId('collections-floor-note').textContent()).toMatch(/Admin → Settings/);
    await page.getByRole('button', { name: 'Review changes…' }).click();
    const changes = page.getByTestId('policy-changes');
    await changes.waitFor();
    expect(await changes.locator('li').allTextContents()).toEqual([`Days between two messages: ${before + 2} days (was ${before} days)`]);
    const dialog = await page.getByRole('dialog').textContent();
    expect(dialog).not.toMatch(/coolDownDays|[{}]|"steps"/);
    await screenshot(page, 'policy-review-changes');
    expect(await axeFindings(page)).toEqual([]);
  });
});
