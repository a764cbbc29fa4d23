/**
 * The escalation engine end to end: the real account workflow and activities on the time-skipping
 * Temporal server, a real PostgreSQL, the local outbox. Each case is a rule DESIGN.md promises users.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { accountWorkflowId, decideDraftUpdate, stateQuery } from '../../workflows/account/definitions';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createTestWorker, tempOutbox } from '../support/engine';
import { addDaysIso, insertAccount, insertInvoice, isoDate, recordPayment, signal, waitFor } from '../support/fixtures';
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
