/**
 * Issue #17 in a real browser against the real servers: the editor belongs to one draft, departures
 * come from the server's events, sensitive drafts need a deliberate confirmation, pages follow the
 * event stream, and axe-core finds nothing serious on any page. Screenshots go to
 * test-artifacts/screenshots/ like the other browser tests.
 */
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launch, newPage, screenshot, signIn } from './support/browser';
import { buildWeb } from './support/build';
import { openCallTask } from './support/call-task';
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
    await openCallTask(stack);
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

  it('5: every account counts at the stage it has reached, and "Needs a person now" lists every kind of item', async () => {
    const manager = await signedIn('manager@tactful.local');
    // A reminder goes out; the account then waits for its next step — and is still at that step.
    const [drafted] = await stack.db.sql`
      select m.id, m.account_id, m.step_id from messages m where m.status = 'pending_approval' and cardinality(m.sensitive_reasons) = 0
        and m.channel = 'email' order by m.created_at limit 1`;
    const approved = await apiFromPage(manager, 'POST', `/api/queue/${drafted.id}/decision`, { decision: 'approve' });
    expect(approved.status).toBeLessThan(300);
    await until('the send and the engine’s wait', async () => {
      const [a] = await stack.db.sql`select a.next_action, m.status from accounts a join messages m on m.account_id = a.id where m.id = ${drafted.id}`;
      return a.status === 'sent' && a.next_action && !String(a.next_action).startsWith('approval:');
    }, 30_000);
    const detail = await apiFromPage(manager, 'GET', `/api/accounts/${drafted.account_id}`);
    expect(detail.body.account.stage).toBe(drafted.step_id);
    const funnel = await apiFromPage(manager, 'GET', '/api/metrics/stages');
    const items = funnel.body.items as { stage: string | null; accounts: number }[];
    const [{ n: reached }] = await stack.db.sql`
      select count(distinct m.account_id)::int as n from messages m join accounts a on a.id = m.account_id
      where a.balance_cents > 0 and m.status in ('sent', 'approved', 'pending_approval')
        and exists (select 1 from invoices i where i.id = any(m.invoice_ids) and i.status = 'open' and i.balance_cents > 0)`;
    expect(items.filter((i) => i.stage !== null).reduce((s, i) => s + i.accounts, 0)).toBeGreaterThanOrEqual(reached);

    const [account] = await stack.db.sql`select id, name from accounts a where balance_cents > 0 and not exists (select 1 from disputes d where d.account_id = a.id and d.status = 'open') order by balance_cents limit 1`;
    const needs = await apiFromPage(manager, 'GET', '/api/metrics/needs-person');
    expect(needs.status).toBe(200);
    await manager.goto('/command-center');
    await manager.getByTestId('needs-person').waitFor();
    const opened = await apiFromPage(manager, 'POST', `/api/accounts/${account.id}/disputes`, { reason: 'Disputes the onboarding fee on INV-1001' });
    expect(opened.status).toBeLessThan(300);
    const disputes = manager.locator('[data-need-kind="dispute"]');
    await disputes.getByText(account.name).waitFor({ timeout: 5_000 });
    expect(await disputes.textContent()).toContain('Disputes the onboarding fee');
    expect(await manager.locator('[data-need-kind="sensitive_draft"], [data-need-kind="approval_overdue"]').count()).toBeGreaterThan(0);
    await screenshot(manager, 'command-center-needs-person');
    const funnelText = (await manager.getByTestId('stage-funnel').textContent()) ?? '';
    expect(funnelText).not.toMatch(/_/);
    await manager.context().close();
  });

  it('19: a message that may have been sent is settled from "Needs a person now": received, or sent again', async () => {
    const clerk = await signedIn('clerk@tactful.local');
    // Two drafts left by attempts that stopped after handing them to the mail server (the send's own
    // path to this state is tested in test/reliability/send-states.test.ts).
    const doubtful = (await stack.db.sql`
      select * from (select distinct on (m.account_id) m.id, a.name, m.created_at from messages m join accounts a on a.id = m.account_id
        where m.status = 'pending_approval' and m.channel = 'email' order by m.account_id, m.created_at desc) x
      order by created_at desc limit 2`) as unknown as { id: string; name: string }[];
    expect(doubtful).toHaveLength(2);
    for (const d of doubtful) {
      await stack.db.sql`update messages set status = 'unconfirmed', send_note = 'may have been sent at 2026-12-04T10:00:00.000Z' where id = ${d.id}`;
      await stack.db.sql`insert into outbox (idempotency_key, message_id, account_id, to_email, subject, transport, status, attempts, attempt_started_at)
        select account_id || ':' || step_id || ':' || cycle_key, id, account_id, to_email, subject, 'smtp', 'unconfirmed', 1, '2026-12-04T10:00:00Z' from messages where id = ${d.id}`;
    }
    await clerk.goto('/command-center');
    const section = clerk.locator('[data-need-kind="send_unconfirmed"]');
    const row = (name: string) => section.locator('tr', { hasText: name });
    await row(doubtful[0].name).getByRole('button', { name: 'Client received it' }).click();
    // Settled, it leaves the list: nobody needs to look at it any more.
    await row(doubtful[0].name).waitFor({ state: 'detached' });
    await row(doubtful[1].name).getByRole('button', { name: 'Not received' }).click();
    await row(doubtful[1].name).getByRole('button', { name: 'Yes, send it again' }).click();
    await row(doubtful[1].name).waitFor({ state: 'detached' });
    const statuses = await stack.db.sql`select id, status from messages where id in ${stack.db.sql(doubtful.map((d) => d.id))}`;
    expect(Object.fromEntries(statuses.map((r) => [r.id, r.status]))).toEqual({ [doubtful[0].id]: 'sent', [doubtful[1].id]: 'superseded' });
    expect(await axeFindings(clerk)).toEqual([]);
    await clerk.context().close();
  });

  it('7: no internal code, raw timestamp or field name reaches a person', async () => {
    const [account] = await stack.db.sql`
      select a.id from accounts a where exists (select 1 from events e where e.account_id = a.id and e.type = 'draft.created')
      order by a.balance_cents desc limit 1`;
    const [sensitive] = await stack.db.sql`select id from messages where status = 'pending_approval' and cardinality(sensitive_reasons) > 0 and step_id not in ('service_pause', 'collections') limit 1`;
    const internals = /\b[a-z]+_[a-z_]+\b|StepId|OccurredAt|RequiresApproval|PromptVersion|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|as of \d{4}-|ROUTINE|confidence \d+%/;
    const manager = await signedIn('manager@tactful.local');
    const visits: [string, string][] = [
      [`/accounts/${account.id}`, 'timeline-event'],
      ['/command-center', 'aging-summary'],
      ['/accounts', 'Accounts'],
    ];
    for (const [url, ready] of visits) {
      await manager.goto(url);
      await manager.getByTestId(ready).or(manager.getByRole('table', { name: ready })).first().waitFor();
      await manager.waitForTimeout(500);
      const text = await manager.locator('main').innerText();
      expect({ url, found: text.match(internals)?.[0] ?? null }).toEqual({ url, found: null });
    }
    await manager.goto('/queue');
    if (sensitive) await manager.locator(`[data-message-id="${sensitive.id}"]`).click();
    await manager.getByTestId('draft-body').waitFor();
    const queueText = await manager.locator('main').innerText();
    expect({ url: '/queue', found: queueText.match(internals)?.[0] ?? null }).toEqual({ url: '/queue', found: null });
    await screenshot(manager, 'queue-in-words');
    await manager.context().close();
  });

  it('6: a new API token starts with no scope chosen, and an admin cannot switch off their own sign-in', async () => {
    const admin = await signedIn('admin@tactful.local');
    await admin.goto('/admin');
    const own = admin.getByRole('switch', { name: 'Alex Morgan may sign in' });
    await own.waitFor({ state: 'attached' });
    expect(await own.isDisabled()).toBe(true);
    const [me] = await stack.db.sql`select id from users where email = 'admin@tactful.local'`;
    const refused = await apiFromPage(admin, 'PATCH', `/api/users/${me.id}`, { active: false });
    expect(refused.status).toBe(409);
    expect((await stack.db.sql`select active from users where id = ${me.id}`)[0].active).toBe(true);
    await admin.getByRole('tab', { name: 'API tokens' }).click();
    await admin.getByText('Scopes', { exact: true }).first().waitFor();
    expect(await admin.locator('.mantine-Pill-root').count()).toBe(0);
    await screenshot(admin, 'admin-safe-defaults');
    await admin.context().close();
  });

  it('8: no badge, select or policy field cuts its text, and the draft’s invoice table keeps its columns', async () => {
    const truncated = async (page: Page) =>
      page.evaluate(() => {
        const doc = (globalThis as any).document;
        const els = [...doc.querySelectorAll('.mantine-Badge-label, .mantine-Select-input, input[aria-label$=" id"], input[aria-label$=" label"]')] as any[];
        return els.filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1).map((el) => el.value || el.textContent).slice(0, 5);
      });
    const admin = await signedIn('admin@tactful.local');
    for (const url of ['/queue', '/accounts', '/policies', '/command-center']) {
      await admin.goto(url);
      await admin.locator('main table, main [data-testid]').first().waitFor();
      await admin.waitForTimeout(800);
      expect({ url, cut: await truncated(admin) }).toEqual({ url, cut: [] });
    }
    await admin.goto('/queue');
    await admin.getByTestId('draft-body').waitFor();
    const table = admin.locator('[data-table-block]').first();
    if ((await table.count()) > 0) expect(await table.evaluate((el) => (globalThis as any).getComputedStyle(el).whiteSpace)).toBe('pre');
    await screenshot(admin, 'queue-no-truncation');
    await admin.context().close();
  });

  it('12: the invoice list shows days overdue and a link to each open invoice’s pay page', async () => {
    const [inv] = await stack.db.sql`
      select i.account_id, i.number, (current_date - i.due_date)::int as days from invoices i
      where i.status = 'open' and i.balance_cents > 0 and i.due_date < current_date - 5 order by i.due_date desc limit 1`;
    const page = await signedIn('manager@tactful.local');
    await page.goto(`/accounts/${inv.account_id}`);
    const row = page.getByRole('table', { name: 'Invoices' }).getByRole('row').filter({ hasText: inv.number });
    await row.waitFor();
    expect(await row.getByTestId('invoice-days-overdue').textContent()).toMatch(new RegExp(`^${inv.days} days$|^${inv.days - 1} days$|^${inv.days + 1} days$`));
    const link = row.getByRole('link', { name: `Pay page for invoice ${inv.number}` });
    expect(await link.getAttribute('href')).toMatch(/^https:\/\//);
    await screenshot(page, 'account-invoices');
    await page.context().close();
  });

  it('10: the policy review lists what changed, in words, and the collections floor has one home', async () => {
    const page = await signedIn('admin@tactful.local');
    await page.goto('/policies');
    await page.getByRole('table', { name: 'Policy steps' }).waitFor();
    const offset = page.getByLabel('Step 3 day offset');
    const before = Number(await offset.inputValue());
    await offset.fill(String(before + 2));
    await page.getByRole('button', { name: 'Review changes…' }).click();
    const changes = page.getByTestId('policy-changes');
    await changes.waitFor();
    const text = (await changes.textContent()) ?? '';
    expect(text).toContain(`${before} → ${before + 2}`);
    expect(text).not.toMatch(/[{}"]/);
    await screenshot(page, 'policy-review');
    await page.getByRole('button', { name: 'Keep editing' }).click();
    const floor = page.getByLabel('Collections floor ($)');
    expect(await floor.getAttribute('readonly')).not.toBeNull();
    expect(await page.getByText('that setting is the one that applies').count()).toBeGreaterThan(0);
    await page.context().close();
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
    await until('the first drafts', async () => (await stack.db.sql`select 1 from messages where status = 'pending_approval' limit 1`).length > 0, 120_000);
    await openCallTask(stack);
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
      ['replies', 'clerk@tactful.local', '/replies', 'Replies'],
      ['import', 'manager@tactful.local', '/imports', 'Import'],
      ['your-account', 'clerk@tactful.local', '/account', 'Change password'],
    ];
    const found: string[] = [];
    for (const [name, who, url, ready] of pages) {
      const page = await newPage(browser, stack.url);
      if (who) await signIn(page, who, PASSWORD);
      await page.goto(url);
      await page.getByTestId(ready).or(page.getByRole('table', { name: ready })).or(page.getByRole('button', { name: ready })).or(page.getByRole('heading', { name: ready })).first().waitFor();
      await page.waitForTimeout(800);
      await screenshot(page, `axe-${name}`);
      for (const f of await axeFindings(page)) found.push(`${name}: ${f}`);
      await page.context().close();
    }
    expect(found).toEqual([]);
  });
});
