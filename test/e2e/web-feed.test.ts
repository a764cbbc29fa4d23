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

  it('12: the account page shows what was sent with its text, the decisions and the invoices (days overdue and pay links: web-live.test.ts)', async () => {
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

  });

});
