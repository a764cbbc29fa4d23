/**
 * The Replies view in a real browser against the real servers (issue #16): three replies from a
 * copilot account's contact, as a mail program writes them, go through the real reply handler and the
 * account's workflow. A clerk marks the one that needs a person handled with a note, confirms the
 * proposed promise in one click, follows the routine question's drafted answer into the queue, sees
 * the question beside it, approves it, and finds the reply answered; the command center shows the
 * time to first answer; axe finds nothing serious. Screenshots go to test-artifacts/screenshots/.
 */
import fs from 'node:fs';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Browser, Page } from 'playwright-core';
import { createReplyHandler } from '../../db/facts/reply-intake';
import { replyAddressFor } from '../../db/replies';
import { TASK_QUEUE, accountWorkflowId, factsChangedSignal } from '../../workflows/account/definitions';
import { hasChromium, launch, newPage, screenshot, signIn } from './support/browser';
import { buildWeb } from './support/build';
import { axeFindings, until } from './support/page-api';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(240_000);

const describeWithBrowser = hasChromium() ? describe : describe.skip;
const PASSWORD = 'tactful-demo';
const MAILBOX = 'ar@tactful.local';

describeWithBrowser('the Replies view', () => {
  let stack: Stack;
  let browser: Browser;
  let clerk: Page;
  let account: { id: string; name: string; email: string };

  const replyStatus = async (messageId: string) => (await stack.db.sql`select status, outcome from replies where message_id = ${messageId}`)[0] as { status: string; outcome: string } | undefined;

  async function receive(text: string, messageId: string, subject = 'Re: Your invoice') {
    const raw = await new MailComposer({
      from: account.email,
      to: await replyAddressFor(stack.db.db, account.id, MAILBOX),
      subject,
      text: `${text}\n\nThanks`,
      date: new Date(),
      messageId,
    })
      .compile()
      .build();
    const handler = createReplyHandler({
      db: stack.db.db,
      mailbox: MAILBOX,
      signal: async (accountId, s) => {
        await stack.env.client.workflow.signalWithStart('accountWorkflow', { workflowId: accountWorkflowId(accountId), taskQueue: TASK_QUEUE, args: [{ accountId }], signal: factsChangedSignal, signalArgs: [s] });
      },
    });
    return handler.handle(raw, 'test');
  }

  beforeAll(async () => {
    buildWeb();
    [stack, browser] = await Promise.all([startStack({ alwaysOpen: true }), launch()]);
    // A copilot account that owes money, has a contact, and has no draft waiting (an answer is drafted
    // once the account's workflow has no other draft in hand).
    await until('the first drafts', async () => (await stack.db.sql`select 1 from messages where status = 'pending_approval' limit 1`).length > 0, 120_000);
    const [row] = await stack.db.sql`
      select a.id, a.name, (select c.email from contacts c where c.account_id = a.id order by c.is_primary desc limit 1) as email
      from accounts a
      where a.mode = 'copilot' and a.balance_cents > 0 and not a.paused
        and exists (select 1 from contacts c where c.account_id = a.id)
        and not exists (select 1 from messages m where m.account_id = a.id and m.status in ('pending_approval', 'approved', 'sending'))
        and not exists (select 1 from disputes d where d.account_id = a.id and d.status = 'open')
      order by a.name limit 1`;
    if (!row) throw new Error('no copilot account without a waiting draft in the demo portfolio');
    account = row as unknown as typeof account;
    clerk = await newPage(browser, stack.url);
    await signIn(clerk, 'clerk@tactful.local', PASSWORD);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('a reply that needs a person is marked handled with a note, and leaves the list', async () => {
    await receive('Please call me about our account when you have a moment.', '<call-me@client.example>');
    expect(await replyStatus('<call-me@client.example>')).toMatchObject({ status: 'waiting' });
    await clerk.getByRole('link', { name: 'Replies' }).click();
    const card = clerk.getByRole('article', { name: `Reply from ${account.email}` }).filter({ hasText: 'Please call me' });
    await card.waitFor();
    await card.getByRole('button', { name: 'Mark handled…' }).click();
    await card.getByRole('textbox', { name: 'What was done' }).fill('Called them; nothing further needed.');
    await screenshot(clerk, 'replies-mark-handled');
    await card.getByRole('button', { name: 'Mark handled', exact: true }).click();
    await card.waitFor({ state: 'detached' });
    expect(await replyStatus('<call-me@client.example>')).toMatchObject({ status: 'done', outcome: 'handled by Jordan Lee: Called them; nothing further needed.' });
  });

  it('a proposed promise is confirmed in one click', async () => {
    const promised = new Date(Date.now() + 10 * 86_400_000);
    const day = promised.toLocaleDateString('en-US', { month: 'long', day: 'numeric', timeZone: 'UTC' });
    await receive(`Sorry for the delay. We will pay on ${day}.`, '<promise@client.example>');
    expect(await replyStatus('<promise@client.example>')).toMatchObject({ status: 'proposed' });
    await clerk.goto('/replies');
    await clerk.locator('label', { hasText: 'Promises to confirm' }).click();
    const card = clerk.getByRole('article', { name: `Reply from ${account.email}` }).filter({ hasText: 'We will pay on' });
    await card.getByRole('button', { name: /^Confirm promise for / }).click();
    await until('the promise recorded', async () => (await replyStatus('<promise@client.example>'))?.status === 'done', 10_000);
    expect((await stack.db.sql`select count(*)::int as n from promises where account_id = ${account.id} and status = 'open'`)[0].n).toBe(1);
  });

  it('a routine question: its drafted answer waits in the queue beside the question; approved, it is sent and the reply is answered', async () => {
    await receive('Which payment methods do you accept?', '<methods@client.example>', 'Re: Invoice reminder');
    expect(await replyStatus('<methods@client.example>')).toMatchObject({ status: 'answering' });
    const answer = await until('the answer drafted', async () => (await stack.db.sql`select id, status from messages where account_id = ${account.id} and step_id = 'answer' and status = 'pending_approval'`)[0], 30_000);

    await clerk.goto('/replies');
    await clerk.locator('label', { hasText: 'Answers in the queue' }).click();
    const card = clerk.getByRole('article', { name: `Reply from ${account.email}` }).filter({ hasText: 'Which payment methods' });
    await card.getByRole('region', { name: 'Drafted answer' }).or(card.getByLabel('Drafted answer')).filter({ hasText: 'You can pay on our secure payment page' }).waitFor();
    await screenshot(clerk, 'replies-answer-in-queue');
    expect(await axeFindings(clerk)).toEqual([]);
    await card.getByRole('link', { name: 'Review it in the queue' }).click();

    await clerk.locator(`[data-message-id="${answer.id}"]`).click();
    const panel = clerk.locator(`[data-draft-id="${answer.id}"]`);
    await panel.getByTestId('draft-body').waitFor();
    const question = clerk.getByLabel("The client's question");
    await question.waitFor();
    expect(await question.textContent()).toContain('Which payment methods do you accept?');
    expect(await clerk.locator(`[data-message-id="${answer.id}"]`).textContent()).toContain('Answer to a client’s question');
    expect(await panel.textContent()).not.toMatch(/Overdue/);
    await screenshot(clerk, 'queue-answer-with-question');
    await clerk.keyboard.press('a');
    await clerk.getByTestId('queue-outcome').filter({ hasText: 'Approved' }).waitFor();
    await until('the answer sent', async () => (await stack.db.sql`select status from messages where id = ${answer.id}`)[0].status === 'sent', 30_000);
    expect((await replyStatus('<methods@client.example>'))?.outcome).toMatch(/^answered by e-mail on /);
    const [box] = await stack.db.sql`select eml_path from outbox where message_id = ${answer.id} and status = 'sent'`;
    const sent = await simpleParser(fs.readFileSync(box.eml_path));
    expect(sent.subject).toBe('Re: Invoice reminder');
    expect(sent.text).toMatch(/You can pay on our secure payment page:\nhttps?:\/\//);

    await clerk.getByRole('link', { name: 'Replies' }).click();
    await clerk.locator('label', { hasText: 'Done' }).click();
    await clerk.getByRole('article', { name: `Reply from ${account.email}` }).filter({ hasText: 'Which payment methods' }).getByText('The answer sent').waitFor();
  });

  it('the command center shows the time to first answer and the replies waiting', async () => {
    const manager = await newPage(browser, stack.url);
    await signIn(manager, 'manager@tactful.local', PASSWORD);
    await manager.goto('/command-center');
    const card = manager.locator('[data-figure="Time to first answer"]');
    await card.waitFor();
    await until('the figure filled', async () => !/—/.test((await card.textContent()) ?? '—'), 10_000);
    expect(await card.textContent()).toMatch(/\d+ (min|h|days)/);
    expect(await card.textContent()).toMatch(/\d+ repl(y|ies) waiting, \d+ answers? in the queue/);
    await screenshot(manager, 'command-center-first-answer');
    await manager.context().close();
  });
});
