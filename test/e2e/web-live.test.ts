/**
 * Issue #17 in a real browser against the real servers: the editor belongs to one draft, departures
 * come from the server's events, sensitive drafts need a deliberate confirmation, pages follow the
 * event stream, and axe-core finds nothing serious on any page. Screenshots go to
 * test-artifacts/screenshots/ like the other browser tests.
 */
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launch, newPage, screenshot, signIn } from './support/browser';
import { buildWeb } from './support/build';
import { apiFromPage, until } from './support/page-api';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(240_000);

const describeWithBrowser = hasChromium() ? describe : describe.skip;
const PASSWORD = 'tactful-demo';

describeWithBrowser('the web app follows the facts', () => {
  let stack: Stack;
  let browser: Browser;

  const signedIn = async (email: string): Promise<Page> => {
    const page = await newPage(browser, stack.url);
    await signIn(page, email, PASSWORD);
    return page;
  };

  /** Pending drafts a clerk may decide, routine or sensitive, never one another test already used. */
  const used = new Set<string>();
  async function pendingDraft(kind: 'routine' | 'sensitive') {
    const rows = await stack.db.sql`
      select m.id, m.account_id, m.step_id, m.amount_cents, a.name from messages m join accounts a on a.id = m.account_id
      where m.status = 'pending_approval' and m.channel = 'email' and m.step_id not in ('service_pause', 'collections')
        and (cardinality(m.sensitive_reasons) = 0) = ${kind === 'routine'}
      order by m.created_at`;
    const row = rows.find((r) => !used.has(r.id));
    if (!row) throw new Error(`no pending ${kind} draft left in the demo portfolio`);
    used.add(row.id);
    return row as unknown as { id: string; account_id: string; step_id: string; amount_cents: number; name: string };
  }

  beforeAll(async () => {
    buildWeb();
    [stack, browser] = await Promise.all([startStack({ alwaysOpen: true }), launch()]);
    await until('the first drafts', async () => (await stack.db.sql`select 1 from messages where status = 'pending_approval' and cardinality(sensitive_reasons) = 0 limit 1`).length > 0, 120_000);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('1: an open editor stays on its draft, read-only with the clerk’s text, when a colleague decides it', async () => {
    const draft = await pendingDraft('routine');
    const clerk = await signedIn('clerk@tactful.local');
    await clerk.goto('/queue');
    await clerk.locator(`[data-message-id="${draft.id}"]`).click();
    await clerk.getByTestId('draft-body').waitFor();
    await clerk.keyboard.press('e');
    const body = clerk.getByRole('textbox', { name: 'Message' });
    await body.waitFor();
    const marker = `Clerk note ${Date.now().toString(36)}`;
    await body.press('ControlOrMeta+End');
    await body.pressSequentially(`\n${marker}`);

    // A second person, in their own browser, approves the same draft with one key.
    const manager = await signedIn('manager@tactful.local');
    await manager.goto('/queue');
    await manager.locator(`[data-message-id="${draft.id}"]`).click();
    await manager.locator(`[data-draft-id="${draft.id}"]`).getByTestId('draft-body').waitFor();
    await manager.keyboard.press('a');
    await manager.getByTestId('queue-outcome').filter({ hasText: 'Approved' }).waitFor();

    // Within seconds, not on a 30-second timer, the clerk's editor says who decided it — and is still on it.
    const left = clerk.locator(`[data-draft-id="${draft.id}"]`).getByTestId('draft-left');
    await left.waitFor({ timeout: 5_000 });
    expect(await left.textContent()).toMatch(/Priya Raman (edited and )?approved it/);
    await clerk.getByTestId('queue-departures').filter({ hasText: draft.name }).waitFor({ timeout: 5_000 });
    await screenshot(clerk, 'queue-draft-left-while-editing');
    expect(await clerk.locator('[data-draft-id]').getAttribute('data-draft-id')).toBe(draft.id);
    expect(await body.inputValue()).toContain(marker);
    expect(await body.getAttribute('readonly')).not.toBeNull();
    // The clerk's focus is still inside this draft, and their keys cannot act on any other.
    const focusInside = (id: string) => Boolean((globalThis as any).document.activeElement?.closest(`[data-draft-id="${id}"]`));
    expect(await clerk.evaluate(focusInside, draft.id)).toBe(true);
    await clerk.keyboard.press('ControlOrMeta+Enter');
    await clerk.keyboard.press('a');
    await clerk.waitForTimeout(1500);
    expect(await clerk.locator('[data-draft-id]').getAttribute('data-draft-id')).toBe(draft.id);
    const byClerk = await stack.db.sql`select type from events where actor_name = 'Jordan Lee' and type like 'draft.%'`;
    expect(byClerk).toEqual([]);
    const [row] = await stack.db.sql`select status, body_text from messages where id = ${draft.id}`;
    expect(row.body_text).not.toContain(marker);
    await manager.context().close();
    await clerk.context().close();
  });

  it('2: filtering and searching the queue lists nothing under "Left the queue"', async () => {
    const clerk = await signedIn('clerk@tactful.local');
    await clerk.goto('/queue');
    await clerk.locator('[data-message-id]').first().waitFor();
    await clerk.getByLabel('Which drafts').getByText('Sensitive', { exact: true }).click();
    await clerk.waitForTimeout(1500);
    await clerk.getByLabel('Which drafts').getByText('Routine', { exact: true }).click();
    await clerk.waitForTimeout(1500);
    await clerk.getByLabel('Which drafts').getByText('All', { exact: true }).click();
    await clerk.getByLabel('Search').fill('zz-no-such-client');
    await clerk.waitForTimeout(1500);
    await clerk.getByLabel('Search').fill('');
    await clerk.locator('[data-message-id]').first().waitFor();
    await clerk.waitForTimeout(1000);
    await screenshot(clerk, 'queue-after-filters');
    expect(await clerk.getByTestId('queue-departures').count()).toBe(0);
    await clerk.context().close();
  });

  it('13: a sensitive draft is approved only through a dialog naming the client, the step and the amount', async () => {
    const draft = await pendingDraft('sensitive');
    const clerk = await signedIn('clerk@tactful.local');
    await clerk.goto('/queue');
    await clerk.locator(`[data-message-id="${draft.id}"]`).click();
    await clerk.locator(`[data-draft-id="${draft.id}"]`).getByTestId('draft-body').waitFor();
    await clerk.keyboard.press('a');
    const dialog = clerk.getByRole('dialog');
    await dialog.waitFor({ timeout: 3_000 });
    const amount = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(draft.amount_cents / 100);
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain(draft.name);
    expect(text).toContain(amount);
    expect(text).not.toContain(draft.step_id);
    await screenshot(clerk, 'queue-sensitive-confirm');
    // One more key press — Enter or another `a` — does not send it.
    await clerk.keyboard.press('Enter');
    await clerk.keyboard.press('a');
    await clerk.waitForTimeout(1000);
    expect((await stack.db.sql`select status from messages where id = ${draft.id}`)[0].status).toBe('pending_approval');
    if (await dialog.isVisible()) await clerk.keyboard.press('Escape');
    await clerk.keyboard.press('a');
    await clerk.getByRole('dialog').getByRole('button', { name: new RegExp(`^Send .* to ${draft.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).click();
    await until('the decision', async () => (await stack.db.sql`select status from messages where id = ${draft.id}`)[0].status !== 'pending_approval', 10_000);
    await clerk.getByTestId('queue-outcome').filter({ hasText: draft.name }).waitFor();
    await clerk.context().close();
  });

  it('1b: the clerk’s own approval still moves to the next draft, and a routine draft keeps its one key', async () => {
    const draft = await pendingDraft('routine');
    const clerk = await signedIn('clerk@tactful.local');
    await clerk.goto('/queue');
    await clerk.locator(`[data-message-id="${draft.id}"]`).click();
    await clerk.locator(`[data-draft-id="${draft.id}"]`).getByTestId('draft-body').waitFor();
    await clerk.keyboard.press('a');
    await until('the decision', async () => (await stack.db.sql`select status from messages where id = ${draft.id}`)[0].status !== 'pending_approval', 10_000);
    await until('the next draft', async () => {
      const id = await clerk.locator('[data-draft-id]').getAttribute('data-draft-id').catch(() => null);
      return id && id !== draft.id;
    }, 10_000);
    expect(await clerk.getByTestId('queue-departures').count()).toBe(0);
    await clerk.context().close();
  });

  void apiFromPage;
});
