/**
 * The escalation engine end to end: the real account workflow and activities on the time-skipping
 * Temporal server, a real PostgreSQL, the local outbox. Each case is a rule DESIGN.md promises users.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { accountWorkflowId, decideDraftUpdate, factsChangedSignal, logCallOutcomeUpdate, stateQuery } from '../../workflows/account/definitions';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createTestWorker, tempOutbox } from '../support/engine';
import { addDaysIso, bumpFacts, insertAccount, insertInvoice, isoDate, recordPayment, signal, waitFor } from '../support/fixtures';
import { createTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let worker: Worker;
let taskQueue: string;
let running: Promise<void>;
const outbox = tempOutbox();

beforeAll(async () => {
  [env, t] = await Promise.all([createTimeSkippingEnv(), createTestDatabase()]);
  ({ worker, taskQueue } = await createTestWorker(env, t, { mailer: outbox.mailer }));
  running = worker.run();
});

/**
 * The test server starts at the wall clock; each case starts on the next Monday at 08:00 in New York
 * so that "two days later" means the same business days whenever the suite runs.
 */
beforeEach(async () => {
  const now = await env.currentTimeMs();
  let target = Date.parse(`${isoDate(now)}T13:00:00Z`);
  while (target <= now || new Date(target).getUTCDay() !== 1) target += 86_400_000;
  await env.sleep(target - now);
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await t?.destroy();
});

const localHour = (at: string | Date) =>
  new Date(at).toLocaleString('en-US', { timeZone: 'America/New_York', hour12: false, weekday: 'short', hour: '2-digit' });
const today = async () => isoDate(await env.currentTimeMs());
const messagesOf = (accountId: string) =>
  t.sql`select step_id, status, tone, subject, decision_reason, created_at, sent_at from messages where account_id = ${accountId} order by created_at`;
const eventsOf = async (accountId: string) =>
  (await t.sql`select type, data from events where account_id = ${accountId} order by id`).map((e) => e.type as string);

async function startAccount(spec: Parameters<typeof insertAccount>[1], invoice: { dueInDays: number; amountCents?: number }) {
  const accountId = await insertAccount(t, spec);
  const now = await today();
  const due = addDaysIso(now, invoice.dueInDays);
  const version = await insertInvoiceAndVersion(accountId, due, invoice.amountCents ?? 125_000);
  await signal(env.client, taskQueue, accountId, version, 'invoice_upserted');
  return { accountId, due };
}

async function insertInvoiceAndVersion(accountId: string, dueDate: string, amountCents: number): Promise<number> {
  await insertInvoice(t, accountId, { number: `INV-${Math.floor(Math.random() * 1e6)}`, issueDate: addDaysIso(dueDate, -30), dueDate, amountCents });
  const [row] = await t.sql`select facts_version from accounts where id = ${accountId}`;
  return Number(row.facts_version);
}

describe('copilot mode', () => {
  it('drafts the pre-due notice on a business day at D-3, waits for approval, then sends it once', async () => {
    const { accountId } = await startAccount({ mode: 'copilot' }, { dueInDays: 12 });
    await env.sleep('10 days');
    const [draft] = await waitFor('a draft', async () => {
      const rows = await messagesOf(accountId);
      return rows.length ? rows : undefined;
    });
    expect(draft).toMatchObject({ step_id: 'prevention', status: 'pending_approval' });
    expect(localHour(draft.created_at)).toMatch(/^(Mon|Tue|Wed|Thu|Fri),? (09|1[0-6])$/);

    const handle = env.client.workflow.getHandle(accountWorkflowId(accountId));
    const state = await handle.query(stateQuery);
    expect(state.pendingDraft?.stepId).toBe('prevention');
    const [msg] = await t.sql`select id from messages where account_id = ${accountId}`;
    const result = await handle.executeUpdate(decideDraftUpdate, { args: [{ messageId: msg.id, decision: 'approve', actor: { type: 'user', name: 'Clerk' } }] });
    expect(result.status).toBe('approved');

    // Approved at whatever hour the test server shows: the send waits for the client's business hours.
    await env.sleep('3 days');
    const sent = await waitFor('the send', async () => (await messagesOf(accountId)).find((m) => m.status === 'sent'));
    expect(localHour(sent.sent_at)).toMatch(/^(Mon|Tue|Wed|Thu|Fri),? (09|1[0-6])$/);
    expect(outbox.files().length).toBe(1);
    const again = handle.executeUpdate(decideDraftUpdate, { args: [{ messageId: msg.id, decision: 'approve', actor: { type: 'user', name: 'Clerk' } }] });
    await expect(again).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(again).rejects.toMatchObject({ cause: { type: 'AlreadyDecided' } });
    expect((await t.sql`select count(*)::int as n from outbox where account_id = ${accountId}`)[0].n).toBe(1);
    expect(await eventsOf(accountId)).toEqual(expect.arrayContaining(['draft.created', 'draft.approved', 'message.sent']));
  });
});

const handleOf = (accountId: string) => env.client.workflow.getHandle(accountWorkflowId(accountId));
const outboxCount = async (accountId: string) => (await t.sql`select count(*)::int as n from outbox where account_id = ${accountId}`)[0].n as number;
const accountRow = async (accountId: string) => (await t.sql`select * from accounts where id = ${accountId}`)[0];

async function payInFull(accountId: string) {
  const [{ balance }] = await t.sql`select coalesce(sum(balance_cents), 0)::int as balance from invoices where account_id = ${accountId} and status = 'open'`;
  const version = await recordPayment(t, accountId, balance, new Date(await env.currentTimeMs()));
  await signal(env.client, taskQueue, accountId, version, 'payment_recorded', t);
}

describe('autonomous mode', () => {
  it('sends routine steps by itself, and a payment before D+3 means no reminder', async () => {
    const { accountId } = await startAccount({ mode: 'autonomous' }, { dueInDays: 5 });
    await env.sleep('6 days');
    const [first] = await waitFor('the pre-due notice', async () => {
      const rows = await messagesOf(accountId);
      return rows.some((m) => m.status === 'sent') ? rows : undefined;
    });
    expect(first).toMatchObject({ step_id: 'prevention', status: 'sent' });
    expect(await eventsOf(accountId)).toEqual(expect.arrayContaining(['draft.created', 'draft.approved', 'message.sent']));

    await payInFull(accountId);
    await waitFor('the workflow to see the payment', async () => (await accountRow(accountId)).next_action === 'idle:no_open_balance');
    await env.sleep('25 days');
    const all = await messagesOf(accountId);
    expect(all.map((m) => m.step_id)).toEqual(['prevention']);
    expect(await outboxCount(accountId)).toBe(1);
  });

  it('an account imported 20 days late gets the one step that applies now, not every missed one', async () => {
    const { accountId } = await startAccount({ mode: 'autonomous' }, { dueInDays: -20 });
    await env.sleep('2 days');
    const sent = await waitFor('one message', async () => {
      const rows = await messagesOf(accountId);
      return rows.find((m) => m.status === 'sent') ? rows : undefined;
    });
    expect(sent.map((m) => m.step_id)).toEqual(['second_reminder']);
    const skipped = await t.sql`select data->>'stepId' as step from events where account_id = ${accountId} and type = 'step.skipped' order by id`;
    expect(skipped.map((s) => s.step)).toEqual(['prevention', 'first_reminder']);
    expect(await outboxCount(accountId)).toBe(1);
  });

  it('a key account still waits for a person, with the reason shown', async () => {
    const { accountId } = await startAccount({ mode: 'autonomous', segment: 'key_account' }, { dueInDays: -4 });
    await env.sleep('2 days');
    const [draft] = await waitFor('a draft', async () => {
      const rows = await t.sql`select status, sensitive_reasons, requires_approval from messages where account_id = ${accountId}`;
      return rows.length ? rows : undefined;
    });
    expect(draft.status).toBe('pending_approval');
    expect(draft.sensitive_reasons).toContain('key_account');
    await env.sleep('2 days');
    expect(await outboxCount(accountId)).toBe(0);
  });
});

describe('never remind after payment', () => {
  it('withdraws a draft waiting for approval when the client pays, and says so to a late click', async () => {
    const { accountId } = await startAccount({ mode: 'copilot' }, { dueInDays: -4 });
    await env.sleep('1 day');
    const [draft] = await waitFor('a waiting draft', async () => {
      const rows = await t.sql`select id, status from messages where account_id = ${accountId} and status = 'pending_approval'`;
      return rows.length ? rows : undefined;
    });
    await payInFull(accountId);
    const withdrawn = await waitFor('the withdrawal', async () => {
      const [row] = await t.sql`select status, decision_reason from messages where id = ${draft.id}`;
      return row.status === 'superseded' ? row : undefined;
    });
    expect(withdrawn.decision_reason).toMatch(/paid/);
    const late = handleOf(accountId).executeUpdate(decideDraftUpdate, {
      args: [{ messageId: draft.id, decision: 'approve', actor: { type: 'user', name: 'Clerk' } }],
    });
    await expect(late).rejects.toMatchObject({ cause: { type: 'Superseded', message: expect.stringMatching(/withdrawn: the account has paid/) } });
    await env.sleep('10 days');
    expect(await outboxCount(accountId)).toBe(0);
    expect(await eventsOf(accountId)).toContain('draft.withdrawn');
  });

  it('re-anchors on the next invoice after the oldest one is paid', async () => {
    const accountId = await insertAccount(t, { mode: 'autonomous' });
    const now = await today();
    const oldId = await insertInvoice(t, accountId, { number: 'INV-OLD', issueDate: addDaysIso(now, -50), dueDate: addDaysIso(now, -20), amountCents: 40_000 });
    const newId = await insertInvoice(t, accountId, { number: 'INV-NEW', issueDate: addDaysIso(now, -30), dueDate: addDaysIso(now, -4), amountCents: 60_000 });
    // The oldest invoice is paid in full before the workflow first looks: the stage follows INV-NEW.
    const version = await recordPayment(t, accountId, 40_000, new Date(await env.currentTimeMs()));
    await signal(env.client, taskQueue, accountId, version, 'payment_recorded');
    await env.sleep('2 days');
    const [msg] = await waitFor('a message', async () => {
      const rows = await t.sql`select step_id, cycle_key, amount_cents, invoice_ids from messages where account_id = ${accountId}`;
      return rows.length ? rows : undefined;
    });
    expect(msg.step_id).toBe('first_reminder');
    expect(msg.cycle_key.startsWith(newId)).toBe(true);
    expect(msg.invoice_ids).toEqual([newId]);
    expect(msg.invoice_ids).not.toContain(oldId);
    expect(Number(msg.amount_cents)).toBe(60_000);
  });
});

describe('disputes and promises change the course', () => {
  it('an open dispute stops automation; resolving it restarts', async () => {
    const { accountId } = await startAccount({ mode: 'autonomous' }, { dueInDays: -4 });
    await env.sleep('1 day');
    await waitFor('the first reminder', async () => (await messagesOf(accountId)).find((m) => m.status === 'sent'));
    await t.sql`insert into disputes (account_id, reason, opened_at) values (${accountId}, 'Billed for 12 seats, we have 9', ${new Date(await env.currentTimeMs()).toISOString()})`;
    await signal(env.client, taskQueue, accountId, await bumpFacts(t, accountId), 'dispute_opened');
    await waitFor('the halt', async () => (await accountRow(accountId)).next_action === 'idle:dispute_open');
    await env.sleep('20 days');
    expect((await messagesOf(accountId)).length).toBe(1);

    await t.sql`update disputes set status = 'resolved', resolved_at = ${new Date(await env.currentTimeMs()).toISOString()}, resolution = 'Credit issued' where account_id = ${accountId}`;
    await signal(env.client, taskQueue, accountId, await bumpFacts(t, accountId), 'dispute_resolved');
    await env.sleep('2 days');
    const after = await waitFor('follow-up after the dispute', async () => {
      const rows = await messagesOf(accountId);
      return rows.length > 1 ? rows : undefined;
    });
    // Straight after a dispute, a person looks at the next message.
    expect(after[1].status).toBe('pending_approval');
    const [{ sensitive_reasons }] = await t.sql`select sensitive_reasons from messages where account_id = ${accountId} order by created_at desc limit 1`;
    expect(sensitive_reasons).toEqual(expect.arrayContaining(['recent_dispute']));
  });
});

describe('business hours', () => {
  it('moves a send off a holiday and into the client’s own morning', async () => {
    const now = await today();
    // A due date whose D-3 is a Tuesday at least a week out; that Tuesday is the client's holiday.
    let tuesday = addDaysIso(now, 7);
    while (new Date(`${tuesday}T12:00:00Z`).getUTCDay() !== 2) tuesday = addDaysIso(tuesday, 1);
    const accountId = await insertAccount(t, { mode: 'autonomous', timeZone: 'Asia/Tokyo', holidays: [tuesday] });
    const due = addDaysIso(tuesday, 3);
    await insertInvoice(t, accountId, { number: 'INV-TYO', issueDate: addDaysIso(due, -30), dueDate: due, amountCents: 88_000 });
    const [{ facts_version }] = await t.sql`select facts_version from accounts where id = ${accountId}`;
    await signal(env.client, taskQueue, accountId, Number(facts_version), 'invoice_upserted');
    await env.sleep(`${Math.ceil((Date.parse(`${due}T00:00:00Z`) - (await env.currentTimeMs())) / 86_400_000) + 1} days`);
    const sent = await waitFor('the pre-due notice', async () => (await messagesOf(accountId)).find((m) => m.status === 'sent'));
    const local = new Date(sent.sent_at).toLocaleString('en-GB', { timeZone: 'Asia/Tokyo', hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    const wednesday = addDaysIso(tuesday, 1);
    const [y, m, d] = wednesday.split('-');
    expect(local).toBe(`${d}/${m}/${y}, 09:00`);
  });
});

describe('approval deadline', () => {
  it('raises a draft that waits too long to managers, and it keeps waiting', async () => {
    const { accountId } = await startAccount({ mode: 'copilot' }, { dueInDays: -4 });
    await env.sleep('2 hours');
    await waitFor('a waiting draft', async () => (await messagesOf(accountId)).find((m) => m.status === 'pending_approval'));
    await env.sleep('3 days');
    await waitFor('the escalation', async () => (await eventsOf(accountId)).includes('draft.escalated'));
    const [row] = await t.sql`select status, escalated_at from messages where account_id = ${accountId}`;
    expect(row.status).toBe('pending_approval');
    expect(row.escalated_at).not.toBeNull();
  });
});

describe('catch-up', () => {
  it('writes to an account caught up 31 days late before anyone calls it, as a first contact', async () => {
    const { accountId } = await startAccount({ mode: 'copilot' }, { dueInDays: -31 });
    await env.sleep('2 hours');
    const [draft] = await waitFor('a draft', async () => {
      const rows = await messagesOf(accountId);
      return rows.length ? rows : undefined;
    });
    expect(draft).toMatchObject({ step_id: 'second_reminder', tone: 'firm', status: 'pending_approval' });
    expect(draft.subject).not.toMatch(/second reminder|final notice/i);
    expect(await t.sql`select id from call_tasks where account_id = ${accountId}`).toHaveLength(0);
    expect(await t.sql`select id from recommendations where account_id = ${accountId}`).toHaveLength(0);
  });
});

describe('promises to pay', () => {
  async function accountWithCallTask() {
    // Written to at the first reminder and not heard from since: the call is what comes next. (An
    // account nobody has written to gets a written reminder first, never a call.)
    const accountId = await insertAccount(t, { mode: 'autonomous' });
    const now = await today();
    const due = addDaysIso(now, -31);
    await insertInvoiceAndVersion(accountId, due, 125_000);
    const [inv] = await t.sql`select id from invoices where account_id = ${accountId}`;
    await t.sql`
      insert into messages (account_id, step_id, cycle_key, channel, status, to_email, subject, body_text, draft_subject, draft_body_text,
                            tone, source, fact_check, requires_approval, amount_cents, days_overdue, invoice_ids, sent_at)
      values (${accountId}, 'first_reminder', ${`${inv.id}:${due}`}, 'email', 'sent', 'ap@northwind.test', 'Reminder', 'Reminder', 'Reminder', 'Reminder',
              'warm', 'template', '{"passed":true,"failures":[]}'::jsonb, false, 125000, 3, ${`{${inv.id}}`}::uuid[], ${`${addDaysIso(due, 3)}T15:00:00Z`}::timestamptz)`;
    await signal(env.client, taskQueue, accountId, await bumpFacts(t, accountId), 'invoice_upserted');
    await env.sleep('2 hours');
    const [task] = await waitFor('the call task', async () => {
      const rows = await t.sql`select id, step_id from call_tasks where account_id = ${accountId}`;
      return rows.length ? rows : undefined;
    });
    const [sheet] = await t.sql`select sheet from call_sheets where call_task_id = ${task.id}`;
    expect(sheet.sheet).toBeTruthy();
    const promisedDate = addDaysIso(await today(), 7);
    const result = await handleOf(accountId).executeUpdate(logCallOutcomeUpdate, {
      args: [{ callTaskId: task.id, outcome: 'promise', promisedDate, actor: { type: 'user', name: 'Caller' } }],
    });
    expect(result.recorded).toBe('promise');
    await waitFor('the wait for the promised date', async () => (await accountRow(accountId)).next_action === 'wait:promise_open');
    const next = new Date((await accountRow(accountId)).next_action_at);
    expect(isoDate(next.getTime()) > promisedDate).toBe(true);
    return { accountId, promisedDate };
  }

  it('a kept promise ends the escalation', async () => {
    const { accountId } = await accountWithCallTask();
    await env.sleep('3 days');
    await payInFull(accountId);
    await env.sleep('20 days');
    const [promise] = await t.sql`select status from promises where account_id = ${accountId}`;
    expect(promise.status).toBe('kept');
    expect(await t.sql`select * from recommendations where account_id = ${accountId}`).toHaveLength(0);
    expect(await outboxCount(accountId)).toBe(0);
  });

  it('a broken promise resumes escalation one step firmer: a service pause goes to a manager', async () => {
    const { accountId } = await accountWithCallTask();
    await env.sleep('12 days');
    const [rec] = await waitFor('the recommendation', async () => {
      const rows = await t.sql`select kind, status from recommendations where account_id = ${accountId}`;
      return rows.length ? rows : undefined;
    });
    expect(rec).toEqual({ kind: 'service_pause', status: 'pending' });
    const [promise] = await t.sql`select status from promises where account_id = ${accountId}`;
    expect(promise.status).toBe('broken');
    expect(await eventsOf(accountId)).toEqual(expect.arrayContaining(['call.created', 'promise.recorded', 'call.logged', 'promise.broken', 'recommendation.created']));
    // A pause is a manager's decision: nothing was paused or sent by itself.
    expect((await accountRow(accountId)).paused).toBe(false);
  });

  it('a call outcome for a task that is not open is refused clearly', async () => {
    const { accountId } = await startAccount({ mode: 'autonomous' }, { dueInDays: 5 });
    await env.sleep('1 hour');
    const attempt = handleOf(accountId).executeUpdate(logCallOutcomeUpdate, {
      args: [{ callTaskId: '00000000-0000-0000-0000-000000000000', outcome: 'no_answer', actor: { type: 'user', name: 'Caller' } }],
    });
    await expect(attempt).rejects.toMatchObject({ cause: { type: 'NoSuchCallTask' } });
  });
});

describe('partial payments', () => {
  it('withdraws a waiting draft whose amount is no longer true, and redrafts with the new balance', async () => {
    const { accountId } = await startAccount({ mode: 'copilot' }, { dueInDays: -4, amountCents: 100_000 });
    await env.sleep('2 hours');
    const [draft] = await waitFor('a waiting draft', async () => {
      const rows = await t.sql`select id, amount_cents from messages where account_id = ${accountId} and status = 'pending_approval'`;
      return rows.length ? rows : undefined;
    });
    expect(Number(draft.amount_cents)).toBe(100_000);
    const version = await recordPayment(t, accountId, 30_000, new Date(await env.currentTimeMs()));
    await signal(env.client, taskQueue, accountId, version, 'payment_recorded');
    const redraft = await waitFor('the redraft', async () => {
      const rows = await t.sql`select id, status, amount_cents, body_text, decision_reason from messages where account_id = ${accountId} order by created_at`;
      return rows.length === 2 && rows[1].status === 'pending_approval' ? rows : undefined;
    });
    expect(redraft[0]).toMatchObject({ status: 'superseded', decision_reason: expect.stringMatching(/balance/) });
    expect(Number(redraft[1].amount_cents)).toBe(70_000);
    expect(redraft[1].body_text).toContain('$700.00');
    // The invoice's original amount may be shown, but never as what is owed.
    expect(redraft[1].body_text).not.toMatch(/(balance|owe|total)[^\n]*\$1,000\.00/i);
  });
});

describe('long-lived accounts', () => {
  it('continues as new with its waiting draft, and the draft is still approved and sent once', async () => {
    const accountId = await insertAccount(t, { mode: 'copilot' });
    const now = await today();
    await insertInvoice(t, accountId, { number: 'INV-CAN', issueDate: addDaysIso(now, -34), dueDate: addDaysIso(now, -4), amountCents: 51_500 });
    const handle = await env.client.workflow.signalWithStart('accountWorkflow', {
      workflowId: accountWorkflowId(accountId),
      taskQueue,
      args: [{ accountId, roundsPerRun: 3 }],
      signal: factsChangedSignal,
      signalArgs: [{ factsVersion: 2, change: 'invoice_upserted' }],
    });
    const firstRun = handle.signaledRunId;
    await env.sleep('2 hours');
    const draft = await waitFor('a waiting draft', async () => (await t.sql`select id from messages where account_id = ${accountId} and status = 'pending_approval'`)[0]);
    // Notes and other changes wake the workflow; each wake is a round.
    for (let i = 0; i < 4; i++) await handle.signal(factsChangedSignal, { factsVersion: 2, change: 'reconcile' });
    const described = await waitFor('a new run', async () => {
      const d = await env.client.workflow.getHandle(accountWorkflowId(accountId)).describe();
      return d.runId !== firstRun ? d : undefined;
    });
    expect(described.status.name).toBe('RUNNING');
    const state = await env.client.workflow.getHandle(accountWorkflowId(accountId)).query(stateQuery);
    expect(state.pendingDraft?.messageId).toBe(draft.id);
    await env.client.workflow.getHandle(accountWorkflowId(accountId)).executeUpdate(decideDraftUpdate, {
      args: [{ messageId: draft.id, decision: 'approve', actor: { type: 'user', name: 'Clerk' } }],
    });
    await env.sleep('1 hour');
    await waitFor('the send', async () => (await outboxCount(accountId)) === 1);
  });

  it('the reconciler starts or re-signals accounts whose workflow missed a fact', async () => {
    // A fact written while no signal reached Temporal (the API crashed right after its commit).
    const accountId = await insertAccount(t, { mode: 'autonomous' });
    const now = await today();
    await insertInvoice(t, accountId, { number: 'INV-LOST', issueDate: addDaysIso(now, -34), dueDate: addDaysIso(now, -4), amountCents: 12_000 });
    await t.sql`update accounts set updated_at = now() - interval '10 minutes' where id = ${accountId}`;
    const result = await env.client.workflow.execute('reconcilerWorkflow', {
      workflowId: `reconcile-${accountId}`,
      taskQueue,
      args: [{ graceSeconds: 60 }],
    });
    expect(result.signalled).toBeGreaterThanOrEqual(1);
    await env.sleep('2 hours');
    await waitFor('the reminder', async () => (await outboxCount(accountId)) === 1);
    const account = await accountRow(accountId);
    expect(Number(account.workflow_seen_version)).toBe(Number(account.facts_version));
  });
});

describe('a step that cannot be taken', () => {
  it('is recorded for a person and the account waits, instead of its workflow failing', async () => {
    const accountId = await insertAccount(t, { mode: 'autonomous' });
    await t.sql`delete from contacts where account_id = ${accountId}`;
    const now = await today();
    await insertInvoice(t, accountId, { number: 'INV-NOBODY', issueDate: addDaysIso(now, -34), dueDate: addDaysIso(now, -4), amountCents: 30_000 });
    await signal(env.client, taskQueue, accountId, Number((await accountRow(accountId)).facts_version), 'invoice_upserted');
    // The shared test clock may stand on a weekend or a public holiday (observed by default): four days
    // reach a business day whatever the date, and the first reminder's window (D+9) is still open.
    await env.sleep('4 days');
    const [blocked] = await waitFor('the blocked step', async () => {
      const rows = await t.sql`select data from events where account_id = ${accountId} and type = 'step.blocked'`;
      return rows.length ? rows : undefined;
    });
    expect(blocked.data).toMatchObject({ stepId: 'first_reminder', reason: expect.stringMatching(/no contact/) });
    expect((await accountRow(accountId)).next_action).toBe('blocked:first_reminder');
    const described = await handleOf(accountId).describe();
    expect(described.status.name).toBe('RUNNING');

    // Adding a contact and telling the workflow lets the step go out.
    await t.sql`insert into contacts (account_id, name, email, is_primary) values (${accountId}, 'Robin', 'ap@nobody.test', true)`;
    await signal(env.client, taskQueue, accountId, await bumpFacts(t, accountId), 'reconcile');
    await env.sleep('1 hour');
    await waitFor('the send', async () => (await outboxCount(accountId)) === 1);
  });
});

describe('a clerk’s edit', () => {
  it('is fact-checked too: an invented amount is refused and the draft keeps waiting', async () => {
    const { accountId } = await startAccount({ mode: 'copilot' }, { dueInDays: -4, amountCents: 125_000 });
    await env.sleep('2 hours');
    const draft = await waitFor('a waiting draft', async () => (await t.sql`select id, body_text from messages where account_id = ${accountId} and status = 'pending_approval'`)[0]);
    const edit = (bodyText: string) =>
      handleOf(accountId).executeUpdate(decideDraftUpdate, {
        args: [{ messageId: draft.id, decision: 'approve_with_edits', subject: 'Your invoice', bodyText, actor: { type: 'user', name: 'Clerk' } }],
      });
    await expect(edit(draft.body_text.replace('$1,250.00', '$1,520.00'))).rejects.toMatchObject({
      cause: { type: 'InvalidInput', message: expect.stringMatching(/1,520\.00/) },
    });
    expect((await t.sql`select status from messages where id = ${draft.id}`)[0].status).toBe('pending_approval');

    const result = await edit(`${draft.body_text}\n\nP.S. We moved offices; the payment page is unchanged.`);
    expect(result.status).toBe('approved');
    await env.sleep('1 hour');
    await waitFor('the send', async () => (await outboxCount(accountId)) === 1);
    const [sent] = await t.sql`select body_text, draft_body_text from messages where id = ${draft.id}`;
    expect(sent.body_text).toContain('We moved offices');
    expect(sent.draft_body_text).not.toContain('We moved offices');
  });
});
