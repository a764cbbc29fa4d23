/**
 * Issue #17 in a real browser against the real servers: the editor belongs to one draft, departures
 * come from the server's events, sensitive drafts need a deliberate confirmation, pages follow the
 * event stream, and axe-core finds nothing serious on any page. Screenshots go to
 * test-artifacts/screenshots/ like the other browser tests.
 */
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launch, newPage, screenshot, signIn } from './support/browser';
import { buildWeb } from './support/build';
import { apiFromPage, axeFindings, until } from './support/page-api';
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

describeWithBrowser('the account page follows the facts', () => {
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
    await until('the engine to plan every account', async () => (await stack.db.sql`select 1 from accounts where next_action is null limit 1`).length === 0, 120_000);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('3: a pause made elsewhere shows within seconds, and the next action never contradicts the badges', async () => {
    const [account] = await stack.db.sql`select id from accounts where not paused and balance_cents > 0 and next_action like 'wait:%' order by balance_cents desc limit 1`;
    const watcher = await signedIn('manager@tactful.local');
    await watcher.goto(`/accounts/${account.id}`);
    const next = watcher.getByTestId('account-next-action');
    await next.waitFor();
    expect(await next.textContent()).not.toMatch(/Paused/);

    const other = await signedIn('admin@tactful.local');
    const paused = await apiFromPage(other, 'POST', `/api/accounts/${account.id}/pause`, { reason: 'Client asked for a billing review' });
    expect(paused.status).toBeLessThan(300);
    await watcher.getByText('Paused', { exact: true }).waitFor({ timeout: 4_000 });
    expect(await next.textContent()).toMatch(/Paused: nothing goes out/);
    await screenshot(watcher, 'account-paused-live');
    // Once the engine has caught up it agrees; at no point does the page say anything else.
    for (let i = 0; i < 6; i++) {
      expect(await next.textContent()).toMatch(/Paused/);
      expect((await watcher.getByTestId('live-next').allTextContents()).join(' ')).not.toMatch(/waiting|promised payment/i);
      await watcher.waitForTimeout(500);
    }

    const resumed = await apiFromPage(other, 'POST', `/api/accounts/${account.id}/resume`, {});
    expect(resumed.status).toBeLessThan(300);
    await until('the resume on the page', async () => !/Paused/.test((await next.textContent()) ?? ''), 5_000);
    expect(await watcher.getByText('Paused', { exact: true }).count()).toBe(0);
    await until('the engine’s plan after the resume', async () => !/Working out/.test((await next.textContent()) ?? '') && (await next.textContent()), 8_000);
    expect(await next.textContent()).not.toMatch(/paused/i);
    await other.context().close();
    await watcher.context().close();
  });

  it('11: a caller claims a call onto their list, a second claim is refused, and a "no answer" shows as an attempt', async () => {
    const call = await until('an open unassigned call', async () => (await stack.db.sql`select c.id, a.name from call_tasks c join accounts a on a.id = c.account_id where c.status = 'open' and c.assigned_to is null order by c.due_at limit 1`)[0], 90_000);
    const caller = await signedIn('caller@tactful.local');
    await caller.goto('/calls');
    const mineOnly = caller.getByRole('switch', { name: 'Mine only' });
    await caller.getByRole('button', { name: `Claim the call to ${call.name}` }).click();
    await caller.getByRole('button', { name: `Release the call to ${call.name}` }).waitFor();
    await mineOnly.check({ force: true });
    await caller.getByTestId('call-row').filter({ hasText: call.name }).waitFor();
    await screenshot(caller, 'calls-claimed');
    const [row] = await stack.db.sql`select u.name from call_tasks c join users u on u.id = c.assigned_to where c.id = ${call.id}`;
    expect(row.name).toBe('Sam Ortiz');

    const manager = await signedIn('manager@tactful.local');
    const second = await apiFromPage(manager, 'POST', `/api/calls/${call.id}/claim`);
    expect(second.status).toBe(409);
    expect(JSON.stringify(second.body)).toContain('Sam Ortiz');

    const logged = await apiFromPage(caller, 'POST', `/api/calls/${call.id}/outcome`, { outcome: 'no_answer', notes: 'Rang out, no voicemail' });
    expect(logged.status).toBeLessThan(300);
    await caller.reload();
    await caller.getByTestId('call-row').filter({ hasText: call.name }).getByTestId('call-attempts').filter({ hasText: '1 attempt' }).waitFor();
    expect(await caller.getByTestId('call-row').filter({ hasText: call.name }).textContent()).toMatch(/no answer/i);
    await screenshot(caller, 'calls-attempt');
    await manager.context().close();
    await caller.context().close();
  });

  it('4: resume starts empty, a promise needs a date someone typed, and "Open dispute" is gone while one is open', async () => {
    const [account] = await stack.db.sql`select id from accounts where not paused and balance_cents > 0 order by balance_cents desc offset 1 limit 1`;
    const page = await signedIn('manager@tactful.local');
    await page.goto(`/accounts/${account.id}`);
    await page.getByRole('button', { name: 'Pause…' }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('Waiting for the client’s new PO');
    await page.getByRole('dialog').getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByTestId('account-action-result').filter({ hasText: 'paused' }).waitFor();
    await page.getByRole('button', { name: 'Resume…' }).click();
    expect(await page.getByRole('dialog').getByLabel(/Reason/).inputValue()).toBe('');
    await page.getByRole('dialog').getByRole('button', { name: 'Resume', exact: true }).click();
    await page.getByRole('button', { name: 'Pause…' }).waitFor();
    const trail = await stack.db.sql`select type, data from events where account_id = ${account.id} and type like 'account.resume%'`;
    expect(JSON.stringify(trail)).not.toContain('new PO');

    const promisesBefore = (await stack.db.sql`select count(*)::int as n from promises where account_id = ${account.id}`)[0].n;
    await page.getByRole('button', { name: 'Record promise' }).click();
    expect(await page.getByRole('dialog').getByLabel('Promised date').inputValue()).toBe('');
    await page.getByRole('dialog').getByRole('button', { name: 'Record promise' }).click();
    await page.waitForTimeout(1000);
    expect((await stack.db.sql`select count(*)::int as n from promises where account_id = ${account.id}`)[0].n).toBe(promisesBefore);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Open dispute' }).click();
    await page.getByRole('dialog').getByLabel('What the client disputes').fill('Says the March invoice double-bills the firewall licence');
    await page.getByRole('dialog').getByRole('button', { name: 'Open dispute' }).click();
    await page.getByText('Dispute open', { exact: true }).waitFor();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await page.getByRole('button', { name: 'Open dispute' }).count()).toBe(0);
    await screenshot(page, 'account-dispute-open');
    await page.context().close();
  });
});

describeWithBrowser('every page is readable by everyone', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    buildWeb();
    [stack, browser] = await Promise.all([startStack({ alwaysOpen: true }), launch()]);
    await until('the first drafts and calls', async () => (await stack.db.sql`select 1 from call_tasks limit 1`).length > 0 && (await stack.db.sql`select 1 from messages where status = 'pending_approval' limit 1`).length > 0, 120_000);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('9: axe-core finds no serious or critical violation on any page, for any role', async () => {
    const [account] = await stack.db.sql`select id from accounts order by balance_cents desc limit 1`;
    const [call] = await stack.db.sql`select id from call_tasks order by created_at limit 1`;
    const pages: [string, string, string, string][] = [
      ['login', '', '/login', 'Sign in'],
      ['queue', 'clerk@tactful.local', '/queue', 'draft-body'],
      ['accounts', 'clerk@tactful.local', '/accounts', 'Accounts'],
      ['account', 'manager@tactful.local', `/accounts/${account.id}`, 'account-next-action'],
      ['calls', 'caller@tactful.local', '/calls', 'call-row'],
      ['call-sheet', 'caller@tactful.local', `/calls/${call.id}`, 'call-sheet'],
      ['command-center', 'manager@tactful.local', '/command-center', 'aging-summary'],
      ['policy', 'admin@tactful.local', '/policies', 'Policy steps'],
      ['admin', 'admin@tactful.local', '/admin', 'Users'],
      ['viewer-queue', 'viewer@tactful.local', '/queue', 'draft-body'],
    ];
    const found: string[] = [];
    for (const [name, who, url, ready] of pages) {
      const page = await newPage(browser, stack.url);
      if (who) await signIn(page, who, PASSWORD);
      await page.goto(url);
      await page.getByTestId(ready).or(page.getByRole('table', { name: ready })).or(page.getByRole('button', { name: ready })).first().waitFor();
      await page.waitForTimeout(800);
      await screenshot(page, `axe-${name}`);
      for (const f of await axeFindings(page)) found.push(`${name}: ${f}`);
      await page.context().close();
    }
    expect(found).toEqual([]);
  });
});
